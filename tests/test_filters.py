"""Display formatting as pure functions."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import filters
from generator.schema import Benchmark, Parameters, Pricing, Score


@pytest.mark.parametrize("value, text", [
    (4e9, "4B"), (4.3e9, "4.3B"), (27e9, "27B"), (46.7e9, "46.7B"), (7.24e9, "7.24B"),
    (135e6, "135M"), (1.2e12, "1.2T"), (500e6, "500M"), (950, "950"),
])
def test_human_count_prints_three_significant_digits(value, text):
    assert filters.human_count(value) == text


def test_parameters_prints_active_count_for_mixture_of_experts():
    assert filters.parameters(Parameters(total=46.7e9, active=12.9e9)) == "46.7B (12.9B active)"


@pytest.mark.parametrize("value, text", [
    (128000, "128K"), (131072, "128K"), (2000000, "2M"), (1048576, "1M"), (32768, "32K"), (200000, "200K"), (1500, "1.5K"),
    (1_050_000, "1.05M"), (1_047_576, "1.05M"), (400_000, "400K"), (65536, "64K"), (1_000_000, "1M"), (480, "480"),
])
def test_tokens_prints_context_windows_as_model_cards_do(value, text):
    # 1,050,000 once read "1050K": the unit now goes by size before the round multiples.
    assert filters.tokens(value) == text


def test_long_date_handles_days_and_months():
    assert filters.long_date("2025-07-09") == "9 July 2025"
    assert filters.long_date("2025-07") == "July 2025"


def test_score_text_marks_approximate_and_estimated_values():
    pct = Benchmark(name="MedQA", unit="%")
    elo = Benchmark(name="Arena", unit="Elo")
    assert filters.score_text(Score(value=60, approx=True), pct) == "~60%"
    assert filters.score_text(Score(value=45, estimated=True), pct) == "45% est."
    assert filters.score_text(Score(value=1200, approx=True), elo) == "~1200\u00a0Elo"


@pytest.mark.parametrize("value, text", [
    (0.15, "$0.15"), (0.6, "$0.60"), (10, "$10.00"), (0.625, "$0.625"), (1.625, "$1.625"), (0.075, "$0.075"),
    (0.00002, "$0.00002"), (0.00185, "$0.00185"), (0, "$0.00"),
])
def test_money_keeps_the_fractions_of_a_cent_a_price_has(value, text):
    assert filters.money(value, "USD") == text


@pytest.mark.parametrize("pricing, text", [
    ({"free": True}, "Free"),
    ({"free": True, "input_per_mtok": 0}, "Free"),
    ({"plan": "subscription"}, "Subscription"),
    ({"per_unit": {"image": 0.04}}, "$0.04 / image"),
    ({"per_unit": {"minute": 0.006, "request": 0.01}}, "$0.006 / minute · $0.01 / request"),
    ({"per_unit": {"million_characters": 15}}, "$15.00 / 1M characters"),
    ({"input_per_mtok": 1.25, "output_per_mtok": 10, "plan": "subscription"}, "$1.25 / $10.00"),
    ({"note": "ask"}, "— / —"),
])
def test_pricing_text_never_prints_zero_dollars_for_free_or_a_plan(pricing, text):
    assert filters.pricing_text(Pricing.model_validate(pricing)) == text


def test_a_fraction_scale_shows_as_a_percentage():
    arc = Benchmark(name="ARC", unit="%", scale="fraction")
    assert filters.score_text(Score(value=0.93), arc) == "93%"
    assert filters.score_text(Score(value=0.8234, approx=True), arc) == "~82.34%"
    assert filters.bar_fraction(0.93, arc, 0.93) == 0.93


def test_price_pair_prints_input_and_output():
    assert filters.price_pair(Pricing(input_per_mtok=0.15, output_per_mtok=0.6)) == "$0.15 / $0.60"
    assert filters.price_pair(Pricing(input_per_mtok=3, currency="EUR")) == "€3.00 / —"


@pytest.mark.parametrize("url, allowed", [
    ("https://a.org", True), ("mailto:x@y.z", True), ("/about/", True), ("#top", True), ("page.html", True),
    ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False), ("data:text/html,x", False),
    ("vbscript:x", False), ("file:///etc/passwd", False),
])
def test_markdown_links_follow_the_url_policy(url, allowed):
    assert filters.safe_link(url) is allowed


def test_markdown_renders_no_raw_html_and_no_script_links():
    md = filters.Markdown("/catalog/")
    html = md.block('<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](/about/) ![i](data:image/png;base64,AAA)')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert 'href="/catalog/about/"' in html
    assert "<img" not in html


def test_markdown_demotes_headings_below_the_page_heading():
    assert "<h3>Title</h3>" in filters.Markdown("/").block("# Title", 2)


@pytest.mark.parametrize("text, expected", [
    ("# Title\n\n## Part", "<h3>Title</h3>\n<h4>Part</h4>"),
    ("## Overview\n\n### Notes", "<h3>Overview</h3>\n<h4>Notes</h4>"),  # no skipped level
    ("#### Deep", "<h3>Deep</h3>"),
    ("## A\n\n###### Six", "<h3>A</h3>\n<h6>Six</h6>"),
])
def test_markdown_headings_nest_without_skipping_a_level(text, expected):
    html = filters.Markdown("/").block(text, 2)
    assert [line for line in html.splitlines() if line.startswith("<h")] == expected.splitlines()


def test_json_script_cannot_close_its_script_element():
    text = filters.json_script({"a": "</script><script>alert(1)</script>"})
    assert "</script>" not in text and "<" not in text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_inline_markdown_shortcut_renders_exactly_as_markdown_it(text):
    md = filters.Markdown("/")
    assert md.inline(text) == md._md.renderInline(text)
