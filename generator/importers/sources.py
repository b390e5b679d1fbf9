"""Read an imported folder's files as hostile input: bounded, inside the folder, decoded, cleaned.

Every refusal is a note naming the file, never an exception: one bad file must not
stop the import of a catalog of thousands.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.importers.report import BROKEN, Report, printable

MAX_SOURCE_BYTES = 1024 * 1024
"""A source file larger than this is refused unread; the largest real models.dev file is a few kilobytes."""
MAX_SOURCE_FILES = 100_000
"""Files one import reads at most; models.dev holds about 5,500."""
MAX_TEXT = 10_000
"""Characters one text value may hold; longer ones are cut (a model name, a URL, a family)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class SourceFile:
    """One parsed source file."""

    relative: str
    """Path inside the imported folder, forward slashes: how notes name it."""
    data: dict[str, Any]


def toml_files(root: Path, folder: str, report: Report) -> Iterator[SourceFile]:
    """Yield every readable `*.toml` file under root/folder, in path order.

    A linked file is followed only when it resolves inside `root` (models.dev links
    a model shared by two providers); a link out of the folder, a broken link, a
    linked folder, an oversized or undecodable file is a note, and so is TOML that
    does not parse (with its line).
    """
    top = root / folder
    if not top.is_dir():
        return
    real_root = root.resolve()
    seen = 0
    for directory, folders, files in os.walk(top, followlinks=False):
        folders.sort()
        for name in list(folders):
            if (Path(directory) / name).is_symlink():
                relative = _relative(Path(directory) / name, root)
                report.note(BROKEN, "a linked folder is not followed; its files were not read.", relative)
        for name in sorted(files):
            path = Path(directory) / name
            if not name.endswith(".toml"):
                continue
            seen += 1
            if seen > MAX_SOURCE_FILES:
                report.note(BROKEN, f"more than {MAX_SOURCE_FILES:,} files: the rest were not read.", _relative(path, root))
                return
            parsed = read_toml(path, root, real_root, report)
            if parsed is not None:
                yield parsed


def read_toml(path: Path, root: Path, real_root: Path, report: Report) -> SourceFile | None:
    """Return one TOML file's data, or None with a note saying why it cannot be read."""
    relative = _relative(path, root)
    data = read_inside(path, real_root, report, relative)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.note(BROKEN, f"not UTF-8 text (byte {exc.start}); the file was not read.", relative)
        return None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        message = _TOML_LINE.sub("", str(exc)).strip()
        report.note(BROKEN, f"TOML syntax error: {message}; the file was not read.", relative,
                    int(match.group(1)) if match else None)
        return None
    return SourceFile(relative, clean(parsed, relative, report))


def read_inside(path: Path, real_root: Path, report: Report, relative: str) -> bytes | None:
    """Return a file's bytes when it resolves inside `real_root` and is not too large; else None and a note."""
    try:
        real = path.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        report.note(BROKEN, "a broken link (its target does not exist); the file was not read.", relative)
        return None
    except OSError as exc:
        report.note(BROKEN, f"cannot be read ({exc.strerror or exc}).", relative)
        return None
    if real != real_root and real_root not in real.parents:
        report.note(BROKEN, "a link that leads out of the imported folder; the file was not read.", relative)
        return None
    try:
        if real.stat().st_size > MAX_SOURCE_BYTES:
            report.note(BROKEN, f"larger than {MAX_SOURCE_BYTES:,} bytes; the file was not read.", relative)
            return None
        with open(real, "rb") as handle:
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        report.note(BROKEN, f"cannot be read ({exc.strerror or exc}).", relative)
        return None
    if len(data) > MAX_SOURCE_BYTES:  # grew since the stat
        report.note(BROKEN, f"larger than {MAX_SOURCE_BYTES:,} bytes; the file was not read.", relative)
        return None
    return data


def clean(value: Any, relative: str, report: Report, at: str = "") -> Any:
    """Return value with control characters removed from its texts (and keys), noting each removal.

    A control character in a name would reach terminals and pages; nothing in a
    catalog needs one. Texts longer than MAX_TEXT are cut, with a note.
    """
    if isinstance(value, str):
        cleaned = _CONTROL.sub("", value)
        if cleaned != value:
            report.note(BROKEN, f"{at or 'a value'}: control characters removed from {printable(value)[:80]!r}.", relative)
        if len(cleaned) > MAX_TEXT:
            report.note(BROKEN, f"{at or 'a value'}: text of {len(cleaned):,} characters cut to {MAX_TEXT:,}.", relative)
            cleaned = cleaned[:MAX_TEXT]
        return cleaned
    if isinstance(value, dict):
        return {clean(key, relative, report, at): clean(item, relative, report, f"{at}.{key}" if at else str(key))
                for key, item in value.items()}
    if isinstance(value, list):
        return [clean(item, relative, report, f"{at}[{index}]") for index, item in enumerate(value)]
    return value


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
