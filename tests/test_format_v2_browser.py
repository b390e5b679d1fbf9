"""The v2 fixture site in a real browser: every new kind of page passes axe-core in the light and
the dark theme, and on a phone, where every table cell is on screen; the catalog filters by capability and output and finds
API ids; a variant's benchmark column and the compare picker show fractions as percentages and
prices as the pages do."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import axe_violations, browser_type_launch_args, cells_off_screen, serve, settle, watch_console  # noqa: F401 - fixture

PAGE_KINDS = [
    "", "?cap=reasoning&out=image", "models/gemini-2-5-pro/", "models/imagen-4/", "models/whisper/",
    "models/llama-3-1-8b-instruct/", "models/llama-3-1-8b-instruct-awq/", "models/gemini-2-5-flash-image/",
    "providers/", "providers/openrouter/", "capabilities/", "capabilities/reasoning/", "outputs/image/",
    "benchmarks/", "benchmarks/swe_bench_pro/", "benchmarks/arc_challenge/", "compare/frontier-models/",
    "compare/?models=gemini-2-5-pro,claude-sonnet-4,llama-3-1-8b-instruct-awq",
]


@pytest.fixture(scope="module")
def v2_url(built_v2_site):
    with serve(built_v2_site) as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_v2_page_kind_passes_axe_with_no_console_error(browser, v2_url, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    errors = watch_console(page)
    found = {}
    for url in PAGE_KINDS:
        page.goto(v2_url + url)
        settle(page)
        if violations := axe_violations(page):
            found[url] = violations
    context.close()
    assert not found, "\n".join(f"/{url}: {line}" for url, lines in found.items() for line in lines)
    assert errors == []


@pytest.mark.parametrize("width", [360, 320])
def test_every_v2_page_kind_shows_every_table_cell_on_a_phone_screen_and_passes_axe(browser, v2_url, width):
    context = browser.new_context(viewport={"width": width, "height": 640})
    page = context.new_page()
    problems = {}
    for url in PAGE_KINDS:
        page.goto(v2_url + url)
        settle(page)
        found = cells_off_screen(page)
        if (page_width := page.evaluate("document.documentElement.scrollWidth")) > width:
            found.append(f"the page is {page_width} px wide")
        if width == 360:  # tables as cards: contrast and target sizes change with the layout
            found += axe_violations(page)
        if found:
            problems[url] = found
    context.close()
    assert problems == {}


def test_the_catalog_filters_by_capability_and_output_and_finds_api_ids(page, v2_url):
    errors = watch_console(page)
    page.goto(v2_url)
    names = page.locator("#catalog tbody th a")
    expect(names).to_have_count(7)
    page.select_option("#f-cap", "reasoning")
    expect(names).to_have_text(["Claude Sonnet 4", "Gemini 2.5 Pro"])
    page.select_option("#f-cap", "")
    page.select_option("#f-out", "image")
    expect(names).to_have_text(["Gemini 2.5 Flash Image", "Imagen 4"])
    page.select_option("#f-out", "")
    page.fill("#f-q", "claude-sonnet-4-20250514")  # an API id, not the name
    expect(names).to_have_text(["Claude Sonnet 4"])
    page.fill("#f-q", "")
    page.goto(v2_url + "?out=image&cap=fine_tuning")
    expect(page.locator("#catalog-count")).to_have_text("No model matches these filters (of 7).")
    assert (page.input_value("#f-out"), page.input_value("#f-cap")) == ("image", "fine_tuning")
    assert errors == []


def test_a_variant_column_ranks_its_own_figures_and_fractions_read_as_percentages(page, v2_url):
    page.goto(v2_url + "?b=swe_bench_pro.commercial,arc_challenge&sort=-b.swe_bench_pro.commercial")
    rows = page.locator("#catalog tbody tr")
    expect(rows.first.locator("th a")).to_have_text("Claude Sonnet 4")
    commercial = page.locator("#catalog th[data-bench='swe_bench_pro.commercial']")
    expect(commercial).to_contain_text("SWE-Bench Pro (Commercial set)")
    expect(rows.first.locator("td").nth(4)).to_have_text("11.5%")
    arc = page.locator("#catalog tbody tr", has=page.get_by_role("link", name="Llama 3.1 8B Instruct AWQ INT4"))
    expect(arc.locator("td").nth(5)).to_have_text("82.34% base model")
    expect(arc.locator("td").nth(5).locator("a")).to_have_attribute(
        "href", "/models/llama-3-1-8b-instruct-awq/#score-arc_challenge")


def test_the_compare_picker_reads_v2_entries_as_the_pages_do(page, v2_url):
    errors = watch_console(page)
    page.goto(v2_url + "compare/?models=gemini-2-5-pro,imagen-4,llama-3-1-8b-instruct-awq")
    expect(page.locator("#picker-table table")).to_be_visible()
    cells = {row.locator("th").evaluate("th => th.firstChild.textContent"): row.locator("td").all_inner_texts()
             for row in page.locator("#picker-table tbody tr:not(.group)").all()}
    assert cells["Price (in / out per 1M tokens)"] == ["from $1.25 / $10.00", "from $0.02 / image", "Free (open weights)"]
    assert cells["Context"][0].startswith("1M ★") and cells["Max output"][0] == "64K"  # one figure is not "best"
    assert cells["Knowledge cutoff"][0] == "January 2025"
    assert cells["SWE-Bench Pro (Public set)"][0] == "21.6%"
    assert cells["ARC-Challenge"][2].startswith("82.34% base model")
    assert errors == []
