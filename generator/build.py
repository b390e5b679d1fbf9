"""Run the stages in order: load -> validate -> catalog -> lint -> render -> write.

`check` stops after lint and writes nothing; `build` renders and publishes only when
no stage found an error (or, under --strict, a warning). Given a `Tracker` (what the
last build read and made, see `incremental`), a build redoes only what its inputs'
changes reach; without one it does everything. Both give the same bytes.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import jinja2

from generator import render, search, workers
from generator.catalog import Catalog, build_catalog
from generator.entries import Loaded, load_entries
from generator.errors import Problem, fails
from generator.filters import Markdown
from generator.incremental import Output, Tracker, World, digest_bytes
from generator.lint import lint_catalog, today
from generator.load import find_sources, find_theme_files, theme_dirs
from generator.settings import BuildResult, CheckResult, Clock, Preview, Progress, Settings, normalize_base_url, \
    require_site
from generator.urls import Urls
from generator.validate import Content
from generator.write import Staging, check_output_dir, unwritable


def check(settings: Settings) -> CheckResult:
    """Load, validate, cross-check and lint the content; write nothing."""
    require_site(settings.site_dir)
    with workers.collector_paused():
        sources, problems = find_sources(settings.site_dir)
        for kind in ("templates", "static"):  # what `build` would refuse to read
            find_theme_files(settings.site_dir, kind, problems)
        loaded = load_entries(sources, {}, {}, None, settings.day or today(), settings.workers)
        catalog, more = _catalog(loaded.content, None, settings)
        problems += loaded.problems + more
        if catalog is not None and not any(p.is_error for p in problems):
            problems += _lint(catalog, loaded, settings)
    return CheckResult(problems, catalog)


def build(settings: Settings, tracker: Tracker | None = None, changed: set[str] | None = None,
          progress: Progress | None = None, preview: Preview | None = None) -> BuildResult:
    """Check, render and publish the site; the previous output stays unless all succeeds.

    `tracker` defaults to the state saved in the cache folder (none with `use_cache`
    off); `changed` lists the files changed since the tracker's last build, when a
    file watcher knows them (None looks at every file).
    """
    require_site(settings.site_dir)
    check_output_dir(settings.output, settings.site_dir)
    if tracker is None and settings.use_cache:
        tracker = Tracker.open(settings.cache_folder())
    with workers.collector_paused():
        return _build(settings, tracker, changed, progress, preview, Clock())


def _build(settings: Settings, tracker: Tracker | None, changed: set[str] | None, progress: Progress | None,
           preview: Preview | None, clock: Clock) -> BuildResult:
    out, day = settings.output, settings.day or today()
    sources, problems = tracker.sources(settings.site_dir, changed, find_sources) if tracker else \
        find_sources(settings.site_dir)
    theme = {kind: find_theme_files(settings.site_dir, kind, problems) for kind in ("templates", "static")}
    files = [s.file for s in sources] + [p for found in theme.values() for p in found.values()]
    digests, data = tracker.digests(files, changed) if tracker else ({}, {})
    key = repr((settings.base_url, settings.strict, day.isoformat(), settings.drafts, settings.fingerprint))
    unchanged = tracker is not None and not problems and tracker.unchanged(key, digests, out)
    clock.lap("read")
    if unchanged:
        return BuildResult(list(tracker.manifest.problems), skipped=len(tracker.manifest.outputs), timings=clock.laps,
                           published=True)
    loaded = load_entries(sources, digests, data, tracker.loaded if tracker else None, day, settings.workers)
    if tracker is not None:
        tracker.loaded = loaded
    problems += loaded.problems
    clock.lap("load")
    catalog, more = _catalog(loaded.content, tracker.catalog if tracker else None, settings)
    problems += more
    clock.lap("catalog")
    if catalog is None or fails(problems, settings.strict):
        return BuildResult(problems, timings=clock.laps)
    # A warning fails only a strict build, which must know it before it shows a page: otherwise the
    # warnings are gathered after the pages open in a browser are rendered, which need not wait for them.
    lint_first = settings.strict or preview is None
    if lint_first:
        problems += _lint(catalog, loaded, settings)
        clock.lap("lint")
        if fails(problems, settings.strict):
            return BuildResult(problems, timings=clock.laps)

    urls = Urls(catalog.site.base_url)
    world = World(catalog, {name: digests.get(str(path), "") for name, path in theme["templates"].items()},
                  _static_digests(theme["static"], digests, settings.fingerprint))
    site = tracker.plan(world, lambda view: render.plan_site(view, urls)) if tracker else render.plan_site(catalog, urls)
    statics = render.plan_statics(theme["static"], world.statics, settings.fingerprint)
    if collisions := render.collisions(site, statics):
        return BuildResult(problems + collisions, timings=clock.laps)
    plans = site + statics
    todo, removed, whole = tracker.stale(site, statics, world, out) if tracker else (plans, [], True)
    clock.lap("plan")

    staging = Staging(out)
    try:
        staging.start()
        head, tail = _open_pages_first(todo, removed, whole, preview)
        made, written, render_problems = _render(head, world, urls, settings, tracker, staging, progress)
        if head and not render_problems:
            preview.rendered_first({output: staging.read(output) for output in written})
        if not lint_first:
            problems += _lint(catalog, loaded, settings)
        rest, more_written, more_problems = _render(tail, world, urls, settings, tracker, staging, progress)
        made.update(rest)
        render_problems += more_problems
        clock.lap("render")
        if render_problems:
            staging.discard()
            return BuildResult(problems + render.one_per_template(render_problems), timings=clock.laps)
        written += more_written
        fresh = set(written)
        index = search.refresh_index(
            [(p.url, p.output) for p in plans if p.searched], fresh, bool(removed) or whole, whole,
            tracker.manifest.search if tracker else {}, tracker is not None and tracker.manifest.search_stale,
            catalog.site.search, preview is not None,
            lambda output: staging.read(output) if output in fresh else staging.published(output))
        for path, data in index.files.items():
            staging.write(path, data)
        clock.lap("search")
        staging.publish(written + list(index.files), removed + index.removed, whole)
    except (OSError, search.SearchIndexError) as exc:
        with contextlib.suppress(OSError):
            staging.discard()
        failure = search.unindexable(exc) if isinstance(exc, search.SearchIndexError) else unwritable(out, exc)
        return BuildResult(problems + [failure], timings=clock.laps)
    if tracker is not None:
        tracker.commit(world, key, digests, made, removed, whole, problems, out, index)
    clock.lap("write")
    return BuildResult(problems, rendered=len(todo), skipped=len(plans) - len(todo), removed=len(removed),
                       timings=clock.laps, published=True, search_stale=index.stale)


def _catalog(content: Content, previous: Catalog | None, settings: Settings) -> tuple[Catalog | None, list[Problem]]:
    """Cross-check the content and derive the catalog (updating `previous` where it can)."""
    base_url = normalize_base_url(settings.base_url) if settings.base_url is not None else None
    return build_catalog(content, previous, base_url, drafts=settings.drafts)


def _lint(catalog: Catalog, loaded: Loaded, settings: Settings) -> list[Problem]:
    """Return the warnings about a catalog whose every file and reference is valid."""
    return lint_catalog(catalog, loaded.content.origins, settings.day or today(), per_model=loaded.warnings)


def _static_digests(files: dict[str, Path], digests: dict[str, str], fingerprint: bool) -> dict[str, str]:
    """Return each static file's hash by its name; without a tracker, only fingerprinted files are hashed."""
    return {name: digests.get(str(path)) or (digest_bytes(path.read_bytes())
                                              if fingerprint and name.endswith(render.FINGERPRINTED) else "")
            for name, path in files.items()}


def _open_pages_first(todo: list, removed: list[str], whole: bool, preview: Preview | None) -> tuple[list, list]:
    """Split the files to make into the pages open in a browser (when a preview asks) and the rest."""
    if preview is None or whole:
        return [], todo
    preview.planned({plan.output for plan in todo} | set(removed))
    is_open = preview.open_outputs.__contains__
    return [p for p in todo if is_open(p.output)], [p for p in todo if not is_open(p.output)]


def _render(todo: list, world: World, urls: Urls, settings: Settings, tracker: Tracker | None, staging: Staging,
            progress: Progress | None) -> tuple[dict[str, Output], list[str], list[Problem]]:
    """Render the files to make, staging those whose bytes changed; return what each read, the files staged,
    and the template failures. A file rendered to the very bytes it has is not written again."""
    template_dirs = theme_dirs(settings.site_dir, "templates")
    env = _environment(template_dirs, urls, tracker, world.templates)

    def stage(plan: render.PagePlan, data: bytes) -> tuple[str, bool]:
        """Stage a file where it rendered (a worker process, often), unless the output holds its bytes already."""
        file_digest = digest_bytes(data) if tracker else ""
        staged = tracker is None or not tracker.holds(plan.output, file_digest)
        if staged:
            staging.write(plan.output, data)
        return file_digest, staged

    made: dict[str, Output] = {}
    written: list[str] = []
    problems: list[Problem] = []
    for part in render.render_pages(todo, world.catalog, world.statics, settings.fingerprint, urls, env, settings.workers,
                                    settings.site_dir, template_dirs, stage, tracker.watching(world) if tracker else None):
        for plan, stored, problem, reads in part:
            if problem is not None:
                problems.append(problem)
                continue
            made[plan.output] = Output(plan, reads, stored[0])
            if stored[1]:
                written.append(plan.output)
        if progress:
            progress(len(made) + len(problems), len(todo))
    return made, written, problems


def _environment(template_dirs: list[Path], urls: Urls, tracker: Tracker | None,
                 templates: dict[str, str]) -> jinja2.Environment:
    """Return the Jinja environment; a tracker keeps one (its compiled templates, its Markdown) between builds."""
    if tracker is None:
        return render.make_environment(template_dirs, urls, Markdown(urls.base_path, keep_blocks=False))
    return tracker.environment(lambda loader, memo: render.make_environment(
        template_dirs, urls, Markdown(urls.base_path, memo), loader), (tuple(template_dirs), urls.base_url), templates)
