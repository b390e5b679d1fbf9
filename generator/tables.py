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
from generator.schema import Benchmark, Comparison, Model, Score
from generator.urls import Urls

MISSING = "—"
NOT_STATED = "not stated"
"""How a score without a `setting` is named in a mixed-settings note."""

_COLUMN_LABELS = {
    "parameters": "Parameters", "context_window": "Context", "price": "Price (in / out per 1M tokens)",
    "license": "License", "release_date": "Released", "developer": "Developer",
}


def price_text(model: Model) -> str:
    """Return the price as tables show it (the seed card's rule)."""
    if model.pricing is not None:
        return filters.price_pair(model.pricing)
    if model.pricing_known and model.open_weights:
        return "Free (open weights)"
    return MISSING


def price_key(model: Model) -> float | None:
    """Return the number a listing sorts prices by: the input price, 0 for free open weights."""
    if model.pricing is not None:
        pricing = model.pricing
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
    seen = dict.fromkeys(s.setting or NOT_STATED for s in scores if s is not None)
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
        """Whether one value can be called the best: a benchmark, or the longest context.

        More parameters are not better, so that column is drawn but never starred.
        """
        return self.benchmark is not None or self.id == "context_window"

    @property
    def numeric(self) -> bool:
        """Whether the column's values can be drawn as bars."""
        return self.benchmark is not None or self.id in ("parameters", "context_window")


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
        benchmark = catalog.benchmarks.get(column_id)
        if benchmark is not None:
            scores = [m.benchmarks.get(column_id) for m in models]
            note = settings_note(scores)
            footnotes += note is not None
            columns.append(Column(column_id, benchmark.name, benchmark, benchmark.higher_is_better,
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


def leaderboard(benchmark: Benchmark, catalog: Catalog, rows: tuple[Ranked, ...]) -> Leaderboard:
    """Return one page of a benchmark's leaderboard, noting mixed settings across the whole board."""
    board = catalog.leaderboards[benchmark.id]
    return Leaderboard(benchmark, rows, len(board), settings_note(r.score for r in board))


# --- The catalog listing ------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    models: tuple[Model, ...]


def listing(models: Sequence[Model]) -> Listing:
    """Return a model listing: the models a listing page shows, in order."""
    return Listing(tuple(models))


def settings_of(models: Iterable[Model]) -> tuple[str, ...]:
    """Return every distinct score setting of these models, in order of first appearance."""
    return tuple(dict.fromkeys(s.setting for m in models for s in m.benchmarks.values() if s.setting is not None))


def score_codes(model: Model, settings: tuple[str, ...]) -> str:
    """Return a model's scores as the listing's script reads them: space-separated `id:value[:flags[:setting]]`.

    Flags are a (approx), e (estimated), s (self-reported); setting is an index into
    `settings`. Kept short on purpose: the listing's data file carries every model.
    """
    numbers = _numbering(settings)
    codes = []
    for benchmark_id, score in model.benchmarks.items():
        flags = ("a" if score.approx else "") + ("e" if score.estimated else "") + ("s" if score.self_reported else "")
        code = f"{benchmark_id}:{score.value:.10g}"
        if score.setting is not None:
            code += f":{flags}:{numbers[score.setting]}"
        elif flags:
            code += f":{flags}"
        codes.append(code)
    return " ".join(codes)


@functools.lru_cache(maxsize=64)
def _numbering(settings: tuple[str, ...]) -> dict[str, int]:
    return {setting: number for number, setting in enumerate(settings)}
