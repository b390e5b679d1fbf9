"""Bar charts drawn at build time: the geometry of each bar, for an SVG template.

Charts are computed here and drawn by `templates/partials/charts.html`, so pages
need no script to show them. Widths are percentages of the chart's own width and
heights are fixed pixels: text keeps its size from a phone to a desktop, where a
scaled `viewBox` would shrink it to nothing on a narrow screen. Each row puts the
label on its own line above the bar, so a long model name never collides with
the value, which sits just past the bar's end (or inside it when the bar is long).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from generator import filters
from generator.schema import Benchmark, Score
from generator.tables import Leaderboard, Table

ROW_HEIGHT = 40
"""Label line, bar and gap, in pixels."""
LEADERBOARD_BARS = 20
"""A leaderboard charts its top rows only; the table below lists them all."""
_INSIDE_FROM = 0.6
"""From this fraction of the width on, the value is written inside the bar."""


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    percent: float
    """Length of the bar, in percent of the chart's width."""
    hedged: bool
    """Approximate, estimated or self-reported: drawn as an outlined, paler bar."""
    top: int

    @property
    def inside(self) -> bool:
        return self.percent >= 100 * _INSIDE_FROM


@dataclass(frozen=True)
class BarChart:
    id: str
    """Unique within its page; names the chart's title and description."""
    title: str
    summary: str
    """The chart's description: scale, direction and every bar as text."""
    caption: str
    """What the scale is and which way is better, shown below the chart."""
    bars: tuple[Bar, ...]

    @property
    def height(self) -> int:
        return ROW_HEIGHT * len(self.bars)

    @property
    def hedged(self) -> bool:
        return any(bar.hedged for bar in self.bars)


@dataclass(frozen=True)
class _Item:
    label: str
    value: float
    value_text: str
    hedged: bool = False


def nice_ceiling(value: float) -> float:
    """Return the next "round" number at or above a value (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _chart(chart_id: str, title: str, items: Sequence[_Item], top: float | None,
           scale_text, higher_is_better: bool | None) -> BarChart:
    """Lay out one bar per item; `scale_text` prints the top of the scale."""
    scale = top if top else nice_ceiling(max((i.value for i in items), default=0))
    bars = tuple(
        Bar(item.label, item.value_text, round(100 * max(0.0, min(1.0, item.value / scale)), 1), item.hedged,
            ROW_HEIGHT * index)
        for index, item in enumerate(items)
    )
    shown_scale = scale_text(scale)
    direction = {True: " Higher is better.", False: " Lower is better; bars show the raw figure.", None: ""}[higher_is_better]
    caption = f"Scale 0 to {shown_scale}.{direction}"
    listed = "; ".join(f"{item.label}: {item.value_text}" for item in items)
    return BarChart(chart_id, title, f"Bar chart. {caption} {listed}.", caption, bars)


def _score_item(name: str, score: Score, benchmark: Benchmark, show_setting: bool) -> _Item:
    label = name
    if show_setting:
        label += f" ({score.condition or 'setting not stated'})"
    if score.self_reported:
        label += " · self-reported"
    if score.measured_on is not None:
        label += " · measured on its base model"
    hedged = score.approx or score.estimated or score.self_reported or score.measured_on is not None
    return _Item(label, score.value, filters.score_text(score, benchmark), hedged)


def leaderboard_chart(board: Leaderboard, names: Mapping[str, str]) -> BarChart:
    """Return the chart of a leaderboard's top rows, in rank order; `names` maps their slugs to model names."""
    benchmark, rows = board.benchmark, board.rows[:LEADERBOARD_BARS]
    items = [_score_item(f"{r.rank}. {names[r.slug]}", r.score, benchmark, board.note is not None) for r in rows]
    shown = f"top {len(rows)} of {board.total}" if board.total > len(rows) else f"{len(rows)} models"
    return _chart(f"chart-{board.key}", f"{board.label}: {shown}", items, benchmark.scale_max,
                  _benchmark_scale(benchmark), benchmark.higher_is_better)


def _benchmark_scale(benchmark: Benchmark):
    return lambda top: filters.number(filters.shown(top, benchmark)) + filters.unit_suffix(benchmark)


_BUILTIN_SCALES = {
    "parameters": filters.human_count,
    "context_window": lambda top: filters.tokens(int(top)) + " tokens",
    "output_limit": lambda top: filters.tokens(int(top)) + " tokens",
}


def comparison_charts(table: Table) -> tuple[BarChart, ...]:
    """Return one chart per numeric column with two values or more, models in table order."""
    charts = []
    for index, column in enumerate(table.columns):
        if not column.numeric:
            continue
        items = []
        for model, cell in table.column_cells(index):
            if cell.value is None:
                continue
            if cell.score is not None and column.benchmark is not None:
                items.append(_score_item(model.name, cell.score, column.benchmark, column.note is not None))
            else:
                items.append(_Item(model.name, cell.value, cell.text))
        if len(items) < 2:
            continue
        if column.benchmark is not None:
            benchmark = column.benchmark
            charts.append(_chart(f"chart-{column.id}", column.label, items, benchmark.scale_max,
                                 _benchmark_scale(benchmark), benchmark.higher_is_better))
        else:
            charts.append(_chart(f"chart-{column.id}", column.label, items, None, _BUILTIN_SCALES[column.id], None))
    return tuple(charts)
