"""What a content problem is, and how it is printed.

A problem is data, not a log line: every stage returns the problems it found and
`cli` or `serve` decides how to show them. Codes are permanent: users search for
them and silence warnings by them, so a code is never renumbered or reused.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Code:
    """Stable problem codes. MC0xx are errors, MC1xx are data-quality warnings."""

    # Reading files
    YAML_SYNTAX = "MC001"
    DUPLICATE_KEY = "MC002"
    YAML_LIMIT = "MC003"
    YAML_TAG = "MC004"
    FILE_NAME = "MC005"
    FILE_ENCODING = "MC006"
    NOT_A_MAPPING = "MC007"
    MISSING_FILE = "MC008"
    STRAY_FILE = "MC009"
    # One entry's fields
    UNKNOWN_FIELD = "MC010"
    MISSING_FIELD = "MC011"
    WRONG_TYPE = "MC012"
    BAD_VALUE = "MC013"
    UNSAFE_URL = "MC014"
    # Across entries
    UNRESOLVED_REFERENCE = "MC020"
    UNKNOWN_BENCHMARK = "MC021"
    UNKNOWN_COLUMN = "MC022"
    URL_COLLISION = "MC023"
    DRAFT_REFERENCE = "MC024"
    UNKNOWN_CAPABILITY = "MC025"
    UNKNOWN_PROVIDER = "MC026"
    UNKNOWN_VARIANT = "MC027"
    # Rendering and writing
    TEMPLATE_ERROR = "MC030"
    OUTPUT_ERROR = "MC031"
    SEARCH_ERROR = "MC032"
    # Files the site may not read
    OUTSIDE_SITE = "MC040"
    SPECIAL_FILE = "MC041"
    UNREADABLE_FILE = "MC042"
    # Data-quality warnings (`lint`): each can be silenced on one entry, with a reason
    NAME_SIZE = "MC101"
    SCORE_RANGE = "MC102"
    UNSOURCED_FIGURE = "MC103"
    UNSOURCED_ENTRY = "MC104"
    DATE_ORDER = "MC105"
    FUTURE_DATE = "MC106"
    EMPTY_COLUMN = "MC107"
    DUPLICATE_NAME = "MC108"
    REFERENCE_LOOP = "MC109"
    NOT_SPDX = "MC110"
    PROSE_DEVELOPER = "MC111"
    FACT_REPEATS_FIELD = "MC112"
    MISFILED_SCORE = "MC113"
    PLACEHOLDER_DEVELOPER = "MC114"
    PLACEHOLDER_URL = "MC115"
    PLACEHOLDER_SUMMARY = "MC116"
    PRICED_FREE = "MC117"
    ZERO_PRICE = "MC118"
    CHEAPER_TIER = "MC119"
    LIMIT_ABOVE_CONTEXT = "MC121"
    CUTOFF_AFTER_RELEASE = "MC122"
    # About silences themselves; not silenceable
    UNUSED_SILENCE = "MC120"


MEANINGS = {
    Code.YAML_SYNTAX: "YAML syntax error",
    Code.DUPLICATE_KEY: "a key appears twice in one mapping",
    Code.YAML_LIMIT: "the file is too large, too deep, or expands too far through aliases",
    Code.YAML_TAG: "a YAML tag that is not plain data (`!!python/object`, `!!binary`)",
    Code.FILE_NAME: "a file name that is not a valid slug",
    Code.FILE_ENCODING: "a file that is not UTF-8",
    Code.NOT_A_MAPPING: "a file that is empty or not a mapping",
    Code.MISSING_FILE: "`site.yaml` is missing",
    Code.STRAY_FILE: "a file in a content folder that is not read",
    Code.UNKNOWN_FIELD: "unknown field",
    Code.MISSING_FIELD: "required field missing",
    Code.WRONG_TYPE: "wrong type",
    Code.BAD_VALUE: "bad value (format, range, enumeration)",
    Code.UNSAFE_URL: "a URL that is not http, https, mailto or a site path",
    Code.UNRESOLVED_REFERENCE: "a slug that names no entry",
    Code.UNKNOWN_BENCHMARK: "an unknown benchmark id",
    Code.UNKNOWN_COLUMN: "an unknown comparison column",
    Code.URL_COLLISION: "two things would be published at the same URL",
    Code.DRAFT_REFERENCE: "a published entry names a draft, which the build leaves out",
    Code.UNKNOWN_CAPABILITY: "a capability id that `content/capabilities.yaml` does not define",
    Code.UNKNOWN_PROVIDER: "a provider id that `content/providers.yaml` does not define",
    Code.UNKNOWN_VARIANT: "a score's (or a comparison column's) variant that its benchmark does not declare",
    Code.TEMPLATE_ERROR: "a template failed to render",
    Code.OUTPUT_ERROR: "the output could not be written",
    Code.SEARCH_ERROR: "the search index could not be made",
    Code.OUTSIDE_SITE: "a file or folder that leads outside the site folder",
    Code.SPECIAL_FILE: "a device, FIFO or socket where a file should be",
    Code.UNREADABLE_FILE: "a file that cannot be read",
    Code.NAME_SIZE: "a size in the name disagrees with `parameters`",
    Code.SCORE_RANGE: "a score below zero, or over its benchmark's `max`",
    Code.UNSOURCED_FIGURE: "a benchmark figure without a `source`",
    Code.UNSOURCED_ENTRY: "an entry without `sources`",
    Code.DATE_ORDER: "`updated` or `status_date` before `release_date`",
    Code.FUTURE_DATE: "a date in the future",
    Code.EMPTY_COLUMN: "a comparison column that no model in it fills",
    Code.DUPLICATE_NAME: "two entries with the same name",
    Code.REFERENCE_LOOP: "a `base_model` (or `variant_of`) chain that loops",
    Code.NOT_SPDX: "a license id (a bare `license` string, or `spdx`) that is not on the SPDX license list",
    Code.PROSE_DEVELOPER: "the `summary` or `description` credits another developer",
    Code.FACT_REPEATS_FIELD: "a fact labelled like a field",
    Code.MISFILED_SCORE: "a score whose `note` or `setting` names another benchmark",
    Code.PLACEHOLDER_DEVELOPER: "a placeholder `developer` (\"Unknown\", \"TBD\", \"N/A\")",
    Code.PLACEHOLDER_URL: "a placeholder URL (`https://...`)",
    Code.PLACEHOLDER_SUMMARY: "the summary `modelcat new` wrote, not yet replaced",
    Code.PRICED_FREE: "a price marked `free: true` that also charges something",
    Code.ZERO_PRICE: "a price written as `0`",
    Code.CHEAPER_TIER: "a price tier cheaper than the base price or the tier before it",
    Code.LIMIT_ABOVE_CONTEXT: "an input or output limit above the context window",
    Code.CUTOFF_AFTER_RELEASE: "a `knowledge_cutoff` after `release_date`",
    Code.UNUSED_SILENCE: "a silence that matches no warning",
}
"""What each code means, in a few words: the summary of many problems names them by it (README's table says more)."""

SILENCEABLE = tuple(
    code for name, code in vars(Code).items()
    if not name.startswith("_") and code.startswith("MC1") and code != Code.UNUSED_SILENCE
)
"""The warning codes an entry's `silence` list may name."""


FORBIDDEN_CHARACTERS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(rf"\U{plane:04x}fffe\U{plane:04x}ffff" for plane in range(17)) + "]"
)
"""Characters no text may hold: control characters (tab, line feed and carriage return
excepted), surrogates and Unicode noncharacters. XML cannot carry most of them (the
feed would not parse), terminals run some as commands, and none is ever meant as text."""

_UNPRINTABLE = re.compile(FORBIDDEN_CHARACTERS.pattern[:-1] + r"\n\r]")


def one_line(text: str) -> str:
    """Return text with line breaks and forbidden characters written as escapes (`\\x1b`).

    Messages quote file names and values, which may hold anything: printed raw, a line
    break would split a problem in two and an escape character would run as a
    terminal command.
    """
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, located as precisely as the source allows."""

    code: str
    path: str
    """File, relative to the site root, with forward slashes."""
    field: str
    """Dotted field path such as `benchmarks.medqa.value`; empty for the whole file."""
    message: str
    line: int | None = None
    hint: str | None = None
    severity: Severity = Severity.ERROR
    column: int | None = None
    """1-based, where the source gives one (YAML syntax errors); most problems name a field's line only."""

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        """Return `path:line:column`, `path:line` or `path`, the forms editors and terminals can click."""
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}:{self.column}" if self.column else f"{self.path}:{self.line}"

    def format(self) -> str:
        """Return the problem as `path:line: field: message [code]`, hint indented below.

        Each part is kept to one line (see `one_line`), so every problem starts a line
        of its own that editors and scripts can parse.
        """
        where = one_line(f"{self.location()}: {self.field}:" if self.field else f"{self.location()}:")
        label = "" if self.is_error else "warning: "
        text = f"{where} {label}{one_line(self.message)} [{self.code}]"
        if self.hint:
            text += f"\n    hint: {one_line(self.hint)}"
        return text

    def as_dict(self) -> dict:
        """Return the problem as plain data, for `--format json`."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Return problems ordered by file, then line, then field."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.field, p.code, p.message))


SCREENFUL = 40
"""Lines of problems printed in full; past this, they are summarised by code."""
SHOWN_PER_CODE = 3
"""Problems printed of each code in a summary."""


@dataclass(frozen=True)
class CodeGroup:
    """Every problem of one code, for a summary: what the code means, how often and where it fired."""

    code: str
    problems: tuple[Problem, ...]

    @property
    def meaning(self) -> str:
        return MEANINGS[self.code]

    @property
    def is_error(self) -> bool:
        return self.problems[0].is_error

    @property
    def shown(self) -> tuple[Problem, ...]:
        return self.problems[:SHOWN_PER_CODE]

    @property
    def hidden(self) -> int:
        return len(self.problems) - len(self.shown)

    def heading(self) -> str:
        """Return e.g. `MC103 warning, 31,000 times in 1,000 files: a benchmark figure without a `source``."""
        kind = "error" if self.is_error else "warning"
        times = "once" if len(self.problems) == 1 else f"{len(self.problems):,} times"
        return f"{self.code} {kind}, {times} in {plural(len({p.path for p in self.problems}), 'file')}: {self.meaning}"


def by_code(problems: Iterable[Problem]) -> list[CodeGroup]:
    """Return the problems grouped by code, errors first, each group in file and line order."""
    groups: dict[str, list[Problem]] = {}
    for problem in sort_problems(problems):
        groups.setdefault(problem.code, []).append(problem)
    return [CodeGroup(code, tuple(found)) for code, found in
            sorted(groups.items(), key=lambda item: (not item[1][0].is_error, item[0]))]


def too_many_to_list(problems: list[Problem]) -> bool:
    """Whether printing every problem would take more than a screenful."""
    lines = 0
    for problem in problems:
        lines += 2 if problem.hint else 1
        if lines > SCREENFUL:
            return True
    return False


def report(problems: list[Problem], show_all: bool, how_to_see_all: str) -> list[str]:
    """Return the lines that report problems: each one, or past a screenful a summary by code.

    32,000 warnings printed one by one are 6.8 MB that nobody reads; the summary says
    what each code means, how often it fired, shows its first few, and `how_to_see_all`.
    """
    problems = sort_problems(problems)
    if not problems:
        return []
    if show_all or not too_many_to_list(problems):
        return [line for p in problems for line in p.format().splitlines()] + [summarize(problems) + "."]
    lines = []
    for group in by_code(problems):
        lines.append(group.heading())
        lines += ["  " + text for problem in group.shown for text in problem.format().splitlines()]
        if group.hidden:
            lines.append(f"  ... and {group.hidden:,} more {group.code}")
    return lines + [f"{summarize(problems)}: {how_to_see_all}"]


def summarize(problems: list[Problem]) -> str:
    """Return a one-line count such as `3 errors, 1 warning in 2 files`."""
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    parts = [plural(errors, "error"), plural(warnings, "warning")]
    return f"{', '.join(parts)} in {plural(files, 'file')}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count:,} {noun}s"


def fails(problems: Iterable[Problem], strict: bool) -> bool:
    """Return whether these problems fail a run: any error, or any warning under `--strict`."""
    return any(p.is_error or strict for p in problems)


class UsageError(Exception):
    """The command cannot run as asked (a bad option, a folder that is not a site); exit status 2."""
