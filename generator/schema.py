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
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    PlainSerializer,
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
MAX_ID_LENGTH = 100
"""Longest slug or id: each becomes a folder name and a URL segment, which file systems
cap at 255 bytes and readers cannot type much past this."""
DEVICE_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10))})
"""Names Windows keeps for devices: a folder so named cannot be created there, so a
site with one would not build (or copy) on Windows."""
ID_PATTERN = BENCHMARK_ID_PATTERN
"""Ids of benchmarks, their variants, capabilities and providers: the keys of their YAML files."""
COLUMN_PATTERN = r"^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)?$"
"""A comparison column: a built-in, a benchmark id, or `benchmark.variant`."""
MODALITIES = ("text", "image", "audio", "video", "pdf", "file")
STATUSES = ("active", "preview", "deprecated", "retired")
LISTED_STATUSES = ("active", "preview")
"""Statuses shown in default listings; deprecated and retired models stay published but leave them."""
EVALUATORS = ("developer", "third_party", "platform")
"""Who measured a figure: the model's developer, an independent party, or the platform that hosts the results."""
SCALES = ("percent", "fraction")
BUILTIN_COLUMNS = ("parameters", "context_window", "price", "license", "release_date", "developer",
                   "output_limit", "cached_price", "knowledge_cutoff")
"""Comparison columns that are not benchmarks; each reads one field of the entries."""
UNITS = ("image", "second", "minute", "request", "page", "million_characters")
"""What a per-unit price can be charged by, in the order pages show them."""

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
    if isinstance(value, int) and abs(value) >= 10**20:  # str() of a 5,000-digit int raises ValueError
        return f"a number of some {int(abs(value).bit_length() * math.log10(2)) + 1:,} digits"
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


def _fail_at(at: tuple[str | int, ...], kind: str, message: str, value: Any) -> PydanticCustomError:
    """Return a validation error found by a check of a whole mapping, located at one of its fields.

    `validate` appends `at` to the error's location, so the message lands on the line
    of the field that is wrong rather than on the mapping that holds it.
    """
    return PydanticCustomError(kind, message, {"got": describe(value), "at": at})


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

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID_LENGTH),
                 _says("expected a slug: lowercase letters, digits and hyphens (a file name in content/models/).")]
BenchmarkId = Annotated[str, StringConstraints(pattern=BENCHMARK_ID_PATTERN, max_length=MAX_ID_LENGTH),
                        _says("expected a benchmark id: lowercase letters, digits, hyphens and underscores.")]


_URL_CHAR = r'[^\x00-\x20<>"\\`]'
_HOST_CHAR = r'[^\x00-\x20<>"\\`/?#@:]'
"""No escaped quote inside these classes: JavaScript's `u` flag (ajv, editors) refuses `\\"`."""
URL_PATTERN = (
    r"^(?:[hH][tT][tT][pP][sS]?://" + _HOST_CHAR +  # http(s), then a host
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

_DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?$")  # [0-9], not \d: \d also matches "２" and "٢"


def _iso_date(value: Any, *, allow_month: bool) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        match = _DATE_RE.fullmatch(value)  # `match` would accept a date followed by a line break
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


_MONTH_TEXT = r"^[0-9]{4}-(?:0[1-9]|1[0-2])"
_DAY_TEXT = r"-(?:0[1-9]|[12][0-9]|3[01])"
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

_COUNT_BODY = r"[\t\n\r ]*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?[\t\n\r ]*(?:([KMBTkmbt])[\t\n\r ]*)?$"
"""ASCII digits and spaces only (`\\d` and `\\s` would take "４B"); the suffix and the space after
it are one optional group, so a long run of spaces cannot make the match backtrack for ever."""
_COUNT_RE = re.compile("^" + _COUNT_BODY)
_SUFFIXES = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
COUNT_TEXT = r"^(?=[^eE]*[1-9])" + _COUNT_BODY
"""A count as text, "4B" or "4.3e9"; the look-ahead refuses zero, as `parse_count` does."""
CountText = Annotated[str, StringConstraints(pattern=COUNT_TEXT),
                      _says('expected a positive number, or one with a K, M, B or T suffix such as "4B".')]


MAX_PARAMETERS = 1e15
"""1,000T parameters, some 500 times today's largest models: more is a slip of the exponent."""
MAX_TOKENS = 10**9
"""A billion tokens, a hundred times today's longest context windows."""
MAX_FIGURE = 1e15
"""Largest benchmark figure or scale either side of zero."""
MAX_PRICE = 1e6
"""Largest price per million tokens."""


_EXACT = 2.0**53
"""Up to here every whole float is exactly an int."""


def whole(number: float) -> int | float:
    """Return a whole float as an int: 4.3e9 is written 4300000000 in the exports, not 4300000000.0.

    Counts and figures are floats inside (a count may be "4.3B"); readers of the exports
    expect a count to look like one, and JSON and CSV take both as the same number.
    """
    return int(number) if number.is_integer() and -_EXACT < number < _EXACT else number


_AS_WRITTEN = PlainSerializer(whole, when_used="json")
"""How float fields go into JSON (see `whole`)."""


def _out_of_range(low: float, high: float, number: float, written: Any) -> PydanticCustomError:
    """Return the error for a number outside low..high, quoting it as the editor `written` it."""
    if number != number:  # NaN
        return _fail(BAD_VALUE, "expected a finite number; got {got}.", written)
    if number > high:
        return _fail(BAD_VALUE, f"expected a number of at most {high:g}; got {{got}}.", written)
    return _fail(BAD_VALUE, f"expected a number of at least {low:g}; got {{got}}.", written)


def parse_count(value: Any, high: float = MAX_PARAMETERS) -> float:
    """Return a positive count up to `high` from a number or a text such as `"4B"`, `"128K"`, `"4.3e9"`.

    Bounds are checked before any arithmetic: Python compares an int of any size with a
    float exactly, and `float()` turns "1e999999999" into infinity at once, where
    `10 ** exponent` would spend minutes building the number.
    """
    if _is_number(value):
        number = value
    elif isinstance(value, str) and (match := _COUNT_RE.match(value)):
        digits, exponent, suffix = match.groups()
        number = float(digits + ("e" + exponent if exponent else "")) * _SUFFIXES.get((suffix or "").upper(), 1)
    else:
        raise _fail(
            BAD_VALUE,
            'expected a number or a number with a K, M, B or T suffix such as "4B"; got {got}.',
            value,
        )
    if number == number and number <= 0:
        raise _fail(BAD_VALUE, "expected a positive number; got {got}.", value)
    if not number <= high:
        raise _out_of_range(0, high, number, value)
    return float(number)


Count = Annotated[
    float,
    BeforeValidator(parse_count, json_schema_input_type=Annotated[float, Field(gt=0, le=MAX_PARAMETERS)] | CountText),
    _AS_WRITTEN,
]
"""A parameter count: a number, or a text with a K, M, B or T suffix."""


def _token_count(value: Any) -> int:
    number = parse_count(value, MAX_TOKENS)
    if number != int(number):
        raise _fail(BAD_VALUE, "expected a whole number of tokens; got {got}.", value)
    return int(number)


TokenCount = Annotated[
    int,
    BeforeValidator(_token_count, json_schema_input_type=Annotated[int, Field(gt=0, le=MAX_TOKENS)] | CountText),
]
"""Tokens, written `131072` or `"128K"`."""


def _number(low: float, high: float) -> Any:
    """Return a number type bounded to low..high, refusing out-of-range values before converting them.

    Without a bound, a score of 1.5e308 passes and overflows wherever it is added or
    scaled (charts, bars); an int of 400 digits cannot be made a float at all.
    """

    def check(value: Any) -> Any:
        if not _is_number(value):
            return value  # the float type refuses it, naming what was expected
        if not low <= value <= high:
            raise _out_of_range(low, high, value, value)
        return float(value)

    return Annotated[float, BeforeValidator(check, json_schema_input_type=Annotated[float, Field(ge=low, le=high)]),
                     _AS_WRITTEN]


Finite = _number(-MAX_FIGURE, MAX_FIGURE)
"""A figure: a score, or the top of a scale."""
Price = _number(0, MAX_PRICE)
"""A price: per million tokens, or per unit (an image, a second, a request)."""
MAX_SHOTS = 10_000
Shots = Annotated[int, Field(ge=0, le=MAX_SHOTS)]
"""Examples given in the prompt: 0 for zero-shot."""


def _refuse_zero_limit(value: Any) -> Any:
    """Refuse a limit written as 0 with the rule that fixes it; `TokenCount` checks the rest.

    Catalogs write `context_window: 0` for image and speech models, which have no
    context window; a limit that does not apply is left out.
    """
    zero = value == 0 if _is_number(value) else (
        isinstance(value, str) and (match := _COUNT_RE.match(value)) is not None and float(match.group(1)) == 0)
    if zero:
        raise _fail(BAD_VALUE, "a limit that does not apply is left out, never written as 0: remove the line "
                               "(an image, speech or embedding model has no context window or output limit); got {got}.", value)
    return value


LimitTokens = Annotated[
    TokenCount,
    BeforeValidator(_refuse_zero_limit, json_schema_input_type=Annotated[int, Field(gt=0)] | CountText),
]
"""A token limit, written `131072` or `"128K"`; never 0 (a limit that does not apply is left out)."""

Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=MAX_ID_LENGTH),
                       _says("expected an id: lowercase letters, digits, hyphens and underscores.")]


def _scalar_text(value: Any) -> Any:
    """Accept a number where text is expected (a fact's value `128` reads as "128")."""
    if _is_number(value) and not (isinstance(value, int) and abs(value) >= 10**20):  # str() of a huge int raises
        return str(value)
    return value


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

    __slots__ = ("__weakref__", "_derived")
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        strict=True,
        use_attribute_docstrings=True,
        defer_build=True,
    )

    def derived(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """Return `compute()`, computed once for this entry and `key`.

        Entries never change, so text made from one entry and the key alone (an export
        record, say) can be kept with the entry. The store is a slot of its own: not a
        field, so it is not compared, dumped, pickled or copied into an edited copy.
        """
        try:
            store = self._derived
        except AttributeError:
            store = {}
            object.__setattr__(self, "_derived", store)
        if key not in store:
            store[key] = compute()
        return store[key]


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
    return {"total": parse_count(value, MAX_PARAMETERS)} if not isinstance(value, dict) else value


class Limits(_Strict):
    """Token limits; a limit that does not apply is left out, never written as 0."""

    context: LimitTokens | None = None
    """Context window: input and output together, in tokens; "128K" is accepted."""
    input: LimitTokens | None = None
    """Most tokens one request may send, where that is below the context window."""
    output: LimitTokens | None = None
    """Most tokens one response may hold."""


class Modalities(_Strict):
    """What a model takes in and what it puts out."""

    input: list[Literal[MODALITIES]] = []  # type: ignore[valid-type]
    """Input modalities: text, image, audio, video, pdf, file."""
    output: list[Literal[MODALITIES]] = []  # type: ignore[valid-type]
    """Output modalities: text for a chat model, image for an image generator, audio for speech."""


def _modalities_shorthand(value: Any) -> Any:
    """A list is the first format's form: the inputs, with text out."""
    if isinstance(value, list):
        return {"input": value, "output": ["text"] if value else []}
    if isinstance(value, dict):
        return value
    raise _fail(WRONG_TYPE, "expected a list of input modalities or {input: [...], output: [...]}; got {got}.", value)


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


class BatchPricing(_Strict):
    """Prices of the batch API, for work that may wait (usually half the price)."""

    input_per_mtok: Price | None = None
    """Price of one million input tokens sent in a batch."""
    output_per_mtok: Price | None = None
    """Price of one million output tokens of a batch."""


class PriceTier(_Strict):
    """Prices that apply once a prompt is longer than `above` tokens."""

    above: TokenCount
    """Prompt length, in tokens of context, above which these prices apply: 200000 or "200K"."""
    input_per_mtok: Price | None = None
    """Price of one million input tokens in this tier."""
    output_per_mtok: Price | None = None
    """Price of one million output tokens in this tier."""
    cached_input_per_mtok: Price | None = None
    """Price of one million cached input tokens in this tier."""


class UnitPrices(_Strict):
    """Prices per unit other than tokens: an image, a second of audio or video, a request."""

    image: Price | None = None
    """Price of one image made (or, for an image input price, read)."""
    second: Price | None = None
    """Price of one second of audio or video."""
    minute: Price | None = None
    """Price of one minute of audio."""
    request: Price | None = None
    """Price of one request, whatever its length."""
    page: Price | None = None
    """Price of one document page."""
    million_characters: Price | None = None
    """Price of one million characters, for speech made from text."""

    def charged(self) -> list[tuple[str, float]]:
        """Return (unit, price) for every unit with a price, in the order of `UNITS`."""
        return [(unit, price) for unit in UNITS if (price := getattr(self, unit)) is not None]


class Pricing(_Strict):
    """API prices per million tokens, and other ways a model is charged for."""

    input_per_mtok: Price | None = None
    """Price of one million input tokens."""
    output_per_mtok: Price | None = None
    """Price of one million output tokens."""
    cached_input_per_mtok: Price | None = None
    """Price of one million input tokens read from the prompt cache."""
    cache_write_per_mtok: Price | None = None
    """Price of one million input tokens written to the prompt cache."""
    reasoning_per_mtok: Price | None = None
    """Price of one million reasoning tokens, where they cost other than output tokens."""
    audio_input_per_mtok: Price | None = None
    """Price of one million audio input tokens."""
    audio_output_per_mtok: Price | None = None
    """Price of one million audio output tokens."""
    batch: BatchPricing | None = None
    """Prices of the batch API: {input_per_mtok, output_per_mtok}."""
    tiers: list[PriceTier] = []
    """Prices for long prompts: [{above, input_per_mtok, output_per_mtok, cached_input_per_mtok}], `above` ascending."""
    per_unit: UnitPrices | None = None
    """Prices per image, second, minute, request, page or million characters."""
    free: bool = False
    """Free to use (a free tier or a free endpoint); printed "Free", never "$0.00"."""
    plan: Text | None = None
    """A plan that includes the model instead of a price per use, e.g. "subscription"; printed as written."""
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), _says("expected a currency code such as USD.")] = "USD"
    """ISO 4217 currency code."""
    as_of: Date | None = None
    """When the prices were read; shown beside them."""
    note: Text | None = None
    """Anything else about pricing (discounts, rate limits)."""

    @model_validator(mode="after")
    def _tiers_ascend(self) -> Pricing:
        for index in range(1, len(self.tiers)):
            if self.tiers[index].above <= self.tiers[index - 1].above:
                raise _fail_at(("tiers", index, "above"), BAD_VALUE,
                               "tiers go from the shortest prompts up: each `above` must be larger than the one before; got {got}.",
                               self.tiers[index].above)
        return self

    @property
    def token_priced(self) -> bool:
        """Whether an input or output price per million tokens is given."""
        return self.input_per_mtok is not None or self.output_per_mtok is not None

    @property
    def rank(self) -> tuple[int, int, float, float] | None:
        """How this price compares with others for "from $X", lower first; None when it cannot be compared.

        Free comes first, then prices per million tokens (by input price, else output,
        then by output price), then per-unit prices (by their first unit, then amount).
        A plan alone has no price to compare.
        """
        if self.free:
            return (0, 0, 0.0, 0.0)
        if self.token_priced:
            first = self.input_per_mtok if self.input_per_mtok is not None else self.output_per_mtok
            return (1, 0, first, self.output_per_mtok or 0.0)  # type: ignore[return-value]
        charged = self.per_unit.charged() if self.per_unit else []
        if charged:
            unit, price = charged[0]
            return (2, UNITS.index(unit), price, 0.0)
        return None


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
        if not re.fullmatch(SLUG_PATTERN, value) or len(value) > MAX_ID_LENGTH:  # `match` would accept "slug\n"
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


class Score(_Strict):
    """One benchmark result of one model."""

    value: Finite
    """The figure, in the benchmark's unit (on its `scale`: 0.93 or 93 for a percentage)."""
    variant: Identifier | None = None
    """Which variant of the benchmark (declared under its `variants`); leaderboards rank one variant at a time."""
    approx: bool = False
    """The source gives an approximate figure; printed with "~"."""
    estimated: bool = False
    """An estimate rather than a measurement; printed with "est."."""
    self_reported: bool = False
    """The developer's own claim, not an independent measurement; the same as `evaluated_by: developer`."""
    evaluated_by: Literal[EVALUATORS] | None = None  # type: ignore[valid-type]
    """Who measured it: developer, third_party (an independent lab or leaderboard) or platform (a hub's verified evaluation)."""
    measured_on: ModelRefField | None = None
    """The model the figure was measured on, when not this one (a quantised model quoting its base): a slug or {name, url}."""
    setting: Text | None = None
    """How it was measured, e.g. "5-shot" or "with tools"."""
    metric: Text | None = None
    """What the figure counts, e.g. accuracy, pass@1, exact match."""
    split: Text | None = None
    """The part of the dataset it was measured on, e.g. test or validation."""
    shots: Shots | None = None
    """Examples given in the prompt: 0 for zero-shot, 5 for five-shot."""
    harness: Text | None = None
    """The evaluation code, e.g. "lm-evaluation-harness 0.4.2"."""
    version: Text | None = None
    """Version of the benchmark, e.g. "v2" or "2025-01"."""
    note: Text | None = None
    """Context for the figure; inline Markdown."""
    source: SourceField | None = None
    """Where the figure comes from."""
    date: Date | None = None
    """When the figure was measured or published."""

    @model_validator(mode="after")
    def _one_evaluator(self) -> Score:
        """Make `self_reported` and `evaluated_by: developer` say the same, whichever was written.

        Both are read by templates and exports; they are set here, once, on a value
        that is not yet shared (frozen models are set through `object.__setattr__`).
        """
        if self.self_reported and self.evaluated_by not in (None, "developer"):
            raise _fail_at(("evaluated_by",), BAD_VALUE,
                           "self_reported: true says the developer measured this figure, but evaluated_by is {got}; keep one.",
                           self.evaluated_by)
        if self.evaluated_by == "developer" and "self_reported" in self.model_fields_set and not self.self_reported:
            raise _fail_at(("self_reported",), BAD_VALUE,
                           "evaluated_by: developer makes this figure self-reported; remove self_reported: false.", False)
        if self.self_reported:
            object.__setattr__(self, "evaluated_by", "developer")
        elif self.evaluated_by == "developer":
            object.__setattr__(self, "self_reported", True)
        return self

    @property
    def credited(self) -> bool:
        """Whether the figure says who measured it beyond the "self-reported" mark: an independent or
        platform evaluator, a harness, or another model it was measured on."""
        return self.evaluated_by in ("third_party", "platform") or self.harness is not None or self.measured_on is not None

    @property
    def condition(self) -> str | None:
        """How the figure was measured, as leaderboards compare it: the setting, else the shots."""
        if self.setting is not None:
            return self.setting
        return f"{self.shots}-shot" if self.shots is not None else None


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


def _score_list(value: Any) -> Any:
    """One score (a number or a mapping) is a list of one: most benchmarks have one result a model."""
    return value if isinstance(value, list) else [value]


def _one_per_variant(scores: list[Score]) -> list[Score]:
    """Refuse two results of one variant: a leaderboard ranks a model once per variant."""
    seen: set[str | None] = set()
    for index, score in enumerate(scores):
        if score.variant in seen:
            if score.variant is None:
                raise _fail_at((index, "variant"), BAD_VALUE,
                               "two scores here have no variant: give each its variant (declared under the benchmark's "
                               "variants in content/benchmarks.yaml), or keep one; got {got}.", None)
            raise _fail_at((index, "variant"), BAD_VALUE,
                           "two scores here have the variant {got}: a model has one result per variant.", score.variant)
        seen.add(score.variant)
    return scores


ScoreField = Annotated[Score, BeforeValidator(_shorthand("value", (int, float), "a number or {value, ...}"),
                                              json_schema_input_type=float | Score)]
Scores = Annotated[
    list[ScoreField],
    Field(min_length=1),
    BeforeValidator(_score_list, json_schema_input_type=float | Score | Annotated[list[float | Score], Field(min_length=1)]),
    AfterValidator(_one_per_variant),
]
"""A number, a score mapping, or a list of them (one per variant)."""


def board_key(benchmark_id: str, variant: str | None) -> str:
    """Return the key of one leaderboard: the benchmark id, or `benchmark.variant` for a variant."""
    return benchmark_id if variant is None else f"{benchmark_id}.{variant}"


def board_label(benchmark: Benchmark, variant: str | None) -> str:
    """Return the name of a leaderboard: "MedQA", or "SWE-bench Pro (Public set)" for a variant."""
    return f"{benchmark.name} ({benchmark.variants[variant].name})" if variant else benchmark.name


class Offer(_Strict):
    """Where the model can be used, and at what price: one provider's endpoint."""

    provider: Identifier
    """The provider's id, an entry of content/providers.yaml."""
    model_id: Text | None = None
    """The model's id in that provider's API, e.g. "gpt-4o-2024-08-06"."""
    pricing: Pricing | None = None
    """That provider's prices."""
    limits: Limits = Field(default_factory=Limits)
    """That provider's token limits, where they differ from the model's: {context, input, output}."""
    status: Literal[STATUSES] = "active"  # type: ignore[valid-type]
    """active, preview, deprecated or retired, at this provider."""
    url: Url | None = None
    """The provider's page for this model."""
    region: Text | None = None
    """Where it is served, e.g. "us-east-1", "EU" or "global"."""


@dataclass(frozen=True)
class PriceOption:
    """One price a model can be had at: its developer's own (`provider` None) or an offer's."""

    provider: str | None
    pricing: Pricing


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
    aliases: list[Text] = []
    """Other ids the model goes by in APIs, e.g. "gpt-4o-2024-08-06"; found by the catalog's search."""
    parameters: Annotated[
        Parameters,
        BeforeValidator(_parameters_shorthand, json_schema_input_type=Count | Parameters),
    ] | None = None
    """Parameter count: a number, "4B", or {total, active} for mixture-of-experts; printed "4B"."""
    context_window: LimitTokens | None = None
    """Context window in tokens: 131072 or "128K"; printed "128K". The same as limits.context; left out when none applies."""
    limits: Limits = Field(default_factory=Limits)
    """Token limits: {context, input, output}; a limit that does not apply is left out, never 0."""
    modalities: Annotated[
        Modalities,
        BeforeValidator(_modalities_shorthand, json_schema_input_type=list[Literal[MODALITIES]] | Modalities),  # type: ignore[valid-type]
    ] = Field(default_factory=Modalities)
    """{input: [...], output: [...]} of text, image, audio, video, pdf, file; a list means the inputs, with text out. Both are taxonomies."""
    capabilities: list[Identifier] = []
    """What the model supports: reasoning, tool_calling, structured_output ... (ids of content/capabilities.yaml); a taxonomy."""
    domains: list[Text] = []
    """Fields the model is meant for (medical, code, general ...); a taxonomy."""
    open_weights: bool | None = None
    """Whether the weights can be downloaded."""
    license: Annotated[License, BeforeValidator(_shorthand("spdx", (str,), "an SPDX id or {name, url, spdx}"), json_schema_input_type=SpdxId | License)] | None = None
    """An SPDX id such as "Apache-2.0", or {name, url, spdx}."""
    knowledge_cutoff: PartialDate | None = None
    """The date of the newest data the model learnt from, YYYY-MM or YYYY-MM-DD."""
    last_updated: PartialDate | None = None
    """When the model itself last changed (new weights or a new snapshot), YYYY-MM or YYYY-MM-DD; not the entry's review date."""
    pricing: Pricing | None = None
    """The developer's own API prices; null means "API pricing not yet available", absence means unknown."""
    offers: list[Offer] = []
    """Where else the model can be used and at what price: [{provider, model_id, pricing, limits, status, url, region}]."""
    benchmarks: Annotated[
        dict[BenchmarkId, Scores],
        Field(json_schema_extra={"additionalProperties": False}),  # keys outside the id pattern are refused
    ] = {}
    """Benchmark id (defined in content/benchmarks.yaml) -> a number, {value, approx, ...}, or a list of them with `variant`."""
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
    """active, preview (alpha or beta), deprecated or retired; the latter two stay published but leave default listings."""
    status_date: Date | None = None
    """When the model was deprecated or retired."""
    silence: SilenceList = []
    """Warnings that do not apply to this entry, each with its reason: [{code, field, reason}]."""
    draft: Annotated[bool, Field(exclude=True)] = False
    """Work in progress: `build` leaves it out (unless --drafts), `serve` shows it marked as a draft."""

    @model_validator(mode="after")
    def _one_context(self) -> Model:
        """Make `context_window` and `limits.context` read the same, whichever was written.

        Templates and exports of the first format read `context_window`; new ones read
        `limits`. Both are set here, on a value not yet shared.
        """
        written, limit = self.context_window, self.limits.context
        if written is not None and limit is not None and written != limit:
            raise _fail_at(("limits", "context"), BAD_VALUE,
                           f"limits.context disagrees with context_window ({written}); write the context window once; got {{got}}.",
                           limit)
        if limit is None and written is not None:
            object.__setattr__(self, "limits", self.limits.model_copy(update={"context": written}))
        elif written is None and limit is not None:
            object.__setattr__(self, "context_window", limit)
        return self

    @model_validator(mode="after")
    def _offers_differ(self) -> Model:
        seen: set[tuple] = set()
        for index, offer in enumerate(self.offers):
            key = (offer.provider, offer.model_id, offer.region)
            if key in seen:
                raise _fail_at(("offers", index), BAD_VALUE,
                               "this offer repeats an earlier one (same provider, model_id and region); keep one; got {got}.",
                               offer.provider)
            seen.add(key)
        return self

    @property
    def pricing_known(self) -> bool:
        """Whether `pricing` was written at all (null included), as opposed to left out."""
        return "pricing" in self.model_fields_set

    @property
    def is_listed(self) -> bool:
        """Whether the model appears in default listings (deprecated and retired do not)."""
        return self.status in LISTED_STATUSES

    @property
    def scores(self) -> tuple[tuple[str, Score], ...]:
        """Every (benchmark id, score), variants included, in the entry's order."""
        return tuple((benchmark_id, score) for benchmark_id, scores in self.benchmarks.items() for score in scores)

    def score_of(self, benchmark_id: str, variant: str | None = None) -> Score | None:
        """Return the model's score on one benchmark's board (one variant), if it has one."""
        return next((s for s in self.benchmarks.get(benchmark_id, ()) if s.variant == variant), None)

    @property
    def price_options(self) -> tuple[PriceOption, ...]:
        """Every price the model can be had at now: its own, then each current offer's."""
        options = [PriceOption(None, self.pricing)] if self.pricing is not None else []
        options += [PriceOption(o.provider, o.pricing) for o in self.offers
                    if o.pricing is not None and o.status in LISTED_STATUSES]
        return tuple(options)

    @property
    def cheapest(self) -> PriceOption | None:
        """The lowest price on offer, for "from $X" (see `Pricing.rank`); a plan when nothing has a price."""
        options = self.price_options
        ranked = [option for option in options if option.pricing.rank is not None]
        if ranked:
            return min(ranked, key=lambda option: option.pricing.rank)  # type: ignore[arg-type, return-value]
        return next((option for option in options if option.pricing.plan), None)

    @property
    def headline_pricing(self) -> Pricing | None:
        """The prices listings and comparisons show: the developer's own, or with offers the cheapest."""
        if not self.offers:
            return self.pricing
        cheapest = self.cheapest
        return cheapest.pricing if cheapest is not None else self.pricing


class Variant(_Strict):
    """One way of running a benchmark that is ranked on its own: a subset, a split, a harness."""

    name: Text
    """Display name, e.g. "Public set"."""
    description: str | None = None
    """What sets this variant apart; inline Markdown."""


class Benchmark(_Strict):
    """One benchmark: an entry of `content/benchmarks.yaml`, keyed by its id."""

    id: SkipJsonSchema[str] = ""
    name: Text
    """Display name, e.g. "MedQA"."""
    unit: str = ""
    """Unit printed after values: "%", "Elo", "ms", or "" for none."""
    scale: Literal[SCALES] | None = None  # type: ignore[valid-type]
    """How a "%" benchmark's figures are written: percent (64.4, the default) or fraction (0.644, shown as 64.4%)."""
    higher_is_better: bool = True
    """Ranking direction for leaderboards and "best" marks."""
    description: str | None = None
    """What the benchmark measures; inline Markdown."""
    url: Url | None = None
    """Where the benchmark is defined."""
    max: Finite | None = None
    """Top of the scale for bars; "%" benchmarks use 100 (1 on the fraction scale)."""
    variants: dict[Identifier, Variant] = {}
    """Ways of running it that are ranked apart: {id: {name, description}}; a score names one as its `variant`."""

    @model_validator(mode="after")
    def _scale_is_for_percentages(self) -> Benchmark:
        if self.scale is not None and self.unit != "%":
            raise _fail_at(("scale",), BAD_VALUE, 'scale applies to percentages: set unit: "%" as well; got unit {got}.',
                           self.unit)
        return self

    @property
    def is_fraction(self) -> bool:
        """Whether figures are written 0..1 and shown as percentages."""
        return self.scale == "fraction"

    @property
    def scale_max(self) -> float | None:
        """Top of the scale, in the figures' own terms, when one is known."""
        if self.unit == "%":
            return 1.0 if self.is_fraction else 100.0
        return self.max


ColumnId = Annotated[str, StringConstraints(pattern=COLUMN_PATTERN, max_length=2 * MAX_ID_LENGTH + 1),
                     _says("expected a column: a built-in, a benchmark id, or benchmark.variant.")]


class Comparison(_Strict):
    """A curated comparison table: `content/comparisons/SLUG.yaml`."""

    slug: SkipJsonSchema[str] = ""
    title: Text
    """Heading of the comparison page."""
    models: Annotated[list[Slug], Field(min_length=2)]
    """Slugs of the models compared, in column order of the table's rows."""
    columns: Annotated[list[ColumnId], Field(min_length=1)]
    """Benchmark ids (benchmark.variant for a variant) or built-ins: parameters, context_window, price, license,
    release_date, developer, output_limit, cached_price, knowledge_cutoff."""
    description: str | None = None
    """Introduction to the table; block Markdown."""
    silence: SilenceList = []
    """Warnings that do not apply to this comparison, each with its reason: [{code, field, reason}]."""


class Capability(_Strict):
    """One thing a model can support: an entry of `content/capabilities.yaml`, keyed by its id."""

    id: SkipJsonSchema[str] = ""
    name: Text
    """Display name, e.g. "Tool calling"."""
    description: str | None = None
    """What it means for a model to have it; inline Markdown."""


class Provider(_Strict):
    """Somewhere a model can be used: an entry of `content/providers.yaml`, keyed by its id."""

    id: SkipJsonSchema[str] = ""
    name: Text
    """Display name, e.g. "Amazon Bedrock"."""
    url: Url | None = None
    """The provider's site."""
    description: str | None = None
    """One sentence about the provider; inline Markdown."""


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
    search: bool = True
    """Publish a full-text search index (Pagefind) and the search box of every page; false leaves both out."""


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

EDITOR_KEYWORDS = ("patternErrorMessage",)
"""Keywords only the YAML language server reads; strict validators (ajv) refuse keywords they do not know."""


def model_json_schema(editor: bool = False) -> dict:
    """Return the JSON Schema (draft 7) of a model entry.

    The standard form holds only draft 7's own keywords, so every validator takes it
    as it comes: ajv in its strict mode, check-jsonschema, Python's jsonschema. The
    editor form adds the YAML language server's messages ("expected a slug: ..." in
    place of "does not match the pattern"), which ajv would refuse; `modelcat schema
    --site` writes it for editors only.
    """
    schema = Model.model_json_schema(mode="validation", ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    schema = _draft7({
        "$schema": JSON_SCHEMA_DIALECT,
        "$comment": "Generated by `modelcat schema` from the classes that validate content; do not edit.",
        **schema,
        "title": "modelcat model entry",
        "definitions": definitions,
    })
    return schema if editor else _without(schema, EDITOR_KEYWORDS)


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


def _without(node: Any, keywords: tuple[str, ...]) -> Any:
    """Return a schema without the given keywords, wherever they stand."""
    if isinstance(node, list):
        return [_without(item, keywords) for item in node]
    if not isinstance(node, dict):
        return node
    kept = {}
    for key, value in node.items():
        if key in keywords:
            continue
        if key in ("properties", "definitions"):  # names mapped to schemas: a field may be named like a keyword
            kept[key] = {name: _without(schema, keywords) for name, schema in value.items()}
        else:
            kept[key] = _without(value, keywords)
    return kept
