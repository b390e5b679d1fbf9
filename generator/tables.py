"""Tables built from the entries: comparisons, leaderboards and the catalog listing.

Every figure in a table is read from the model entries at build time (a figure is
written once). This module decides what each cell says and which cells carry a
mark: the best value per column, and a note where a column or a leaderboard mixes
figures measured under different `setting`s, so no visitor ranks unlike figures
unknowingly.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from generator import filters
from generator.catalog import Catalog, Ranked, slugify
from generator.schema import Benchmark, Comparison, Limits, Model, Offer, PriceOption, PriceTier, Pricing, Score, Variant, \
    board_key, board_label
from generator.urls import Urls

MISSING = "—"
NOT_STATED = "not stated"
"""How a score without a `setting` is named in a mixed-settings note."""

_COLUMN_LABELS = {
    "parameters": "Parameters", "context_window": "Context", "price": "Price (in / out per 1M tokens)",
    "license": "License", "release_date": "Released", "developer": "Developer",
    "output_limit": "Max output", "cached_price": "Cached input (per 1M tokens)", "knowledge_cutoff": "Knowledge cutoff",
}


def price_text(model: Model) -> str:
    """Return the price as tables show it: the seed card's rule, and "from $X" (the cheapest) where
    several providers offer the model."""
    pricing = model.headline_pricing
    if pricing is not None:
        text = filters.pricing_text(pricing)
        several = bool(model.offers) and not pricing.free and bool(pricing.token_priced or pricing.per_unit) \
            and len(model.price_options) > 1
        return "from " + text if several else text
    if model.pricing_known and model.open_weights:
        return "Free (open weights)"
    return MISSING


def price_key(model: Model) -> float | None:
    """Return the number a listing sorts prices by: the (cheapest) input price, 0 for free and for free open weights."""
    pricing = model.headline_pricing
    if pricing is not None:
        if pricing.free:
            return 0.0
        return pricing.input_per_mtok if pricing.input_per_mtok is not None else pricing.output_per_mtok
    return 0.0 if model.pricing_known and model.open_weights else None


# --- Mixed settings -----------------------------------------------------------------


@dataclass(frozen=True)
class SettingsNote:
    """Says that figures side by side were measured under different settings."""

    settings: tuple[str, ...]
    """The distinct settings in order of first appearance, then `NOT_STATED` if some have none."""

    @property
    def text(self) -> str:
        return "measured under different settings (" + "; ".join(self.settings) + "); compare with care"


def settings_note(scores: Iterable[Score | None]) -> SettingsNote | None:
    """Return a note when the scores were not all measured the same way, else None.

    A score without a setting counts as its own kind: nobody knows whether it was
    measured like the others, which is exactly what a reader must be told.
    """
    seen = dict.fromkeys(s.condition or NOT_STATED for s in scores if s is not None)
    if len(seen) < 2:
        return None
    return SettingsNote(tuple(sorted(seen, key=lambda setting: setting == NOT_STATED)))  # stable: "not stated" last


# --- Comparison tables --------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | None = None
    """The number compared for the "best" mark and drawn in charts."""
    best: bool = False
    score: Score | None = None
    href: str | None = None
    """A link as content writes one: absolute, or a site path ("/developers/x/") put under the base path when shown."""
    title: str | None = None
    """Tooltip, e.g. why a value is missing."""


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    benchmark: Benchmark | None = None
    higher_is_better: bool = True
    note: SettingsNote | None = None
    """Set when the column's scores were measured under different settings."""
    footnote: int | None = None
    """Number of the column's footnote below the table, when it has one."""

    @property
    def ranked(self) -> bool:
        """Whether one value can be called the best: a benchmark, or the longest context or output.

        More parameters are not better, so that column is drawn but never starred.
        """
        return self.benchmark is not None or self.id in ("context_window", "output_limit")

    @property
    def numeric(self) -> bool:
        """Whether the column's values can be drawn as bars."""
        return self.benchmark is not None or self.id in ("parameters", "context_window", "output_limit")


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Model, tuple[Cell, ...]], ...]

    @property
    def notes(self) -> tuple[Column, ...]:
        """Columns with a footnote, in footnote order."""
        return tuple(c for c in self.columns if c.note is not None)

    def column_cells(self, index: int) -> tuple[tuple[Model, Cell], ...]:
        return tuple((model, cells[index]) for model, cells in self.rows)


def comparison_table(comparison: Comparison, catalog: Catalog) -> Table:
    """Build a comparison's table from the entries; the best figure per column is marked."""
    models = [catalog.models[slug] for slug in comparison.models]
    columns, by_column = [], []
    footnotes = 0
    for column_id in comparison.columns:
        benchmark_id, _, variant = column_id.partition(".")
        benchmark = catalog.benchmarks.get(benchmark_id)
        if benchmark is not None:
            scores = [m.score_of(benchmark_id, variant or None) for m in models]
            note = settings_note(scores)
            footnotes += note is not None
            columns.append(Column(column_id, board_label(benchmark, variant or None), benchmark, benchmark.higher_is_better,
                                  note, footnotes if note else None))
            cells = [_score_cell(s, benchmark) for s in scores]
        else:
            columns.append(Column(column_id, _COLUMN_LABELS[column_id]))
            cells = [_builtin_cell(column_id, m) for m in models]
        column = columns[-1]
        by_column.append(_mark_best(cells, column.higher_is_better) if column.ranked else cells)
    rows = tuple((m, tuple(column[i] for column in by_column)) for i, m in enumerate(models))
    return Table(tuple(columns), rows)


def _builtin_cell(column: str, model: Model) -> Cell:
    if column == "parameters":
        if model.parameters is None:
            return Cell(MISSING, title="Not published")
        return Cell(filters.parameters(model.parameters), value=model.parameters.total)
    if column == "context_window":
        if model.context_window is None:
            return Cell(MISSING, title="Not published")
        return Cell(filters.tokens(model.context_window), value=model.context_window)
    if column == "output_limit":
        if model.limits.output is None:
            return Cell(MISSING, title="Not published")
        return Cell(filters.tokens(model.limits.output), value=model.limits.output)
    if column == "cached_price":
        pricing = model.headline_pricing
        if pricing is None or pricing.cached_input_per_mtok is None:
            return Cell(MISSING, title="Not published")
        return Cell(filters.money(pricing.cached_input_per_mtok, pricing.currency))
    if column == "knowledge_cutoff":
        if model.knowledge_cutoff is None:
            return Cell(MISSING, title="Not published")
        return Cell(filters.long_date(model.knowledge_cutoff))
    if column == "price":
        return Cell(price_text(model))
    if column == "license":
        lic = model.license
        return Cell(lic.title, href=lic.link) if lic else Cell(MISSING, title="Not published")
    if column == "release_date":
        return Cell(filters.long_date(model.release_date))
    return Cell(model.developer, href="/" + Urls.term("developers", slugify(model.developer)))


def _score_cell(score: Score | None, benchmark: Benchmark) -> Cell:
    if score is None:
        return Cell(MISSING, title="No published result")
    return Cell(filters.score_text(score, benchmark), value=score.value, score=score)


def _mark_best(cells: list[Cell], higher_is_better: bool) -> list[Cell]:
    """Mark the best value when at least two cells have one."""
    values = [c.value for c in cells if c.value is not None]
    if len(values) < 2:
        return cells
    best = max(values) if higher_is_better else min(values)
    return [replace(c, best=True) if c.value == best else c for c in cells]


@dataclass(frozen=True)
class ScoreColumns:
    """Which optional columns a table of scores needs: only those some score fills."""

    setting: bool
    measured_by: bool
    note: bool
    date: bool
    measured_on: bool
    """Some figure was measured on another model: the legend explains the mark."""


def score_columns(scores: Iterable[Score]) -> ScoreColumns:
    """Return the optional columns of a model's benchmark table or a leaderboard."""
    setting = measured_by = note = date = measured_on = False
    for score in scores:
        setting = setting or score.condition is not None
        measured_by = measured_by or score.credited
        note = note or score.note is not None
        date = date or score.date is not None
        measured_on = measured_on or score.measured_on is not None
    return ScoreColumns(setting, measured_by, note, date, measured_on)


# --- Leaderboards -------------------------------------------------------------------


@dataclass(frozen=True)
class Leaderboard:
    benchmark: Benchmark
    rows: tuple[Ranked, ...]
    """The rows on show: one page of the leaderboard."""
    total: int
    """Rows on the whole leaderboard."""
    note: SettingsNote | None
    """Set when the leaderboard's figures were measured under different settings."""
    variant: str | None = None
    """The variant this board ranks; None for the benchmark's figures without one."""

    @property
    def key(self) -> str:
        return board_key(self.benchmark.id, self.variant)

    @property
    def label(self) -> str:
        return board_label(self.benchmark, self.variant)

    @property
    def variant_info(self) -> Variant | None:
        return self.benchmark.variants[self.variant] if self.variant else None


def leaderboard(benchmark: Benchmark, catalog: Catalog, variant: str | None = None, number: int = 1) -> Leaderboard:
    """Return page `number` of one of a benchmark's boards, noting mixed settings across the whole board."""
    key = board_key(benchmark.id, variant)
    board = catalog.leaderboards[key]
    rows = catalog.listings[f"benchmarks/{key}"].get(number, ())
    return Leaderboard(benchmark, rows, len(board), settings_note(r.score for r in board), variant)


def leaderboards(benchmark: Benchmark, catalog: Catalog, number: int = 1) -> tuple[Leaderboard, ...]:
    """Return page `number` of a benchmark's boards that have rows there: its figures without a variant,
    then one per variant. A benchmark without any result still has its one (empty) board, so its page can say so.
    """
    boards = [leaderboard(benchmark, catalog, variant, number) for variant in (None, *benchmark.variants)]
    filled = tuple(board for board in boards if board.rows)
    return filled or (boards[0],)


# --- The catalog listing ------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    models: tuple[Model, ...]


def listing(models: Sequence[Model]) -> Listing:
    """Return a model listing: the models a listing page shows, in order."""
    return Listing(tuple(models))


def settings_of(models: Iterable[Model]) -> tuple[str, ...]:
    """Return every distinct score setting (a score's `condition`) of these models, in order of first appearance."""
    return tuple(dict.fromkeys(condition for m in models for scores in m.benchmarks.values() for s in scores
                               if (condition := s.condition) is not None))


def score_codes(model: Model, settings: tuple[str, ...]) -> str:
    """Return a model's scores as the listing's script reads them: space-separated `id:value[:flags[:setting]]`.

    `id` is a board key (`benchmark.variant` for a variant); flags are a (approx), e
    (estimated), s (self-reported), m (measured on another model); setting is an index
    into `settings`. Kept short on purpose: the listing's data file carries every model.
    """
    numbers = _numbering(settings)
    codes = []
    for benchmark_id, scores in model.benchmarks.items():
        for score in scores:
            flags = ("a" if score.approx else "") + ("e" if score.estimated else "") + \
                ("s" if score.self_reported else "") + ("m" if score.measured_on is not None else "")
            code = f"{board_key(benchmark_id, score.variant)}:{score.value:.10g}"
            condition = score.condition
            if condition is not None:
                code += f":{flags}:{numbers[condition]}"
            elif flags:
                code += f":{flags}"
            codes.append(code)
    return " ".join(codes)


@functools.lru_cache(maxsize=64)
def _numbering(settings: tuple[str, ...]) -> dict[str, int]:
    return {setting: number for number, setting in enumerate(settings)}


# --- Providers ----------------------------------------------------------------------


@dataclass(frozen=True)
class OfferRow:
    """One place a model can be used, as a providers table shows it (a row of the model's
    table, or of a provider's page)."""

    model: Model
    provider: str | None
    """The provider's id; None for the developer's own API."""
    model_id: str | None
    pricing: Pricing | None
    limits: Limits
    """The offer's limits; a limit it does not state is the model's."""
    region: str | None
    status: str
    url: str | None
    cheapest: bool = False
    """The lowest price of the model's table, marked when it has several."""


@dataclass(frozen=True)
class OfferColumns:
    """Which columns a providers table needs: only those some row fills."""

    model_id: bool
    tokens: bool
    """Input and output prices per million tokens."""
    cached: bool
    units: bool
    """Prices per image, second, request ..."""
    context: bool
    output_limit: bool
    region: bool
    status: bool


def offer_row(model: Model, offer: Offer, cheapest: bool = False) -> OfferRow:
    """Return one offer as a row; the limits it leaves out are the model's."""
    own, base = offer.limits, model.limits
    limits = Limits(context=own.context or base.context, input=own.input or base.input, output=own.output or base.output)
    return OfferRow(model, offer.provider, offer.model_id, offer.pricing, limits, offer.region, offer.status, offer.url,
                    cheapest)


def paid_from(model: Model) -> PriceOption | None:
    """The cheapest price that is not free, to show beside a free offer ("Free, or from $0.03 / $0.05")."""
    paid = [option for option in model.price_options if not option.pricing.free and option.pricing.rank is not None]
    return min(paid, key=lambda option: option.pricing.rank) if paid else None  # type: ignore[arg-type, return-value]


def offer_rows(model: Model) -> tuple[OfferRow, ...]:
    """Return a model's providers table: the developer's own API (beside offers) and each offer, cheapest first.

    Rows whose prices cannot be compared (a plan, no price) keep their order after the others.
    """
    cheapest = model.cheapest
    marked = cheapest is not None and len(model.price_options) > 1
    rows = []
    if model.pricing is not None:
        rows.append(OfferRow(model, None, None, model.pricing, model.limits, None, model.status, None,
                             marked and cheapest.pricing is model.pricing))  # type: ignore[union-attr]
    rows += [offer_row(model, offer, marked and offer.pricing is not None and cheapest.pricing is offer.pricing)  # type: ignore[union-attr]
             for offer in model.offers]
    return tuple(sorted(rows, key=_price_order))


def _price_order(row: OfferRow) -> tuple:
    """Current offers before deprecated and retired ones; within each, the lowest price first."""
    rank = row.pricing.rank if row.pricing is not None else None
    return (row.status not in ("active", "preview"), rank is None, rank or (0, 0, 0.0, 0.0))


def offer_columns(offers: Sequence[OfferRow]) -> OfferColumns:
    """Return the columns a table of offers needs."""
    priced = [row.pricing for row in offers if row.pricing is not None]
    return OfferColumns(
        model_id=any(row.model_id for row in offers),
        tokens=any(p.token_priced or p.free for p in priced) or not any(p.per_unit for p in priced),
        cached=any(p.cached_input_per_mtok is not None for p in priced),
        units=any(p.per_unit is not None and p.per_unit.charged() for p in priced),
        context=any(row.limits.context for row in offers),
        output_limit=any(row.limits.output for row in offers),
        region=any(row.region for row in offers),
        status=any(row.status != "active" for row in offers),
    )


_OTHER_PRICES = (("batch", "Batch in / out"), ("cache_write_per_mtok", "Cache write"), ("reasoning_per_mtok", "Reasoning"),
                 ("audio_input_per_mtok", "Audio in"), ("audio_output_per_mtok", "Audio out"))


@dataclass(frozen=True)
class PriceDetails:
    """What a providers table leaves out: prices for long prompts, and batch, cache-write, reasoning and audio prices."""

    tiers: tuple[tuple[OfferRow, PriceTier], ...]
    others: tuple[OfferRow, ...]
    """Rows with any of the other prices."""
    kinds: tuple[tuple[str, str], ...]
    """(pricing field, column label) of the other prices some row has."""

    def __bool__(self) -> bool:
        return bool(self.tiers or self.others)


def price_details(rows: Sequence[OfferRow]) -> PriceDetails:
    """Return the tiers and other prices of a providers table's rows, only the kinds some row has."""
    priced = [row for row in rows if row.pricing is not None]
    kinds = tuple((name, label) for name, label in _OTHER_PRICES
                  if any(getattr(row.pricing, name) is not None for row in priced))
    return PriceDetails(
        tiers=tuple((row, tier) for row in priced for tier in row.pricing.tiers),  # type: ignore[union-attr]
        others=tuple(row for row in priced if any(getattr(row.pricing, name) is not None for name, _ in kinds)),
        kinds=kinds,
    )
