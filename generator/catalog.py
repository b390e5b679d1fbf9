"""Checks across entries, resolved references, taxonomies and leaderboards.

Everything that needs more than one file happens here, after every file has been
validated: a reference is checked only once all entries exist. The result is an
immutable `Catalog`, the one object templates read besides the site settings.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import logging
import operator
import re
import unicodedata
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from generator.errors import Code, Problem
from generator.schema import BUILTIN_COLUMNS, Benchmark, Capability, Comparison, Model, Offer, Page, Provider, Score, \
    SiteConfig, board_key
from generator.validate import Content, Origin, score_path

log = logging.getLogger(__name__)

RESERVED_ROOTS = frozenset({
    "models", "compare", "benchmarks", "developers", "domains", "modalities", "capabilities", "outputs", "providers", "api",
    "static", "css", "js", "img", "assets", "404", "404.html", "sitemap.xml", "feed.xml", "robots.txt",
})
"""Top-level URL segments the generator uses; a free page cannot take one."""

TAXONOMIES = ("developers", "domains", "modalities")
"""Taxonomies every site has. `capabilities` and `outputs` join them once some model fills them;
`outputs` lists the models that put out something other than text (images, audio, video) under
that output: text is every chat model's."""

_SLUG_HINT = "a model's slug is its file name in content/models/ without .yaml."


@functools.lru_cache(maxsize=None)
def slugify(text: str) -> str:
    """Return a URL segment for a taxonomy term: "Mistral AI" -> "mistral-ai".

    Names with no ASCII letters or digits (say, in another script) get a short hash,
    so every term still has a stable, distinct URL.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug or "t-" + hashlib.sha1(text.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Term:
    """One value of a taxonomy (a developer, a domain, a modality) and its models."""

    taxonomy: str
    slug: str
    name: str
    models: tuple[Model, ...]
    """Every model with this term, listed ones first, newest first."""
    description: str | None = None
    """What the term means, where its vocabulary says (capabilities)."""

    @property
    def listed(self) -> tuple[Model, ...]:
        return tuple(m for m in self.models if m.is_listed)


@dataclass(frozen=True)
class Ranked:
    """One row of a leaderboard."""

    rank: int
    model: Model
    score: Score


@dataclass(frozen=True)
class ProviderOffer:
    """One model as a provider offers it: a row of the provider's page."""

    model: Model
    offer: Offer


@dataclass(frozen=True)
class Catalog:
    """The whole site's content, checked and cross-referenced."""

    site: SiteConfig
    models: Mapping[str, Model]
    """Every model by slug, newest release first."""
    benchmarks: Mapping[str, Benchmark]
    comparisons: Mapping[str, Comparison]
    pages: Mapping[str, Page]
    variants: Mapping[str, tuple[str, ...]]
    """Slug -> slugs of the entries that are `variant_of` it."""
    derivatives: Mapping[str, tuple[str, ...]]
    """Slug -> slugs of the entries whose `base_model` it is."""
    comparisons_of: Mapping[str, tuple[str, ...]]
    """Model slug -> slugs of the comparisons it appears in."""
    taxonomies: Mapping[str, Mapping[str, Term]]
    """"developers" | "domains" | "modalities" (inputs), and "capabilities" | "outputs" (other than text)
    where some model fills them -> term slug -> term. Capability terms are keyed by the capability's id."""
    leaderboards: Mapping[str, tuple[Ranked, ...]]
    """Board key (a benchmark id, or `id.variant` for each declared variant) -> ranked rows, best first."""
    ranks: Mapping[str, Mapping[str, tuple[int, int]]]
    """Model slug -> board key -> (its rank on that leaderboard, the leaderboard's length)."""
    benchmark_tops: Mapping[str, float]
    """Benchmark id -> the largest value any model reports, the scale of bars without a fixed maximum."""
    capabilities: Mapping[str, Capability]
    """Capability id -> definition, as content/capabilities.yaml lists them."""
    providers: Mapping[str, Provider]
    """Provider id -> definition, as content/providers.yaml lists them."""
    offers_by_provider: Mapping[str, tuple[ProviderOffer, ...]]
    """Provider id -> the models it offers, listed models first, newest first."""

    @property
    def listed(self) -> tuple[Model, ...]:
        """Models shown in default listings: active ones, newest first."""
        return tuple(m for m in self.models.values() if m.is_listed)


def build_catalog(content: Content) -> tuple[Catalog | None, list[Problem]]:
    """Check references across entries and derive listings; no catalog if any check fails."""
    problems: list[Problem] = []
    for model in content.models.values():
        _check_model(model, content, problems)
    for comparison in content.comparisons.values():
        _check_comparison(comparison, content, problems)
    for page in content.pages.values():
        if page.slug in RESERVED_ROOTS:
            problems.append(content.origin("page", page.slug).problem(
                Code.URL_COLLISION, (), f'the page "{page.slug}" would take the URL /{page.slug}/, which the site uses.',
                hint=f"rename the file; reserved names: {', '.join(sorted(RESERVED_ROOTS))}."))
    if content.site is None or any(p.is_error for p in problems):
        return None, problems
    models = sorted(content.models.values(), key=lambda m: (m.release_date, m.name, m.slug), reverse=True)
    leaderboards = _leaderboards(models, content.benchmarks)
    catalog = Catalog(
        site=content.site,
        models=MappingProxyType({m.slug: m for m in models}),
        benchmarks=MappingProxyType(dict(content.benchmarks)),
        comparisons=MappingProxyType(dict(sorted(content.comparisons.items()))),
        pages=MappingProxyType(dict(sorted(content.pages.items()))),
        variants=_reverse(models, lambda m: m.variant_of),
        derivatives=_reverse(models, lambda m: m.base_model),
        comparisons_of=_comparisons_of(content.comparisons),
        taxonomies=_taxonomies(models, content.capabilities),
        leaderboards=leaderboards,
        ranks=_ranks(leaderboards),
        benchmark_tops=_tops(leaderboards),
        capabilities=MappingProxyType(dict(content.capabilities)),
        providers=MappingProxyType(dict(content.providers)),
        offers_by_provider=_offers_by_provider(models, content.providers),
    )
    return catalog, problems


def _check_model(model: Model, content: Content, problems: list[Problem]) -> None:
    origin = content.origin("model", model.slug)

    def resolve(field_path: tuple, slug: str) -> None:
        if slug == model.slug:
            problems.append(origin.problem(Code.UNRESOLVED_REFERENCE, field_path, "an entry cannot refer to itself."))
        elif not _model_exists(slug, content):
            problems.append(origin.problem(
                Code.UNRESOLVED_REFERENCE, field_path, f'no model has the slug "{slug}".',
                hint=_did_you_mean(slug, content.models, _SLUG_HINT)))

    for name in ("variant_of", "base_model"):
        ref = getattr(model, name)
        if ref is not None and ref.slug is not None:
            resolve((name,), ref.slug)
    for index, slug in enumerate(model.related):
        resolve(("related", index), slug)
    for index, capability in enumerate(model.capabilities):
        if ("capability", capability) not in content.origins:
            problems.append(origin.problem(
                Code.UNKNOWN_CAPABILITY, ("capabilities", index), f'unknown capability "{capability}".',
                hint=_did_you_mean(capability, content.capabilities,
                                   "capabilities are the keys of content/capabilities.yaml; define it there.")))
    for index, offer in enumerate(model.offers):
        if ("provider", offer.provider) not in content.origins:
            problems.append(origin.problem(
                Code.UNKNOWN_PROVIDER, ("offers", index, "provider"), f'unknown provider "{offer.provider}".',
                hint=_did_you_mean(offer.provider, content.providers,
                                   "providers are the keys of content/providers.yaml; define it there.")))
    for benchmark_id, scores in model.benchmarks.items():
        benchmark = content.benchmarks.get(benchmark_id)
        if benchmark is None and ("benchmark", benchmark_id) not in content.origins:
            problems.append(origin.problem(
                Code.UNKNOWN_BENCHMARK, ("benchmarks", benchmark_id), f'unknown benchmark id "{benchmark_id}".',
                hint=_did_you_mean(benchmark_id, content.benchmarks, "benchmark ids are the keys of content/benchmarks.yaml.")))
        for index, score in enumerate(scores):
            if score.measured_on is not None and score.measured_on.slug is not None:
                resolve(score_path(origin, benchmark_id, index, "measured_on"), score.measured_on.slug)
            if benchmark is not None:
                _check_score(score, benchmark, origin, index, problems)


def _check_score(score: Score, benchmark: Benchmark, origin: Origin, index: int, problems: list[Problem]) -> None:
    """A score's variant must be declared, and a percentage must lie on its scale."""
    if score.variant is not None and score.variant not in benchmark.variants:
        declared = ", ".join(benchmark.variants)
        problems.append(origin.problem(
            Code.UNKNOWN_VARIANT, score_path(origin, benchmark.id, index, "variant"),
            f'{benchmark.name} has no variant "{score.variant}".',
            hint=_did_you_mean(score.variant, benchmark.variants,
                               f"its variants are: {declared}." if declared else
                               f"declare it under {benchmark.id}: variants: in content/benchmarks.yaml.")))
    top = benchmark.scale_max
    if benchmark.unit == "%" and top is not None and not 0 <= score.value <= top:
        if benchmark.is_fraction:
            message = f"{score.value:g} is not a fraction: {benchmark.name} is written on the fraction scale (0 to 1)."
            hint = "write 0.644 for 64.4%, or set scale: percent on the benchmark to write percentages."
        else:
            message = f"{score.value:g} is not a percentage: {benchmark.name} is measured in % (0 to 100)."
            hint = "write the percentage, e.g. 64.4 for 64.4%."
        problems.append(origin.problem(Code.BAD_VALUE, score_path(origin, benchmark.id, index, "value"), message, hint=hint))


def _check_comparison(comparison: Comparison, content: Content, problems: list[Problem]) -> None:
    origin = content.origin("comparison", comparison.slug)
    for index, slug in enumerate(comparison.models):
        if not _model_exists(slug, content):
            problems.append(origin.problem(
                Code.UNRESOLVED_REFERENCE, ("models", index), f'no model has the slug "{slug}".',
                hint=_did_you_mean(slug, content.models, _SLUG_HINT)))
    for index, column in enumerate(comparison.columns):
        benchmark_id, _, variant = column.partition(".")
        if ("benchmark", benchmark_id) not in content.origins and column not in BUILTIN_COLUMNS:
            choices = [*BUILTIN_COLUMNS, *content.benchmarks]
            close = difflib.get_close_matches(column, choices, n=1)
            hint = f'did you mean "{close[0]}"?' if close else (
                f"a column is a benchmark id or one of: {', '.join(BUILTIN_COLUMNS)}.")
            problems.append(origin.problem(Code.UNKNOWN_COLUMN, ("columns", index), f'unknown column "{column}".', hint=hint))
        elif variant and benchmark_id in content.benchmarks and variant not in content.benchmarks[benchmark_id].variants:
            benchmark = content.benchmarks[benchmark_id]
            problems.append(origin.problem(
                Code.UNKNOWN_VARIANT, ("columns", index), f'{benchmark.name} has no variant "{variant}".',
                hint=_did_you_mean(variant, benchmark.variants, f"declare it under {benchmark_id}: variants: in content/benchmarks.yaml.")))
    for name, values in (("models", comparison.models), ("columns", comparison.columns)):
        for index, value in enumerate(values):
            if value in values[:index]:
                problems.append(origin.problem(Code.BAD_VALUE, (name, index), f'"{value}" is listed twice.'))


def _model_exists(slug: str, content: Content) -> bool:
    """Whether a model file has this slug; an invalid one counts, its own errors are reported already."""
    return slug in content.models or ("model", slug) in content.origins


def _did_you_mean(wrong: str, known: Mapping[str, object], fallback: str) -> str:
    close = difflib.get_close_matches(wrong, list(known), n=1)
    return f'did you mean "{close[0]}"?' if close else fallback


def _reverse(models: list[Model], ref_of) -> Mapping[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for model in models:
        ref = ref_of(model)
        if ref is not None and ref.slug is not None:
            found.setdefault(ref.slug, []).append(model.slug)
    return MappingProxyType({slug: tuple(children) for slug, children in found.items()})


def _comparisons_of(comparisons: Mapping[str, Comparison]) -> Mapping[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for slug, comparison in sorted(comparisons.items()):
        for model_slug in comparison.models:
            found.setdefault(model_slug, []).append(slug)
    return MappingProxyType({slug: tuple(c) for slug, c in found.items()})


def _taxonomies(models: list[Model], capabilities: Mapping[str, Capability]) -> Mapping[str, Mapping[str, Term]]:
    """Every taxonomy of the site: the first format's three, then those some model fills."""
    taxonomies = {name: _taxonomy(name, models, capabilities) for name in TAXONOMIES}
    if any(m.capabilities for m in models):
        taxonomies["capabilities"] = _taxonomy("capabilities", models, capabilities)
    if any(set(m.modalities.output) - {"text"} for m in models):
        taxonomies["outputs"] = _taxonomy("outputs", models, capabilities)
    return MappingProxyType(taxonomies)


def _terms_of(taxonomy: str, model: Model) -> list[tuple[str, str]]:
    """Return the (slug, name) of each term a model has in a taxonomy."""
    if taxonomy == "developers":
        names = [model.developer]
    elif taxonomy == "modalities":
        names = model.modalities.input
    elif taxonomy == "outputs":
        names = [output for output in model.modalities.output if output != "text"]
    elif taxonomy == "capabilities":
        return [(capability, capability) for capability in dict.fromkeys(model.capabilities)]
    else:
        names = getattr(model, taxonomy)
    return [(slugify(name), name) for name in dict.fromkeys(names)]


def _taxonomy(taxonomy: str, models: list[Model], capabilities: Mapping[str, Capability]) -> Mapping[str, Term]:
    """Group models by term; spellings that share a slug ("Google", "google") share a term.

    A capability's term is named and described by its definition in content/capabilities.yaml.
    """
    grouped: dict[str, tuple[str, list[Model]]] = {}
    for model in models:
        for slug, name in _terms_of(taxonomy, model):
            grouped.setdefault(slug, (name, []))[1].append(model)
    terms = {}
    for slug, (name, members) in sorted(grouped.items()):
        ordered = sorted(members, key=lambda m: not m.is_listed)  # stable: keeps newest first within each group
        defined = capabilities.get(slug) if taxonomy == "capabilities" else None
        terms[slug] = Term(taxonomy, slug, defined.name if defined else name, tuple(ordered),
                           defined.description if defined else None)
    return MappingProxyType(terms)


def _offers_by_provider(models: list[Model], providers: Mapping[str, Provider]) -> Mapping[str, tuple[ProviderOffer, ...]]:
    found: dict[str, list[ProviderOffer]] = {provider_id: [] for provider_id in providers}
    for model in models:
        for offer in model.offers:
            found[offer.provider].append(ProviderOffer(model, offer))
    return MappingProxyType({provider_id: tuple(sorted(rows, key=lambda row: not row.model.is_listed))
                             for provider_id, rows in found.items()})


def _tops(leaderboards: Mapping[str, tuple[Ranked, ...]]) -> Mapping[str, float]:
    """Return the largest value of each benchmark, its variants' boards included (a board's first row, or
    its last when lower is better): variants share their benchmark's scale."""
    tops: dict[str, float] = {}
    for key, rows in leaderboards.items():
        if rows:
            benchmark_id = key.partition(".")[0]
            top = max(rows[0].score.value, rows[-1].score.value)
            tops[benchmark_id] = max(top, tops.get(benchmark_id, top))
    return MappingProxyType(tops)


def _ranks(leaderboards: Mapping[str, tuple[Ranked, ...]]) -> Mapping[str, Mapping[str, tuple[int, int]]]:
    ranks: dict[str, dict[str, tuple[int, int]]] = {}
    for key, rows in leaderboards.items():
        size = len(rows)
        for row in rows:
            ranks.setdefault(row.model.slug, {})[key] = (row.rank, size)
    return MappingProxyType({slug: MappingProxyType(by_benchmark) for slug, by_benchmark in ranks.items()})


def _leaderboards(models: list[Model], benchmarks: Mapping[str, Benchmark]) -> Mapping[str, tuple[Ranked, ...]]:
    """Rank every model with a score on each board: one per benchmark and one per variant it declares,
    so figures of two variants are never ranked together. Equal scores share a rank, then go by name.

    Models are taken in name order and each board is sorted by value alone: the sort
    is stable, so ties stay in name order (a key per pair would cost 10,000s of calls).
    """
    scored: dict[str, list[tuple[float, Model, Score]]] = {}
    higher_is_better: dict[str, bool] = {}
    for benchmark_id, benchmark in benchmarks.items():
        for variant in (None, *benchmark.variants):
            scored[board_key(benchmark_id, variant)] = []
            higher_is_better[board_key(benchmark_id, variant)] = benchmark.higher_is_better
    for model in sorted(models, key=lambda m: (m.name, m.slug)):
        for benchmark_id, score in model.scores:
            board = scored.get(board_key(benchmark_id, score.variant))
            if board is not None:
                board.append((score.value, model, score))
    boards = {}
    for key, entries in scored.items():
        entries.sort(key=operator.itemgetter(0), reverse=higher_is_better[key])
        rows: list[Ranked] = []
        rank, previous = 0, None
        for position, (value, model, score) in enumerate(entries, start=1):
            if value != previous:
                rank, previous = position, value
            rows.append(Ranked(rank, model, score))
        boards[key] = tuple(rows)
    return MappingProxyType(boards)
