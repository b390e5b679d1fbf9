"""The published site in a real browser: Debian's Chromium through Playwright.

Sorting, filtering, search and the compare picker work and survive a reload through
the URL; every kind of page passes axe-core (WCAG 2 A/AA and best practices) in the
light and the dark theme, throws no console error and fits a 320 px screen; a site
published under a base path works, scripts' fetches included.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browser import axe_violations, browser_type_launch_args, cells_off_screen, serve, settle, watch_console  # noqa: F401 - fixture
from conftest import FIXTURE_SITE, run_cli

# Every kind of page, with the state its script can be in.
PAGE_KINDS = [
    "", "?q=alpha&b=medqa,latency&sort=-b.medqa", "models/alpha-4b/", "models/alpha-4b-chat/", "models/old-1b/",
    "compare/", "compare/?models=alpha-4b,alpha-4b-chat,beta-7b", "compare/small-models/", "benchmarks/",
    "benchmarks/medqa/", "developers/", "developers/acme-labs/", "domains/medical/", "modalities/image/", "models/",
    "about/", "404.html",
]


@pytest.fixture(scope="session")
def site_url(built_site):
    with serve(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def base_path_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("base-browser") / "out"
    result = run_cli("build", FIXTURE_SITE, "--out", out, "--base-url", "https://example.org/catalog/")
    assert result.returncode == 0, result.output
    with serve(out, "/catalog/") as url:
        yield url


def names(page) -> list[str]:
    return page.locator("#catalog tbody th a").all_text_contents()


def expect_query(page, expected: str) -> None:
    """Wait until the address holds exactly this query (the script writes it once typing pauses)."""
    expect(page).to_have_url(re.compile(r"^[^?]*" + (re.escape("?" + expected) if expected else "") + "$"))


# --- The catalog listing ---------------------------------------------------------------


def test_search_and_filters_narrow_the_listing_and_live_in_the_url(page, site_url):
    errors = watch_console(page)
    page.goto(site_url)
    expect(page.locator("#filters")).to_be_visible()
    assert names(page) == ["Alpha 4B Chat", "Alpha 4B", "Beta 7B"]
    expect(page.locator("#catalog-count")).to_have_text("All 3 models.")

    page.fill("#f-q", "alpha")
    expect(page.locator("#catalog tbody tr")).to_have_count(2)
    expect_query(page, "q=alpha")
    page.fill("#f-q", "4b chat")
    expect(page.locator("#catalog tbody tr")).to_have_count(1)
    page.fill("#f-q", "")

    checks = [("#f-dev", "beta-org", ["Beta 7B"]), ("#f-domain", "medical", ["Alpha 4B"]),
              ("#f-mod", "image", ["Alpha 4B"])]
    for selector, value, expected in checks:
        page.select_option(selector, value)
        expect(page.locator("#catalog tbody th a")).to_have_text(expected)
        page.select_option(selector, "")
    page.check("#f-open")
    expect(page.locator("#catalog tbody th a")).to_have_text(["Alpha 4B"])
    page.uncheck("#f-open")
    page.select_option("#f-min", "3")
    page.select_option("#f-max", "8")
    expect(page.locator("#catalog tbody th a")).to_have_text(["Alpha 4B", "Beta 7B"])
    expect_query(page, "min=3&max=8")
    page.fill("#f-q", "zzz")
    expect(page.locator("#catalog-count")).to_have_text("No model matches these filters (of 3).")

    page.fill("#f-q", "beta")
    expect_query(page, "q=beta&min=3&max=8")
    page.reload()
    expect(page.locator("#catalog tbody th a")).to_have_text(["Beta 7B"])
    assert page.input_value("#f-q") == "beta"
    assert (page.input_value("#f-min"), page.input_value("#f-max")) == ("3", "8")
    page.click("#filters button[type=reset]")
    expect(page.locator("#catalog tbody tr")).to_have_count(3)
    expect_query(page, "")
    assert errors == []


def test_sorting_and_benchmark_columns_survive_a_reload(page, site_url):
    errors = watch_console(page)
    page.goto(site_url)
    rows = page.locator("#catalog tbody th a")
    params = page.locator("#catalog th[data-sort=params]")
    params.get_by_role("button").click()
    expect(params).to_have_attribute("aria-sort", "descending")
    expect(rows).to_have_text(["Alpha 4B Chat", "Beta 7B", "Alpha 4B"])
    params.get_by_role("button").click()
    expect(params).to_have_attribute("aria-sort", "ascending")
    expect(rows).to_have_text(["Alpha 4B", "Beta 7B", "Alpha 4B Chat"])
    page.locator("#catalog th[data-sort=price] button").click()
    # Free open weights first, then by input price; a model without a price comes last either way.
    expect(rows).to_have_text(["Alpha 4B", "Alpha 4B Chat", "Beta 7B"])

    page.select_option("#f-add", "medqa")
    header = page.locator("#catalog th[data-bench=medqa]")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(rows).to_have_text(["Alpha 4B Chat", "Alpha 4B", "Beta 7B"])
    cells = page.locator("#catalog tbody td:nth-child(6)")
    expect(cells).to_have_text(["~70%setting not stated", "64.4%5-shot", "45% est.setting not stated"])
    expect(header.locator(".note-mark a")).to_have_attribute("href", "#note-b-medqa")
    expect(page.locator("#note-b-medqa")).to_contain_text("different settings (5-shot; not stated)")
    expect(cells.first.locator("a")).to_have_attribute("href", "/models/alpha-4b-chat/#score-medqa")

    page.select_option("#f-add", "latency")  # lower is better: fastest first
    expect(page.locator("#catalog th[data-bench=latency]")).to_have_attribute("aria-sort", "ascending")
    expect(rows).to_have_text(["Alpha 4B Chat", "Alpha 4B", "Beta 7B"])
    expect_query(page, "b=medqa,latency&sort=b.latency")

    page.reload()
    expect(page.locator("#catalog th[data-bench]")).to_have_count(2)
    expect(page.locator("#catalog th[data-bench=latency]")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("#catalog tbody tr").first.locator("td")).to_have_count(6)
    page.get_by_role("button", name="Remove the MedQA column").click()
    expect(page.locator("#catalog th[data-bench]")).to_have_count(1)
    expect_query(page, "b=latency&sort=b.latency")
    expect(page.locator("#note-b-medqa")).to_have_count(0)
    assert errors == []


def test_a_shared_link_opens_the_same_view(page, site_url):
    page.goto(site_url + "?dev=acme-labs&sort=name&b=arena&unknown=1&mod=nonsense")
    expect(page.locator("#catalog tbody th a")).to_have_text(["Alpha 4B", "Alpha 4B Chat"])
    assert page.input_value("#f-dev") == "acme-labs"
    assert page.input_value("#f-mod") == ""  # a stale value is dropped, not matched against nothing
    expect(page.locator("#catalog tbody td:nth-child(6)")).to_have_text(["—", "1200\u00a0Elo self-reported"])


def test_taxonomy_listings_sort_too(page, site_url):
    page.goto(site_url + "developers/acme-labs/?sort=-params")
    expect(page.locator("#catalog th[data-sort=params]")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#catalog tbody th a")).to_have_text(["Alpha 4B Chat", "Alpha 4B"])
    page.locator("#catalog th[data-sort=name] button").click()
    expect(page.locator("#catalog tbody th a")).to_have_text(["Alpha 4B", "Alpha 4B Chat"])
    expect_query(page, "sort=name")


def test_without_javascript_every_model_shows_and_no_dead_control(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url)
    expect(page.locator("#catalog tbody tr")).to_have_count(3)
    expect(page.locator("#filters")).to_be_hidden()
    page.get_by_role("link", name="all models, A to Z").click()
    expect(page.locator("#all-models tbody tr")).to_have_count(4)  # retired ones too
    page.goto(site_url + "compare/?models=alpha-4b,beta-7b")
    expect(page.locator("#picker")).to_be_hidden()
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator(".notice")).to_contain_text("Comparing models of your choice needs JavaScript")
    expect(page.locator(".card-list a")).to_have_text(["Small models"])
    context.close()


def test_the_catalog_page_opens_without_moving_and_without_loading_the_whole_listing(browser, site_url):
    """Controls are in the page from the first paint; the listing's data waits for a visitor's first request."""
    shifts = {}
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.add_init_script("window.__shift = 0; new PerformanceObserver(list => { for (const e of list.getEntries()) "
                             "window.__shift += e.value; }).observe({type: 'layout-shift', buffered: true});")
        fetched = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(site_url)
        page.wait_for_load_state("networkidle")
        shifts[width] = page.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(() => done(window.__shift), 100)))")
        assert not [url for url in fetched if "listing.json" in url]
        page.fill("#f-q", "beta")
        expect(page.locator("#catalog tbody th a")).to_have_text(["Beta 7B"])
        assert [url for url in fetched if url.endswith("/api/listing.json")]
        context.close()
    assert shifts == {360: 0, 1280: 0}


def test_rows_made_from_the_data_file_read_as_the_published_rows(page, site_url):
    page.goto(site_url)
    rows = "Array.from(document.querySelectorAll('#catalog tbody tr'), tr => tr.outerHTML)"
    published = page.evaluate(rows)
    page.fill("#f-q", "beta")
    expect(page.locator("#catalog tbody tr")).to_have_count(1)
    page.fill("#f-q", "")
    expect(page.locator("#catalog-count")).to_have_text("All 3 models.")
    assert page.evaluate(rows) == published


def test_on_a_phone_the_filters_fold_behind_a_button_that_counts_those_set(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site_url + "?dev=beta-org")
    toggle = page.get_by_role("button", name="Filters")
    expect(page.locator("#f-q")).to_be_visible()
    expect(page.locator("#f-dev")).to_be_hidden()
    expect(toggle).to_have_text("Filters 1")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.select_option("#f-domain", "medical")
    expect(toggle).to_have_text("Filters 2")
    expect(page.locator("#catalog-count")).to_have_text("No model matches these filters (of 3).")
    page.click("#filters button[type=reset]")
    expect(toggle).to_have_text("Filters")
    context.close()


# --- The compare picker ----------------------------------------------------------------


def test_compare_picker_shows_any_models_side_by_side_and_keeps_them_in_the_url(page, site_url):
    errors = watch_console(page)
    page.goto(site_url + "compare/")
    expect(page.locator("#picker")).to_be_visible()
    page.check("#pick-alpha-4b")
    expect(page.locator("#picker-status")).to_have_text("1 model selected; tick another to compare.")
    page.fill("#picker-q", "beta 7")
    expect(page.locator("#picker-list label")).to_have_count(2)  # the ticked model stays in view
    page.check("#pick-beta-7b")
    expect(page.locator("#picker-table thead th a")).to_have_text(["Alpha 4B", "Beta 7B"])
    expect_query(page, "models=alpha-4b,beta-7b")

    page.reload()
    expect(page.locator("#picker-table thead th a")).to_have_text(["Alpha 4B", "Beta 7B"])
    expect(page.locator("#pick-alpha-4b")).to_be_checked()
    page.get_by_role("button", name="Remove Alpha 4B").click()
    expect(page.locator("#picker-table thead th a")).to_have_text(["Beta 7B"])
    expect(page.locator("#pick-alpha-4b")).not_to_be_checked()
    expect_query(page, "models=beta-7b")
    assert errors == []


def test_picked_comparison_reads_as_the_curated_one(page, site_url):
    """The script formats figures as the generator does: the same models give the same cells."""
    page.goto(site_url + "compare/small-models/")
    curated = {}
    for row in page.locator("table.comparison tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        curated[row.locator("th").inner_text()] = {"MedQA": cells[0], "Parameters": cells[3], "Context": cells[4],
                                                   "Price (in / out per 1M tokens)": cells[5]}
    page.goto(site_url + "compare/?models=alpha-4b,alpha-4b-chat,beta-7b")
    expect(page.locator("#picker-table table")).to_be_visible()
    models = page.locator("#picker-table thead th a").all_inner_texts()
    picked = {name: {} for name in models}
    for row in page.locator("#picker-table tbody tr:not(.group)").all():
        label = row.locator("th").evaluate("th => th.firstChild.textContent")
        for name, text in zip(models, row.locator("td").all_inner_texts()):
            picked[name][label] = text
    for name, cells in curated.items():
        for label, text in cells.items():
            assert picked[name][label] == text, (name, label)
    expect(page.locator("#picker-table .notes")).to_contain_text("MedQA: figures measured under different settings")


# --- Site search --------------------------------------------------------------------------


def search_for(page, query: str):
    """Type a query into the header's search box; return the result links once they show."""
    page.fill("#site-q", query)
    expect(page.locator("#search-status")).to_contain_text(f"“{query}”")
    return page.locator("#search-list a")


def test_search_finds_a_word_only_one_models_description_holds_on_any_page_of_a_visit(page, site_url):
    """From a first page, from a page reached by a link, and from a page restored by going back."""
    errors = watch_console(page)
    page.goto(site_url + "benchmarks/")
    hits = search_for(page, "heading")
    expect(hits).to_have_count(1)
    expect(hits.first.locator(".search-kind")).to_have_text("Model")
    expect(hits.first.locator(".search-title")).to_have_text("Alpha 4B")
    expect(hits.first.locator("mark")).to_have_text(["heading"])
    hits.first.click()
    expect(page).to_have_url(site_url + "models/alpha-4b/")

    page.get_by_role("link", name="Compare", exact=True).click()  # a page reached by a link, engine already cached
    expect(page.locator("#search-results")).to_be_hidden()
    expect(search_for(page, "heading").first).to_have_attribute("href", "/models/alpha-4b/")
    page.go_back()
    expect(page).to_have_url(site_url + "models/alpha-4b/")
    expect(search_for(page, "strong size")).to_have_count(1)  # words of a benchmark note
    assert errors == []


def test_search_is_used_by_keyboard_and_says_when_nothing_matches(page, site_url):
    page.goto(site_url)
    expect(search_for(page, "zzzqqq")).to_have_count(0)
    expect(page.locator("#search-status")).to_have_text("No page matches “zzzqqq”.")
    hits = search_for(page, "alpha")
    expect(page.locator("#search-results")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(hits.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(hits.nth(1)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#search-results")).to_be_hidden()
    expect(page.locator("#site-q")).to_be_focused()
    first = search_for(page, "heading").first.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site_url + first.lstrip("/"))


# --- Every page: accessibility, console, small screens, print ------------------------------


@pytest.mark.parametrize("width, scheme", [(1280, "light"), (360, "light"), (360, "dark"), (320, "light")])
def test_every_page_kind_passes_axe_shows_every_table_cell_on_screen_and_logs_no_error(browser, site_url, width, scheme):
    """Every page passes axe-core (WCAG 2 A/AA and best practices) on a desktop and on a
    phone, in both themes (contrast and target sizes change with the layout), and its
    tables fit the screen: below their natural width their rows become cards. At 320 px
    only the fit is checked."""
    context = browser.new_context(viewport={"width": width, "height": 740}, color_scheme=scheme)
    page = context.new_page()
    errors = watch_console(page)
    problems = {}
    for url in PAGE_KINDS:
        page.goto(site_url + url)
        settle(page)
        found = cells_off_screen(page)
        if (page_width := page.evaluate("document.documentElement.scrollWidth")) > width:
            found.append(f"the page is {page_width} px wide")
        if width != 320:
            found += axe_violations(page)
        if found:
            problems[url] = found
    context.close()
    assert problems == {}
    # The 404 page is fetched on purpose; everything else must load cleanly.
    assert [e for e in errors if "404.html" not in e] == []


def test_tables_as_cards_keep_their_rows_columns_and_headers_for_screen_readers(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site_url + "models/alpha-4b/")
    assert page.eval_on_selector("table.benchmarks tbody tr", "tr => getComputedStyle(tr).display") == "flex"
    tree = context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    roles = [n["role"]["value"] for n in tree if not n.get("ignored")]
    context.close()
    rows = 1 + 2  # the header row and one row per benchmark
    assert roles.count("table") == 1 and roles.count("row") == rows
    assert roles.count("columnheader") == 6 and roles.count("rowheader") == 2 and roles.count("cell") == 10


def test_source_links_are_targets_of_at_least_24_pixels(browser, site_url):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    heights = []
    for url in ("models/alpha-4b/", "benchmarks/medqa/"):
        page.goto(site_url + url)
        heights += [(url, link.inner_text(), link.bounding_box()["height"]) for link in page.locator(".sources a, a.source-link").all()]
    context.close()
    assert len(heights) >= 4
    assert [link for link in heights if link[2] < 24] == []


def test_model_page_prints_without_navigation(page, site_url):
    page.goto(site_url + "models/alpha-4b/")
    page.emulate_media(media="print")
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".model-meta .button").first).to_be_hidden()
    expect(page.locator("table.benchmarks")).to_be_visible()


# --- Under a base path ----------------------------------------------------------------------


def test_site_under_a_base_path_works_scripts_included(page, base_path_url):
    errors = watch_console(page)
    page.goto(base_path_url + "?q=beta")
    expect(page.locator("#catalog tbody th a")).to_have_text(["Beta 7B"])
    page.locator("#catalog tbody th a").click()
    expect(page).to_have_url(base_path_url + "models/beta-7b/")
    page.get_by_role("link", name="Compare with other models").click()
    expect(page.locator("#pick-beta-7b")).to_be_checked()
    page.check("#pick-alpha-4b")
    expect(page.locator("#picker-table thead th a")).to_have_text(["Beta 7B", "Alpha 4B"])
    page.locator("#picker-table thead th a").first.click()
    expect(page).to_have_url(base_path_url + "models/beta-7b/")
    search_for(page, "heading").first.click()
    expect(page).to_have_url(base_path_url + "models/alpha-4b/")
    assert errors == []
