"""The site checks, once, on a 1,000-model synthetic catalog (bench/make_catalog.py).

The same checks as on the fixture site, at a size where listings, leaderboards and
the compare picker meet real volume: every link resolves, the exports match the
content, the feed and sitemap parse, every kind of page passes axe-core with no
console error, and the listing filters, sorts and pages through its rows.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml
from bs4 import BeautifulSoup
from playwright.sync_api import expect

from browser import axe_violations, browser_type_launch_args, serve, watch_console  # noqa: F401 - fixture
from conftest import ROOT, run_cli
from linkcheck import broken_links, sitemap_pages

MODELS = 1000
BASE_URL = "https://models.example.org/"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Return (content folder, built site) for the synthetic catalog."""
    folder = tmp_path_factory.mktemp("synthetic")
    site, out = folder / "site", folder / "out"
    subprocess.run([sys.executable, str(ROOT / "bench/make_catalog.py"), str(MODELS), str(site)], check=True)
    result = run_cli("build", site, "--out", out)
    assert result.returncode == 0, result.output
    return site, out


@pytest.fixture(scope="module")
def synthetic_url(synthetic):
    with serve(synthetic[1]) as url:
        yield url


def test_synthetic_site_links_resolve(synthetic):
    assert broken_links(synthetic[1], BASE_URL) == []


def test_synthetic_exports_match_the_content(synthetic):
    site, out = synthetic
    entries = {p.stem: yaml.load(p.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
               for p in (site / "content/models").glob("*.yaml")}
    assert len(entries) == MODELS
    data = json.loads((out / "api/models.json").read_text())
    records = {m["slug"]: m for m in data["models"]}
    assert set(records) == set(entries)
    for slug, entry in entries.items():
        record = records[slug]
        assert (record["name"], record["developer"]) == (entry["name"], entry["developer"])
        assert {b: s[0]["value"] for b, s in record["benchmarks"].items()} == {
            b: float(s["value"]) for b, s in entry.get("benchmarks", {}).items()}
        assert record["benchmarks"].keys() == entry.get("benchmarks", {}).keys()
        for benchmark_id, score in entry.get("benchmarks", {}).items():
            assert record["benchmarks"][benchmark_id][0]["self_reported"] == score.get("self_reported", False)
            assert record["benchmarks"][benchmark_id][0]["setting"] == score.get("setting")
    rows = list(csv.DictReader(io.StringIO((out / "api/models.csv").read_text())))
    assert [r["slug"] for r in rows] == [m["slug"] for m in data["models"]]
    for row in rows:
        for benchmark_id, [score] in records[row["slug"]]["benchmarks"].items():
            assert float(row[benchmark_id]) == score["value"]
            assert ("self_reported" in row[f"{benchmark_id}_marks"]) == score["self_reported"]
    index = json.loads((out / "api/index.json").read_text())
    assert [m["slug"] for m in index["models"]] == [m["slug"] for m in data["models"]]


def test_synthetic_feed_and_sitemap_are_well_formed(synthetic):
    out = synthetic[1]
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 50
    locs = sitemap_pages(out)
    assert len(locs) == len(set(locs)) == len(list(out.rglob("index.html")))


def test_synthetic_listing_pages_hold_every_current_model_newest_first(synthetic):
    out = synthetic[1]
    total = json.loads((out / "api/index.json").read_text())["models"]
    current = [m["name"] for m in total if m["status"] == "active"]  # the export lists models newest first
    shown, number = [], 1
    while True:
        path = out / ("index.html" if number == 1 else f"page/{number}/index.html")
        if not path.exists():
            break
        doc = BeautifulSoup(path.read_text(), "html.parser")
        rows = [th.a.get_text() for th in doc.select("#catalog tbody th")]
        assert 0 < len(rows) <= 100
        shown += rows
        number += 1
    assert shown == current


def test_synthetic_search_takes_a_paged_leaderboard_by_its_first_page_and_no_listing(synthetic):
    out = synthetic[1]
    opted_in = {p.relative_to(out).as_posix() for p in out.rglob("*.html") if b"data-pagefind-body" in p.read_bytes()}
    assert "benchmarks/mmlu/index.html" in opted_in and (out / "benchmarks/mmlu/page/2/index.html").exists()
    assert not [page for page in opted_in if "/page/" in page or page.startswith(("developers/", "models/index"))]
    assert "index.html" not in opted_in
    models = sum(1 for page in opted_in if page.startswith("models/"))
    assert models == len(list((synthetic[0] / "content/models").glob("*.yaml")))


def test_synthetic_listing_without_javascript_pages_through_the_catalog(browser, synthetic_url, synthetic):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(synthetic_url)
    expect(page.locator("#catalog tbody tr")).to_have_count(100)
    first = page.locator("#catalog tbody th a").first.inner_text()
    page.get_by_role("link", name="Next").first.click()
    expect(page).to_have_url(synthetic_url + "page/2/")
    expect(page.locator("#catalog tbody tr")).to_have_count(100)
    assert page.locator("#catalog tbody th a").first.inner_text() != first
    assert page.locator("#catalog tbody tr").last.is_visible()
    context.close()


def test_synthetic_compare_picker_finds_and_compares_models(page, synthetic, synthetic_url):
    models = json.loads((synthetic[1] / "api/index.json").read_text())["models"]
    first, second = models[0], models[500]
    errors = watch_console(page)
    page.goto(synthetic_url + "compare/")
    expect(page.locator("#picker-more")).to_contain_text(f"of {len(models):,} matching models")
    for model in (first, second):
        page.fill("#picker-q", model["name"])
        page.check(f"#pick-{model['slug']}")
    expect(page.locator("#picker-table thead th a")).to_have_text([first["name"], second["name"]])
    page.reload()
    expect(page.locator("#picker-table thead th a")).to_have_text([first["name"], second["name"]])
    assert errors == []


def test_synthetic_page_kinds_pass_axe_with_no_console_error(browser, synthetic, synthetic_url):
    out = synthetic[1]
    models = json.loads((out / "api/index.json").read_text())["models"]
    deprecated = next(m["slug"] for m in models if m["status"] == "deprecated")
    comparison = sorted(p.name for p in (out / "compare").iterdir() if p.is_dir())[0]
    kinds = ["", "?dev=google&b=mmlu,latency&sort=-b.mmlu", f"models/{models[0]['slug']}/", f"models/{deprecated}/",
             "compare/", f"compare/?models={models[0]['slug']},{models[1]['slug']},{models[2]['slug']}",
             f"compare/{comparison}/", "benchmarks/", "benchmarks/mmlu/", "developers/", "developers/google/",
             "domains/medical/", "modalities/image/", "404.html"]
    # Every kind in the light theme; the dark theme's colours are the fixture suite's, so here it
    # covers the pages that grow with the catalog, to keep this test near a minute.
    found = {}
    for scheme, urls in (("light", kinds), ("dark", kinds[1:3] + ["benchmarks/mmlu/"])):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        errors = watch_console(page)
        for url in urls:
            page.goto(synthetic_url + url)
            if "models=" in url:
                expect(page.locator("#picker-table table")).to_be_visible()
            if violations := axe_violations(page):
                found[f"{scheme} /{url}"] = violations
        context.close()
        assert [e for e in errors if "404.html" not in e] == []
    assert not found, "\n".join(f"{url}: {line}" for url, lines in found.items() for line in lines)
