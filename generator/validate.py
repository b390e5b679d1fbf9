"""Turn raw mappings into typed entries, one file at a time, collecting every issue.

Pydantic does the checking (see `schema`); this module translates its errors into
problems an editor can act on: the file, the line of the field, the field path in
the editor's own words, what was expected and what was found. References between
entries are not checked here but in `catalog`, once everything is loaded.
"""

from __future__ import annotations

import difflib
import re
import logging
import types
import typing
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from generator import schema
from generator.errors import Code, Problem
from generator.load import FieldPath, LineMap, RawEntry, format_field
from generator.schema import Benchmark, Capability, Comparison, Model, Page, Provider, SiteConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Where an entry came from, to locate problems found later."""

    path: str
    lines: LineMap

    def problem(self, code: str, at: FieldPath, message: str, hint: str | None = None, **extra: Any) -> Problem:
        """Return a problem at field `at` of this file, on that field's line."""
        return Problem(code, self.path, format_field(at), message, line=self.lines.line_of(at), hint=hint, **extra)


def score_path(origin: Origin, benchmark_id: str, index: int, *rest: str) -> FieldPath:
    """Return where one score is written: `benchmarks.ID` for a lone score, `benchmarks.ID[i]` in a list.

    It reads the file's lines, so callers ask only when they report a problem.
    """
    listed = origin.lines.has(("benchmarks", benchmark_id, 0))
    return ("benchmarks", benchmark_id, *((index,) if listed else ()), *rest)


@dataclass
class Content:
    """Every valid entry of the site, keyed by slug (benchmarks by id), in file order."""

    site: SiteConfig | None = None
    models: dict[str, Model] = field(default_factory=dict)
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    capabilities: dict[str, Capability] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    comparisons: dict[str, Comparison] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)
    """(kind, slug) -> origin of every entry read, valid or not; the entries of a definitions file
    (benchmarks, capabilities, providers) are ("benchmark", id), ("capability", id), ("provider", id)."""

    def origin(self, kind: str, slug: str = "") -> Origin:
        return self.origins[(kind, slug)]


@dataclass(frozen=True)
class Validated:
    """One file's outcome: its typed value (None when invalid) and its problems.

    A pure function of the file's bytes, so builds cache it under their hash.
    """

    kind: str
    slug: str
    origin: Origin
    value: Any
    """Model, Comparison, Page, SiteConfig, a dict of definitions (Benchmark, Capability, Provider), or None."""
    problems: tuple[Problem, ...]
    declared: tuple[str, ...] = ()
    """Ids a definitions file declares, valid or not."""


def validate_entry(entry: RawEntry) -> Validated:
    """Validate one parsed file."""
    origin = Origin(entry.path, entry.lines)
    problems: list[Problem] = []
    if entry.kind in DEFINITIONS:
        value = _validate_definitions(DEFINITIONS[entry.kind], entry.data, origin, problems)
        return Validated(entry.kind, entry.slug, origin, value, tuple(problems), tuple(entry.data))
    value = validate_one(_CLASSES[entry.kind], entry.data, origin, problems)
    if value is not None and entry.kind == "page":
        value = value.model_copy(update={"slug": entry.slug, "body": entry.body})
    elif value is not None and entry.kind != "site":
        value = value.model_copy(update={"slug": entry.slug})
    return Validated(entry.kind, entry.slug, origin, value, tuple(problems))


def unreadable(kind: str, slug: str, origin: Origin, problems: list[Problem]) -> Validated:
    """Return the outcome of a file that could not be parsed at all."""
    return Validated(kind, slug, origin, None, tuple(problems))


def collect(results: list[Validated]) -> tuple[Content, list[Problem]]:
    """Gather per-file outcomes into the site's content, in file order."""
    return update_content(None, (), results), [p for result in results for p in result.problems]


def update_content(previous: Content | None, gone: Iterable[Validated], arrived: Iterable[Validated]) -> Content:
    """Return the content with the entries of `gone` taken out and those of `arrived` put in.

    An edit takes its file's old outcome out and puts the new one in, so a rebuild
    updates the content rather than gathering every file again.
    """
    content = Content() if previous is None else dataclasses.replace(
        previous, **{f.name: dict(getattr(previous, f.name)) for f in dataclasses.fields(Content) if f.name != "site"})
    for result in gone:
        content.origins.pop((result.kind, result.slug), None)
        if result.kind in DEFINITIONS:
            singular = DEFINITIONS[result.kind].singular
            for key in result.declared:
                content.origins.pop((singular, key), None)
            setattr(content, result.kind, {})
        elif result.kind == "site":
            content.site = None
        elif result.value is not None:
            getattr(content, result.kind + "s").pop(result.slug, None)
    for result in arrived:
        content.origins[(result.kind, result.slug)] = result.origin
        if result.kind in DEFINITIONS:
            singular = DEFINITIONS[result.kind].singular
            content.origins.update({(singular, key): result.origin for key in result.declared})
            setattr(content, result.kind, result.value or {})
        elif result.value is None:
            continue
        elif result.kind == "site":
            content.site = result.value
        else:
            getattr(content, result.kind + "s")[result.slug] = result.value
    return content


_CLASSES: dict[str, type[BaseModel]] = {"site": SiteConfig, "model": Model, "comparison": Comparison, "page": Page}


def validate_one(cls: type[BaseModel], data: dict, origin: Origin, problems: list[Problem],
                 at: FieldPath = ()) -> Any:
    """Return `data` as an instance of `cls`, or None after adding its problems."""
    internal = [key for key in schema.INTERNAL_FIELDS if key in data and key in cls.model_fields]
    for key in internal:
        problems.append(origin.problem(
            Code.UNKNOWN_FIELD, (*at, key), f'"{key}" is not a field you can set: it comes from the file name.',
            hint="remove the line; rename the file to change it."))
    try:
        value = cls.model_validate({k: v for k, v in data.items() if k not in internal})
    except ValidationError as exc:
        problems.extend(_explain(error, cls, at, origin, data) for error in exc.errors(include_url=False))
        return None
    return None if internal else value


@dataclass(frozen=True)
class Definitions:
    """A file of definitions keyed by id: `content/benchmarks.yaml`, `capabilities.yaml`, `providers.yaml`."""

    cls: type[BaseModel]
    singular: str
    """What one entry is called in messages and in `Content.origins`."""
    ids: str
    """Example ids, for the hint on a bad one."""
    example: str
    """An example entry, for the message on one that is not a mapping."""


DEFINITIONS = {
    "benchmarks": Definitions(Benchmark, "benchmark", "medqa or arc_c", '{name: ..., unit: "%"}'),
    "capabilities": Definitions(Capability, "capability", "reasoning or tool_calling", "{name: ..., description: ...}"),
    "providers": Definitions(Provider, "provider", "openai or amazon-bedrock", '{name: ..., url: "https://..."}'),
}


def _validate_definitions(kind: Definitions, data: dict, origin: Origin, problems: list[Problem]) -> dict[str, Any]:
    definitions = {}
    for key, definition in data.items():
        if not re.match(schema.ID_PATTERN, key):
            problems.append(origin.problem(
                Code.BAD_VALUE, (key,), f'"{key}" is not a valid {kind.singular} id.',
                hint=f"use lowercase letters, digits, hyphens and underscores, e.g. {kind.ids}."))
            continue
        if not isinstance(definition, dict):
            problems.append(origin.problem(
                Code.WRONG_TYPE, (key,), f"expected a mapping such as {kind.example}; got {schema.describe(definition)}."))
            continue
        value = validate_one(kind.cls, definition, origin, problems, at=(key,))
        if value is not None:
            definitions[key] = value.model_copy(update={"id": key})
    return definitions


# --- Translating pydantic's errors --------------------------------------------------

_TYPE_WORDS = {
    "string_type": "text",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "float_type": "a number",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "date_type": "a date YYYY-MM-DD",
}
_PATTERN_WORDS = {
    schema.SLUG_PATTERN: "a slug: lowercase letters, digits and hyphens",
    schema.ID_PATTERN: "an id: lowercase letters, digits, hyphens and underscores",
    schema.COLUMN_PATTERN: "a column: a built-in, a benchmark id, or benchmark.variant",
}
_MISSING_HINTS = {
    ("developer",): "write the organisation that made the model; where the source names none, the one that publishes "
                    "its weights or serves its API. Every page, listing and the developer index name it.",
}
_CUSTOM_CODES = {schema.WRONG_TYPE: Code.WRONG_TYPE, schema.BAD_VALUE: Code.BAD_VALUE, schema.UNSAFE_URL: Code.UNSAFE_URL}


def _explain(error: dict, cls: type[BaseModel], prefix: FieldPath, origin: Origin, data: Any) -> Problem:
    """Return one pydantic error as a problem in the editor's terms."""
    ctx = error.get("ctx") or {}
    loc = (*(part for part in error["loc"] if part != "[key]"), *ctx.get("at", ()))
    at = (*prefix, *as_written(loc, data))
    kind, got = error["type"], schema.describe(error.get("input"))
    if kind == "extra_forbidden":
        name = str(loc[-1])
        known = _fields_at(cls, loc[:-1])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f'did you mean "{close[0]}"?' if close else f"known fields: {', '.join(known)}."
        return origin.problem(Code.UNKNOWN_FIELD, at, f'unknown field "{name}".', hint=hint)
    if kind == "missing":
        return Problem(Code.MISSING_FIELD, origin.path, format_field(at), "required field is missing.",
                       line=origin.lines.line_of(at[:-1]) or 1, hint=_MISSING_HINTS.get(at))
    if kind in _CUSTOM_CODES:
        return origin.problem(_CUSTOM_CODES[kind], at, error["msg"])
    if kind in _TYPE_WORDS:
        return origin.problem(Code.WRONG_TYPE, at, f"expected {_TYPE_WORDS[kind]}; got {got}.")
    if kind == "literal_error":
        return origin.problem(Code.BAD_VALUE, at, f"expected one of {ctx.get('expected')}; got {got}.")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == schema.TEXT_PATTERN:
        return origin.problem(Code.BAD_VALUE, at, "must not be empty.")
    if kind == "string_pattern_mismatch":
        words = _PATTERN_WORDS.get(ctx.get("pattern"), f"text matching {ctx.get('pattern')}")
        return origin.problem(Code.BAD_VALUE, at, f"expected {words}; got {got}.")
    if kind == "too_short":
        return origin.problem(Code.BAD_VALUE, at, f"expected at least {ctx.get('min_length')} items; got {ctx.get('actual_length')}.")
    if kind in ("greater_than_equal", "greater_than"):
        return origin.problem(Code.BAD_VALUE, at, f"expected a number of at least {ctx.get('ge', ctx.get('gt')):g}; got {got}.")
    if kind in ("finite_number",):
        return origin.problem(Code.BAD_VALUE, at, f"expected a finite number; got {got}.")
    message = str(error["msg"]).removeprefix("Value error, ").rstrip(".")
    return origin.problem(Code.BAD_VALUE, at, f"{message}; got {got}.")


def as_written(loc: FieldPath, data: Any) -> FieldPath:
    """Return a location inside validated data as the editor wrote it, walking their own data.

    Shorthands add steps the file does not have: a single score is a list of one
    (`benchmarks.medqa[0]`), a list of modalities is the `input` of a mapping. Those
    steps are left out, so messages and silences name the field as it is written.
    """
    path: list[str | int] = []
    here = data
    for part in loc:
        if isinstance(here, dict):
            if isinstance(part, int):
                continue  # one item written without its list
            path.append(part)
            here = here.get(part)
        elif isinstance(here, list):
            if isinstance(part, str):
                continue  # a field of the mapping a list stands for
            path.append(part)
            here = here[part] if 0 <= part < len(here) else None
        elif isinstance(part, int):
            continue  # a scalar standing for a list of one
        else:
            path.append(part)  # a field of the mapping a scalar stands for ({value: 64.4})
    return tuple(path)


def _fields_at(cls: type[BaseModel], loc: FieldPath) -> list[str]:
    """Return the field names an editor may write at `loc` inside `cls`."""
    annotation: Any = cls
    for part in loc:
        annotation = _unwrap(annotation)
        container = typing.get_origin(annotation)
        if container in (list, dict):
            annotation = typing.get_args(annotation)[-1]
        elif _is_model(annotation) and part in annotation.model_fields:
            annotation = annotation.model_fields[part].annotation
        else:
            return []
    annotation = _unwrap(annotation)
    if not _is_model(annotation):
        return []
    return [name for name in annotation.model_fields if name not in schema.INTERNAL_FIELDS]


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _unwrap(tp: Any) -> Any:
    """Strip Annotated[...] and `| None` from a type."""
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
            options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
            if len(options) != 1:
                return tp
            tp = options[0]
        else:
            return tp
