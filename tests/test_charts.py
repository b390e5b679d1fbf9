"""Chart geometry: scales, bar lengths, hedged bars and the text that describes them."""

import pytest

from generator.catalog import Ranked
from generator.charts import LEADERBOARD_BARS, ROW_HEIGHT, leaderboard_chart, nice_ceiling
from generator.schema import Benchmark, Score
from generator.tables import Leaderboard, settings_note


@pytest.mark.parametrize("value, expected", [
    (0, 1), (0.7, 1), (1, 1), (1.2, 2), (2.2, 2.5), (3, 5), (64.4, 100), (1200, 2000), (46.7e9, 5e10), (6e9, 1e10),
])
def test_nice_ceiling_rounds_up_to_a_round_number(value, expected):
    assert nice_ceiling(value) == pytest.approx(expected)


NAMES = {f"m{i}": f"M{i}" for i in range(100)}


def board(benchmark: Benchmark, values: list[Score]) -> Leaderboard:
    rows = tuple(Ranked(i + 1, f"m{i}", s) for i, s in enumerate(values))
    return Leaderboard(benchmark, rows, len(rows), settings_note(values))


def test_percent_bars_sit_on_zero_to_a_hundred_and_long_bars_hold_their_value():
    chart = leaderboard_chart(board(Benchmark(id="q", name="Q", unit="%"), [Score(value=87.7), Score(value=45, estimated=True)]), NAMES)
    assert [(b.percent, b.inside, b.hedged, b.value_text) for b in chart.bars] == [
        (87.7, True, False, "87.7%"), (45.0, False, True, "45% est.")]
    assert [b.top for b in chart.bars] == [0, ROW_HEIGHT]
    assert chart.height == 2 * ROW_HEIGHT
    assert chart.caption == "Scale 0 to 100%. Higher is better."
    assert chart.summary == "Bar chart. Scale 0 to 100%. Higher is better. 1. M0: 87.7%; 2. M1: 45% est.."


def test_unbounded_scales_round_up_and_lower_is_better_is_said():
    chart = leaderboard_chart(board(Benchmark(id="l", name="Latency", unit="ms", higher_is_better=False),
                                    [Score(value=90), Score(value=120, self_reported=True)]), NAMES)
    assert [b.percent for b in chart.bars] == [45.0, 60.0]
    assert chart.bars[1].label == "2. M1 · self-reported"
    assert chart.caption == "Scale 0 to 200\u00a0ms. Lower is better; bars show the raw figure."


def test_leaderboard_chart_shows_the_top_rows_and_says_so():
    chart = leaderboard_chart(board(Benchmark(id="q", name="Q", unit="%"), [Score(value=v) for v in range(60, 30, -1)]), NAMES)
    assert len(chart.bars) == LEADERBOARD_BARS
    assert chart.title == f"Q: top {LEADERBOARD_BARS} of 30"
