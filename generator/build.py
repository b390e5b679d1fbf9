"""Run the stages in order: load -> validate -> catalog -> lint -> render -> write.

`check` stops after the catalog and writes nothing; `build` renders and publishes
only when no stage found an error (or, under `--strict`, a warning).

Builds are incremental by construction, never by guessing dependencies: each pure
step's result is cached under a hash of exactly what it read (see `cache`). A file
is parsed and validated again only when its bytes change, a page is rendered again
only when its key (its templates' sources and the hash of its render context)
changes, and only changed files are moved into the output. The catalog itself is
recomputed on every build that has any change; a build whose inputs all hash as
before only checks that the output is still what it wrote.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pydantic_core import PydanticCustomError

from generator import schema
from generator.cache import CODE_VERSION, DIRECT, BuildCache, FileStamp, Fingerprints, Memo, default_cache_dir, digest, \
    digest_bytes
from generator.catalog import Catalog, build_catalog
from generator.deps import Read, RecordingCatalog, resolve
from generator.errors import Code, Problem, UsageError, fails
from generator.filters import Markdown
from generator.lint import ModelLinter, lint_catalog, today
from generator.load import LineMap, Source, find_sources, parse_source
from generator.render import gather, make_environment, one_per_template, plan_outputs, render_page, \
    template_closure, template_problem
from generator.urls import Urls
from generator.validate import Content, Origin, Validated, collect, unreadable, validate_entry
from generator.write import MARKER, Staging, check_output_dir

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
RACY_NS = 2_000_000_000
"""A file modified this close to when it was last hashed is hashed again, whatever its stamp says."""
_MARKDOWN_PER_ENTRY = 100
"""Markdown results kept per content file before the store is cleared (an entry has some 20 texts)."""
_PARALLEL_MIN = 256
"""Fewer tasks than this run in this process: starting workers would cost more."""


@dataclass(frozen=True)
class Settings:
    """What to build and how; every stage receives what it needs from here explicitly."""

    site_dir: Path
    out_dir: Path | None = None
    """Defaults to SITE/_site."""
    strict: bool = False
    """Warnings fail the run."""
    base_url: str | None = None
    """Overrides site.yaml's base_url (the dev server points it at itself)."""
    jobs: int | None = None
    """Processes that render pages; None means one per core."""
    cache_dir: Path | None = None
    """Where the persistent cache lives; None means the user's cache folder."""
    use_cache: bool = True
    """False builds from scratch and keeps nothing on disk."""

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "_site"

    @property
    def workers(self) -> int:
        return max(1, self.jobs or os.cpu_count() or 1)

    def cache_folder(self) -> Path | None:
        if not self.use_cache:
            return None
        return self.cache_dir if self.cache_dir is not None else default_cache_dir(self.site_dir, self.output)


@dataclass
class CheckResult:
    problems: list[Problem]
    catalog: Catalog | None


@dataclass
class BuildResult:
    problems: list[Problem]
    rendered: int = 0
    """Pages and files rendered this time."""
    skipped: int = 0
    """Pages whose key had not changed, so they were not rendered again."""
    written: int = 0
    """Files moved into the output."""
    removed: int = 0
    """Files of pages that no longer exist, deleted from the output."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage."""
    published: bool = False


Progress = Callable[[int, int], None]
"""Called with (pages done, pages to do) while pages render."""


def theme_dirs(site_dir: Path, kind: str) -> list[Path]:
    """Return the site's own `templates/` or `static/` first, then the bundled theme's."""
    bundled = _PACKAGE / "theme" / kind
    if not bundled.is_dir():  # running from a checkout: the repository root is the bundled site
        bundled = _PACKAGE.parent / kind
    dirs = [site_dir / kind, bundled]
    unique = {d.resolve(): d for d in dirs if d.is_dir()}
    return list(unique.values())


def require_site(site_dir: Path) -> None:
    """Refuse a folder that is plainly not a modelcat site."""
    if not site_dir.is_dir():
        raise UsageError(f"{site_dir} is not a folder.")
    if not (site_dir / "site.yaml").is_file() and not (site_dir / "content").is_dir():
        raise UsageError(f"{site_dir} is not a modelcat site: it has neither site.yaml nor content/.")


def normalize_base_url(value: str) -> str:
    """Return a `--base-url` value as the site would store it, or raise UsageError."""
    try:
        return schema.check_base_url(value)
    except PydanticCustomError as exc:
        raise UsageError(f"--base-url: {exc.message()}") from None


# --- Check ---------------------------------------------------------------------------


def check(settings: Settings, cache: BuildCache | None = None) -> CheckResult:
    """Load, validate and cross-check the content; write nothing."""
    with _collector_paused():
        return _check(settings, cache)


def _check(settings: Settings, cache: BuildCache | None) -> CheckResult:
    require_site(settings.site_dir)
    cache = cache or BuildCache()
    inputs = _read_inputs(settings, cache)
    loaded = _load(inputs, cache, settings.workers)
    problems = inputs.problems + loaded.problems
    catalog, catalog_problems = _catalog(loaded, problems, settings)
    return CheckResult(problems + catalog_problems, catalog)


@dataclass
class _Inputs:
    """Every file a build reads, with the hash of its bytes."""

    sources: list[Source]
    problems: list[Problem]
    old_stamps: dict[str, FileStamp]
    digests: dict[str, str] = field(default_factory=dict)
    """Content path -> digest; templates and static files under "templates:NAME" and "static:PATH"."""
    data: dict[str, bytes] = field(default_factory=dict)
    """Bytes of the files read this time (the others were known by their stamps)."""


def _read_inputs(settings: Settings, cache: BuildCache) -> _Inputs:
    sources, problems = find_sources(settings.site_dir)
    inputs = _Inputs(sources, problems, cache.manifest.stamps)
    cache.manifest.stamps = {}
    for source in sources:
        inputs.digests[source.relative] = _digest_file(source.file, cache, inputs)
    return inputs


def _digest_file(file: Path, cache: BuildCache, inputs: _Inputs) -> str:
    """Return the hash of a file's bytes, reading it only if its stamp changed (or is too recent to trust)."""
    stat = file.stat()
    key = str(file)
    old = inputs.old_stamps.get(key)
    if old and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns) and stat.st_mtime_ns < old.checked_ns - RACY_NS:
        cache.manifest.stamps[key] = old
        return old.digest
    data = file.read_bytes()
    file_digest = digest_bytes(data)
    cache.manifest.stamps[key] = FileStamp(stat.st_size, stat.st_mtime_ns, file_digest, time.time_ns())
    inputs.data[key] = data
    return file_digest


@dataclass
class _Loaded:
    content: Content
    problems: list[Problem]
    warnings: dict[str, list[Problem]]
    """Model slug -> the model's own lint warnings (see `lint.ModelLinter`)."""


def _load(inputs: _Inputs, cache: BuildCache, jobs: int) -> _Loaded:
    """Parse, validate and lint every file whose bytes are new; reuse the cached outcome of the rest.

    The site and benchmark files come first: models are linted against the benchmark
    definitions, in the same pass that parses them, while their line numbers are at hand.
    """
    sources = inputs.sources
    keys = [(s.relative, inputs.digests[s.relative]) for s in sources]
    for index, source in enumerate(sources):
        if source.kind in ("site", "benchmarks") and keys[index] not in cache.entries:
            cache.entries[keys[index]] = _parse(source, inputs)
    benchmarks = next((cache.entries[k].value for k, s in zip(keys, sources) if s.kind == "benchmarks"), None) or {}
    day = today()
    lint_key = digest(repr(sorted(b.model_dump_json() for b in benchmarks.values())), day.isoformat())
    linter = ModelLinter(benchmarks, day)
    todo = [i for i, (key, source) in enumerate(zip(keys, sources)) if source.kind not in ("site", "benchmarks") and (
        key not in cache.entries or (source.kind == "model" and cache.lints.get(key, ("",))[0] != lint_key))]

    def load_one(position: int) -> tuple[Validated, list[Problem] | None]:
        index = todo[position]
        result = cache.entries.get(keys[index])
        if result is None:
            result = _parse(sources[index], inputs)
        warnings = None
        if result.kind == "model" and result.value is not None:
            warnings = linter.lint(result.value, result.origin)
        result.origin.lines.forget()  # lines are worked out again if a later problem needs one
        return result, warnings

    for index, (result, warnings) in zip(todo, _parallel_map(load_one, len(todo), jobs, chunk=64)):
        cache.entries[keys[index]] = result
        if warnings is not None:
            cache.lints[keys[index]] = (lint_key, warnings)
    cache.entries = {key: cache.entries[key] for key in keys}  # forget files that are gone or changed
    cache.lints = {key: cache.lints[key] for key in keys if key in cache.lints}
    content, problems = collect([cache.entries[key] for key in keys])
    warnings = {source.slug: cache.lints[key][1] for key, source in zip(keys, sources) if key in cache.lints}
    return _Loaded(content, problems, warnings)


def _parse(source: Source, inputs: _Inputs) -> Validated:
    """Parse and validate one file, recording its lines while the file is open anyway."""
    data = inputs.data.get(str(source.file))
    if data is None:
        data = source.file.read_bytes()
    entry, problems = parse_source(source, data, record_lines=True)
    if entry is None:
        return unreadable(source.kind, source.slug, Origin(source.relative, LineMap(source)), problems)
    return validate_entry(entry)


def _catalog(loaded: _Loaded, earlier: list[Problem], settings: Settings) -> tuple[Catalog | None, list[Problem]]:
    """Cross-check the content, then lint it if every file and reference is valid."""
    content = loaded.content
    catalog, problems = build_catalog(content)
    if catalog is not None and not any(p.is_error for p in earlier + problems):
        problems += lint_catalog(catalog, content.origins, per_model=loaded.warnings)
    if catalog is not None and settings.base_url is not None:
        catalog = replace(catalog, site=catalog.site.model_copy(update={"base_url": normalize_base_url(settings.base_url)}))
    return catalog, problems


# --- Build ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _StaticPlan:
    """A file of static/, copied as it is."""

    output: str
    source: Path


def build(settings: Settings, cache: BuildCache | None = None, progress: Progress | None = None) -> BuildResult:
    """Check, render and publish the site; the previous output stays unless all succeeds."""
    with _collector_paused():
        return _build(settings, cache, progress)


def _build(settings: Settings, cache: BuildCache | None, progress: Progress | None) -> BuildResult:
    clock = _Clock()
    require_site(settings.site_dir)
    check_output_dir(settings.output, settings.site_dir)
    cache = cache or BuildCache.open(settings.cache_folder())
    inputs = _read_inputs(settings, cache)
    _theme_files(settings.site_dir, "templates", cache, inputs)
    template_dirs = theme_dirs(settings.site_dir, "templates")
    statics = _theme_files(settings.site_dir, "static", cache, inputs)
    plan_key = digest(CODE_VERSION, repr((settings.base_url, settings.strict)),
                      repr(sorted(inputs.digests.items())), repr([p.format() for p in inputs.problems]))
    clock.lap("read")
    out = settings.output
    if plan_key == cache.manifest.plan_key and _output_intact(out, cache):
        cache.after_build(bulk_changed=False)
        return BuildResult(list(cache.manifest.plan_problems), skipped=len(cache.manifest.outputs),
                           timings=clock.laps, published=True)

    cache.load_bulk()
    loaded = _load(inputs, cache, settings.workers)
    content = loaded.content
    inputs.data.clear()  # parsed now; the bytes of 10,000 files need not stay in memory while pages render
    clock.lap("load")
    problems = inputs.problems + loaded.problems
    catalog, catalog_problems = _catalog(loaded, problems, settings)
    problems += catalog_problems
    clock.lap("catalog")
    if catalog is None or fails(problems, settings.strict):
        cache.after_build(bulk_changed=True)
        return BuildResult(problems, timings=clock.laps)

    urls = Urls(catalog.site.base_url)
    env, markdown = _environment(cache, template_dirs, urls, settings.use_cache)
    plans: list[Any] = plan_outputs(catalog, urls)
    collisions = _static_collisions(plans, statics)
    if collisions:
        return BuildResult(problems + collisions, timings=clock.laps)
    plans += [_StaticPlan(relative, path) for relative, path in sorted(statics.items())]
    keep = settings.use_cache  # without a cache there is nothing to key, record or remember
    whole = not keep or not (out / MARKER).exists() or not cache.manifest.outputs
    memo = DIRECT
    if keep:
        prints = _fingerprints(content, catalog, inputs)
        template_key = _TemplateKeys(env, inputs, cache)
        keys = _page_keys(plans, template_key, prints, catalog, inputs)
        current_reads = _ReadDigests(catalog, prints)
        memo = Memo(cache.runtime.setdefault("memo", {}), prints)
        env.globals["fragment"] = _Fragments(env, memo, template_key)
    else:
        env.globals["fragment"] = _Fragments(env, memo, None)
    long_lived = not cache.autosave  # the dev server: results made in workers come back to its memory
    compared = long_lived and "catalog" in cache.runtime and not whole
    if whole:
        todo = list(range(len(plans)))
    elif compared:
        todo = _stale_since_last_build(plans, keys, catalog, cache)
    else:
        todo = [i for i, plan in enumerate(plans) if not _still_published(out, plan.output, keys[i], cache, current_reads)]
    clock.lap("plan")

    staging = Staging(out)
    try:
        staging.start()
    except OSError as exc:
        return BuildResult(problems + [_unwritable(out, exc)], timings=clock.laps)

    def render_one(index: int) -> tuple[Problem | None, tuple[Read, ...], dict]:
        plan = plans[todo[index]]
        if isinstance(plan, _StaticPlan):
            try:
                staging.copy(plan.output, plan.source)
            except OSError as exc:
                return _unwritable(out, exc), (), {}
            return None, (), {}
        reads: set[Read] = set()
        seen = RecordingCatalog(catalog, reads) if keep else catalog
        gathered = gather(plan, seen, memo)  # modelcat's own code: an exception here is a bug, shown as one
        if plan.template is None:
            data = gathered
        else:
            try:
                data = render_page(env, plan, gathered, seen)
            except Exception as exc:  # noqa: BLE001 - a broken template is the site author's problem, reported as such
                return template_problem(exc, plan, template_dirs, settings.site_dir), (), {}
        try:
            staging.write(plan.output, data)
        except OSError as exc:
            return _unwritable(out, exc), (), {}
        if not keep:
            return None, (), {}
        return None, tuple(sorted(reads, key=repr)), (markdown.take_fresh(), memo.take_fresh() if long_lived else {})

    results = _parallel_map(render_one, len(todo), settings.workers, chunk=32, progress=progress)
    clock.lap("render")
    render_problems = one_per_template([p for p, _, _ in results if p is not None])
    if render_problems:
        with contextlib.suppress(OSError):
            staging.discard()
        return BuildResult(problems + render_problems, timings=clock.laps)
    fragments = cache.runtime.get("memo", {})
    made = set(memo.used)
    for _, _, fresh in results:
        if fresh:
            cache.markdown.update(fresh[0])
            fragments.update(fresh[1])
            made.update(fresh[1])
    if long_lived and 2 * len(todo) > len(plans):  # most pages rendered again: forget what none of them used
        cache.runtime["memo"] = {key: fragments[key] for key in made if key in fragments}
    if len(cache.markdown) > _MARKDOWN_PER_ENTRY * (len(content.origins) + 100):
        cache.markdown.clear()  # texts edited away pile up; a bound keeps the cache from growing without end

    current = {plan.output for plan in plans}
    removed = [] if whole else sorted(set(cache.manifest.outputs) - current)
    written = [plans[i].output for i in todo]
    try:
        staging.publish(written, removed, whole)
    except OSError as exc:
        return BuildResult(problems + [_unwritable(out, exc)], timings=clock.laps)
    clock.lap("write")
    if not keep:
        return BuildResult(problems, rendered=len(todo), written=len(written), timings=clock.laps, published=True)
    outputs = {} if whole else {k: v for k, v in cache.manifest.outputs.items() if k in current}
    reads = {} if whole else {k: v for k, v in cache.reads.items() if k in current}
    for i, (_, page_reads, _) in zip(todo, results):
        stat = (out / plans[i].output).stat()
        # The dev server finds stale pages by comparing catalogs, not by these hashes; it leaves them
        # empty, so a later build in a new process renders its pages once more rather than trusting them.
        read_digest = "" if compared else current_reads.digest(page_reads)
        outputs[plans[i].output] = (keys[i], read_digest, stat.st_size, stat.st_mtime_ns)
        reads[plans[i].output] = page_reads
    if long_lived:
        _update_readers(cache, reads, [plans[i].output for i in todo], whole)
        cache.runtime["catalog"] = catalog
    cache.manifest.outputs, cache.reads = outputs, reads
    cache.manifest.plan_key = plan_key
    cache.manifest.plan_problems = problems
    clock.lap("write")
    cache.after_build(bulk_changed=True)
    return BuildResult(problems, rendered=len(todo), skipped=len(plans) - len(todo), written=len(written),
                       removed=len(removed), timings=clock.laps, published=True)


def _environment(cache: BuildCache, template_dirs: list[Path], urls: Urls, keep: bool):
    """Return the Jinja environment and Markdown renderer, reusing those of the last build when they still fit.

    Jinja recompiles a template whose file changed, so only the folders and the base
    URL decide; a dev server then compiles its templates once, not on every save.
    """
    key = (tuple(template_dirs), urls.base_url, id(cache.markdown), keep)
    if cache.runtime.get("environment_key") != key:
        markdown = Markdown(urls.base_path, cache.markdown, keep_blocks=keep)
        cache.runtime.update(environment_key=key, environment=(make_environment(template_dirs, urls, markdown), markdown),
                             closures={})
    return cache.runtime["environment"]


def _theme_files(site_dir: Path, kind: str, cache: BuildCache, inputs: _Inputs) -> dict[str, Path]:
    """Return the theme's files by relative path (the site's own winning over the bundled ones), hashed into `inputs`."""
    found: dict[str, Path] = {}
    for folder in reversed(theme_dirs(site_dir, kind)):
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.startswith(".") and not path.name.endswith("~"):
                found[path.relative_to(folder).as_posix()] = path
    for relative, path in sorted(found.items()):
        inputs.digests[f"{kind}:{relative}"] = _digest_file(path, cache, inputs)
    return found


def _output_intact(out: Path, cache: BuildCache) -> bool:
    """Whether every file the last build wrote is still there, unchanged."""
    if not (out / MARKER).exists() or not cache.manifest.outputs:
        return False
    return all(_stat_matches(out / path, size, mtime) for path, (_, _, size, mtime) in cache.manifest.outputs.items())


def _still_published(out: Path, output: str, key: str, cache: BuildCache, current: _ReadDigests) -> bool:
    """Whether the output holds this page as it would render now: same key, same reads, file untouched."""
    record = cache.manifest.outputs.get(output)
    if record is None or record[0] != key or output not in cache.reads:
        return False
    return record[1] == current.digest(cache.reads[output]) and _stat_matches(out / output, record[2], record[3])


def _stale_since_last_build(plans: list, keys: list[str], catalog: Catalog, cache: BuildCache) -> list[int]:
    """Return the pages to render again, found by comparing this catalog with the last build's.

    A long-lived process (the dev server) still holds the last build's catalog. A
    page is stale when its key changed or when one of its reads now returns a value
    that is not equal to the one it returned then; entries that did not change are
    the very same objects, so most comparisons end at an identity check. Only the
    pages that read a changed value are looked at, through an index from each read
    to its readers, so the cost follows the edit rather than the size of the site.
    """
    previous = cache.runtime["catalog"]
    readers: dict[Read, set[str]] = cache.runtime["readers"]
    models, models_before = catalog.models, previous.models
    # Most reads are one field of one model (27 of 32 at 10,000 models): an entry
    # that is the very same object as before answers them all unchanged.
    changed = [read for read in readers
               if not (len(read) == 3 and read[0] == "models" and models.get(read[1]) is models_before.get(read[1]))
               and resolve(catalog, read) != resolve(previous, read)]
    stale = set().union(*(readers[read] for read in changed)) if changed else set()
    outputs = cache.manifest.outputs
    return [i for i, plan in enumerate(plans)
            if plan.output in stale or plan.output not in outputs or outputs[plan.output][0] != keys[i]]


def _update_readers(cache: BuildCache, reads: dict[str, tuple[Read, ...]], rendered: list[str], whole: bool) -> None:
    """Keep the index from each read to the pages that made it in step with the pages' reads."""
    readers: dict[Read, set[str]] | None = None if whole else cache.runtime.get("readers")
    if readers is None:
        readers = {}
        for output, page_reads in reads.items():
            for read in page_reads:
                readers.setdefault(read, set()).add(output)
    else:
        for output in rendered:
            for read in cache.reads.get(output, ()):
                readers.get(read, set()).discard(output)
            for read in reads[output]:
                readers.setdefault(read, set()).add(output)
    cache.runtime["readers"] = readers


class _ReadDigests:
    """The hash of what a page's recorded catalog reads return in this build."""

    def __init__(self, catalog: Catalog, prints: Fingerprints):
        self._catalog = catalog
        self._prints = prints
        self._memo: dict[Read, str] = {}

    def digest(self, reads: tuple[Read, ...]) -> str:
        parts = []
        for read in reads:
            part = self._memo.get(read)
            if part is None:
                part = self._memo[read] = self._prints.of(resolve(self._catalog, read))
            parts.append(part)
        return digest(*parts)


def _unwritable(out: Path, exc: OSError) -> Problem:
    """The problem of an output that cannot be written: a full disk, no permission, a file where a folder goes."""
    return Problem(Code.OUTPUT_ERROR, str(out), "", f"could not write {exc.filename or out}: {exc.strerror or exc}.",
                   hint="check that the output folder can be written and the disk has room, or choose another --out.")


def _stat_matches(path: Path, size: int, mtime_ns: int) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns)


def _static_collisions(plans: list, statics: dict[str, Path]) -> list[Problem]:
    return [Problem(Code.URL_COLLISION, f"static/{plan.output}", "", f"this file would replace the generated page /{plan.output}.",
                    hint="rename or remove the static file.")
            for plan in plans if plan.output in statics]


def _fingerprints(content: Content, catalog: Catalog, inputs: _Inputs) -> Fingerprints:
    """Return fingerprints seeded with the hash of each entry's file, so hashing a page's context is cheap."""
    prints = Fingerprints()
    file_digest = {origin.path: inputs.digests.get(origin.path, "") for origin in content.origins.values()}
    for kind, entries in (("model", content.models), ("comparison", content.comparisons), ("page", content.pages)):
        for slug, value in entries.items():
            value_digest = digest(kind, slug, file_digest[content.origin(kind, slug).path])
            prints.seed(value, value_digest)
            for benchmark_id, score in getattr(value, "scores", ()):  # each score, one per variant
                prints.seed(score, digest(value_digest, benchmark_id, score.variant or ""))
    for benchmark_id, benchmark in content.benchmarks.items():
        prints.seed(benchmark, digest("benchmark", benchmark_id, file_digest[content.origin("benchmark", benchmark_id).path]))
    return prints


class _TemplateKeys:
    """The hash of a template and of every template it extends, includes or imports."""

    def __init__(self, env, inputs: _Inputs, cache: BuildCache):
        self._env = env
        self._digests = {k.removeprefix("templates:"): v for k, v in inputs.digests.items() if k.startswith("templates:")}
        self._closures: dict[tuple[str, str], list[str]] = cache.runtime.setdefault("closures", {})
        self._all = digest(repr(sorted(self._digests.items())))
        self._keys: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        key = self._keys.get(name)
        if key is None:
            closure = self._closures.get((name, self._all))
            if closure is None:
                closure = self._closures[(name, self._all)] = template_closure(self._env, name)
            key = self._keys[name] = digest(*(f"{n}={self._digests.get(n, '')}" for n in closure))
        return key


def _page_keys(plans: list, template_key: _TemplateKeys, prints: Fingerprints, catalog: Catalog,
               inputs: _Inputs) -> list[str]:
    """Return each output's render key: what it is, its templates' sources and the site settings.

    What a page shows is not part of the key: everything it reads from the catalog,
    while its content is gathered and while its template runs, is recorded and
    checked separately (see `deps`).
    """
    site_key = prints.of(catalog.site)
    keys = []
    for plan in plans:
        if isinstance(plan, _StaticPlan):
            keys.append(digest("static", inputs.digests[f"static:{plan.output}"]))
        else:  # what the page shows is checked through its recorded reads; the key covers the rest
            keys.append(digest(plan.kind, plan.output, template_key(plan.template) if plan.template else "", site_key,
                               _made_by(plan.make, prints)))
    return keys


class _Fragments:
    """The `fragment(template, macro, **values)` function of templates.

    It calls a macro of a partial template with only the values given (no catalog),
    keeping the result in `memo` under the hashes of the values and the template.
    Templates use it for rows that many pages repeat; since the macro sees nothing
    but its arguments, its output is a pure function of them and of its template.
    """

    def __init__(self, env, memo: Memo, template_key: _TemplateKeys | None):
        self._env = env
        self._memo = memo
        self._template_key = template_key
        self._macros: dict[tuple[str, str], tuple[str, Callable]] = {}

    def __call__(self, template: str, macro: str, **values: Any) -> Markup:
        label, function = self._macros.get((template, macro)) or self._load(template, macro)
        names = sorted(values)
        return Markup(self._memo(f"{label}({','.join(names)})", lambda: function(**values), *[values[n] for n in names]))

    def _load(self, template: str, macro: str) -> tuple[str, Callable]:
        key = self._template_key(template) if self._template_key else template
        found = self._macros[(template, macro)] = (f"fragment:{key}:{macro}", getattr(self._env.get_template(template).module, macro))
        return found


def _made_by(make: Callable, prints: Fingerprints) -> str:
    """Return the hash of the function that gathers a page and the arguments bound to it."""
    if isinstance(make, functools.partial):
        return digest(make.func.__qualname__, prints.of(make.args), prints.of(make.keywords))
    return make.__qualname__


# --- Running work on every core -----------------------------------------------------

_TASK: Callable[[int], Any] | None = None


def _parallel_map(task: Callable[[int], Any], count: int, jobs: int, chunk: int,
                  progress: Progress | None = None) -> list[Any]:
    """Return [task(0), ..., task(count - 1)], spread over forked processes when worthwhile.

    Workers are forked, so they share everything built so far (the catalog, the
    templates) without copying it; only small results travel back. Forking is
    skipped in a process running other threads (the dev server), where it is unsafe.
    """
    global _TASK
    ranges = [range(start, min(start + chunk, count)) for start in range(0, count, chunk)]
    results: list[Any] = []
    if jobs <= 1 or count < _PARALLEL_MIN or threading.active_count() > 1 or \
            "fork" not in multiprocessing.get_all_start_methods():
        for part in ranges:
            results.extend(task(i) for i in part)
            if progress:
                progress(len(results), count)
        return results
    _TASK = task
    gc.freeze()  # workers would otherwise copy every page the collector touches
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for part in pool.imap(_run_range, ranges):
                results.extend(part)
                if progress:
                    progress(len(results), count)
    finally:
        _TASK = None
        gc.unfreeze()
    return results


def _run_range(indices: range) -> list[Any]:
    assert _TASK is not None
    return [_TASK(i) for i in indices]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a build makes millions of long-lived objects.

    A build creates no garbage cycles worth collecting, but the collector would scan
    the growing heap again and again: at 10,000 models it doubled the time to load.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Clock:
    """Seconds spent in each stage."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = self.laps.get(stage, 0.0) + now - self._last
        self._last = now
