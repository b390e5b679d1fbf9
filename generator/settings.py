"""What a run is asked to do, and what it reports back.

Every stage receives what it needs from `Settings` explicitly; nothing reads a global.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic_core import PydanticCustomError

from generator import schema
from generator.catalog import Catalog
from generator.errors import Problem, UsageError


def default_cache_dir(site_dir: Path, out_dir: Path) -> Path:
    """Return this site's cache folder under $XDG_CACHE_HOME/modelcat (or ~/.cache/modelcat)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "modelcat"
    site, out = site_dir.resolve(), out_dir.resolve()
    key = hashlib.blake2b(f"{site}\0{out}".encode(), digest_size=6).hexdigest()
    return root / f"{site.name or 'site'}-{key}"


@dataclass(frozen=True)
class Settings:
    """What to build and how."""

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
    drafts: bool = False
    """Entries marked `draft: true` are built too (the dev server's preview, `--drafts`)."""
    fingerprint: bool = True
    """Stylesheets and scripts are published under hashed names too (see `render.Assets`); not in the preview."""

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "_site"

    @property
    def workers(self) -> int:
        return max(1, self.jobs or os.cpu_count() or 1)

    def cache_folder(self) -> Path:
        return self.cache_dir if self.cache_dir is not None else default_cache_dir(self.site_dir, self.output)


Progress = Callable[[int, int], None]
"""Called with (files done, files to do) while pages render."""


class Preview(Protocol):
    """What the dev server wants from a rebuild: the pages open in a browser first.

    Hugo's fast render: the pages a browser shows are rendered before the rest and
    handed over at once, so the visitor sees a save while the other pages render; the
    server holds back requests for files still to render, so nothing shown mixes the
    old site with the new. A failed rebuild publishes nothing, as always.
    """

    open_outputs: set[str]
    """Output files of the pages open in a browser, e.g. "models/x/index.html"."""

    def planned(self, outputs: set[str]) -> None:
        """Called with every output this rebuild writes or removes, once they are known."""

    def rendered_first(self, pages: dict[str, bytes]) -> None:
        """Called with the open pages that changed, rendered, before the rest renders; the rest
        renders once it returns (the dev server holds it while the browsers load those pages)."""


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
    search_stale: bool = False
    """Searched pages changed but the search index was left as it was (a preview makes it later)."""


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


class Clock:
    """Seconds spent in each stage."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage] = self.laps.get(stage, 0.0) + now - self._last
        self._last = now
