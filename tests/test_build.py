"""A good build and the content of its pages (the fixture site, built by the real CLI)."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from linkcheck import sitemap_pages
from conftest import run_cli, snapshot


def page(built_site, url: str) -> BeautifulSoup:
    path = built_site / url.strip("/") / "index.html" if not url.endswith(".html") else built_site / url.strip("/")
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text_of(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_build_writes_every_page_of_the_site(built_site):
    expected = [
        "index.html", "404.html", "sitemap.xml", "feed.xml", "robots.txt",
        "models/alpha-4b/index.html", "models/old-1b/index.html", "compare/index.html",
        "compare/small-models/index.html", "benchmarks/index.html", "benchmarks/medqa/index.html",
        "developers/index.html", "developers/acme-labs/index.html", "domains/medical/index.html",
        "modalities/image/index.html", "about/index.html", "api/models.json", "api/models.csv",
        "api/models/alpha-4b.json", "css/site.css",
    ]
    for relative in expected:
        assert (built_site / relative).is_file(), relative


def test_model_page_shows_spec_cards_and_formats(built_site):
    doc = page(built_site, "models/alpha-4b/")
    assert doc.h1.get_text() == "Alpha 4B"
    cards = {text_of(c.dt): text_of(c.dd) for c in doc.select(".spec-cards .card")}
    assert cards["Parameters"] == "4.3B"
    assert cards["Context window"] == "128K tokens"
    assert cards["License"] == "Acme Terms"
    assert cards["Released"] == "9 July 2025"
    assert cards["API pricing"] == "Not yet available Free to download (open weights)"
    assert doc.select_one(".reviewed").get_text(" ", strip=True) == "Last reviewed 1 August 2025"
    assert doc.select_one('.spec-cards a[href="https://example.com/terms"]')


def test_model_page_lists_benchmarks_with_setting_note_and_source(built_site):
    doc = page(built_site, "models/alpha-4b/")
    rows = [[text_of(td) for td in tr.find_all(["th", "td"])] for tr in doc.select("table.benchmarks tbody tr")]
    assert rows[0][:5] == ["MedQA", "64.4%", "2 of 3", "5-shot", "Strong for its size"]
    assert rows[0][5] == "example.com"


def test_model_page_shows_lineage_and_comparisons(built_site):
    doc = page(built_site, "models/alpha-4b/")
    lineage = {text_of(d.dt): d.dd for d in doc.select(".lineage > div")}
    assert text_of(lineage["Base model"]).startswith("Outside Base 4B")
    assert lineage["Base model"].a["href"] == "https://example.com/outside"
    assert lineage["Variants"].a["href"] == "/models/alpha-4b-chat/"
    assert lineage["Compared in"].a["href"] == "/compare/small-models/"
    assert text_of(doc.select_one(".facts")) == "Image encoder SigLIP Frozen"
    # The description's "# heading" sits below the page's own h2.
    assert doc.select_one(".prose h3").get_text() == "A heading in the description"


def test_model_page_prints_mixture_of_experts_and_prices(built_site):
    doc = page(built_site, "models/alpha-4b-chat/")
    cards = {text_of(c.dt): text_of(c.dd) for c in doc.select(".spec-cards .card")}
    assert cards["Parameters"] == "46.7B (12.9B active)"
    assert cards["Context window"] == "32K tokens"
    assert cards["API pricing"] == "$0.15 / $0.60 per 1M tokens in / out as of 1 September 2025"
    assert doc.select_one('.spec-cards a[href="https://spdx.org/licenses/Apache-2.0.html"]').get_text() == "Apache-2.0"


def test_model_page_carries_json_ld(built_site):
    doc = page(built_site, "models/alpha-4b/")
    data = json.loads(doc.find("script", type="application/ld+json").string)
    assert data["name"] == "Alpha 4B"
    assert data["url"] == "https://fixture.example.org/models/alpha-4b/"


def test_comparison_table_comes_from_entries_with_best_marked(built_site):
    doc = page(built_site, "compare/small-models/")
    headers = [text_of(th) for th in doc.select("table.comparison thead th")]
    assert headers == ["Model", "MedQA †1 (mixed settings, see note 1)", "LMArena Elo", "Median latency", "Parameters",
                       "Context", "Price (in / out per 1M tokens)", "License", "Released", "Developer"]
    rows = {text_of(tr.th): [text_of(td) for td in tr.find_all("td")] for tr in doc.select("table.comparison tbody tr")}
    # MedQA mixes a 5-shot figure with figures of unstated setting: each value says which.
    assert rows["Alpha 4B"][:3] == ["64.4% 5-shot", "— (no published result)", "120 ms"]
    assert rows["Alpha 4B Chat"][:3] == ["~70% ★ best setting not stated", "1200 Elo self-reported", "90 ms ★ best"]
    assert rows["Beta 7B"][0] == "45% est. setting not stated"
    assert rows["Alpha 4B"][5] == "Free (open weights)"
    assert rows["Alpha 4B Chat"][5] == "$0.15 / $0.60"
    assert rows["Beta 7B"][5] == "—"
    best = doc.select("td.best")
    assert len(best) == 3  # MedQA, latency (lower is better), context


def test_index_lists_current_models_and_the_a_to_z_list_every_model(built_site):
    doc = page(built_site, "/")
    listed = [text_of(th.a) for th in doc.select("table.models")[0].select("tbody th")]
    assert listed == ["Alpha 4B Chat", "Alpha 4B", "Beta 7B"]  # newest first
    assert doc.select_one('a[href="/models/"]') is not None
    every = page(built_site, "/models/")
    names = [text_of(th.a) for th in every.select("table.models tbody th")]
    assert names == ["Alpha 4B", "Alpha 4B Chat", "Beta 7B", "Old 1B"]  # by name, retired ones too
    assert "Retired" in text_of(every.select("table.models tbody tr")[3])


def test_leaderboard_ranks_in_the_benchmark_direction(built_site):
    doc = page(built_site, "benchmarks/latency/")
    names = [text_of(tr.th.a) for tr in doc.select("table.leaderboard tbody tr")]
    assert names == ["Alpha 4B Chat", "Alpha 4B"]


def test_free_page_renders_markdown_with_site_links(built_site):
    doc = page(built_site, "about/")
    assert doc.h1.get_text() == "About the fixture"
    assert doc.select_one("article a")["href"] == "/api/models.json"


def test_exports_match_the_content(built_site):
    data = json.loads((built_site / "api/models.json").read_text())
    assert data["schema_version"] == 2
    by_slug = {m["slug"]: m for m in data["models"]}
    assert by_slug["alpha-4b"]["parameters"] == {"total": 4.3e9, "active": None}
    assert by_slug["alpha-4b"]["pricing"] is None
    assert "pricing" not in by_slug["beta-7b"]
    rows = list(csv.DictReader(io.StringIO((built_site / "api/models.csv").read_text())))
    chat = next(r for r in rows if r["slug"] == "alpha-4b-chat")
    assert (chat["medqa"], chat["input_per_mtok"], chat["context_window"]) == ("70", "0.15", "32768")


def test_exports_write_whole_numbers_without_a_decimal_point(built_site):
    # Counts are floats inside ("4.3B" is 4.3e9); a spreadsheet or a program reading
    # the exports should see 4300000000, not 4300000000.0 (issue 10).
    csv_text = (built_site / "api/models.csv").read_text()
    alpha = next(r for r in csv.DictReader(io.StringIO(csv_text)) if r["slug"] == "alpha-4b")
    assert (alpha["parameters"], alpha["latency"], alpha["medqa"]) == ("4300000000", "120", "64.4")
    cells = [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]
    assert not [cell for cell in cells if re.fullmatch(r"-?[0-9]+\.0", cell)]
    for export in ("api/models.json", "api/models/alpha-4b.json", "api/index.json"):
        text = (built_site / export).read_text()
        assert not re.search(r"[:,\[][0-9]+\.0[,}\]]", text), export
    model = json.loads((built_site / "api/models/alpha-4b.json").read_text())["model"]
    assert model["parameters"]["total"] == 4300000000 and isinstance(model["parameters"]["total"], int)
    assert model["benchmarks"]["medqa"][0]["value"] == 64.4


def test_feed_and_sitemap_are_well_formed(built_site):
    feed = ET.parse(built_site / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.find("a:title", ns).text for e in feed.findall("a:entry", ns)][0] == "Alpha 4B Chat"
    assert "https://fixture.example.org/models/alpha-4b/" in sitemap_pages(built_site)


def test_build_is_deterministic(fixture_site, tmp_path):
    for name in ("one", "two"):
        assert run_cli("build", fixture_site, "--out", tmp_path / name).returncode == 0
    assert snapshot(tmp_path / "one") == snapshot(tmp_path / "two")


def test_base_url_with_a_path_reaches_every_link(fixture_site, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", fixture_site, "--out", out, "--base-url", "https://example.org/catalog").returncode == 0
    for html in out.rglob("*.html"):
        doc = BeautifulSoup(html.read_text(), "html.parser")
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src")):
            for node in doc.find_all(tag):
                target = node.get(attr)
                if target and target.startswith("/"):
                    assert target.startswith("/catalog/"), f"{html}: {target}"
    assert "https://example.org/catalog/models/alpha-4b/" in sitemap_pages(out)


@pytest.mark.parametrize("url", ["/", "/models/alpha-4b/", "/compare/small-models/", "/404.html"])
def test_pages_are_valid_enough_html(built_site, url):
    html = (built_site / (url.strip("/") or "index.html") if url.endswith(".html") else
            built_site / url.strip("/") / "index.html").read_text()
    assert html.startswith("<!doctype html>")
    assert html.index("</head>") < 65536  # the dev server injects its script before it
    doc = BeautifulSoup(html, "html.parser")
    ids = [n["id"] for n in doc.find_all(id=True)]
    assert len(ids) == len(set(ids))
    assert len(doc.find_all("h1")) == 1
