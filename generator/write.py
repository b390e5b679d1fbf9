"""Publish the rendered site: the only module that writes into the output folder.

A build writes the files that changed into a staging folder beside the output.
Only once every page has rendered are they moved into place, each by an atomic
rename, and files of pages that no longer exist removed; a first build renames the
whole staging folder into place. A failed build therefore leaves the previous
output exactly as it was, and unchanged files are never rewritten.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path, PurePosixPath

from generator.errors import Code, Problem, UsageError

log = logging.getLogger(__name__)

MARKER = ".modelcat-output"
"""Written into every output folder; a non-empty folder without it is never replaced."""


def check_output_dir(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a site."""
    out, site = out_dir.resolve(), site_dir.resolve()
    if site.is_relative_to(out):
        raise UsageError(f"the output folder {out_dir} contains the site itself; choose a folder such as {site_dir / '_site'}.")
    for source in ("content", "templates", "static"):
        if out.is_relative_to(site / source):
            raise UsageError(f"the output folder {out_dir} is inside the site's {source}/ folder; choose another.")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UsageError(f"{out_dir} exists and was not written by modelcat; refusing to replace it. "
                         "Remove it or choose another --out.")


def unwritable(out: Path, exc: OSError) -> Problem:
    """The problem of an output that cannot be written: a full disk, no permission, a file where a folder goes."""
    return Problem(Code.OUTPUT_ERROR, str(out), "", f"could not write {exc.filename or out}: {exc.strerror or exc}.",
                   hint="check that the output folder can be written and the disk has room, or choose another --out.")


def safe_join(root: Path, relative: str) -> Path:
    """Return root/relative, refusing any path that could land outside root."""
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or "\\" in relative or any(p in ("..", ".", "") for p in parts):
        raise OSError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*parts)


class Staging:
    """The folder beside the output where a build writes what changed."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.absolute()
        self.root = self.out_dir.with_name(f".{self.out_dir.name}.new")

    def start(self) -> None:
        """Begin with an empty staging folder (a crashed build may have left one)."""
        _remove(self.root)
        self.root.mkdir(parents=True)

    def write(self, relative: str, data: bytes) -> None:
        target = safe_join(self.root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def read(self, relative: str) -> bytes:
        """Return a file written into the staging folder (the dev server shows a page before the rest is done)."""
        return safe_join(self.root, relative).read_bytes()

    def published(self, relative: str) -> bytes:
        """Return a file of the output as published (the search index reads the pages a build left alone)."""
        return safe_join(self.out_dir, relative).read_bytes()

    def copy(self, relative: str, source: Path) -> None:
        target = safe_join(self.root, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def discard(self) -> None:
        _remove(self.root)

    def publish(self, written: list[str], removed: list[str], whole: bool) -> None:
        """Move the staged files into the output and delete the removed ones.

        `whole` means the staging folder holds the entire site (a first build, or one
        with no record of what the output holds): it then replaces the output folder.
        """
        if whole or not self.out_dir.exists():
            (self.root / MARKER).write_text("This folder is written by modelcat and updated on each build.\n")
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            old = self.out_dir.with_name(f".{self.out_dir.name}.old")
            _remove(old)
            if self.out_dir.exists():
                os.replace(self.out_dir, old)
            os.replace(self.root, self.out_dir)
            _remove(old)
            return
        for relative in written:
            target = safe_join(self.out_dir, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(safe_join(self.root, relative), target)
        for relative in removed:
            _remove_file(safe_join(self.out_dir, relative), self.out_dir)
        self.discard()


def _remove_file(path: Path, root: Path) -> None:
    """Delete a file and the folders it leaves empty, up to the output root."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            break
        folder = folder.parent


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
