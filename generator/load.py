"""Find the site's content files and parse them, keeping the line of every field.

No meaning checks happen here: only "is this readable, safe YAML" and "where is each
key". The YAML is read safely with libyaml's C parser where available, but the node
tree is turned into Python data by our own walk rather than PyYAML's constructor,
because that walk is where three things the constructor cannot do happen at once:
recording a line per field path, refusing duplicate keys, and bounding alias
expansion (a "billion laughs" document is refused after a fixed number of nodes).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Code, Problem, Severity

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A content file larger than this is refused before parsing."""
MAX_NODES = 100_000
"""Nodes one file may expand to, aliases included; stops alias bombs early."""
MAX_DEPTH = 40
"""Nesting depth one file may reach; stops recursive aliases."""
SLUG_RE = re.compile(r"^[a-z0-9-]+$")

FieldPath = tuple[str | int, ...]


def format_field(path: FieldPath) -> str:
    """Return `benchmarks.medqa.value` or `sources[0].url` for a field path."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class LineMap:
    """Where each field of one file starts (1-based), nested fields included.

    Lines are needed only when a problem is reported, which is rare, so they are
    worked out from the file on first use instead of on every parse.
    """

    def __init__(self, source: Source, lines: dict[FieldPath, int] | None = None):
        self.source = source
        self._lines = lines

    def forget(self) -> None:
        """Drop the lines (to keep caches small); they are worked out again when needed."""
        self._lines = None

    def has(self, path: FieldPath) -> bool:
        """Whether the file writes this field itself (not a shorthand of its parent)."""
        return path in self._all()

    def line_of(self, path: FieldPath) -> int | None:
        """Return the line of a field, or of its nearest parent that has one."""
        lines = self._all()
        for end in range(len(path), -1, -1):
            line = lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None

    def _all(self) -> dict[FieldPath, int]:
        if self._lines is None:
            self._lines = _lines_of(self.source)
        return self._lines


@dataclass(frozen=True)
class Source:
    """One content file to read."""

    kind: str
    """`site`, `model`, `benchmarks`, `capabilities`, `providers`, `comparison` or `page`."""
    file: Path
    relative: str
    """Relative to the site root, forward slashes: how messages name the file."""
    slug: str
    """The file name without its suffix, for models, comparisons and pages."""


@dataclass(frozen=True)
class RawEntry:
    """One parsed content file: its data, and where to find the line of each field."""

    kind: str
    path: str
    """Relative to the site root, forward slashes."""
    slug: str
    data: Any
    lines: LineMap
    body: str = ""
    """Markdown after a page's front matter."""


# (kind, file or folder under the site root), in the order they are read
_SOURCES = (
    ("site", "site.yaml"),
    ("benchmarks", "content/benchmarks.yaml"),
    ("capabilities", "content/capabilities.yaml"),
    ("providers", "content/providers.yaml"),
    ("model", "content/models"),
    ("comparison", "content/comparisons"),
    ("page", "content/pages"),
)
_SUFFIX = {"model": ".yaml", "comparison": ".yaml", "page": ".md"}


def find_sources(site_dir: Path) -> tuple[list[Source], list[Problem]]:
    """Return every content file of the site in reading order, and problems with file names."""
    sources: list[Source] = []
    problems: list[Problem] = []
    for kind, relative in _SOURCES:
        target = site_dir / relative
        if kind in _SUFFIX:
            for file in _list_folder(site_dir, target, _SUFFIX[kind], problems):
                sources.append(Source(kind, file, file.relative_to(site_dir).as_posix(), file.stem))
        elif target.is_file():
            sources.append(Source(kind, target, relative, ""))
        elif kind == "site":
            problems.append(Problem(Code.MISSING_FILE, relative, "", "the site has no site.yaml.",
                                    hint="create it with at least `title: My catalog`."))
    return sources, problems


_PACKAGE = Path(__file__).resolve().parent


def theme_dirs(site_dir: Path, kind: str) -> list[Path]:
    """Return the site's own `templates/` or `static/` first, then the bundled theme's."""
    bundled = _PACKAGE / "theme" / kind
    if not bundled.is_dir():  # running from a checkout: the repository root is the bundled site
        bundled = _PACKAGE.parent / kind
    dirs = [site_dir / kind, bundled]
    unique = {d.resolve(): d for d in dirs if d.is_dir()}
    return list(unique.values())


def find_theme_files(site_dir: Path, kind: str) -> dict[str, Path]:
    """Return the files of `templates/` or `static/` by relative path, the site's own winning over the bundled ones."""
    found: dict[str, Path] = {}
    for folder in reversed(theme_dirs(site_dir, kind)):
        for path in folder.rglob("*"):
            if path.is_file() and not _ignored(path):
                found[path.relative_to(folder).as_posix()] = path
    return dict(sorted(found.items()))


def _ignored(path: Path) -> bool:
    """Hidden files and editor leftovers (`.#x.yaml`, `x.yaml~`, `x.swp`) are not content."""
    name = path.name
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


def _list_folder(site_dir: Path, folder: Path, suffix: str, problems: list[Problem]) -> list[Path]:
    try:
        with os.scandir(folder) as listing:  # entries know whether they are folders without a stat each
            names = sorted(entry.name for entry in listing if not entry.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    files = []
    for path in (folder / name for name in names):
        if _ignored(path):
            continue
        relative = path.relative_to(site_dir).as_posix()
        if path.suffix != suffix:
            problems.append(Problem(
                Code.STRAY_FILE, relative, "", f"this file is ignored: only {suffix} files are read here.",
                hint=f"rename it to {path.stem}{suffix} if it is content.", severity=Severity.WARNING,
            ))
        elif not SLUG_RE.match(path.stem):
            problems.append(Problem(
                Code.FILE_NAME, relative, "", f'"{path.stem}" is not a valid slug: the file name becomes the URL.',
                hint="use lowercase letters, digits and hyphens only, e.g. medgemma-4b-it" + suffix + ".",
            ))
        else:
            files.append(path)
    return files


def parse_source(source: Source, data: bytes, record_lines: bool = False) -> tuple[RawEntry | None, list[Problem]]:
    """Parse one file's bytes; return its entry, or None and the reasons it cannot be read."""
    relative = source.relative
    if len(data) > MAX_FILE_BYTES:
        return None, [Problem(Code.YAML_LIMIT, relative, "",
                              f"the file is {len(data):,} bytes; content files are limited to {MAX_FILE_BYTES:,}.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(Code.FILE_ENCODING, relative, "",
                              f"the file is not UTF-8 text (byte {exc.start}).", hint="save it as UTF-8.")]
    body, line_offset = "", 0
    if source.kind == "page":
        text, body, line_offset = _split_front_matter(text)
        if text is None:
            return None, [Problem(Code.YAML_SYNTAX, relative, "", "a page starts with YAML front matter between two --- lines.",
                                  line=1, hint="begin the file with ---, a `title:` line, and --- again.")]
    parsed = parse_yaml(text, relative, line_offset, record_lines)
    if parsed.problems:
        return None, parsed.problems
    if not isinstance(parsed.data, dict):
        what = "empty" if parsed.data is None else "not a mapping of fields"
        return None, [Problem(Code.NOT_A_MAPPING, relative, "", f"the file is {what}.",
                              line=1 + line_offset, hint="write one `field: value` per line at the top level.")]
    lines = LineMap(source, parsed.lines if record_lines else None)
    return RawEntry(source.kind, relative, source.slug, parsed.data, lines, body), []


def _split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter, body, lines before the front matter) of a page."""
    match = re.match(r"^---[ \t]*\r?\n(.*?)(?:^|\n)---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return None, "", 0
    return match.group(1), text[match.end():], 1


def _lines_of(source: Source) -> dict[FieldPath, int]:
    """Parse a file again, recording the line of every field."""
    try:
        text = source.file.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    offset = 0
    if source.kind == "page":
        text, _, offset = _split_front_matter(text)
        if text is None:
            return {}
    return parse_yaml(text, source.relative, offset, record_lines=True).lines


# --- YAML -------------------------------------------------------------------------


_TAG = "tag:yaml.org,2002:"
_IMPLICIT = (  # the YAML 1.2 core schema, tried in order on plain scalars
    (_TAG + "null", re.compile(r"^(?:~|null|Null|NULL|)$")),
    (_TAG + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")),
    (_TAG + "int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")),
    (_TAG + "float", re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")),
)


class _Resolver:
    """YAML 1.2 core-schema scalars.

    PyYAML's YAML 1.1 resolver reads `no` as false, `4.3e9` as a string and `1:20`
    as a number in base 60; editors expect none of that. Dates stay text (as in
    YAML 1.2) and `schema` checks their form, so the data is plain JSON-like values. The parser calls `resolve`
    once per node, so it is kept to a few dictionary and regex look-ups.
    """

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in _CANDIDATES.get(value[:1], ()):
                    if pattern.match(value):
                        return tag
            return _TAG + "str"
        return _TAG + ("seq" if kind is yaml.SequenceNode else "map")


def _by_first_char() -> dict[str, tuple]:
    """Return first character of a plain scalar -> the implicit types it could be.

    Most keys and texts start with a letter that no number, bool or null starts with,
    so they are known to be text after one dictionary look-up.
    """
    kinds = {"~": "null", "": "null", "n": "null", "N": "null", ".": "float"}
    kinds |= dict.fromkeys("tTfF", "bool") | dict.fromkeys("0123456789+-", "int float")
    return {char: tuple((tag, pattern) for tag, pattern in _IMPLICIT if tag.rsplit(":", 1)[1] in names.split())
            for char, names in kinds.items()}


_CANDIDATES = _by_first_char()


try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)


class _Loader(_Parser, _Resolver):
    """Composes a node tree with libyaml; `_Walk` turns it into data."""


def _int(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    return int(text, 16) if text.startswith("0x") else int(text)


def _float(text: str) -> float:
    return float(text.lower().replace(".inf", "inf").replace(".nan", "nan"))


_SCALARS = {
    _TAG + "str": str,
    _TAG + "null": lambda text: None,
    _TAG + "bool": lambda text: text.lower() == "true",
    _TAG + "int": _int,
    _TAG + "float": _float,
}
_TAG_NAMES = {_TAG + "int": "number", _TAG + "float": "number"}
_MAP_TAG = _TAG + "map"
_SEQ_TAG = _TAG + "seq"


@dataclass
class ParsedYaml:
    data: Any
    lines: dict[FieldPath, int]
    problems: list[Problem]


class _TooLarge(Exception):
    pass


def parse_yaml(text: str, path: str, line_offset: int = 0, record_lines: bool = False) -> ParsedYaml:
    """Parse one YAML document into plain data (and, if asked, a line per field path)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        message = f"{exc.problem or exc.context or 'invalid YAML'}."
        if exc.context and "single document" in exc.context:
            message = "the file holds more than one YAML document (a second --- line)."
        elif exc.context and exc.problem:
            message = f"{exc.problem} ({exc.context})."
        hint = "check the indentation and quoting near this line."
        if mark and _tab_before(text, mark.line, mark.column):
            hint = "YAML indents with spaces only: replace the tabs on this line with spaces."
        elif mark and "mapping values are not allowed" in (exc.problem or "") and _colon_in_value(text, mark):
            hint = 'quote the text: it contains ": ", which YAML reads as the start of another key; write it between double quotes.'
        return ParsedYaml(None, {}, [Problem(Code.YAML_SYNTAX, path, "", f"YAML syntax error: {message}", line=line,
                                             hint=hint, column=mark.column + 1 if mark else None)])
    except yaml.YAMLError as exc:
        return ParsedYaml(None, {}, [Problem(Code.YAML_SYNTAX, path, "", f"YAML syntax error: {exc}.")])
    finally:
        loader.dispose()
    walk = _Walk(path, line_offset, record_lines)
    if node is None:
        return ParsedYaml(None, {}, [])
    try:
        data = walk.value(node, (), 0)
    except _TooLarge as exc:
        return ParsedYaml(None, {}, [Problem(Code.YAML_LIMIT, path, "", str(exc), line=1 + line_offset,
                                             hint="write values out instead of expanding anchors and aliases.")])
    return ParsedYaml(data, walk.lines or {}, walk.problems)


def _colon_in_value(text: str, mark: yaml.Mark) -> bool:
    """Whether the error's line already had a `key: ` before the mark: an unquoted ": " inside a value
    (`summary: Note: ...`), not a key indented too far."""
    lines = text.splitlines()
    return mark.line < len(lines) and re.search(r":\s", lines[mark.line][:mark.column]) is not None


def _tab_before(text: str, line: int, column: int) -> bool:
    """Whether a tab stands at or before `column` of `line` (both from 0): YAML's most puzzling error."""
    lines = text.splitlines()
    return line < len(lines) and "\t" in lines[line][:column + 1]


class _Walk:
    """Turns a composed node tree into dicts, lists and scalars, recording lines if asked."""

    def __init__(self, path: str, line_offset: int, record_lines: bool):
        self.path = path
        self.offset = line_offset + 1
        self.lines: dict[FieldPath, int] | None = {} if record_lines else None
        self.problems: list[Problem] = []
        self.nodes = 0

    def value(self, node: yaml.Node, at: FieldPath, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(f"the file expands to more than {MAX_NODES:,} values (anchors and aliases included).")
        if depth > MAX_DEPTH:
            raise _TooLarge(f"the file nests deeper than {MAX_DEPTH} levels (or an alias refers to itself).")
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP_TAG:
                return self._bad_tag(node, at)
            return self._mapping(node, at, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ_TAG:
                return self._bad_tag(node, at)
            result = []
            for index, item in enumerate(node.value):
                here = (*at, index)
                if self.lines is not None:
                    self.lines[here] = item.start_mark.line + self.offset
                result.append(self.value(item, here, depth + 1))
            return result
        construct = _SCALARS.get(node.tag)
        if construct is None:
            return self._bad_tag(node, at)
        try:
            return construct(node.value)
        except (ValueError, OverflowError, yaml.YAMLError):
            self.problems.append(Problem(Code.BAD_VALUE, self.path, format_field(at),
                                         f"{node.value!r} is not a valid {_TAG_NAMES.get(node.tag, 'value')}.",
                                         line=node.start_mark.line + self.offset, hint="quote it to keep it as text."))
            return None

    def _mapping(self, node: yaml.MappingNode, at: FieldPath, depth: int) -> dict:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + self.offset
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(Code.WRONG_TYPE, self.path, format_field(at),
                                             "a key must be plain text, not a list or mapping.", line=line))
                continue
            key = key_node.value
            here = (*at, key)
            if key in result:
                first = next(k.start_mark.line + self.offset for k, _ in node.value if k.value == key)
                self.problems.append(Problem(Code.DUPLICATE_KEY, self.path, format_field(here),
                                             f'the key "{key}" appears twice (first on line {first}).', line=line,
                                             hint="keep one of them; YAML would silently drop the other."))
                continue
            if self.lines is not None:
                self.lines[here] = line
            result[key] = self.value(value_node, here, depth + 1)
        return result

    def _bad_tag(self, node: yaml.Node, at: FieldPath) -> None:
        self.problems.append(Problem(Code.YAML_TAG, self.path, format_field(at),
                                     f"the YAML tag {node.tag.replace(_TAG, '!!')!r} is not allowed in content.",
                                     line=node.start_mark.line + self.offset,
                                     hint="content is plain data: text, numbers, dates, lists and mappings."))
        return None
