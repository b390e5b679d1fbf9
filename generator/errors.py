"""What a content problem is, and how it is printed.

A problem is data, not a log line: every stage returns the problems it found and
`cli` or `serve` decides how to show them. Codes are permanent: users search for
them and silence warnings by them, so a code is never renumbered or reused.
"""

from __future__ import annotations

import enum
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
    UNKNOWN_CAPABILITY = "MC024"
    UNKNOWN_PROVIDER = "MC025"
    UNKNOWN_VARIANT = "MC026"
    # Rendering and writing
    TEMPLATE_ERROR = "MC030"
    OUTPUT_ERROR = "MC031"
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
    PRICED_FREE = "MC114"
    ZERO_PRICE = "MC115"
    CHEAPER_TIER = "MC116"
    LIMIT_ABOVE_CONTEXT = "MC117"
    CUTOFF_AFTER_RELEASE = "MC118"
    # About silences themselves; not silenceable
    UNUSED_SILENCE = "MC120"


SILENCEABLE = tuple(
    code for name, code in vars(Code).items()
    if not name.startswith("_") and code.startswith("MC1") and code != Code.UNUSED_SILENCE
)
"""The warning codes an entry's `silence` list may name."""


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

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        """Return `path:line` (or just `path`), the form editors and terminals can click."""
        return f"{self.path}:{self.line}" if self.line else self.path

    def format(self) -> str:
        """Return the problem as `path:line: field: message [code]`, hint indented below."""
        where = f"{self.location()}: {self.field}:" if self.field else f"{self.location()}:"
        label = "" if self.is_error else "warning: "
        text = f"{where} {label}{self.message} [{self.code}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def as_dict(self) -> dict:
        """Return the problem as plain data, for `--format json`."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Return problems ordered by file, then line, then field."""
    return sorted(problems, key=lambda p: (p.path, p.line or 0, p.field, p.code, p.message))


def summarize(problems: list[Problem]) -> str:
    """Return a one-line count such as `3 errors, 1 warning in 2 files`."""
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    parts = [_plural(errors, "error"), _plural(warnings, "warning")]
    return f"{', '.join(parts)} in {_plural(files, 'file')}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def fails(problems: Iterable[Problem], strict: bool) -> bool:
    """Return whether these problems fail a run: any error, or any warning under `--strict`."""
    return any(p.is_error or strict for p in problems)


class UsageError(Exception):
    """The command cannot run as asked (a bad option, a folder that is not a site); exit status 2."""
