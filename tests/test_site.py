"""The published site as files: links, exports, feeds, meta tags, provenance marks and charts.

The fixture site is built by the real CLI; pages are parsed with BeautifulSoup and
links checked by tests/linkcheck.py. Browser behaviour is in test_site_browser.py.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import FIXTURE_SITE, ROOT, run_cli
from generator import exports
from generator.build import Settings, check
from generator.urls import Urls
from linkcheck import broken_links, sitemap_pages

ATOM = "{http://www.w3.org/2005/Atom}"


def page(out, url: str) -> BeautifulSoup:
    path = out / url.strip("/") if url.endswith((".html", ".xml")) else out / url.strip("/") / "index.html"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.fixture(scope="module")
def base_path_site(tmp_path_factory):
    """The fixture site published under a path, by `--base-url`."""
    out = tmp_path_factory.mktemp("base") / "out"
    result = run_cli("build", FIXTURE_SITE, "--out", out, "--base-url", "https://example.org/catalog/")
    assert result.returncode == 0, result.output
    return out


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled") / "out"
    assert run_cli("build", ROOT, "--out", out).returncode == 0
    return out


# --- Links ---------------------------------------------------------------------------


def test_every_internal_link_and_asset_resolves(built_site):
    assert broken_links(built_site, "https://fixture.example.org/") == []


def test_every_link_resolves_under_a_base_path(base_path_site):
    assert broken_links(base_path_site, "https://example.org/catalog/") == []
    home = (base_path_site / "index.html").read_text()
    assert re.search(r'src="/catalog/js/catalog\.[0-9a-f]{10}\.js"', home)
    assert 'data-api="/catalog/api/"' in (base_path_site / "compare/index.html").read_text()


def test_bundled_catalog_links_resolve(bundled_site):
    assert broken_links(bundled_site, "https://modelcat.example.org/") == []


def test_link_checker_reports_a_missing_page_a_missing_fragment_and_an_escape(built_site, tmp_path):
    out = tmp_path / "copy"
    out.mkdir()
    (out / "index.html").write_text('<a href="/gone/">x</a><a href="/#nowhere">y</a><a href="/../up">z</a>'
                                    '<a href="https://elsewhere.org/">ok</a><p id="here"><a href="#here">ok</a></p>')
    (out / "sitemaps").mkdir()
    for name in ("sitemap.xml", "sitemaps/1.xml", "feed.xml", "robots.txt"):
        (out / name).write_bytes((built_site / name).read_bytes().replace(b"https://fixture.example.org/", b"https://x.org/"))
    found = broken_links(out, "https://x.org/sub/")
    assert any("/gone/" in line for line in found)
    assert any("nowhere" in line for line in found)
    assert sum("leaves the base path" in line for line in found) >= 2  # "/../up" and every root link outside /sub/


# --- Exports -------------------------------------------------------------------------


def content_models(site) -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in (site / "content/models").glob("*.yaml")}


def test_json_export_carries_every_entry_resolved(built_site):
    data = json.loads((built_site / "api/models.json").read_text())
    assert data["schema_version"] == 2
    by_slug = {m["slug"]: m for m in data["models"]}
    entries = content_models(FIXTURE_SITE)
    assert set(by_slug) == set(entries)
    for slug, entry in entries.items():
        record = by_slug[slug]
        assert record["name"] == entry["name"] and record["developer"] == entry["developer"]
        assert set(record["benchmarks"]) == set(entry.get("benchmarks", {}))
        assert json.loads((built_site / f"api/models/{slug}.json").read_text())["model"] == record
    chat = by_slug["alpha-4b-chat"]
    assert chat["variant_of"] == {"slug": "alpha-4b", "name": "Alpha 4B", "url": "https://fixture.example.org/models/alpha-4b/"}
    assert chat["developer_url"] == "https://fixture.example.org/developers/acme-labs/"
    assert by_slug["alpha-4b"]["base_model"] == {"slug": None, "name": "Outside Base 4B", "url": "https://example.com/outside"}


def test_exports_keep_every_figures_provenance(built_site):
    models = {m["slug"]: m for m in json.loads((built_site / "api/models.json").read_text())["models"]}
    assert models["alpha-4b-chat"]["benchmarks"]["medqa"][0]["approx"] is True
    assert models["alpha-4b-chat"]["benchmarks"]["arena"][0]["self_reported"] is True
    assert models["alpha-4b-chat"]["benchmarks"]["arena"][0]["evaluated_by"] == "developer"  # the same claim, spelt out
    assert models["beta-7b"]["benchmarks"]["medqa"][0]["estimated"] is True
    assert models["alpha-4b"]["benchmarks"]["medqa"][0]["setting"] == "5-shot"
    assert models["alpha-4b"]["benchmarks"]["medqa"][0]["source"] == {"url": "https://example.com/report", "title": None}
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO((built_site / "api/models.csv").read_text()))}
    assert set(rows) == set(models)
    assert (rows["alpha-4b-chat"]["medqa"], rows["alpha-4b-chat"]["medqa_marks"]) == ("70", "approx")
    assert rows["alpha-4b-chat"]["arena_marks"] == "self_reported"
    assert rows["beta-7b"]["medqa_marks"] == "estimated"
    assert (rows["alpha-4b"]["medqa_setting"], rows["alpha-4b"]["medqa_source"]) == ("5-shot", "https://example.com/report")
    assert rows["beta-7b"]["arena"] == rows["beta-7b"]["arena_marks"] == ""


def test_index_export_lists_every_model_and_benchmark(built_site):
    data = json.loads((built_site / "api/index.json").read_text())
    assert data["schema_version"] == 2
    assert [m["slug"] for m in data["models"]] == ["alpha-4b-chat", "alpha-4b", "beta-7b", "old-1b"]
    assert data["models"][0]["json"] == "https://fixture.example.org/api/models/alpha-4b-chat.json"
    assert data["benchmarks"]["latency"]["higher_is_better"] is False


# --- Feed, sitemap, robots, 404 ------------------------------------------------------


def test_feed_is_atom_with_the_newest_releases_and_reviews_first(built_site):
    feed = ET.parse(built_site / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Alpha 4B Chat", "Alpha 4B", "Beta 7B", "Old 1B"]
    for entry in entries:
        assert entry.find(f"{ATOM}id").text.startswith("https://fixture.example.org/models/")
        assert entry.find(f"{ATOM}updated").text.endswith("T00:00:00Z")
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "https://fixture.example.org/feed.xml"


def test_sitemap_lists_every_page_once_and_robots_points_at_it(built_site):
    locs = sitemap_pages(built_site)
    assert len(locs) == len(set(locs))
    pages = {p.relative_to(built_site).as_posix() for p in built_site.rglob("index.html")}
    assert {"https://fixture.example.org/" + p.removesuffix("index.html") for p in pages} == set(locs)
    assert "Sitemap: https://fixture.example.org/sitemap.xml" in (built_site / "robots.txt").read_text()


def test_not_found_page_links_home_under_the_base_path(base_path_site):
    doc = page(base_path_site, "404.html")
    assert re.fullmatch(r"/catalog/css/site\.[0-9a-f]{10}\.css", doc.find("link", rel="stylesheet")["href"])
    assert not doc.find("link", rel="canonical")
    assert doc.select_one("main a")["href"] == "/catalog/"


def test_stylesheets_and_scripts_are_linked_by_a_name_that_carries_their_hash(built_site):
    """A host can cache them for a year: an edit gives a new name. The plain copy stays for other links."""
    linked = set()
    for name in ("index.html", "compare/index.html", "models/alpha-4b/index.html"):
        doc = page(built_site, name)
        linked |= {tag["href"] for tag in doc.find_all("link", rel="stylesheet")} | \
                  {tag["src"] for tag in doc.find_all("script", src=True)}
    assert len(linked) == 4  # the stylesheet, and the catalog's, comparison's and search's scripts
    for url in linked:
        match = re.fullmatch(r"/((?:css|js)/\w+)\.([0-9a-f]{10})\.(css|js)", url)
        assert match, url
        plain = f"{match[1]}.{match[3]}"
        data = (built_site / url.lstrip("/")).read_bytes()
        assert data == (ROOT / "static" / plain).read_bytes() == (built_site / plain).read_bytes()
        assert hashlib.blake2b(data, digest_size=16).hexdigest().startswith(match[2])


# --- Meta tags -----------------------------------------------------------------------


def test_pages_carry_canonical_open_graph_twitter_and_json_ld(built_site):
    doc = page(built_site, "models/alpha-4b/")
    canonical = "https://fixture.example.org/models/alpha-4b/"
    assert doc.find("link", rel="canonical")["href"] == canonical
    meta = {m.get("property") or m.get("name"): m["content"] for m in doc.find_all("meta") if m.get("content")}
    assert meta["og:url"] == canonical and meta["og:type"] == "article" and meta["og:title"] == "Alpha 4B"
    assert meta["og:description"] == meta["description"] == meta["twitter:description"] == "A small test model."
    assert meta["twitter:card"] == "summary"
    data = json.loads(doc.find("script", type="application/ld+json").string)
    assert (data["@type"], data["url"], data["author"]["name"], data["dateModified"]) == (
        "SoftwareApplication", canonical, "Acme Labs", "2025-08-01")


# --- Provenance on the pages ---------------------------------------------------------


def test_model_page_marks_hedged_figures_and_links_every_source(built_site):
    doc = page(built_site, "models/alpha-4b-chat/")
    rows = {text_of(tr.th): tr for tr in doc.select("table.benchmarks tbody tr")}
    assert text_of(rows["MedQA"].select_one(".score")) == "~70%"
    assert rows["MedQA"].select_one(".score")["title"] == "Approximate figure"
    assert text_of(rows["LMArena Elo"].select_one(".mark")) == "self-reported"
    assert rows["LMArena Elo"].find("a", href="https://example.com/chat")
    assert rows["MedQA"]["id"] == "score-medqa"
    assert "Last reviewed" not in text_of(doc.select_one(".model-header")) or doc.select_one(".reviewed time")


def test_leaderboard_notes_mixed_settings_beside_the_scores(built_site):
    doc = page(built_site, "benchmarks/medqa/")
    assert "Mixed settings" in text_of(doc.select_one(".settings-warning"))
    header = doc.select("table.leaderboard thead th")
    score_header = next(th for th in header if text_of(th).startswith("Score"))
    assert score_header.select_one(".note-mark a")["href"] == "#note-1"
    assert "5-shot; not stated" in text_of(doc.select_one("#note-1"))
    rows = [[text_of(c) for c in tr.find_all(["th", "td"])] for tr in doc.select("table.leaderboard tbody tr")]
    assert [r[3] for r in rows] == ["not stated", "5-shot", "not stated"]
    # Each score is one click from its source.
    assert [a["href"] for a in doc.select("table.leaderboard a.score")] == [
        "https://example.com/chat", "https://example.com/report", "https://example.com/beta"]


def test_leaderboard_with_alike_settings_has_no_note(built_site):
    doc = page(built_site, "benchmarks/latency/")
    assert not doc.select(".note-mark, .settings-warning, .notes")


def test_comparison_footnote_names_the_settings_it_mixes(built_site):
    doc = page(built_site, "compare/small-models/")
    assert text_of(doc.select_one("#note-1")).startswith("†1 MedQA: figures measured under different settings "
                                                         "(5-shot; not stated); compare with care.")
    links = {text_of(a): a["href"] for a in doc.select("table.comparison td a.score")}
    assert links["~70%"] == "https://example.com/chat"


def test_listing_data_file_carries_every_listed_model_compactly():
    catalog = check(Settings(FIXTURE_SITE)).catalog
    data = json.loads(exports.listing_json(catalog, Urls("https://example.org/catalog/")))
    assert data["version"] == 1 and data["fields"] == list(exports.LISTING_FIELDS)
    assert data["model_url"] == "/catalog/models/"
    models = {row[0]: dict(zip(data["fields"], row)) for row in data["models"]}
    assert list(models) == list(catalog.models)  # newest first
    assert (models["old-1b"]["listed"], models["old-1b"]["badges"]) == (0, [["retired", "Retired 1 January 2024", None]])
    alpha = models["alpha-4b"]
    assert (alpha["listed"], alpha["badges"]) == (1, [])
    assert data["developers"][alpha["developer"]] == ["acme-labs", "Acme Labs"]
    assert [data["domains"][n] for n in alpha["domains"]] == [["medical", "medical"]]
    assert [data["modalities"][n][0] for n in alpha["modalities"]] == ["text", "image"]
    assert (alpha["open"], alpha["released"], alpha["params"], alpha["params_text"]) == (1, "2025-07-09", 4.3, "4.3B")
    assert (alpha["context"], alpha["context_text"], alpha["price"], alpha["price_text"]) == (
        128000, "128K", 0, "Free (open weights)")
    assert data["settings"] == ["5-shot"]
    assert alpha["scores"] == "medqa:64.4::0 latency:120"
    assert models["alpha-4b-chat"]["scores"] == "medqa:70:a arena:1200:s latency:90"
    chat = models["alpha-4b-chat"]
    assert (chat["price"], chat["price_text"]) == (0.15, "$0.15 / $0.60")
    beta = models["beta-7b"]
    assert (beta["open"], beta["params"], beta["price"], beta["price_text"]) == (0, 7, None, "—")


def test_listing_controls_are_in_the_page_and_hidden_without_scripts(built_site):
    doc = page(built_site, "/")
    assert "needs-js" in doc.select_one("form#filters")["class"]
    assert not doc.select_one("form#filters").has_attr("hidden")
    assert ".needs-js { display: none !important; }" in doc.head.noscript.style.string
    assert doc.select_one("table#catalog")["data-src"] == "/api/listing.json"
    assert page(built_site, "developers/acme-labs/").select_one("table#catalog")["data-scope"] == "developers:acme-labs"


# --- Charts --------------------------------------------------------------------------


def test_leaderboard_chart_is_an_accessible_svg_with_a_bar_per_model(built_site):
    doc = page(built_site, "benchmarks/medqa/")
    svg = doc.select_one("figure svg.chart")
    assert svg["role"] == "img"
    title, desc = svg.find("title"), svg.find("desc")
    assert svg["aria-labelledby"] == f"{title['id']} {desc['id']}"
    assert text_of(title) == "MedQA: 3 models"
    assert "1. Alpha 4B Chat (setting not stated) : ~70%" in text_of(desc).replace(":", " :")
    labels = [text_of(t) for t in svg.select("text.chart-label")]
    assert labels == ["1. Alpha 4B Chat (setting not stated)", "2. Alpha 4B (5-shot)", "3. Beta 7B (setting not stated)"]
    assert [r["width"] for r in svg.select("rect.chart-bar")] == ["70.0%", "64.4%", "45.0%"]
    assert [("hedged" in r["class"]) for r in svg.select("rect.chart-bar")] == [True, False, True]


def test_comparison_charts_its_numeric_columns(built_site):
    doc = page(built_site, "compare/small-models/")
    titles = [text_of(svg.find("title")) for svg in doc.select("svg.chart")]
    # LMArena has one figure only: nothing to compare, no chart.
    assert titles == ["MedQA", "Median latency", "Parameters", "Context"]
    ids = [n["id"] for n in doc.find_all(id=True)]
    assert len(ids) == len(set(ids))
