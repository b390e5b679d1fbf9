"""Checks across entries, resolved references, taxonomies, leaderboards and listings.

Everything that needs more than one file happens here, after every file has been
validated: a reference is checked only once all entries exist. The result is an
immutable `Catalog`, the one object templates read besides their own context.

Derived structures name models by slug, so a page that shows a model's name reads
that name, not the whole entry. Given the previous catalog, `build_catalog` updates
it instead of starting over: when only model entries changed, just the terms,
leaderboards, listing pages and links those models touch are recomputed, and
every other part is the very object it was before. A rebuild after one edit
therefore costs what the edit reaches, not the size of the catalog, and whoever
compares two catalogs can skip equal parts by identity. Either way the result is
the catalog a build from scratch makes (tests/test_catalog.py checks it).
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import heapq
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Mapping

from generator.errors import Code, Problem
from generator.schema import BUILTIN_COLUMNS, DEVICE_NAMES, Benchmark, Capability, Comparison, Model, Offer, Page, Provider, Score, \
    SiteConfig, board_key, board_label
from generator.urls import OPTIONAL_TAXONOMIES, RESERVED_ROOTS, TAXONOMIES
from generator.validate import Content, Origin, score_path

log = logging.getLogger(__name__)

_SLUG_HINT = "a model's slug is its file name in content/models/ without .yaml."
FEED_SIZE = 50
"""Models the feed carries: the most recently released or reviewed."""


class FrozenDict(dict):
    """A dict that refuses changes: catalog mappings are shared by every page and kept
    between builds. Unlike MappingProxyType it can be pickled with the build state."""

    def _read_only(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("catalog mappings are read-only")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self):
        return FrozenDict, (dict(self),)


EMPTY: Mapping = FrozenDict()


MAX_TERM_SLUG = 60
"""Longest URL segment made from a name; a longer one is cut and given a hash."""


@functools.lru_cache(maxsize=4096)
def slugify(text: str) -> str:
    """Return a URL segment for a taxonomy term: "Mistral AI" -> "mistral-ai".

    Names with no ASCII letters or digits (say, in another script) get a short hash,
    and so do names too long for a folder name (cut to their first words) and names
    Windows keeps for devices ("con"), so every term has a stable, distinct URL that
    any file system can hold.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug and len(slug) <= MAX_TERM_SLUG and slug not in DEVICE_NAMES:
        return slug
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not slug:
        return "t-" + digest
    return slug[:MAX_TERM_SLUG - 9].rstrip("-") + "-" + digest


@dataclass(frozen=True)
class Term:
    """One value of a taxonomy (a developer, a domain, a modality) and its models."""

    taxonomy: str
    slug: str
    name: str
    slugs: tuple[str, ...]
    """Every model with this term: listed ones first, newest first."""
    listed: int
    """How many of them appear in default listings (the first `listed` of `slugs`)."""
    description: str | None = None
    """What the term means, where its vocabulary says (capabilities)."""


@dataclass(frozen=True)
class Ranked:
    """One row of a leaderboard."""

    rank: int
    slug: str
    score: Score


@dataclass(frozen=True)
class ProviderOffer:
    """One model as a provider offers it: a row of the provider's page."""

    slug: str
    offer: Offer


@dataclass(frozen=True)
class Facet:
    """One choice of a listing filter, with how many listed models it keeps."""

    value: str
    label: str
    count: int


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
    where some model fills them -> term slug -> term, terms in slug order. Capability terms are keyed
    by the capability's id."""
    leaderboards: Mapping[str, tuple[Ranked, ...]]
    """Board key (a benchmark id, or `id.variant` for each declared variant) -> ranked rows, best first."""
    ranks: Mapping[str, Mapping[str, tuple[int, int]]]
    """Model slug -> board key -> (its rank on that leaderboard, the leaderboard's length)."""
    benchmark_tops: Mapping[str, float]
    """Benchmark id -> the largest value any model reports on any of its boards: the scale of bars without a
    fixed maximum (variants share their benchmark's scale)."""
    capabilities: Mapping[str, Capability]
    """Capability id -> definition, as content/capabilities.yaml lists them."""
    providers: Mapping[str, Provider]
    """Provider id -> definition, as content/providers.yaml lists them."""
    offers_by_provider: Mapping[str, tuple[ProviderOffer, ...]]
    """Provider id -> the offers of its models, listed models first, newest first."""
    listings: Mapping[str, Mapping[int, tuple]]
    """Listing -> page number (from 1) -> what that page lists: slugs, `Ranked` rows for a leaderboard,
    `ProviderOffer`s for a provider. Listings: "current" (the catalog page), "all" (A to Z),
    "TAXONOMY/TERM", "benchmarks/BOARD", "providers/ID". An empty listing has one empty page."""
    listing_sizes: Mapping[str, int]
    """Listing -> how many items it holds."""
    facets: Mapping[str, tuple[Facet, ...]]
    """The catalog page's filter choices: each taxonomy's terms among listed models, and
    "benchmarks", one per leaderboard, with how many listed models report on each."""
    newest: tuple[str, ...]
    """Slugs of the models the feed carries, most recently released or reviewed first."""
    drafts_left_out: tuple[str, ...] = ()
    """Slugs of the drafts this build leaves out; the catalog holds nothing of them."""


# --- Building ---------------------------------------------------------------------


def build_catalog(content: Content, previous: Catalog | None = None, base_url: str | None = None,
                  drafts: bool = False) -> tuple[Catalog | None, list[Problem]]:
    """Check references across entries and derive listings; no catalog if any check fails.

    With `previous` (the catalog of the last successful build), the parts no changed
    entry reaches are taken over as they are; the result equals a build from scratch.
    `base_url` overrides site.yaml's, as `--base-url` and the dev server do.

    Drafts (`draft: true`) are left out unless `drafts` is set, before anything is
    derived, so no page, listing, taxonomy, leaderboard, export, feed or sitemap
    shows them; a published entry that names one is an error (its link would lead
    nowhere). A draft's own file is still validated: a broken file is broken.
    """
    left_out = () if drafts else tuple(slug for slug, model in content.models.items() if model.draft)
    if left_out:
        content = replace(content, models={slug: m for slug, m in content.models.items() if not m.draft})
    catalog, problems = _checked_catalog(content, previous, base_url)
    draft_problems = _draft_references(content, frozenset(left_out))
    if draft_problems:
        return None, problems + draft_problems
    return (replace(catalog, drafts_left_out=left_out) if catalog is not None and left_out else catalog), problems


def _checked_catalog(content: Content, previous: Catalog | None,
                     base_url: str | None) -> tuple[Catalog | None, list[Problem]]:
    if content.site is None:
        return None, _check_all(content) + _check_partial(content)
    site = content.site if base_url is None else content.site.model_copy(update={"base_url": base_url})
    if previous is not None and not (previous.site == site and _same_values(previous.benchmarks, content.benchmarks)
                                     and _same_values(previous.capabilities, content.capabilities)
                                     and _same_values(previous.providers, content.providers)):
        previous = None  # the page size, a benchmark's direction, a term's name reach everything: derive it all again
    if previous is None:
        problems = _check_all(content)
        changed = None
    else:
        changed = _changed(previous.models, content.models)
        problems = _check_changed(content, changed)
        if changed - content.models.keys() or not _same_values(previous.comparisons, content.comparisons) or \
                not _same_values(previous.pages, content.pages):
            problems += _check_comparisons_and_pages(content)  # a removed model may be one a comparison names
    problems += _check_partial(content)
    if any(p.is_error for p in problems):
        return None, problems
    return _Derivation(previous.site if previous and previous.site == site else site, content, previous, changed).catalog(), problems


def _order_key(model: Model) -> tuple[str, str, str]:
    return model.release_date, model.name, model.slug


def _changed(before: Mapping[str, Model], after: Mapping[str, Model]) -> set[str]:
    """Return the slugs whose entry is not the very object it was (added and removed ones included)."""
    changed = {slug for slug, model in after.items() if before.get(slug) is not model}
    return changed | (before.keys() - after.keys())


def _same_values(before: Mapping, after: Mapping) -> bool:
    return before.keys() == after.keys() and all(before[k] is after[k] or before[k] == after[k] for k in after)


# --- Checks -----------------------------------------------------------------------


def _check_all(content: Content) -> list[Problem]:
    problems: list[Problem] = []
    for model in content.models.values():
        _check_model(model, content, problems)
    return problems + _check_comparisons_and_pages(content)


def _check_partial(content: Content) -> list[Problem]:
    """Check the parts of invalid entries that other files are checked against (see `validate.Validated.partial`),
    so their problems come with the entries' own, not after those are fixed."""
    problems: list[Problem] = []
    for (kind, _), entry in sorted(content.partial.items(), key=lambda item: item[0]):
        (_check_model if kind == "model" else _check_comparison)(entry, content, problems)
    return problems


def _check_changed(content: Content, changed: set[str]) -> list[Problem]:
    """Check the changed models, and the models whose references a removed or added model affects.

    The previous catalog passed every check, so an unchanged entry can only have gone
    wrong by naming a model that no longer exists.
    """
    problems: list[Problem] = []
    removed = {slug for slug in changed if slug not in content.models}
    for slug in sorted(changed - removed):
        _check_model(content.models[slug], content, problems)
    if removed:
        for model in content.models.values():
            if model.slug not in changed and removed & set(_references(model)):
                _check_model(model, content, problems)
    return problems


def _references(model: Model) -> Iterable[str]:
    for ref in (model.variant_of, model.base_model):
        if ref is not None and ref.slug is not None:
            yield ref.slug
    yield from model.related
    yield from (s.measured_on.slug for _, s in model.scores if s.measured_on is not None and s.measured_on.slug)


def _check_comparisons_and_pages(content: Content) -> list[Problem]:
    problems: list[Problem] = []
    for comparison in content.comparisons.values():
        _check_comparison(comparison, content, problems)
    for page in content.pages.values():
        if page.slug in RESERVED_ROOTS:
            problems.append(content.origin("page", page.slug).problem(
                Code.URL_COLLISION, (), f'the page "{page.slug}" would take the URL /{page.slug}/, which the site uses.',
                hint=f"rename the file; reserved names: {', '.join(sorted(RESERVED_ROOTS))}."))
    return problems


def _draft_references(content: Content, drafts: frozenset[str]) -> list[Problem]:
    """Return an error for each place a published entry names a draft that is left out.

    (A draft still counts as an existing model in the other checks, so it gets this one message.)
    """
    if not drafts:
        return []
    problems = []
    for model in content.models.values():
        origin = content.origin("model", model.slug)
        for name in ("variant_of", "base_model"):
            ref = getattr(model, name)
            if ref is not None and ref.slug in drafts:
                problems.append(_draft_problem(origin, (name,), ref.slug))
        problems += [_draft_problem(origin, ("related", i), slug) for i, slug in enumerate(model.related) if slug in drafts]
    for comparison in content.comparisons.values():
        origin = content.origin("comparison", comparison.slug)
        problems += [_draft_problem(origin, ("models", i), slug) for i, slug in enumerate(comparison.models) if slug in drafts]
    return problems


def _draft_problem(origin: Origin, field_path: tuple, slug: str) -> Problem:
    return origin.problem(
        Code.DRAFT_REFERENCE, field_path, f'"{slug}" is a draft, which this build leaves out.',
        hint=f"publish it (remove `draft: true` from content/models/{slug}.yaml) or remove the reference; "
             "--drafts builds drafts too.")


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
        if slug is not None:  # None: an invalid item of a partial entry, reported already
            resolve(("related", index), slug)
    for index, capability in enumerate(model.capabilities):
        if capability is not None and ("capability", capability) not in content.origins and \
                content.knows_every("capabilities"):
            problems.append(origin.problem(
                Code.UNKNOWN_CAPABILITY, ("capabilities", index), f'unknown capability "{capability}".',
                hint=_did_you_mean(capability, content.capabilities,
                                   "capabilities are the keys of content/capabilities.yaml; define it there.")))
    for index, offer in enumerate(model.offers):
        if offer is not None and ("provider", offer.provider) not in content.origins and content.knows_every("providers"):
            problems.append(origin.problem(
                Code.UNKNOWN_PROVIDER, ("offers", index, "provider"), f'unknown provider "{offer.provider}".',
                hint=_did_you_mean(offer.provider, content.providers,
                                   "providers are the keys of content/providers.yaml; define it there.")))
    for benchmark_id, scores in model.benchmarks.items():
        benchmark = content.benchmarks.get(benchmark_id)
        if benchmark is None and ("benchmark", benchmark_id) not in content.origins and content.knows_every("benchmarks"):
            problems.append(origin.problem(
                Code.UNKNOWN_BENCHMARK, ("benchmarks", benchmark_id), f'unknown benchmark id "{benchmark_id}".',
                hint=_did_you_mean(benchmark_id, content.benchmarks, "benchmark ids are the keys of content/benchmarks.yaml.")))
        for index, score in enumerate(scores or ()):  # None: invalid scores of a partial entry
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
        if slug is not None and not _model_exists(slug, content):
            problems.append(origin.problem(
                Code.UNRESOLVED_REFERENCE, ("models", index), f'no model has the slug "{slug}".',
                hint=_did_you_mean(slug, content.models, _SLUG_HINT)))
    for index, column in enumerate(comparison.columns):
        if column is None:  # an invalid item of a partial entry, reported already
            continue
        benchmark_id, _, variant = column.partition(".")
        known = ("benchmark", benchmark_id) in content.origins or not content.knows_every("benchmarks")
        if not known and column not in BUILTIN_COLUMNS:
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
            if value is not None and value in values[:index]:
                problems.append(origin.problem(Code.BAD_VALUE, (name, index), f'"{value}" is listed twice.'))


def _model_exists(slug: str, content: Content) -> bool:
    """Whether a model file has this slug; an invalid one counts, its own errors are reported already."""
    return slug in content.models or ("model", slug) in content.origins


def _did_you_mean(wrong: str, known: Mapping[str, object], fallback: str) -> str:
    close = difflib.get_close_matches(wrong, list(known), n=1)
    return f'did you mean "{close[0]}"?' if close else fallback


# --- Deriving ---------------------------------------------------------------------


def _term_names(taxonomy: str, model: Model) -> dict[str, str]:
    """Term slug -> the name this model spells it with, for each of the model's terms.

    Modalities are the inputs; `outputs` are the outputs other than text (text is every
    chat model's); a capability's term is keyed by its id.
    """
    if taxonomy == "capabilities":
        return {capability: capability for capability in model.capabilities}
    if taxonomy == "developers":
        names = [model.developer]
    elif taxonomy == "modalities":
        names = model.modalities.input
    elif taxonomy == "outputs":
        names = [output for output in model.modalities.output if output != "text"]
    else:
        names = getattr(model, taxonomy)
    found: dict[str, str] = {}
    for name in names:
        found.setdefault(slugify(name), name)
    return found


def _providers_of(model: Model) -> list[str]:
    return [offer.provider for offer in model.offers]


def _boards_of(model: Model) -> list[str]:
    """The leaderboards a model is ranked on: one per score, by benchmark and variant."""
    return [board_key(benchmark_id, score.variant) for benchmark_id, score in model.scores]


def _parent(ref_field: str) -> Callable[[Model], list[str]]:
    def parent(model: Model) -> list[str]:
        ref = getattr(model, ref_field)
        return [ref.slug] if ref is not None and ref.slug is not None else []
    return parent


class _Derivation:
    """Derives the catalog's structures, reusing the previous catalog's where no change reaches.

    Each keyed structure is recomputed for the keys that changed models touch, before
    or after their change (every key without a previous catalog), and the old object is
    kept wherever the new one is equal: identity then means "unchanged" to whoever
    compares two catalogs. Keys are kept in a fixed order (newest first for models,
    sorted otherwise), so both ways give the same mappings in the same order.
    """

    def __init__(self, site: SiteConfig, content: Content, previous: Catalog | None, changed: set[str] | None):
        self.site = site
        self.content = content
        self.previous = previous
        self.changed = changed
        """Slugs of the models added, removed or edited since `previous`; None when there is no previous."""
        self.old_models: Mapping[str, Model] = previous.models if previous else EMPTY
        self.models = self._ordered_models()

    def _old(self, name: str) -> Mapping:
        return getattr(self.previous, name) if self.previous is not None else EMPTY

    def catalog(self) -> Catalog:
        benchmarks = self._keyed("benchmarks", None, self.content.benchmarks.get, self.content.benchmarks, sort=False)
        comparisons = self._keyed("comparisons", None, self.content.comparisons.get, self.content.comparisons)
        taxonomies = self._keyed("taxonomies", None, self._taxonomy, (*TAXONOMIES, *OPTIONAL_TAXONOMIES), sort=False)
        leaderboards = self._leaderboards(benchmarks)
        providers = self._keyed("providers", None, self.content.providers.get, self.content.providers, sort=False)
        offers_by_provider = self._offers_by_provider(providers)
        listed = self._listed()
        listings = self._listings(listed, taxonomies, leaderboards, offers_by_provider)
        return Catalog(
            site=self.site,
            models=self.models,
            benchmarks=benchmarks,
            comparisons=comparisons,
            pages=self._keyed("pages", None, self.content.pages.get, self.content.pages),
            variants=self._reverse("variants", _parent("variant_of")),
            derivatives=self._reverse("derivatives", _parent("base_model")),
            comparisons_of=self._keyed("comparisons_of", None, _comparisons_of(comparisons).get,
                                       _comparisons_of(comparisons)),
            taxonomies=taxonomies,
            leaderboards=leaderboards,
            ranks=self._ranks(leaderboards),
            benchmark_tops=self._benchmark_tops(leaderboards, benchmarks),
            capabilities=self._keyed("capabilities", None, self.content.capabilities.get, self.content.capabilities,
                                     sort=False),
            providers=providers,
            offers_by_provider=offers_by_provider,
            listings=listings,
            listing_sizes=self._keyed("listing_sizes", None, lambda key: sum(map(len, listings[key].values())), listings),
            facets=self._facets(listed, taxonomies, leaderboards, benchmarks),
            newest=self._newest(),
        )

    # The machinery ------------------------------------------------------------------

    def _keyed(self, name: str, touched: set[str] | None, compute: Callable[[str], Any], keys: Iterable[str],
               sort: bool = True, old: Mapping | None = None) -> Mapping:
        """Return a mapping with `compute(key)` for touched keys (None leaves a key out) and the old values elsewhere.

        `touched` None means every key in `keys`. The result is the old mapping itself when nothing differs.
        """
        old = self._old(name) if old is None else old
        if touched is None:
            fresh = {key: value for key in keys if (value := compute(key)) is not None}
        else:
            fresh = dict(old)
            for key in touched:
                value = compute(key)
                if value is None:
                    fresh.pop(key, None)
                else:
                    fresh[key] = value
        if sort:
            fresh = dict(sorted(fresh.items())) if touched is None or fresh.keys() != old.keys() else fresh
        merged = {key: old[key] if key in old and (old[key] is value or old[key] == value) else value
                  for key, value in fresh.items()}
        if isinstance(old, FrozenDict) and list(merged) == list(old) and all(merged[k] is old[k] for k in merged):
            return old
        return FrozenDict(merged)

    def _touched(self, keys_of: Callable[[Model], Iterable[str]], depends: Callable[[Model], Any]) -> set[str] | None:
        """Return the keys that changed models reach before or after their change, or None for all keys.

        A model whose `depends(model)` (what a structure reads of it) is as it was
        reaches no key: a new summary moves no model in a leaderboard.
        """
        if self.changed is None:
            return None
        touched: set[str] = set()
        for slug in self.changed:
            old, new = self.old_models.get(slug), self.models.get(slug)
            if old is not None and new is not None and depends(old) == depends(new):
                continue
            for model in (old, new):
                if model is not None:
                    touched.update(keys_of(model))
        return touched

    def _members(self, old: Iterable[str], belongs: Callable[[Model], bool], key: Callable[[str], Any],
                 reverse: bool = False) -> list[str]:
        """Return a group's members after the change, in the order of `key`, given its members before in that order.

        A change moves no unchanged model against another, so they stay as they were;
        each changed model that belongs is put in its place by a binary search. A group
        of thousands is not sorted again (a key computed for each member) for one edit.
        """
        return _reordered(old, self.changed or set(), lambda slug: slug in self.models and belongs(self.models[slug]),
                          key, reverse)

    def _newest_first(self, slug: str) -> tuple[bool, int]:
        """The order of a group of models: listed ones first, then newest first."""
        return not self.models[slug].is_listed, self.position[slug]

    @functools.cached_property
    def position(self) -> dict[str, int]:
        """Slug -> place in newest-first order."""
        return {slug: index for index, slug in enumerate(self.models)}

    def _order_moved(self, key: Callable[[Model], Any]) -> bool:
        """Whether a change added or removed a model, or moved one in an order sorted by `key`."""
        if self.changed is None:
            return True
        return any(slug not in self.old_models or slug not in self.content.models
                   or key(self.old_models[slug]) != key(self.content.models[slug]) for slug in self.changed)

    # Each structure -----------------------------------------------------------------

    def _ordered_models(self) -> Mapping[str, Model]:
        models = self.content.models
        if self.previous is not None and not self.changed:
            return self.old_models
        if self.previous is None:
            order = sorted(models, key=lambda slug: _order_key(models[slug]), reverse=True)
        elif self._order_moved(_order_key):
            order = _reordered(self.old_models, self.changed, models.__contains__, lambda slug: _order_key(models[slug]),
                               reverse=True)
        else:
            order = self.old_models
        return FrozenDict({slug: models[slug] for slug in order})

    def _taxonomy(self, taxonomy: str) -> Mapping[str, Term] | None:
        """A taxonomy's terms; None for one of the optional taxonomies while no model fills it."""
        terms = self._terms(taxonomy)
        return None if not terms and taxonomy in OPTIONAL_TAXONOMIES else terms

    def _terms(self, taxonomy: str) -> Mapping[str, Term]:
        old: Mapping[str, Term] = self._old("taxonomies").get(taxonomy, EMPTY)
        touched = self._touched(lambda m: _term_names(taxonomy, m),
                                lambda m: (_term_names(taxonomy, m), _order_key(m), m.is_listed))
        if touched is None:
            grouped: dict[str, list[str]] = {}
            for slug, model in self.models.items():
                for term in _term_names(taxonomy, model):
                    grouped.setdefault(term, []).append(slug)
            return self._keyed("", None, lambda term: self._term(
                taxonomy, term, sorted(grouped[term], key=self._newest_first)), grouped, old=old)

        def compute(term: str) -> Term | None:
            before = old.get(term)
            members = self._members(before.slugs if before else (), lambda m: term in _term_names(taxonomy, m),
                                    self._newest_first)
            return self._term(taxonomy, term, members) if members else None

        return self._keyed("", touched, compute, (), old=old)

    def _term(self, taxonomy: str, term: str, ordered: list[str]) -> Term:
        """A term with its models (given listed ones first, newest first), named as its newest model spells it;
        a capability is named and described by its definition in content/capabilities.yaml."""
        listed = bisect.bisect_left(ordered, True, key=lambda slug: not self.models[slug].is_listed)
        newest = min(ordered[:1] + ordered[listed:listed + 1], key=self.position.__getitem__)
        name = _term_names(taxonomy, self.models[newest])[term]
        defined = self.content.capabilities.get(term) if taxonomy == "capabilities" else None
        return Term(taxonomy, term, defined.name if defined else name, tuple(ordered), listed,
                    defined.description if defined else None)

    def _leaderboards(self, benchmarks: Mapping[str, Benchmark]) -> Mapping[str, tuple[Ranked, ...]]:
        """One board per benchmark and one per variant it declares: two variants are never ranked together."""
        old: Mapping[str, tuple[Ranked, ...]] = self._old("leaderboards")
        boards = {board_key(bid, variant): (benchmark, variant) for bid, benchmark in benchmarks.items()
                  for variant in (None, *benchmark.variants)}
        touched = self._touched(_boards_of, lambda m: (m.benchmarks, m.name))
        if touched is not None:
            touched = (touched & boards.keys()) | (boards.keys() - old.keys())

        everyone: dict[str, list[str]] = {}
        if touched is None:  # every board at once: one pass over the models, not one a board
            for slug, model in self.models.items():
                for key in _boards_of(model):
                    everyone.setdefault(key, []).append(slug)

        def compute(key: str) -> tuple[Ranked, ...]:
            benchmark, variant = boards[key]

            def best_first(slug: str) -> tuple[float, str, str]:  # equal scores go by name
                value = self.models[slug].score_of(benchmark.id, variant).value
                return -value if benchmark.higher_is_better else value, self.models[slug].name, slug

            if touched is None:
                members = sorted(everyone.get(key, []), key=best_first)
            else:
                members = self._members((row.slug for row in old.get(key, ())), lambda m: key in _boards_of(m),
                                        best_first)
            return _ranked([(s, self.models[s].score_of(benchmark.id, variant)) for s in members])

        return self._keyed("leaderboards", touched, compute, boards, sort=False)

    def _benchmark_tops(self, leaderboards: Mapping[str, tuple[Ranked, ...]],
                        benchmarks: Mapping[str, Benchmark]) -> Mapping[str, float]:
        """The largest value on each benchmark's boards (a board's first row, or its last when lower is better)."""
        boards = self._boards_touched(leaderboards)
        touched = None if boards is None else {key.partition(".")[0] for key in boards}

        def compute(benchmark_id: str) -> float | None:
            tops = [_top(leaderboards[board_key(benchmark_id, variant)])
                    for variant in (None, *benchmarks[benchmark_id].variants)]
            return max((top for top in tops if top is not None), default=None)

        return self._keyed("benchmark_tops", touched, compute, benchmarks)

    def _boards_touched(self, leaderboards: Mapping[str, tuple[Ranked, ...]]) -> set[str] | None:
        """Benchmarks whose leaderboard is not the very one it was, or None for all."""
        if self.changed is None:
            return None
        old = self._old("leaderboards")
        return {bid for bid, rows in leaderboards.items() if old.get(bid) is not rows} | (old.keys() - leaderboards.keys())

    def _ranks(self, leaderboards: Mapping[str, tuple[Ranked, ...]]) -> Mapping:
        old: Mapping[str, Mapping[str, tuple[int, int]]] = self._old("ranks")
        boards = self._boards_touched(leaderboards)
        if boards is None:
            found: dict[str, dict[str, tuple[int, int]]] = {}
            for bid, rows in leaderboards.items():
                for row in rows:
                    found.setdefault(row.slug, {})[bid] = (row.rank, len(rows))
            return self._keyed("ranks", None, lambda slug: FrozenDict(found[slug]), found)
        previous_boards = self._old("leaderboards")
        old_ranks: Mapping[str, Mapping[str, tuple[int, int]]] = old
        placed = {bid: {row.slug: (row.rank, len(leaderboards[bid])) for row in leaderboards[bid]}
                  for bid in boards if bid in leaderboards}
        touched = set(self.changed or ())
        for bid in boards:
            touched.update(row.slug for row in previous_boards.get(bid, ()))
            touched.update(placed.get(bid, ()))

        def compute(slug: str) -> Mapping | None:
            model = self.models.get(slug)
            if model is None:
                return None
            before, its_boards = old_ranks.get(slug, EMPTY), _boards_of(model)
            ranks = {key: placed[key][slug] if key in placed else before[key]
                     for key in leaderboards if key in its_boards}
            return FrozenDict(ranks) if ranks else None

        return self._keyed("ranks", touched, compute, ())

    def _offers_by_provider(self, providers: Mapping[str, Provider]) -> Mapping[str, tuple[ProviderOffer, ...]]:
        """Every provider with the offers of its models: listed models first, newest first."""
        old: Mapping[str, tuple[ProviderOffer, ...]] = self._old("offers_by_provider")
        at = _providers_of
        touched = self._touched(at, lambda m: (m.offers, _order_key(m), m.is_listed))
        if touched is not None:
            touched = (touched & providers.keys()) | (providers.keys() - old.keys())

        def compute(provider: str) -> tuple[ProviderOffer, ...]:
            if touched is None:
                ordered = sorted((slug for slug, model in self.models.items() if provider in at(model)),
                                 key=self._newest_first)
            else:
                ordered = self._members(dict.fromkeys(row.slug for row in old.get(provider, ())),
                                        lambda m: provider in at(m), self._newest_first)
            return tuple(ProviderOffer(s, offer) for s in ordered for offer in self.models[s].offers
                         if offer.provider == provider)

        return self._keyed("offers_by_provider", touched, compute, providers, sort=False)

    def _reverse(self, name: str, parent: Callable[[Model], list[str]]) -> Mapping[str, tuple[str, ...]]:
        old: Mapping[str, tuple[str, ...]] = self._old(name)
        touched = self._touched(parent, lambda m: (parent(m), _order_key(m)))
        if touched is None:
            found: dict[str, list[str]] = {}
            for slug, model in self.models.items():
                for p in parent(model):
                    found.setdefault(p, []).append(slug)
            return self._keyed(name, None, lambda p: tuple(found[p]), found)

        def compute(p: str) -> tuple[str, ...] | None:
            return tuple(self._members(old.get(p, ()), lambda m: parent(m) == [p], self.position.__getitem__)) or None

        return self._keyed(name, touched, compute, ())

    def _listed(self) -> tuple[str, ...]:
        """Slugs of the models in default listings, newest first."""
        if self.previous is None:
            return tuple(slug for slug, model in self.models.items() if model.is_listed)
        before = (slug for page in self.previous.listings["current"].values() for slug in page)
        if not self._order_moved(lambda m: (_order_key(m), m.is_listed)):
            return tuple(before)
        return tuple(self._members(before, lambda m: m.is_listed, self.position.__getitem__))

    def _listings(self, listed: tuple[str, ...], taxonomies: Mapping[str, Mapping[str, Term]],
                  leaderboards: Mapping[str, tuple[Ranked, ...]],
                  offers_by_provider: Mapping[str, tuple[ProviderOffer, ...]]) -> Mapping[str, Mapping[int, tuple]]:
        old: Mapping[str, Mapping[int, tuple]] = self._old("listings")
        items: dict[str, tuple] = {"current": listed}
        if self._order_moved(lambda m: m.name):
            by_name = lambda slug: (self.models[slug].name.casefold(), slug)  # noqa: E731
            items["all"] = tuple(sorted(self.models, key=by_name) if self.previous is None else self._members(
                (slug for page in old["all"].values() for slug in page), lambda m: True, by_name))
        for taxonomy, terms in taxonomies.items():
            if terms is not self._old("taxonomies").get(taxonomy):
                items.update((f"{taxonomy}/{slug}", term.slugs) for slug, term in terms.items())
        boards = self._boards_touched(leaderboards)
        items.update((f"benchmarks/{bid}", rows) for bid, rows in leaderboards.items() if boards is None or bid in boards)
        old_offers = self._old("offers_by_provider")
        items.update((f"providers/{provider}", rows) for provider, rows in offers_by_provider.items()
                     if old_offers.get(provider) is not rows)
        keys = ["current", "all"] + [f"{t}/{slug}" for t, terms in taxonomies.items() for slug in terms] + [
            f"benchmarks/{bid}" for bid in leaderboards] + [f"providers/{provider}" for provider in offers_by_provider]
        touched = None if self.previous is None else set(items) | (old.keys() - set(keys))

        def compute(key: str) -> Mapping[int, tuple] | None:
            if key not in items:
                return None
            return self._keyed("", None, _paginate(items[key], self.site.page_size).get,
                               _paginate(items[key], self.site.page_size), sort=False, old=old.get(key, EMPTY))

        return self._keyed("listings", touched, compute, keys)

    def _facets(self, listed: tuple[str, ...], taxonomies: Mapping[str, Mapping[str, Term]],
                leaderboards: Mapping[str, tuple[Ranked, ...]], benchmarks: Mapping[str, Benchmark]) -> Mapping:
        """The catalog page's filter choices: terms of listed models, benchmarks with their listed results."""
        old_counts = {f.value: f.count for f in self._old("facets").get("benchmarks", ())}
        touched = self._touched(_boards_of, lambda m: (_boards_of(m), m.is_listed))

        def count(key: str) -> int:
            if touched is not None and key not in touched and key in old_counts:
                return old_counts[key]
            return sum(self.models[row.slug].is_listed for row in leaderboards[key])

        facets = {taxonomy: tuple(sorted((Facet(t.slug, t.name, t.listed) for t in terms.values() if t.listed),
                                         key=lambda f: f.label.lower()))
                  for taxonomy, terms in taxonomies.items()}
        facets["benchmarks"] = tuple(Facet(board_key(bid, variant), board_label(benchmark, variant),
                                           count(board_key(bid, variant)))
                                     for bid, benchmark in benchmarks.items() for variant in (None, *benchmark.variants))
        return self._keyed("facets", None, facets.get, facets, sort=False)

    def _newest(self) -> tuple[str, ...]:
        """The feed's models; only a change to one of them, or a newer model, can change the list."""
        def top(slugs: Iterable[str]) -> tuple[str, ...]:
            return tuple(slug for _, slug in heapq.nlargest(FEED_SIZE, ((_feed_key(self.models[s]), s) for s in slugs)))

        if self.previous is None:
            return top(self.models)
        old = self.previous.newest
        if not self.changed:
            return old
        candidates = {s for s in old if s in self.models} | {s for s in self.changed if s in self.models}
        fell = [s for s in old if s in self.changed and (s not in self.models or
                                                         _feed_key(self.models[s]) < _feed_key(self.old_models[s]))]
        if fell and len(candidates) < len(self.models):
            candidates = set(self.models)  # one of them fell back or left: the next in line could be any model
        newest = top(candidates)
        return old if newest == old else newest


def _top(rows: tuple[Ranked, ...]) -> float | None:
    """The largest value on a leaderboard: its first row, or its last when lower is better."""
    return max(rows[0].score.value, rows[-1].score.value) if rows else None


def _paginate(entries: tuple, size: int) -> dict[int, tuple]:
    """Split a listing into pages of `size`; an empty listing still has its first page."""
    if not entries:
        return {1: ()}
    return {number + 1: tuple(entries[start:start + size]) for number, start in enumerate(range(0, len(entries), size))}


def _feed_key(model: Model) -> tuple:
    released = model.release_date if len(model.release_date) == 10 else model.release_date + "-01"
    return max(model.updated or "", released), model.release_date, model.slug


def _ranked(entries: list[tuple[str, Score]]) -> tuple[Ranked, ...]:
    """Rank the models of a leaderboard, given best first: equal scores share a rank."""
    rows: list[Ranked] = []
    rank, previous = 0, None
    for position, (slug, score) in enumerate(entries, start=1):
        if score.value != previous:
            rank, previous = position, score.value
        rows.append(Ranked(rank, slug, score))
    return tuple(rows)


def _reordered(old: Iterable[str], changed: set[str], keep: Callable[[str], bool], key: Callable[[str], Any],
               reverse: bool = False) -> list[str]:
    """Return `old` (sorted by `key`) with the changed slugs left out, and those to `keep` put back where they belong."""
    order = [slug for slug in old if slug not in changed]
    for slug in sorted(changed):
        if keep(slug):
            _place(order, slug, key, reverse)
    return order


def _place(order: list[str], slug: str, key: Callable[[str], Any], reverse: bool) -> None:
    """Insert `slug` into `order`, sorted by `key` (largest first with `reverse`), where it belongs; keys are distinct.

    `bisect` cannot search an order that runs largest first, hence this search by hand.
    """
    value, low, high = key(slug), 0, len(order)
    while low < high:
        middle = (low + high) // 2
        other = key(order[middle])
        if (other > value) if reverse else (other < value):
            low = middle + 1
        else:
            high = middle
    order.insert(low, slug)


def _comparisons_of(comparisons: Mapping[str, Comparison]) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for slug, comparison in sorted(comparisons.items()):
        for model_slug in comparison.models:
            found.setdefault(model_slug, []).append(slug)
    return {slug: tuple(c) for slug, c in found.items()}
