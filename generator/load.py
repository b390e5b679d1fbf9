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
import re
from collections.abc import Iterator
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


@dataclass(frozen=True)
class LineMap:
    """Where each field of one file starts (1-based), nested fields included."""

    lines: dict[FieldPath, int]

    def line_of(self, path: FieldPath) -> int | None:
        """Return the line of a field, or of its nearest parent that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


@dataclass(frozen=True)
class RawEntry:
    """One parsed content file: its data, and the line of each of its fields."""

    kind: str
    """`site`, `model`, `benchmarks`, `comparison` or `page`."""
    path: str
    """Relative to the site root, forward slashes."""
    slug: str
    data: Any
    lines: LineMap
    body: str = ""
    """Markdown after a page's front matter."""


@dataclass(frozen=True)
class LoadResult:
    entries: list[RawEntry]
    problems: list[Problem]


# (kind, file or folder under the site root), in the order they are read
_SOURCES = (
    ("site", "site.yaml"),
    ("benchmarks", "content/benchmarks.yaml"),
    ("model", "content/models"),
    ("comparison", "content/comparisons"),
    ("page", "content/pages"),
)
_SUFFIX = {"model": ".yaml", "comparison": ".yaml", "page": ".md"}


def load_content(site_dir: Path) -> LoadResult:
    """Parse site.yaml and every content file under `site_dir`, in sorted order."""
    entries: list[RawEntry] = []
    problems: list[Problem] = []
    for kind, relative in _SOURCES:
        target = site_dir / relative
        if kind in _SUFFIX:
            files = _list_folder(site_dir, target, _SUFFIX[kind], problems)
        elif target.is_file():
            files = [target]
        else:
            if kind == "site":
                problems.append(Problem(Code.MISSING_FILE, relative, "", "the site has no site.yaml.",
                                        hint="create it with at least `title: My catalog`."))
            files = []
        for file in files:
            entry = _load_file(site_dir, file, kind, problems)
            if entry is not None:
                entries.append(entry)
    return LoadResult(entries, problems)


def content_files(site_dir: Path) -> Iterator[Path]:
    """Yield every file `load_content` reads, for watchers and cache keys."""
    for kind, relative in _SOURCES:
        target = site_dir / relative
        if kind in _SUFFIX:
            if target.is_dir():
                yield from sorted(p for p in target.iterdir() if p.suffix == _SUFFIX[kind] and not _ignored(p))
        elif target.is_file():
            yield target


def _ignored(path: Path) -> bool:
    """Hidden files and editor leftovers (`.#x.yaml`, `x.yaml~`, `x.swp`) are not content."""
    name = path.name
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


def _list_folder(site_dir: Path, folder: Path, suffix: str, problems: list[Problem]) -> list[Path]:
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.iterdir()):
        if _ignored(path) or path.is_dir():
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


def _load_file(site_dir: Path, file: Path, kind: str, problems: list[Problem]) -> RawEntry | None:
    relative = file.relative_to(site_dir).as_posix()
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(Problem(Code.YAML_LIMIT, relative, "",
                                f"the file is {size:,} bytes; content files are limited to {MAX_FILE_BYTES:,}."))
        return None
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(Code.FILE_ENCODING, relative, "",
                                f"the file is not UTF-8 text (byte {exc.start}).", hint="save it as UTF-8."))
        return None
    body, line_offset = "", 0
    if kind == "page":
        text, body, line_offset = _split_front_matter(text)
        if text is None:
            problems.append(Problem(Code.YAML_SYNTAX, relative, "", "a page starts with YAML front matter between two --- lines.",
                                    line=1, hint="begin the file with ---, a `title:` line, and --- again."))
            return None
    parsed = parse_yaml(text, relative, line_offset)
    problems.extend(parsed.problems)
    if parsed.problems:
        return None
    if kind in ("model", "comparison", "site", "page", "benchmarks") and not isinstance(parsed.data, dict):
        what = "empty" if parsed.data is None else "not a mapping of fields"
        problems.append(Problem(Code.NOT_A_MAPPING, relative, "", f"the file is {what}.",
                                line=1 + line_offset, hint="write one `field: value` per line at the top level."))
        return None
    slug = file.stem if kind in _SUFFIX else ""
    return RawEntry(kind, relative, slug, parsed.data, LineMap(parsed.lines), body)


def _split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter, body, lines before the front matter) of a page."""
    match = re.match(r"^---[ \t]*\r?\n(.*?)(?:^|\n)---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return None, "", 0
    return match.group(1), text[match.end():], 1


# --- YAML -------------------------------------------------------------------------


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core-schema scalars, plus dates.

    PyYAML's YAML 1.1 resolver reads `no` as false, `4.3e9` as a string and `1:20`
    as a number in base 60; editors expect none of that.
    """


_Resolver.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp",
    re.compile(r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
               r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
               r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$"),
    list("0123456789"))

try:
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None


class _Scalars(yaml.constructor.SafeConstructor):
    """Constructs scalars only; mappings and sequences are walked by `_Walk`."""

    def construct_yaml_int(self, node):  # YAML 1.2 forms: 0o17 octal, no base 60, no 0b
        text = node.value.replace("_", "")
        if text.startswith("0o"):
            return int(text[2:], 8)
        return int(text, 0) if text.startswith("0x") else int(text)

    def construct_yaml_float(self, node):
        return float(node.value.lower().replace(".inf", "inf").replace(".nan", "nan"))


_Scalars.add_constructor("tag:yaml.org,2002:int", _Scalars.construct_yaml_int)
_Scalars.add_constructor("tag:yaml.org,2002:float", _Scalars.construct_yaml_float)

if _Parser is not None:
    class _Loader(_Parser, _Scalars, _Resolver):
        def __init__(self, stream):
            _Parser.__init__(self, stream)
            _Scalars.__init__(self)
            _Resolver.__init__(self)
else:  # pragma: no cover - PyYAML built without libyaml
    class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                  _Scalars, _Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Scalars.__init__(self)
            _Resolver.__init__(self)

_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp"))
_TAG_NAMES = {"tag:yaml.org,2002:timestamp": "date", "tag:yaml.org,2002:int": "number",
              "tag:yaml.org,2002:float": "number"}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass
class ParsedYaml:
    data: Any
    lines: dict[FieldPath, int]
    problems: list[Problem]


class _TooLarge(Exception):
    pass


def parse_yaml(text: str, path: str, line_offset: int = 0) -> ParsedYaml:
    """Parse one YAML document into plain data plus a line per field path."""
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
        return ParsedYaml(None, {}, [Problem(Code.YAML_SYNTAX, path, "", f"YAML syntax error: {message}", line=line,
                                             hint="check the indentation and quoting near this line.")])
    except yaml.YAMLError as exc:
        return ParsedYaml(None, {}, [Problem(Code.YAML_SYNTAX, path, "", f"YAML syntax error: {exc}.")])
    finally:
        loader.dispose()
    walk = _Walk(loader, path, line_offset)
    if node is None:
        return ParsedYaml(None, {}, [])
    try:
        data = walk.value(node, (), 0)
    except _TooLarge as exc:
        return ParsedYaml(None, {}, [Problem(Code.YAML_LIMIT, path, "", str(exc), line=1 + line_offset,
                                             hint="write values out instead of expanding anchors and aliases.")])
    return ParsedYaml(data, walk.lines, walk.problems)


class _Walk:
    """Turns a composed node tree into dicts, lists and scalars, recording lines."""

    def __init__(self, loader: _Loader, path: str, line_offset: int):
        self.loader = loader
        self.path = path
        self.offset = line_offset + 1
        self.lines: dict[FieldPath, int] = {}
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
                self.lines[here] = item.start_mark.line + self.offset
                result.append(self.value(item, here, depth + 1))
            return result
        if node.tag not in _SCALAR_TAGS:
            return self._bad_tag(node, at)
        try:
            return self.loader.construct_object(node)
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
                first = self.lines.get(here)
                self.problems.append(Problem(Code.DUPLICATE_KEY, self.path, format_field(here),
                                             f'the key "{key}" appears twice (first on line {first}).', line=line,
                                             hint="keep one of them; YAML would silently drop the other."))
                continue
            self.lines[here] = line
            result[key] = self.value(value_node, here, depth + 1)
        return result

    def _bad_tag(self, node: yaml.Node, at: FieldPath) -> None:
        self.problems.append(Problem(Code.YAML_TAG, self.path, format_field(at),
                                     f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')!r} is not allowed in content.",
                                     line=node.start_mark.line + self.offset,
                                     hint="content is plain data: text, numbers, dates, lists and mappings."))
        return None
