"""Publish the rendered site: the only module that writes into the output folder.

The new site is written into a staging folder beside the output and swapped in
only when complete, so a failed or interrupted build leaves the previous site
exactly as it was, and a server never sees a half-written site.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from generator.errors import Code, Problem, UsageError
from generator.render import RenderedFile

log = logging.getLogger(__name__)

MARKER = ".modelcat-output"
"""Written into every output folder; a non-empty folder without it is never replaced."""
_SKIPPED_STATIC = (".DS_Store", "Thumbs.db")


def check_output_dir(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a site."""
    out, site = out_dir.resolve(), site_dir.resolve()
    if site.is_relative_to(out):
        raise UsageError(f"the output folder {out_dir} contains the site itself; choose a folder such as {site_dir / '_site'}.")
    for source in ("content", "templates", "static"):
        if out.is_relative_to(site / source):
            raise UsageError(f"the output folder {out_dir} is inside the site's {source}/ folder; choose another.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(f"{out_dir} exists and was not written by modelcat; refusing to replace it. "
                         "Remove it or choose another --out.")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder.")


def write_site(files: Iterable[RenderedFile], static_dirs: list[Path], out_dir: Path) -> list[Problem]:
    """Write the files and static assets to a staging folder, then swap it in for `out_dir`."""
    out_dir = out_dir.absolute()
    staging = out_dir.with_name(f".{out_dir.name}.new")
    _remove(staging)
    try:
        staging.mkdir(parents=True)
        written = _write_files(files, staging)
        problems = _copy_static(static_dirs, staging, written)
        if problems:
            _remove(staging)
            return problems
        (staging / MARKER).write_text("This folder is written by modelcat and replaced on each build.\n")
        _swap(staging, out_dir)
    except OSError as exc:
        _remove(staging)
        return [Problem(Code.OUTPUT_ERROR, str(out_dir), "", f"could not write the site: {exc.strerror or exc}.")]
    return []


def _write_files(files: Iterable[RenderedFile], root: Path) -> set[str]:
    written: set[str] = set()
    made_dirs: set[Path] = set()
    for file in files:
        if file.path in written:
            raise OSError(f"two pages would be written to {file.path}")
        target = safe_join(root, file.path)
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        target.write_bytes(file.data)
        written.add(file.path)
    return written


def safe_join(root: Path, relative: str) -> Path:
    """Return root/relative, refusing any path that could land outside root."""
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or "\\" in relative or any(p in ("..", ".", "") for p in parts):
        raise OSError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*parts)


def _copy_static(static_dirs: list[Path], root: Path, pages: set[str]) -> list[Problem]:
    """Copy static folders in order (a site's own files override the theme's)."""
    problems = []
    for static in static_dirs:
        if not static.is_dir():
            continue
        for source in sorted(static.rglob("*")):
            relative = source.relative_to(static).as_posix()
            if source.is_dir() or source.name in _SKIPPED_STATIC or source.name.endswith("~"):
                continue
            if relative in pages:
                problems.append(Problem(Code.URL_COLLISION, f"static/{relative}", "",
                                        f"this file would replace the generated page /{relative}.",
                                        hint="rename or remove the static file."))
                continue
            target = safe_join(root, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return problems


def _swap(staging: Path, out_dir: Path) -> None:
    """Put the staging folder in place of the output, then delete the old output."""
    old = out_dir.with_name(f".{out_dir.name}.old")
    _remove(old)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
