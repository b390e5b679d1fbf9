"""The content format: typed, frozen classes that validate entries and feed templates.

Field names match the YAML keys exactly, so a message can quote the editor's own key.
Shorthand forms ("4B", "128K", a bare URL for a source, a number for a score) are
normalised here, at the boundary, so templates see one shape per field.
`modelcat schema` prints the JSON Schema of these same classes: one truth for the
loader and for editors. Internal fields (`slug`, `id`, `body`) come from file names
and keys, never from YAML, and are hidden from that schema.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema
from pydantic_core import PydanticCustomError

from generator.errors import SILENCEABLE

SLUG_PATTERN = r"^[a-z0-9-]+$"
BENCHMARK_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
MODALITIES = ("text", "image", "audio", "video")
STATUSES = ("active", "deprecated", "retired")
BUILTIN_COLUMNS = ("parameters", "context_window", "price", "license", "release_date", "developer")
"""Comparison columns that are not benchmarks; each reads one field of the entries."""

# Error types raised here; `validate` maps each to a problem code.
WRONG_TYPE = "mc_wrong_type"
BAD_VALUE = "mc_bad_value"
UNSAFE_URL = "mc_unsafe_url"


def describe(value: Any) -> str:
    """Return a short, quoted rendering of an editor's value for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return type(value).__name__


def _fail(kind: str, message: str, value: Any) -> PydanticCustomError:
    """Return a validation error whose message quotes the value safely.

    The value goes through the error's context, never into the template itself, so
    braces in content cannot break the message.
    """
    return PydanticCustomError(kind, message, {"got": describe(value)})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- Scalars -----------------------------------------------------------------------


# The patterns below are written in the subset of regular expressions that Python and
# JavaScript share: the validators use them, and so does the JSON Schema editors read.


def _says(message: str) -> Any:
    """Return JSON Schema metadata that editors show in place of "does not match the pattern"
    (`patternErrorMessage` is the YAML language server's keyword; validators ignore it)."""
    return Field(json_schema_extra={"patternErrorMessage": message})


TEXT_PATTERN = r"\S"
"""Text with at least one character that is not a space."""


Text = Annotated[str, StringConstraints(pattern=TEXT_PATTERN), WithJsonSchema(
    {"type": "string", "pattern": TEXT_PATTERN, "patternErrorMessage": "must not be empty."})]
"""Plain text, inline Markdown allowed where the field says so; never empty."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN),
                 _says("expected a slug: lowercase letters, digits and hyphens (a file name in content/models/).")]
BenchmarkId = Annotated[str, StringConstraints(pattern=BENCHMARK_ID_PATTERN),
                        _says("expected a benchmark id: lowercase letters, digits, hyphens and underscores.")]


_URL_CHAR = r'[^\x00-\x20<>"\\`]'
URL_PATTERN = (
    r"^(?:[hH][tT][tT][pP][sS]?://[^\x00-\x20<>\"\\`/?#@:]"  # http(s), then a host
    r"|[mM][aA][iI][lL][tT][oO]:" + _URL_CHAR +  # mailto, then an address
    r"|/(?!/))" + _URL_CHAR + r"*$"  # a site path ("//host" would leave the site)
)
"""http, https and mailto URLs and site paths: nothing a browser could run (`javascript:`, `data:`)."""


_URL_FORBIDDEN = re.compile(r'[\x00-\x20<>"\\`]')
_URL_RE = re.compile(URL_PATTERN)


def _check_url(value: str) -> str:
    """Accept http, https and mailto URLs and site paths; refuse anything scriptable."""
    if _URL_FORBIDDEN.search(value):
        raise _fail(UNSAFE_URL, "a URL must not contain spaces, quotes or control characters; got {got}.", value)
    if not _URL_RE.match(value):
        raise _fail(
            UNSAFE_URL,
            'expected an http, https or mailto URL, or a site path starting with "/"; got {got}.',
            value,
        )
    return value


Url = Annotated[str, AfterValidator(_check_url), WithJsonSchema({
    "type": "string", "pattern": URL_PATTERN,
    "patternErrorMessage": 'expected an http, https or mailto URL, or a site path starting with "/".'})]

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _iso_date(value: Any, *, allow_month: bool) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        match = _DATE_RE.match(value)
        if match and (allow_month or match.group(3)):
            year, month, day = (int(g) if g else 1 for g in match.groups())
            try:
                dt.date(year, month, day)
            except ValueError:
                pass
            else:
                return value
    expected = "a date YYYY-MM-DD or a month YYYY-MM" if allow_month else "a date YYYY-MM-DD"
    raise _fail(BAD_VALUE, f"expected {expected}; got {{got}}.", value)


_MONTH_TEXT = r"^\d{4}-(?:0[1-9]|1[0-2])"
_DAY_TEXT = r"-(?:0[1-9]|[12]\d|3[01])"
PartialDate = Annotated[
    str,
    BeforeValidator(
        lambda v: _iso_date(v, allow_month=True),
        json_schema_input_type=Annotated[str, StringConstraints(pattern=_MONTH_TEXT + f"(?:{_DAY_TEXT})?$"),
                                         _says("expected a date YYYY-MM-DD or a month YYYY-MM.")],
    ),
]
"""A day (`2025-07-09`) or a month (`2025-07`), kept as its ISO text, which sorts correctly."""

Date = Annotated[
    str,
    BeforeValidator(
        lambda v: _iso_date(v, allow_month=False),
        json_schema_input_type=Annotated[str, StringConstraints(pattern=_MONTH_TEXT + _DAY_TEXT + "$"),
                                         _says("expected a date YYYY-MM-DD.")],
    ),
]
"""A day, `YYYY-MM-DD`, kept as its ISO text."""

_COUNT_BODY = r"\s*(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?\s*([KMBTkmbt])?\s*$"
_COUNT_RE = re.compile("^" + _COUNT_BODY)
_SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
COUNT_TEXT = r"^(?=[^eE]*[1-9])" + _COUNT_BODY
"""A count as text, "4B" or "4.3e9"; the look-ahead refuses zero, as `parse_count` does."""
PositiveNumber = Annotated[float, Field(gt=0)]
CountText = Annotated[str, StringConstraints(pattern=COUNT_TEXT),
                      _says('expected a positive number, or one with a K, M, B or T suffix such as "4B".')]


def parse_count(value: Any) -> float:
    """Return a positive count from a number or a text such as `"4B"`, `"128K"`, `"4.3e9"`."""
    if _is_number(value):
        number = float(value)
    elif isinstance(value, str) and (match := _COUNT_RE.match(value)):
        digits, exponent, suffix = match.groups()
        number = float(digits) * 10 ** int(exponent or 0) * _SUFFIXES.get((suffix or "").upper(), 1)
    else:
        raise _fail(
            BAD_VALUE,
            'expected a number or a number with a K, M, B or T suffix such as "4B"; got {got}.',
            value,
        )
    if not math.isfinite(number) or number <= 0:
        raise _fail(BAD_VALUE, "expected a positive number; got {got}.", value)
    return number


Count = Annotated[
    float,
    BeforeValidator(parse_count, json_schema_input_type=PositiveNumber | CountText),
]


def _token_count(value: Any) -> int:
    number = parse_count(value)
    if number != int(number):
        raise _fail(BAD_VALUE, "expected a whole number of tokens; got {got}.", value)
    return int(number)


TokenCount = Annotated[
    int,
    BeforeValidator(_token_count, json_schema_input_type=Annotated[int, Field(gt=0)] | CountText),
]
"""Tokens, written `131072` or `"128K"`."""

Finite = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]


def _scalar_text(value: Any) -> Any:
    """Accept a number where text is expected (a fact's value `128` reads as "128")."""
    return str(value) if _is_number(value) else value


# --- Shorthands: each turns the short form of a field into its mapping form ---------


def _shorthand(key: str, accepts: tuple[type, ...], expected: str):
    """Return a validator that wraps a short scalar form as `{key: value}`.

    Anything that is neither the short form nor a mapping is refused here, so the
    message names both accepted forms.
    """

    def expand(value: Any) -> Any:
        if isinstance(value, accepts) and not isinstance(value, bool):
            return {key: value}
        if isinstance(value, dict):
            return value
        raise _fail(WRONG_TYPE, f"expected {expected}; got {{got}}.", value)

    return expand


class _Strict(BaseModel):
    """Frozen, unknown keys refused, no silent coercion of types."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        use_attribute_docstrings=True,
    )


class Source(_Strict):
    """Where a fact comes from."""

    url: Url
    """http, https or mailto URL, or a site path."""
    title: Text | None = None
    """Link text; the URL's host is shown when absent."""


SourceField = Annotated[Source, BeforeValidator(_shorthand("url", (str,), "a URL or {url, title}"), json_schema_input_type=Url | Source)]


class Parameters(_Strict):
    """Parameter count; `active` is set for mixture-of-experts models."""

    total: Count
    """All parameters, e.g. 4.3e9 or "4.3B"."""
    active: Count | None = None
    """Parameters used per token, for mixture-of-experts models."""

    @model_validator(mode="after")
    def _active_within_total(self) -> Parameters:
        if self.active is not None and self.active > self.total:
            raise _fail(BAD_VALUE, "active parameters cannot exceed the total.", self.active)
        return self


def _parameters_shorthand(value: Any) -> Any:
    return {"total": parse_count(value)} if not isinstance(value, dict) else value


SpdxId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.+-]+$"),
                   _says('expected an SPDX id such as "Apache-2.0"; write {name, url} for other terms.')]


class License(_Strict):
    """A license: an SPDX id, or a name with a URL."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["name"]}, {"required": ["spdx"]}]})

    name: Text | None = None
    """Display name, e.g. "Health AI Developer Foundations Terms of Use"."""
    url: Url | None = None
    """Where the terms can be read."""
    spdx: SpdxId | None = None
    """SPDX identifier such as Apache-2.0, when the license has one."""

    @model_validator(mode="after")
    def _named(self) -> License:
        if self.name is None and self.spdx is None:
            raise _fail(BAD_VALUE, "a license needs a name or an spdx id.", None)
        return self

    @property
    def title(self) -> str:
        return self.name or self.spdx or ""

    @property
    def link(self) -> str | None:
        """The terms' URL, or the SPDX page for a bare SPDX id."""
        if self.url:
            return self.url
        return f"https://spdx.org/licenses/{self.spdx}.html" if self.spdx else None


class Pricing(_Strict):
    """API prices per million tokens."""

    input_per_mtok: NonNegative | None = None
    """Price of one million input tokens."""
    output_per_mtok: NonNegative | None = None
    """Price of one million output tokens."""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), _says("expected a currency code such as USD.")] = "USD"
    """ISO 4217 currency code."""
    as_of: Date | None = None
    """When the prices were read; shown beside them."""
    note: Text | None = None
    """Anything else about pricing (batch discounts, free tiers)."""


class Score(_Strict):
    """One benchmark result of one model."""

    value: Finite
    """The figure, in the benchmark's unit."""
    approx: bool = False
    """The source gives an approximate figure; printed with "~"."""
    estimated: bool = False
    """An estimate rather than a measurement; printed with "est."."""
    self_reported: bool = False
    """The developer's own claim, not an independent measurement."""
    setting: Text | None = None
    """How it was measured, e.g. "5-shot" or "with tools"."""
    note: Text | None = None
    """Context for the figure; inline Markdown."""
    source: SourceField | None = None
    """Where the figure comes from."""
    date: Date | None = None
    """When the figure was measured or published."""


class Fact(_Strict):
    """Anything else worth knowing: image encoder, deployment, collection."""

    label: Text
    value: Annotated[Text, BeforeValidator(_scalar_text, json_schema_input_type=Text | float)]
    note: Text | None = None


class ModelRef(_Strict):
    """Another model: a catalog slug, or a model outside the catalog by name."""

    slug: SkipJsonSchema[str | None] = None
    name: Text | None = None
    """Name of a model outside the catalog."""
    url: Url | None = None
    """Where that outside model is described."""


def _model_ref(value: Any) -> Any:
    if isinstance(value, str):
        if not re.match(SLUG_PATTERN, value):
            raise PydanticCustomError(
                BAD_VALUE,
                "{got} is not the slug of a catalog entry; for a model outside the catalog "
                "write {name: ..., url: ...}.",
                {"got": describe(value)},
            )
        return ModelRef(slug=value)
    if isinstance(value, dict):
        if "name" not in value:
            raise _fail(BAD_VALUE, "a model outside the catalog needs a name: {name: ..., url: ...}.", value)
        if "slug" in value:
            raise _fail(BAD_VALUE, "write a catalog model as its slug alone, not as a mapping.", value)
        return value
    raise _fail(WRONG_TYPE, "expected the slug of a catalog entry or {name: ..., url: ...}; got {got}.", value)


class OutsideModel(_Strict):
    """A model outside the catalog, as an editor writes it."""

    name: Text
    """Its name."""
    url: Url | None = None
    """Where it is described."""


ModelRefField = Annotated[ModelRef, BeforeValidator(_model_ref, json_schema_input_type=Slug | OutsideModel)]


class Silence(_Strict):
    """One warning that does not apply to this entry, and why: the reason stays beside it."""

    code: Literal[SILENCEABLE]  # type: ignore[valid-type]
    """The warning's code, e.g. MC107."""
    field: Text | None = None
    """The field as the warning names it, e.g. columns[1]; without it, the code is silenced anywhere in the entry."""
    reason: Text
    """Why the warning does not apply here, for the next editor."""


SilenceList = Annotated[list[Silence], Field(exclude=True)]
"""Editorial, not data: left out of the exports."""


# --- Content files -----------------------------------------------------------------


class Model(_Strict):
    """One model entry: `content/models/SLUG.yaml`."""

    slug: SkipJsonSchema[str] = ""
    name: Text
    """Display name, plain text."""
    summary: Text
    """One sentence, used in listings and the meta description; inline Markdown."""
    developer: Text
    """Organisation that made the model; a taxonomy (`/developers/<slug>/`)."""
    release_date: PartialDate
    """First public release, YYYY-MM-DD or YYYY-MM."""
    family: Text | None = None
    """Model family, e.g. MedGemma."""
    variant_of: ModelRefField | None = None
    """The model this one is a variant of: a slug, or {name, url} outside the catalog."""
    base_model: ModelRefField | None = None
    """The model this one was trained from: a slug, or {name, url} outside the catalog."""
    related: list[Slug] = []
    """Slugs of related catalog entries."""
    parameters: Annotated[
        Parameters,
        BeforeValidator(_parameters_shorthand, json_schema_input_type=Count | Parameters),
    ] | None = None
    """Parameter count: a number, "4B", or {total, active} for mixture-of-experts; printed "4B"."""
    context_window: TokenCount | None = None
    """Context window in tokens: 131072 or "128K"; printed "128K"."""
    modalities: list[Literal[MODALITIES]] = []  # type: ignore[valid-type]
    """Input modalities: text, image, audio, video; a taxonomy."""
    domains: list[Text] = []
    """Fields the model is meant for (medical, code, general ...); a taxonomy."""
    open_weights: bool | None = None
    """Whether the weights can be downloaded."""
    license: Annotated[License, BeforeValidator(_shorthand("spdx", (str,), "an SPDX id or {name, url, spdx}"), json_schema_input_type=SpdxId | License)] | None = None
    """An SPDX id such as "Apache-2.0", or {name, url, spdx}."""
    pricing: Pricing | None = None
    """API prices; null means "API pricing not yet available", absence means unknown."""
    benchmarks: Annotated[
        dict[
            BenchmarkId,
            Annotated[Score, BeforeValidator(_shorthand("value", (int, float), "a number or {value, ...}"), json_schema_input_type=float | Score)],
        ],
        Field(json_schema_extra={"additionalProperties": False}),  # keys outside the id pattern are refused
    ] = {}
    """Benchmark id (defined in content/benchmarks.yaml) -> a number or {value, approx, ...}."""
    facts: list[Fact] = []
    """Anything else: image encoder, deployment, collection ..."""
    strengths: list[Text] = []
    """What the model does well; inline Markdown."""
    weaknesses: list[Text] = []
    """Where it falls short; inline Markdown."""
    use_cases: list[Text] = []
    """What it is good for; inline Markdown."""
    description: str | None = None
    """Longer description, block Markdown (raw HTML is not rendered)."""
    sources: list[SourceField] = []
    """Where the entry's facts come from: URLs or {title, url}."""
    updated: Date | None = None
    """When the entry was last reviewed; shown on the page."""
    status: Literal[STATUSES] = "active"  # type: ignore[valid-type]
    """active, deprecated or retired; the latter two stay published but leave default listings."""
    status_date: Date | None = None
    """When the model was deprecated or retired."""
    silence: SilenceList = []
    """Warnings that do not apply to this entry, each with its reason: [{code, field, reason}]."""

    @property
    def pricing_known(self) -> bool:
        """Whether `pricing` was written at all (null included), as opposed to left out."""
        return "pricing" in self.model_fields_set

    @property
    def is_listed(self) -> bool:
        """Whether the model appears in default listings (deprecated and retired do not)."""
        return self.status == "active"


class Benchmark(_Strict):
    """One benchmark: an entry of `content/benchmarks.yaml`, keyed by its id."""

    id: SkipJsonSchema[str] = ""
    name: Text
    """Display name, e.g. "MedQA"."""
    unit: str = ""
    """Unit printed after values: "%", "Elo", "ms", or "" for none."""
    higher_is_better: bool = True
    """Ranking direction for leaderboards and "best" marks."""
    description: str | None = None
    """What the benchmark measures; inline Markdown."""
    url: Url | None = None
    """Where the benchmark is defined."""
    max: Finite | None = None
    """Top of the scale for bars; "%" benchmarks use 100."""

    @property
    def scale_max(self) -> float | None:
        """Top of the scale, when one is known."""
        return 100.0 if self.unit == "%" else self.max


class Comparison(_Strict):
    """A curated comparison table: `content/comparisons/SLUG.yaml`."""

    slug: SkipJsonSchema[str] = ""
    title: Text
    """Heading of the comparison page."""
    models: Annotated[list[Slug], Field(min_length=2)]
    """Slugs of the models compared, in column order of the table's rows."""
    columns: Annotated[list[BenchmarkId], Field(min_length=1)]
    """Benchmark ids or built-ins: parameters, context_window, price, license, release_date, developer."""
    description: str | None = None
    """Introduction to the table; block Markdown."""
    silence: SilenceList = []
    """Warnings that do not apply to this comparison, each with its reason: [{code, field, reason}]."""


class NavLink(_Strict):
    title: Text
    url: Url


def check_base_url(value: str) -> str:
    """Normalise the base URL to end with a slash: the site's root under it."""
    lowered = value.lower()
    absolute = lowered.startswith(("http://", "https://")) and urlsplit(value).hostname
    if not (absolute or value.startswith("/")) or any(ord(c) < 33 or c in '<>"\\`?#' for c in value):
        raise _fail(BAD_VALUE, 'expected an http(s) URL or a path starting with "/"; got {got}.', value)
    return value if value.endswith("/") else value + "/"


class SiteConfig(_Strict):
    """The site: `site.yaml`."""

    title: Text
    """Site name, shown in every page's header and title."""
    description: Text | None = None
    """One sentence about the catalog, for the home page and meta tags."""
    base_url: Annotated[str, AfterValidator(check_base_url)] = "/"
    """Where the site is published, e.g. https://example.org/catalog/; every link carries its path."""
    language: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = "en"
    """Language of the content (BCP 47), e.g. en or en-GB."""
    author: Text | None = None
    """Who publishes the catalog; used in the feed."""
    nav: list[NavLink] = []
    """Extra header links: {title, url}."""
    page_size: Annotated[int, Field(ge=10, le=1000)] = 100
    """Models per page of the catalog, taxonomy and leaderboard listings (10 to 1000)."""


class Page(_Strict):
    """A free page: `content/pages/SLUG.md`, front matter then Markdown."""

    slug: SkipJsonSchema[str] = ""
    body: SkipJsonSchema[str] = ""
    title: Text
    """Page heading and title."""
    description: Text | None = None
    """One sentence for meta tags."""


INTERNAL_FIELDS = ("slug", "id", "body")
"""Fields set from file names and keys; an editor writing one gets an unknown-field error."""


JSON_SCHEMA_DIALECT = "http://json-schema.org/draft-07/schema#"
"""Draft 7: the newest draft the YAML language server (VS Code and other editors) fully supports."""


def model_json_schema() -> dict:
    """Return the JSON Schema (draft 7) of a model entry, for editor completion and inline errors."""
    schema = Model.model_json_schema(mode="validation", ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    return _draft7({
        "$schema": JSON_SCHEMA_DIALECT,
        "$comment": "Generated by `modelcat schema` from the classes that validate content; do not edit.",
        **schema,
        "title": "modelcat model entry",
        "definitions": definitions,
    })


def _draft7(node: Any) -> Any:
    """Wrap each `$ref` that has sibling keywords in `allOf`: draft 7 ignores a `$ref`'s siblings."""
    if isinstance(node, list):
        return [_draft7(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _draft7(value) for key, value in node.items()}
    if "$ref" in node and len(node) > 1:
        node["allOf"] = [{"$ref": node.pop("$ref")}]
    return node
