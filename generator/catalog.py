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
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping

from generator.errors import Code, Problem
from generator.schema import BUILTIN_COLUMNS, Benchmark, Comparison, Model, Page, Score, SiteConfig
from generator.validate import Content, Origin

log = logging.getLogger(__name__)

RESERVED_ROOTS = frozenset({
    "models", "compare", "benchmarks", "developers", "domains", "modalities", "api",
    "static", "css", "js", "img", "assets", "404", "404.html", "sitemap.xml", "feed.xml", "robots.txt",
})
"""Top-level URL segments the generator uses; a free page cannot take one."""

TAXONOMIES = ("developers", "domains", "modalities")
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
    """"developers" | "domains" | "modalities" -> term slug -> term."""
    leaderboards: Mapping[str, tuple[Ranked, ...]]
    """Benchmark id -> ranked rows, best first."""
    ranks: Mapping[str, Mapping[str, tuple[int, int]]]
    """Model slug -> benchmark id -> (its rank on that leaderboard, the leaderboard's length)."""
    benchmark_tops: Mapping[str, float]
    """Benchmark id -> the largest value any model reports, the scale of bars without a fixed maximum."""
    drafts_left_out: tuple[str, ...] = ()
    """Slugs of the drafts this build leaves out; the catalog holds nothing of them."""

    @property
    def listed(self) -> tuple[Model, ...]:
        """Models shown in default listings: active ones, newest first."""
        return tuple(m for m in self.models.values() if m.is_listed)


def build_catalog(content: Content, drafts: bool = False) -> tuple[Catalog | None, list[Problem]]:
    """Check references across entries and derive listings; no catalog if any check fails.

    Drafts (`draft: true`) are left out unless `drafts` is set, before anything is
    derived, so no page, listing, taxonomy, leaderboard, export, feed or sitemap
    shows them; a published entry that names one is an error (its link would lead
    nowhere). A draft's own file is still validated: a broken file is broken.
    """
    left_out = () if drafts else tuple(slug for slug, model in content.models.items() if model.draft)
    if left_out:
        content = replace(content, models={slug: m for slug, m in content.models.items() if not m.draft})
    problems: list[Problem] = []
    drafts_named = frozenset(left_out)
    for model in content.models.values():
        _check_model(model, content, drafts_named, problems)
    for comparison in content.comparisons.values():
        _check_comparison(comparison, content, drafts_named, problems)
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
        taxonomies=MappingProxyType({name: _taxonomy(name, models) for name in TAXONOMIES}),
        leaderboards=leaderboards,
        ranks=_ranks(leaderboards),
        benchmark_tops=_tops(leaderboards, content.benchmarks),
        drafts_left_out=left_out,
    )
    return catalog, problems


def _draft_problem(origin: Origin, field_path: tuple, slug: str) -> Problem:
    return origin.problem(
        Code.DRAFT_REFERENCE, field_path, f'"{slug}" is a draft, which this build leaves out.',
        hint=f"publish it (remove `draft: true` from content/models/{slug}.yaml) or remove the reference; "
             "--drafts builds drafts too.")


def _check_model(model: Model, content: Content, drafts: frozenset[str], problems: list[Problem]) -> None:
    origin = content.origin("model", model.slug)

    def resolve(field_path: tuple, slug: str) -> None:
        if slug == model.slug:
            problems.append(origin.problem(Code.UNRESOLVED_REFERENCE, field_path, "an entry cannot refer to itself."))
        elif slug in drafts:
            problems.append(_draft_problem(origin, field_path, slug))
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
    for benchmark_id, score in model.benchmarks.items():
        benchmark = content.benchmarks.get(benchmark_id)
        if benchmark is None and ("benchmark", benchmark_id) not in content.origins:
            problems.append(origin.problem(
                Code.UNKNOWN_BENCHMARK, ("benchmarks", benchmark_id), f'unknown benchmark id "{benchmark_id}".',
                hint=_did_you_mean(benchmark_id, content.benchmarks, "benchmark ids are the keys of content/benchmarks.yaml.")))
        elif benchmark is not None and benchmark.unit == "%" and not 0 <= score.value <= 100:
            problems.append(origin.problem(
                Code.BAD_VALUE, ("benchmarks", benchmark_id, "value"),
                f"{score.value:g} is not a percentage: {benchmark.name} is measured in % (0 to 100).",
                hint="write the percentage, e.g. 64.4 for 64.4%."))


def _check_comparison(comparison: Comparison, content: Content, drafts: frozenset[str], problems: list[Problem]) -> None:
    origin = content.origin("comparison", comparison.slug)
    for index, slug in enumerate(comparison.models):
        if slug in drafts:
            problems.append(_draft_problem(origin, ("models", index), slug))
        elif not _model_exists(slug, content):
            problems.append(origin.problem(
                Code.UNRESOLVED_REFERENCE, ("models", index), f'no model has the slug "{slug}".',
                hint=_did_you_mean(slug, content.models, _SLUG_HINT)))
    for index, column in enumerate(comparison.columns):
        if ("benchmark", column) not in content.origins and column not in BUILTIN_COLUMNS:
            choices = [*BUILTIN_COLUMNS, *content.benchmarks]
            close = difflib.get_close_matches(column, choices, n=1)
            hint = f'did you mean "{close[0]}"?' if close else (
                f"a column is a benchmark id or one of: {', '.join(BUILTIN_COLUMNS)}.")
            problems.append(origin.problem(Code.UNKNOWN_COLUMN, ("columns", index), f'unknown column "{column}".', hint=hint))
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


def _terms_of(taxonomy: str, model: Model) -> list[str]:
    if taxonomy == "developers":
        return [model.developer]
    return list(dict.fromkeys(getattr(model, taxonomy)))


def _taxonomy(taxonomy: str, models: list[Model]) -> Mapping[str, Term]:
    """Group models by term; spellings that share a slug ("Google", "google") share a term."""
    grouped: dict[str, tuple[str, list[Model]]] = {}
    for model in models:
        for name in _terms_of(taxonomy, model):
            slug = slugify(name)
            grouped.setdefault(slug, (name, []))[1].append(model)
    terms = {}
    for slug, (name, members) in sorted(grouped.items()):
        ordered = sorted(members, key=lambda m: not m.is_listed)  # stable: keeps newest first within each group
        terms[slug] = Term(taxonomy, slug, name, tuple(ordered))
    return MappingProxyType(terms)


def _tops(leaderboards: Mapping[str, tuple[Ranked, ...]], benchmarks: Mapping[str, Benchmark]) -> Mapping[str, float]:
    """Return the largest value on each leaderboard (its first row, or its last when lower is better)."""
    return MappingProxyType({bid: max(rows[0].score.value, rows[-1].score.value)
                             for bid, rows in leaderboards.items() if rows})


def _ranks(leaderboards: Mapping[str, tuple[Ranked, ...]]) -> Mapping[str, Mapping[str, tuple[int, int]]]:
    ranks: dict[str, dict[str, tuple[int, int]]] = {}
    for benchmark_id, rows in leaderboards.items():
        size = len(rows)
        for row in rows:
            ranks.setdefault(row.model.slug, {})[benchmark_id] = (row.rank, size)
    return MappingProxyType({slug: MappingProxyType(by_benchmark) for slug, by_benchmark in ranks.items()})


def _leaderboards(models: list[Model], benchmarks: Mapping[str, Benchmark]) -> Mapping[str, tuple[Ranked, ...]]:
    """Rank every model with a score on each benchmark; equal scores share a rank, then go by name.

    Models are taken in name order and each board is sorted by value alone: the sort
    is stable, so ties stay in name order (a key per pair would cost 10,000s of calls).
    """
    scored: dict[str, list[tuple[float, Model, Score]]] = {benchmark_id: [] for benchmark_id in benchmarks}
    for model in sorted(models, key=lambda m: (m.name, m.slug)):
        for benchmark_id, score in model.benchmarks.items():
            board = scored.get(benchmark_id)
            if board is not None:
                board.append((score.value, model, score))
    boards = {}
    for benchmark_id, entries in scored.items():
        entries.sort(key=operator.itemgetter(0), reverse=benchmarks[benchmark_id].higher_is_better)
        rows: list[Ranked] = []
        rank, previous = 0, None
        for position, (value, model, score) in enumerate(entries, start=1):
            if value != previous:
                rank, previous = position, value
            rows.append(Ranked(rank, model, score))
        boards[benchmark_id] = tuple(rows)
    return MappingProxyType(boards)
