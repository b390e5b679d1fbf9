"""Run the stages in order: load -> validate -> catalog -> lint -> render -> write.

`check` stops after the catalog and writes nothing; `build` renders and publishes
only when no stage found an error (or, under `--strict`, a warning).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic_core import PydanticCustomError

from generator import schema
from generator.catalog import Catalog, build_catalog
from generator.errors import Problem, UsageError, fails
from generator.lint import lint_catalog
from generator.load import load_content
from generator.render import render_site
from generator.urls import Urls
from generator.validate import validate_entries
from generator.write import check_output_dir, write_site

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent


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

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "_site"


@dataclass
class CheckResult:
    problems: list[Problem]
    catalog: Catalog | None


@dataclass
class BuildResult:
    problems: list[Problem]
    files_written: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage."""
    published: bool = False


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


def check(settings: Settings) -> CheckResult:
    """Load, validate, cross-check and lint the content; write nothing."""
    require_site(settings.site_dir)
    loaded = load_content(settings.site_dir)
    content, validation_problems = validate_entries(loaded.entries)
    catalog, catalog_problems = build_catalog(content)
    problems = loaded.problems + validation_problems + catalog_problems
    if catalog is not None and not any(p.is_error for p in problems):  # lint whole, valid content only
        problems += lint_catalog(catalog, content.origins)
    if catalog is not None and settings.base_url is not None:
        catalog = _with_base_url(catalog, settings.base_url)
    return CheckResult(problems, catalog)


def _with_base_url(catalog: Catalog, base_url: str) -> Catalog:
    return replace(catalog, site=catalog.site.model_copy(update={"base_url": normalize_base_url(base_url)}))


def normalize_base_url(value: str) -> str:
    """Return a `--base-url` value as the site would store it, or raise UsageError."""
    try:
        return schema.check_base_url(value)
    except PydanticCustomError as exc:
        raise UsageError(f"--base-url: {exc.message()}") from None


def build(settings: Settings) -> BuildResult:
    """Check, render and publish the site; the previous output stays unless all succeeds."""
    started = time.perf_counter()
    check_output_dir(settings.output, settings.site_dir)
    checked = check(settings)
    timings = {"check": time.perf_counter() - started}
    if checked.catalog is None or fails(checked.problems, settings.strict):
        return BuildResult(checked.problems, timings=timings)
    mark = time.perf_counter()
    urls = Urls(checked.catalog.site.base_url)
    files, render_problems = render_site(
        checked.catalog, theme_dirs(settings.site_dir, "templates"), urls, settings.site_dir)
    timings["render"] = time.perf_counter() - mark
    problems = checked.problems + render_problems
    if render_problems:
        return BuildResult(problems, timings=timings)
    mark = time.perf_counter()
    write_problems = write_site(files, theme_dirs(settings.site_dir, "static")[::-1], settings.output)
    timings["write"] = time.perf_counter() - mark
    return BuildResult(problems + write_problems, len(files), timings, published=not write_problems)
