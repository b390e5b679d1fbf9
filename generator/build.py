"""Run the stages in order: load -> validate -> catalog -> lint -> render -> write.

`check` stops after lint and writes nothing; `build` renders and publishes only when
no stage found an error (or, under --strict, a warning). Given a `Tracker` (what the
last build read and made, see `incremental`), a build redoes only what its inputs'
changes reach; without one it does everything. Both give the same bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

from generator import render, schema, workers
from generator.catalog import Catalog, build_catalog
from generator.errors import Code, Problem, UsageError, fails
from generator.filters import Markdown
from generator.incremental import Output, Tracker, World, default_cache_dir, digest_bytes
from generator.lint import ModelLinter, lint_catalog, today
from generator.load import LineMap, Source, find_sources, find_theme_files, parse_source, theme_dirs
from generator.urls import Urls
from generator.validate import Content, Origin, Validated, collect, unreadable, validate_entry
from generator.write import Staging, check_output_dir

Progress = Callable[[int, int], None]
"""Called with (files done, files to do) while pages render."""


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
    """Processes that load and render; None means one per core."""
    cache_dir: Path | None = None
    """Where `modelcat build` keeps its state between runs; None means the user's cache folder."""
    use_cache: bool = True
    """False builds from scratch and keeps nothing."""
    day: dt.date | None = None
    """Today, for "in the future" warnings; None reads the clock (or SOURCE_DATE_EPOCH)."""

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "_site"

    @property
    def workers(self) -> int:
        import os
        return max(1, self.jobs or os.cpu_count() or 1)

    def cache_folder(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else default_cache_dir(self.site_dir, self.output)


@dataclass
class CheckResult:
    problems: list[Problem]
    catalog: Catalog | None


@dataclass
class BuildResult:
    problems: list[Problem]
    rendered: int = 0
    """Files rendered (or copied) this time."""
    skipped: int = 0
    """Files whose inputs had not changed, so they were left as they were."""
    removed: int = 0
    """Files of pages that no longer exist, deleted from the output."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage."""
    published: bool = False


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


def check(settings: Settings) -> CheckResult:
    """Load, validate, cross-check and lint the content; write nothing."""
    require_site(settings.site_dir)
    with _collector_paused():
        sources, problems = find_sources(settings.site_dir)
        content, more, warnings = _load(sources, {}, {}, None, settings)
        catalog, more_still = _catalog(content, problems + more, warnings, None, settings)
    return CheckResult(problems + more + more_still, catalog)


def build(settings: Settings, tracker: Tracker | None = None, changed: set[str] | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Check, render and publish the site; the previous output stays unless all succeeds.

    `tracker` defaults to the state saved in the cache folder (none with `use_cache`
    off); `changed` lists the files changed since the tracker's last build, when a
    file watcher knows them (None looks at every file).
    """
    require_site(settings.site_dir)
    check_output_dir(settings.output, settings.site_dir)
    if tracker is None and settings.use_cache:
        tracker = Tracker.open(settings.cache_folder())
    with _collector_paused():
        return _build(settings, tracker, changed, progress, _Clock())


def _build(settings: Settings, tracker: Tracker | None, changed: set[str] | None, progress: Progress | None,
           clock: _Clock) -> BuildResult:
    out, day = settings.output, settings.day or today()
    sources, problems = find_sources(settings.site_dir)
    theme = {kind: find_theme_files(settings.site_dir, kind) for kind in ("templates", "static")}
    files = [s.file for s in sources] + [p for found in theme.values() for p in found.values()]
    digests, data = tracker.digests(files, changed) if tracker else ({}, {})
    key = repr((settings.base_url, settings.strict, day.isoformat()))
    if tracker is not None and not problems and tracker.unchanged(key, digests, out):
        return BuildResult(list(tracker.manifest.problems), skipped=len(tracker.manifest.outputs), timings=clock.laps,
                           published=True)
    clock.lap("read")
    content, more, warnings = _load(sources, digests, data, tracker, settings)
    problems += more
    clock.lap("load")
    catalog, more = _catalog(content, problems, warnings, tracker.catalog if tracker else None, settings)
    problems += more
    clock.lap("catalog")
    if catalog is None or fails(problems, settings.strict):
        return BuildResult(problems, timings=clock.laps)

    urls = Urls(catalog.site.base_url)
    world = World(catalog, {name: digests.get(str(path), "") for name, path in theme["templates"].items()},
                  {name: digests.get(str(path), "") for name, path in theme["static"].items()})
    plans = tracker.plan(world, lambda view: render.plan_site(view, urls)) if tracker else render.plan_site(catalog, urls)
    statics = [_StaticFile(name, path) for name, path in theme["static"].items()]
    collisions = sorted({plan.output for plan in plans} & {s.output for s in statics})
    if collisions:
        return BuildResult(problems + [_collision(output) for output in collisions], timings=clock.laps)
    todo, removed, whole = tracker.stale([*plans, *statics], world, out) if tracker else ([*plans, *statics], [], True)
    clock.lap("plan")

    staging = Staging(out)
    try:
        staging.start()
        made, render_problems = _render(todo, world, urls, settings, tracker, staging, progress)
        clock.lap("render")
        if render_problems:
            staging.discard()
            return BuildResult(problems + render.one_per_template(render_problems), timings=clock.laps)
        staging.publish(list(made), removed, whole)
    except OSError as exc:
        with contextlib.suppress(OSError):
            staging.discard()
        return BuildResult(problems + [_unwritable(out, exc)], timings=clock.laps)
    if tracker is not None:
        tracker.commit(world, key, digests, made, removed, whole, problems, out)
    clock.lap("write")
    total = len(plans) + len(statics)
    return BuildResult(problems, rendered=len(todo), skipped=total - len(todo), removed=len(removed),
                       timings=clock.laps, published=True)


# --- Load, validate, catalog, lint ------------------------------------------------


def _load(sources: list[Source], digests: dict[str, str], data: dict[str, bytes], tracker: Tracker | None,
          settings: Settings) -> tuple[Content, list[Problem], dict[str, list[Problem]]]:
    """Parse and validate every file whose bytes are new, and lint each model on its own.

    Unchanged files keep their validated entry, and models their warnings, from the
    tracker. The benchmark definitions come first: models are linted against them.
    """
    def known(source: Source) -> Validated | None:
        return tracker.entry(source, digests[str(source.file)]) if tracker else None

    first = {s.relative: known(s) or _parse(s, data.get(str(s.file))) for s in sources if s.kind in _FIRST}
    benchmarks = next((v.value for v in first.values() if v.kind == "benchmarks"), None) or {}
    day = settings.day or today()
    linter = ModelLinter(benchmarks, day)
    lint_key = digest_bytes(repr((sorted(b.model_dump_json() for b in benchmarks.values()), day)).encode())

    def load_one(source: Source) -> tuple[Validated, list[Problem] | None]:
        result = known(source) or _parse(source, data.get(str(source.file)))
        warnings = None
        if result.kind == "model" and result.value is not None:
            if tracker is not None:
                warnings = tracker.lints(source.relative, f"{digests[str(source.file)]}:{lint_key}")
            if warnings is None:
                warnings = linter.lint(result.value, result.origin)
        result.origin.lines.forget()  # worked out again if a later problem needs a line
        return result, warnings

    later = [s for s in sources if s.kind not in _FIRST]
    fresh = [s for s in later if known(s) is None]
    new = {s.relative for s in fresh}
    outcomes = {s.relative: load_one(s) for s in later if s.relative not in new}
    for part, done in zip(_parts(fresh, 64), workers.run(load_one, fresh, settings.workers, chunk=64)):
        outcomes.update(zip((s.relative for s in part), done))
    results = [first[s.relative] if s.kind in _FIRST else outcomes[s.relative][0] for s in sources]
    if tracker is not None:
        tracker.keep_entries({s.relative: (digests[str(s.file)], r) for s, r in zip(sources, results)})
        tracker.keep_lints({s.relative: (f"{digests[str(s.file)]}:{lint_key}", outcomes[s.relative][1])
                            for s in later if outcomes[s.relative][1] is not None})
    content, problems = collect(results)
    warnings = {s.slug: outcomes[s.relative][1] for s in later if outcomes[s.relative][1] is not None}
    return content, problems, warnings


_FIRST = ("site", "benchmarks")
"""Read before the rest: models are linted against the benchmark definitions."""


def _parts(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _parse(source: Source, data: bytes | None) -> Validated:
    """Parse and validate one file, recording its lines while the file is open anyway."""
    entry, problems = parse_source(source, source.file.read_bytes() if data is None else data, record_lines=True)
    if entry is None:
        return unreadable(source.kind, source.slug, Origin(source.relative, LineMap(source)), problems)
    return validate_entry(entry)


def _catalog(content: Content, earlier: list[Problem], warnings: dict[str, list[Problem]], previous: Catalog | None,
             settings: Settings) -> tuple[Catalog | None, list[Problem]]:
    """Cross-check the content, then lint it if every file and reference is valid."""
    base_url = normalize_base_url(settings.base_url) if settings.base_url is not None else None
    catalog, problems = build_catalog(content, previous, base_url)
    if catalog is not None and not any(p.is_error for p in earlier + problems):
        problems += lint_catalog(catalog, content.origins, settings.day or today(), per_model=warnings)
    return catalog, problems


# --- Render and write ---------------------------------------------------------------


@dataclass(frozen=True)
class _StaticFile:
    """A file of static/, copied as it is."""

    output: str
    source: Path


def _render(todo: list, world: World, urls: Urls, settings: Settings, tracker: Tracker | None, staging: Staging,
            progress: Progress | None) -> tuple[dict[str, Output], list[Problem]]:
    """Render the files to make into the staging folder; return what each read, or the template failures."""
    template_dirs = theme_dirs(settings.site_dir, "templates")
    env = _environment(template_dirs, urls, tracker)
    watch = tracker.watching(world.catalog) if tracker else lambda make: (make(world.catalog), ())

    def render_one(plan: Any) -> tuple[Any, bytes | None, Problem | None, tuple]:
        if isinstance(plan, _StaticFile):
            return plan, None, None, (("statics", plan.output),)
        try:
            data, reads = watch(lambda catalog: render.render_page(env, plan, catalog, urls))
        except Exception as exc:  # noqa: BLE001 - a broken template is the site author's problem, reported as such
            return plan, None, render.template_problem(exc, plan, template_dirs, settings.site_dir), ()
        return plan, data, None, reads

    made: dict[str, Output] = {}
    problems: list[Problem] = []
    for part in workers.run(render_one, todo, settings.workers, chunk=32):
        for plan, data, problem, reads in part:
            if problem is not None:
                problems.append(problem)
            elif data is None:
                staging.copy(plan.output, plan.source)
                made[plan.output] = Output(plan, reads, world.statics[plan.output])
            else:
                staging.write(plan.output, data)
                made[plan.output] = Output(plan, reads, digest_bytes(data) if tracker else "")
        if progress:
            progress(len(made) + len(problems), len(todo))
    return made, problems


def _environment(template_dirs: list[Path], urls: Urls, tracker: Tracker | None):
    """Return the Jinja environment; a tracker keeps one (its compiled templates, its Markdown) between builds."""
    import jinja2

    folders = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs])
    if tracker is None:
        return render.make_environment(template_dirs, urls, Markdown(urls.base_path, keep_blocks=False))
    markdown = tracker.runtime.setdefault("markdown", {})
    if len(markdown) > 100_000:
        markdown.clear()  # texts edited away pile up in a long session; a bound keeps memory flat
    return tracker.environment(
        lambda loader: render.make_environment(template_dirs, urls, Markdown(urls.base_path, markdown), loader),
        (tuple(template_dirs), urls.base_url), folders)


def _collision(output: str) -> Problem:
    return Problem(Code.URL_COLLISION, f"static/{output}", "", f"this file would replace the generated page /{output}.",
                   hint="rename or remove the static file.")


def _unwritable(out: Path, exc: OSError) -> Problem:
    """The problem of an output that cannot be written: a full disk, no permission, a file where a folder goes."""
    return Problem(Code.OUTPUT_ERROR, str(out), "", f"could not write {exc.filename or out}: {exc.strerror or exc}.",
                   hint="check that the output folder can be written and the disk has room, or choose another --out.")


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
