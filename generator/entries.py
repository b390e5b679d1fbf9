"""Every content file's entry: parsed, validated and linted on its own, on every core.

Given what the last build made of each file and the hashes of the files' bytes, an
unchanged file keeps its entry and its warnings, and the content is updated rather
than gathered again: a rebuild parses only what changed. Each model is linted while
its file's lines are at hand, so its warnings carry their line numbers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from generator import workers
from generator.errors import Problem
from generator.lint import ModelLinter
from generator.load import LineMap, Source, parse_source
from generator.validate import Content, Origin, Validated, unreadable, update_content, validate_entry


@dataclass
class Loaded:
    """What the load step made of every file; a tracker keeps it so that a rebuild parses only what changed."""

    files: dict[str, tuple[str, Validated, list[Problem] | None]]
    """File (relative) -> (hash of its bytes, its validated entry, a model's own warnings)."""
    lint_key: str
    """What the models were linted against: the benchmark definitions and the day."""
    content: Content
    warnings: dict[str, list[Problem]]
    """Model slug -> the model's own warnings."""

    @property
    def problems(self) -> list[Problem]:
        return [problem for _, result, _ in self.files.values() for problem in result.problems]


def load_entries(sources: list[Source], digests: dict[str, str], data: dict[str, bytes], previous: Loaded | None,
                 day: dt.date, jobs: int) -> Loaded:
    """Parse and validate every file whose bytes are new, and lint each model on its own.

    With `previous` (and the files' hashes), unchanged files keep their entry and
    warnings, and the content is updated rather than gathered again. The benchmark
    definitions come first: models are linted against them.
    """
    files = dict(previous.files) if previous is not None else {}

    def known(source: Source) -> tuple[str, Validated, list[Problem] | None] | None:
        found = files.get(source.relative) if digests else None
        return found if found is not None and found[0] == digests[str(source.file)] else None

    def parsed(source: Source) -> Validated:
        found = known(source)
        return found[1] if found else _parse(source, data.get(str(source.file)))

    first = {s.relative: parsed(s) for s in sources if s.kind in _FIRST}
    benchmarks = next((v.value for v in first.values() if v.kind == "benchmarks"), None) or {}
    linter = ModelLinter(benchmarks, day)
    lint_key = hashlib.blake2b(repr((sorted(b.model_dump_json() for b in benchmarks.values()), day)).encode(),
                               digest_size=16).hexdigest()
    relint = previous is None or previous.lint_key != lint_key

    def load_one(source: Source) -> tuple[str, Validated, list[Problem] | None]:
        found = known(source)
        result = found[1] if found else _parse(source, data.get(str(source.file)))
        warnings = found[2] if found and not relint else None
        if warnings is None and result.kind == "model" and result.value is not None:
            warnings = linter.lint(result.value, result.origin)
        result.origin.lines.forget()  # worked out again if a later problem needs a line
        return digests.get(str(source.file), ""), result, warnings

    later = [s for s in sources if s.kind not in _FIRST]
    todo = [s for s in later if relint or known(s) is None]
    gone, arrived = [], []
    for relative in files.keys() - {s.relative for s in sources}:
        gone.append(files.pop(relative)[1])
    outcomes = [(s, (digests.get(str(s.file), ""), first[s.relative], None)) for s in sources if s.kind in _FIRST]
    for part, done in workers.run(load_one, todo, jobs, chunk=64):
        outcomes += zip(part, done)
    warnings = dict(previous.warnings) if previous is not None else {}
    for source, outcome in outcomes:
        old = files.get(source.relative)
        files[source.relative] = outcome
        if old is not None and old[1] is outcome[1] and old[2] == outcome[2]:
            continue
        if old is not None:
            gone.append(old[1])
        arrived.append(outcome[1])
    for result in gone:
        if result.kind == "model":
            warnings.pop(result.slug, None)
    for (_, result, found) in (files[s.relative] for s, _ in outcomes):
        if found is not None:
            warnings[result.slug] = found
    content = update_content(previous.content if previous is not None else None, gone, arrived)
    return Loaded(files, lint_key, content, warnings)


_FIRST = ("site", "benchmarks")
"""Read before the rest: models are linted against the benchmark definitions."""


def _parse(source: Source, data: bytes | None) -> Validated:
    """Parse and validate one file, recording its lines while the file is open anyway."""
    entry, problems = parse_source(source, source.file.read_bytes() if data is None else data, record_lines=True)
    if entry is None:
        return unreadable(source.kind, source.slug, Origin(source.relative, LineMap(source)), problems)
    return validate_entry(entry)
