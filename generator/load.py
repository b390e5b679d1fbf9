"""Find the site's content files and parse them, keeping the line of every field.

No meaning checks happen here: only "may this file be read, is it safe YAML" and
"where is each key". Every file is vetted before it is read: nothing that resolves
outside the site (through a link) is read, special files (devices, FIFOs, sockets)
are refused, and a file over the size limit is refused from its size alone, so a
link to /dev/zero costs one `stat`. The YAML is read safely with libyaml's C parser where available, but the node
tree is turned into Python data by our own walk rather than PyYAML's constructor,
because that walk is where three things the constructor cannot do happen at once:
recording a line per field path, refusing duplicate keys, and bounding alias
expansion (a "billion laughs" document is refused after a fixed number of nodes).

That walk costs more than the parse. Most files use none of what it guards against,
so they are read by a native parser instead (see `_parse_plain`), and only a file it
cannot vouch for takes the careful path; lines are worked out only when a problem
needs one.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from generator.errors import FORBIDDEN_CHARACTERS, Code, Problem, Severity
from generator.schema import DEVICE_NAMES, MAX_ID_LENGTH, describe

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 2 * 1024 * 1024
"""A content file larger than this is refused before parsing."""
MAX_NODES = 100_000
"""Nodes one file may expand to, aliases included; stops alias bombs early."""
MAX_DEPTH = 40
"""Nesting depth one file may reach; stops recursive aliases."""
SLUG_RE = re.compile(r"[a-z0-9-]+")
"""Matched with `fullmatch`: `$` would also accept a name ending in a line break."""

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

    def __init__(self, source: Source, lines: dict[FieldPath, int] | None = None, text: str | None = None):
        self.source = source
        self._lines = lines
        self._text = text
        """The file's text as parsed, to work lines out from; without it the file is read again."""

    def forget(self) -> None:
        """Drop the lines and the text (to keep caches small); they are worked out again when needed."""
        self._lines = self._text = None

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
            self._lines = _lines_of(self.source, self._text)
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
    body_line: int = 0
    """The line the body starts on."""
    problems: tuple[Problem, ...] = ()
    """Values that could not be read (a bad tag, a duplicate key, a forbidden character): each
    is left out of `data`, and validation reports the rest of the file beside them."""


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
    """Return every content file of the site in reading order, and problems with file names and files refused."""
    gate = _Gate(site_dir.resolve())
    sources: list[Source] = []
    for kind, relative in _SOURCES:
        target = site_dir / relative
        if kind in _SUFFIX:
            sources += _list_folder(gate, kind, target, relative)
        elif os.path.lexists(target):
            if gate.file(target, relative, linked=True, limit=MAX_FILE_BYTES):
                sources.append(Source(kind, target, relative, ""))
        elif kind == "site":
            gate.problems.append(Problem(Code.MISSING_FILE, relative, "", "the site has no site.yaml.",
                                         hint="create it with at least `title: My catalog`."))
    return sources, gate.problems


def keeps_listing(site_dir: Path, path: str, listed: bool) -> bool:
    """Whether a changed path leaves the listing of content files as `find_sources` made it.

    True for a listed file that is still a regular file within the size limit, reached
    through no link, and for a path that was not listed and is gone. Anything else (a
    new file, a link, a special or oversize file) needs the listing again: only the gate
    of `find_sources` can say whether it may be read. A file watcher's rebuild lists
    the content folders again only when this says so.
    """
    if not listed:
        return not os.path.lexists(path)
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        return False
    return os.path.realpath(path) == os.path.join(os.path.realpath(site_dir), os.path.relpath(path, site_dir))


_PACKAGE = Path(__file__).resolve().parent


def theme_dirs(site_dir: Path, kind: str) -> list[Path]:
    """Return the site's own `templates/` or `static/` first, then the bundled theme's."""
    bundled = _PACKAGE / "theme" / kind
    if not bundled.is_dir():  # running from a checkout: the repository root is the bundled site
        bundled = _PACKAGE.parent / kind
    dirs = [site_dir / kind, bundled]
    unique = {d.resolve(): d for d in dirs if d.is_dir()}
    return list(unique.values())


def find_theme_files(site_dir: Path, kind: str, problems: list[Problem]) -> dict[str, Path]:
    """Return the files of `templates/` or `static/` by relative path, adding a problem for each file refused.

    The site's own files win over the bundled theme's. Hidden files and editor backups
    are left out (hidden folders such as `.well-known/` are not). Links to folders are
    followed where they may lead, once: a link back to a folder that contains it is
    refused.

    Static files are published as they are, so in the site's `static/` a link must stay
    inside the site. Templates may lead outside it: they are the site author's code,
    trusted as Hugo trusts a project's own layouts ("only the main project can walk
    symbolic links", in its security model), and a theme kept beside several sites is
    a fair reason for a link. Special files are refused everywhere: reading a FIFO would
    hang the build.
    """
    gate = _Gate(site_dir.resolve())
    own = site_dir / kind
    found: dict[str, Path] = {}
    for folder in reversed(theme_dirs(site_dir, kind)):
        may_leave = kind == "templates" or folder != own
        if may_leave or gate.folder(folder, kind):
            _walk(gate, folder, kind, "", may_leave, frozenset({os.path.realpath(folder)}), found)
    problems += gate.problems
    return dict(sorted(found.items()))


def _walk(gate: _Gate, folder: Path, shown: str, inner: str, may_leave: bool, ancestors: frozenset[str],
          found: dict[str, Path]) -> None:
    """Add the readable files under `folder` to `found`, keyed by their path below the theme folder."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as exc:
        gate.problems.append(gate.unreadable(folder, shown, exc))
        return
    for entry in entries:
        path, relative, key = folder / entry.name, f"{shown}/{entry.name}", inner + entry.name
        linked = entry.is_symlink()
        if _is_folder(entry):
            real = os.path.realpath(path)
            if linked and not may_leave and not gate.inside(real):
                gate.problems.append(gate.outside(relative, real, "folder"))
            elif real in ancestors:
                gate.problems.append(Problem(
                    Code.UNREADABLE_FILE, relative, "", "this folder is a link back to a folder that contains it, "
                    "so its files would be published under ever longer paths.", hint="remove the link."))
            else:
                _walk(gate, path, relative, key + "/", may_leave, ancestors | {real}, found)
        elif not _ignored(entry.name) and gate.file(path, relative, linked=linked, may_leave=may_leave):
            found[key] = path


class _Gate:
    """Decides which files the site may read, collecting a problem for each file it refuses."""

    def __init__(self, root: Path):
        self.root = root
        """The site folder, every link resolved."""
        self.problems: list[Problem] = []

    def inside(self, real: str) -> bool:
        return Path(real).is_relative_to(self.root)

    def folder(self, folder: Path, relative: str) -> bool:
        """Whether a folder's files may be read: it resolves inside the site (a link elsewhere in it is fine)."""
        real = os.path.realpath(folder)
        if self.inside(real):
            return True
        self.problems.append(self.outside(relative, real, "folder"))
        return False

    def file(self, path: str | Path, relative: str, linked: bool, limit: int | None = None, may_leave: bool = False) -> bool:
        """Whether a file may be read: inside the site (unless `may_leave`), a regular file, at most `limit` bytes.

        Only a link can lead outside a folder that is inside the site, so only links
        pay for resolving their path.
        """
        if linked and not may_leave:
            real = os.path.realpath(path)
            if not self.inside(real):
                self.problems.append(self.outside(relative, real, "file"))
                return False
        try:
            info = os.stat(path)
        except OSError as exc:
            self.problems.append(self.unreadable(path, relative, exc))
            return False
        if not stat.S_ISREG(info.st_mode):
            what = _FILE_TYPES.get(stat.S_IFMT(info.st_mode), "not a regular file")
            self.problems.append(Problem(Code.SPECIAL_FILE, relative, "", f"this is {what}: only regular files are read.",
                                         hint="replace it with a regular file, or remove it."))
            return False
        if limit is not None and info.st_size > limit:
            self.problems.append(_too_large(relative, info.st_size))
            return False
        return True

    @staticmethod
    def outside(relative: str, real: str, what: str) -> Problem:
        return Problem(Code.OUTSIDE_SITE, relative, "",
                       f"this {what} leads outside the site (to {real}): modelcat reads and publishes only what is "
                       "inside the site folder.", hint=f"copy the {what} into the site, or point the link inside it.")

    @staticmethod
    def unreadable(path: str | Path, relative: str, exc: OSError) -> Problem:
        if os.path.islink(path) and isinstance(exc, FileNotFoundError):
            message = f"this is a link to {os.readlink(path)}, which does not exist."
        elif os.path.islink(path) and exc.errno == errno.ELOOP:
            message = "this link leads back to itself through other links."
        else:
            message = f"this cannot be read: {exc.strerror or exc}."
        return Problem(Code.UNREADABLE_FILE, relative, "", message, hint="fix or remove it.")


_FILE_TYPES = {stat.S_IFDIR: "a folder", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
               stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket"}


def _too_large(relative: str, size: int) -> Problem:
    return Problem(Code.YAML_LIMIT, relative, "", f"the file is {size:,} bytes; content files are limited to {MAX_FILE_BYTES:,}.",
                   hint="split the text, or move long prose out of the entry.")


def _ignored(name: str) -> bool:
    """Hidden files and editor leftovers (`.#x.yaml`, `x.yaml~`, `x.swp`) are not content."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))


def _is_folder(entry: os.DirEntry) -> bool:
    """Whether an entry is a folder or a link to one; a link loop is not (`gate.file` reports it)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _list_folder(gate: _Gate, kind: str, folder: Path, shown: str) -> list[Source]:
    """Return the content files of one folder that may be read; the problems of the others go to `gate`.

    Names are worked on as strings: at 10,000 files a path object per test is most of the time a
    no-change rebuild takes."""
    if not os.path.lexists(folder) or not gate.folder(folder, shown):
        return []
    try:
        with os.scandir(folder) as listing:  # entries know whether they are folders without a stat each
            entries = sorted((entry for entry in listing if not _is_folder(entry)), key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        gate.problems.append(gate.unreadable(folder, shown, exc))
        return []
    suffix = _SUFFIX[kind]
    files = []
    for entry in entries:
        name = entry.name
        if _ignored(name):
            continue
        relative = f"{shown}/{name}"
        problem = _name_problem(name, relative, suffix)
        if problem is not None:
            gate.problems.append(problem)
        elif gate.file(entry.path, relative, linked=entry.is_symlink(), limit=MAX_FILE_BYTES):
            files.append(Source(kind, folder / name, relative, name[:-len(suffix)]))
    return files


def _name_problem(name: str, relative: str, suffix: str) -> Problem | None:
    """Return why a file in a content folder is not read as an entry, if it is not."""
    stem, extension = os.path.splitext(name)
    if extension != suffix:
        return Problem(Code.STRAY_FILE, relative, "", f"this file is ignored: only {suffix} files are read here.",
                       hint=f"rename it to {stem}{suffix} if it is content.", severity=Severity.WARNING)
    if not SLUG_RE.fullmatch(stem):
        return Problem(Code.FILE_NAME, relative, "", f"{describe(stem)} is not a valid slug: the file name becomes the URL.",
                       hint="use lowercase letters, digits and hyphens only, e.g. medgemma-4b-it" + suffix + ".")
    if len(stem) > MAX_ID_LENGTH:
        return Problem(Code.FILE_NAME, relative, "", f"the slug is {len(stem)} characters long; a slug becomes a "
                       f"folder name and a URL, and has at most {MAX_ID_LENGTH}.", hint="shorten the file name.")
    if stem in DEVICE_NAMES:
        return Problem(Code.FILE_NAME, relative, "", f'"{stem}" names a device on Windows: a folder so named cannot '
                       "be created there, so the site could not be built or copied on Windows.",
                       hint=f"choose another name, e.g. {stem}-model{suffix}.")
    return None


def parse_source(source: Source, data: bytes, record_lines: bool = False) -> tuple[RawEntry | None, list[Problem]]:
    """Parse one file's bytes; return its entry, or None and the reasons it cannot be read.

    Problems with single values (see `RawEntry.problems`) travel in the entry. With
    `record_lines`, the entry keeps the file's text, so that a later problem finds its
    line in the text that was parsed rather than in the file as it is by then.
    """
    relative = source.relative
    if len(data) > MAX_FILE_BYTES:
        return None, [_too_large(relative, len(data))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(Code.FILE_ENCODING, relative, "",
                              f"the file is not UTF-8 text (byte {exc.start}).", hint="save it as UTF-8.")]
    full_text, body, line_offset, body_line = text, "", 0, 0
    body_problems = []
    if source.kind == "page":
        text, body, line_offset = _split_front_matter(text)
        if text is None:
            return None, [Problem(Code.YAML_SYNTAX, relative, "", "a page starts with YAML front matter between two --- lines.",
                                  line=1, hint="begin the file with ---, a `title:` line, and --- again.")]
        body_line = line_offset + text.count("\n") + 3  # the lines before the body: ---, front matter, ---
        if FORBIDDEN_CHARACTERS.search(body):
            body_problems = [_forbidden(relative, "body", body, body_line, "the Markdown below the front matter")]
    parsed = parse_yaml(text, relative, line_offset)
    if not isinstance(parsed.data, dict):
        if parsed.problems:
            return None, parsed.problems
        what = "empty" if parsed.data is None else "not a mapping of fields"
        return None, [Problem(Code.NOT_A_MAPPING, relative, "", f"the file is {what}.",
                              line=1 + line_offset, hint="write one `field: value` per line at the top level.")]
    lines = LineMap(source, text=full_text if record_lines else None)
    return RawEntry(source.kind, relative, source.slug, parsed.data, lines, body, body_line,
                    tuple(parsed.problems + body_problems)), []


def _split_front_matter(text: str) -> tuple[str | None, str, int]:
    """Return (front matter, body, lines before the front matter) of a page.

    Line breaks are made "\\n" first: a page saved with Windows (CRLF) or old Mac (CR)
    line endings splits as any other, on the same lines YAML and Markdown count.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    match = re.match(r"---[ \t]*\n(.*?)(?:^|\n)---[ \t]*(?:\n|$)", text, re.S)
    if not match:
        return None, "", 0
    return match.group(1), text[match.end():], 1


_CHARACTER_NAMES = {0: "NUL", 0x1B: "ESC (escape)", 0x7F: "DEL"}


def _forbidden(path: str, field: str, text: str, line: int, what: str) -> Problem:
    """Return the problem of a text holding a forbidden character, on the line where the first one stands."""
    match = FORBIDDEN_CHARACTERS.search(text)
    code_point = ord(match.group())
    kind = ("a surrogate" if 0xD800 <= code_point <= 0xDFFF else
            "a noncharacter" if code_point >= 0xFDD0 else "a control character")
    name = f"U+{code_point:04X}" + (f" {_CHARACTER_NAMES[code_point]}" if code_point in _CHARACTER_NAMES else "")
    return Problem(Code.BAD_VALUE, path, field,
                   f"{what} contains {kind} ({name}): text may not hold control characters other than tab and line "
                   "breaks, surrogates or noncharacters (feeds and pages could not carry them).",
                   line=line + text.count("\n", 0, match.start()),
                   hint='remove it; in a double-quoted YAML string, an escape such as "\\e" or "\\0" writes one.')


def _lines_of(source: Source, text: str | None = None) -> dict[FieldPath, int]:
    """Parse a file's text again (read from the file if not given), recording the line of every field."""
    if text is None:
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
    def __init__(self, message: str, line: int, hint: str):
        super().__init__(message)
        self.line = line
        self.hint = hint


def parse_yaml(text: str, path: str, line_offset: int = 0, record_lines: bool = False) -> ParsedYaml:
    """Parse one YAML document into plain data (and, if asked, a line per field path)."""
    if not record_lines:
        data = _parse_plain(text)
        if data is not None:
            return ParsedYaml(data, {}, [])
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
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow anywhere in a file
        before = text.encode("utf-8", "surrogatepass")[:exc.position].decode("utf-8", "surrogatepass")
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        return ParsedYaml(None, {}, [Problem(Code.YAML_SYNTAX, path, "", f"YAML syntax error: the file contains "
                                             f"U+{ord(character):04X}, which YAML does not allow ({exc.reason}).",
                                             line=before.count("\n") + 1 + line_offset,
                                             column=len(before) - before.rfind("\n"),
                                             hint="remove the character; only printable text is allowed.")])
    except yaml.YAMLError as exc:
        return ParsedYaml(None, {}, [Problem(Code.YAML_SYNTAX, path, "", f"YAML syntax error: {exc}.")])
    finally:
        loader.dispose()
    walk = _Walk(path, line_offset, record_lines, _may_give_forbidden(text))
    if node is None:
        return ParsedYaml(None, {}, [])
    try:
        data = walk.value(node, (), 0)
    except _TooLarge as exc:
        return ParsedYaml(None, {}, [Problem(Code.YAML_LIMIT, path, "", str(exc), line=exc.line, hint=exc.hint)])
    return ParsedYaml(data, walk.lines or {}, walk.problems)


def _colon_in_value(text: str, mark: yaml.Mark) -> bool:
    """Whether the error's line already had a `key: ` before the mark: an unquoted ": " inside a value
    (`summary: Note: ...`), not a key indented too far."""
    lines = text.splitlines()
    return mark.line < len(lines) and re.search(r":\s", lines[mark.line][:mark.column]) is not None


_UNVOUCHED_SUBSTRINGS = ("!", "&", "<<", "\t", "\x85", "\u2028", "\u2029", "\n---", "\n...", "\n%")
"""Tags, anchors (so aliases too), merge keys, tabs, the line breaks of YAML 1.1 only,
document markers and directives."""
_NUMBER_MARK = re.compile(r"0[bBoOxX]|_")
_KEY_INDICATOR = re.compile(r"(?:^|[\s{\[,:])\?", re.M)
"""A `?` where libyaml may take it for a key indicator (in flow context yaml-rs may not)."""
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")


def _number_outside_core_schema(text: str) -> bool:
    """Whether a word may read as a number to yaml-rs and as text to the core schema: 0b1, +0x1F, 1_000, _1.

    The regular expression finds the rare characters; whether they start a word is
    checked here, because a look-behind at the front of a pattern makes the scan slow.
    """
    for match in _NUMBER_MARK.finditer(text):
        start = match.start()
        if match.group() == "_":
            while start and text[start - 1] in "0123456789.eE+-":
                start -= 1
        elif start and text[start - 1] in "+-":
            start -= 1
        if start == 0 or text[start - 1] not in _WORD:
            return True
    return False


def _parse_plain(text: str) -> dict | None:
    """Return the data of a file that needs none of the careful walk's guards, or None.

    yaml-rs (a YAML 1.2 parser in Rust) builds the data several times faster than the
    walk. It is trusted only where it provably agrees with the careful path: libyaml
    accepts the text (so no syntax error goes unreported), nothing in it can be a tag,
    an anchor, an alias, a merge key, a tab, a forbidden character (see `_may_give_forbidden`)
    or a number outside the core schema, duplicate
    keys make it fail, and the result is a mapping whose keys are all text, no deeper
    and with no more values than the walk allows. Anything else takes the careful path,
    which reports the problem with its line. tests/test_load.py compares the two on
    every content file of the catalogs and on mutations of them.
    """
    if len(text) >= MAX_NODES or not hasattr(_Parser, "raw_parse"):  # a value takes a character at least
        return None
    if _may_give_forbidden(text):
        return None  # a value might hold a forbidden character, which the walk reports
    if any(part in text for part in _UNVOUCHED_SUBSTRINGS) or text.startswith(("---", "...", "%")):
        return None
    if ("?" in text and _KEY_INDICATOR.search(text)) or _number_outside_core_schema(text):
        return None
    if not text.endswith("\n"):
        return None  # a block scalar on the last line keeps a line break in yaml-rs that libyaml does not add
    parser = _Parser(text)
    try:
        parser.raw_parse()  # libyaml's own parse, building no Python objects
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()
    try:
        data = yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.Error)
    except (yaml_rs.YAMLDecodeError, ValueError, OverflowError, RecursionError):
        return None
    return data if type(data) is dict and _plain(data, 0) else None


def _plain(value: dict | list, depth: int) -> bool:
    """Whether every key in `value` is text and nothing in it nests deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        return False
    if type(value) is dict:
        if any(type(key) is not str for key in value):
            return False
        children = value.values()
    else:
        children = value
    for child in children:
        kind = type(child)
        if kind is dict or kind is list:
            if not _plain(child, depth + 1):
                return False
        elif depth >= MAX_DEPTH:
            return False
    return True


def _tab_before(text: str, line: int, column: int) -> bool:
    """Whether a tab stands at or before `column` of `line` (both from 0): YAML's most puzzling error."""
    lines = text.splitlines()
    return line < len(lines) and "\t" in lines[line][:column + 1]


_LET_THROUGH = frozenset("\x85" + "".join(map(chr, range(0xFDD0, 0xFDF0)))
                        + "".join(chr(plane * 0x10000 + end) for plane in range(1, 17) for end in (0xFFFE, 0xFFFF)))
"""The forbidden characters YAML reads as they are (its printable set takes them); it refuses
the others, when they are written as they are, with a syntax error."""


def _may_give_forbidden(text: str) -> bool:
    """Whether a value of this YAML text may hold a forbidden character (see `errors.FORBIDDEN_CHARACTERS`).

    Only an escape ("\\e") or one of `_LET_THROUGH` can put one there: a file with neither,
    nearly every file, skips the check of each value. Cheapest tests first: a regular
    expression over every file of a large catalog costs seconds.
    """
    return "\\" in text or (not text.isascii() and not _LET_THROUGH.isdisjoint(text))


class _Walk:
    """Turns a composed node tree into dicts, lists and scalars, recording lines if asked."""

    def __init__(self, path: str, line_offset: int, record_lines: bool, check_text: bool):
        self.path = path
        self.offset = line_offset + 1
        self.lines: dict[FieldPath, int] | None = {} if record_lines else None
        self.problems: list[Problem] = []
        self.nodes = 0
        self.check_text = check_text
        """Whether values may hold forbidden characters (see `errors.FORBIDDEN_CHARACTERS`)."""

    def value(self, node: yaml.Node, at: FieldPath, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooLarge(f"the file expands to more than {MAX_NODES:,} values (anchors and aliases included).",
                            node.start_mark.line + self.offset, "write values out instead of expanding anchors and aliases.")
        if depth > MAX_DEPTH:
            raise _TooLarge(f"the file nests deeper than {MAX_DEPTH} levels (or an alias refers to itself).",
                            node.start_mark.line + self.offset,
                            "an entry needs a few levels: flatten this one, or make the alias here refer to another node.")
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
        if self.check_text and FORBIDDEN_CHARACTERS.search(node.value):
            self.problems.append(_forbidden(self.path, format_field(at), node.value, node.start_mark.line + self.offset,
                                            "the text"))
            return None
        try:
            return construct(node.value)
        except (ValueError, OverflowError, yaml.YAMLError):
            self.problems.append(Problem(Code.BAD_VALUE, self.path, format_field(at),
                                         f"{describe(node.value)} is not a valid {_TAG_NAMES.get(node.tag, 'value')}.",
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
            if self.check_text and FORBIDDEN_CHARACTERS.search(key):
                self.problems.append(_forbidden(self.path, format_field(at), key, line, "the key"))
                continue
            if key in result:
                first = next(k.start_mark.line + self.offset for k, _ in node.value if k.value == key)
                self.problems.append(Problem(Code.DUPLICATE_KEY, self.path, format_field(here),
                                             f"the key {describe(key)} appears twice (first on line {first}).", line=line,
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
