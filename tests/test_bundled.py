"""The bundled catalog: builds clean and publishes the seed card's facts that hold."""

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundled") / "out"
    result = run_cli("build", ROOT, "--out", out, "--strict")
    assert result.returncode == 0, result.output
    assert "warning" not in result.stderr
    return out


def text(out, relative) -> str:
    doc = BeautifulSoup((out / relative).read_text(), "html.parser")
    return " ".join(doc.main.get_text(" ").split())


def test_bundled_catalog_checks_clean():
    result = run_cli("check", ROOT, "--strict")
    assert result.returncode == 0, result.output


def test_medgemma_page_shows_the_facts_that_hold(bundled):
    page = text(bundled, "models/medgemma-4b-it/index.html")
    for fact in ("MedGemma 4B Instruct", "Google", "Parameters 4B", "Context window 128K tokens",
                 "Health AI Developer Foundations Terms of Use", "Released 9 July 2025",
                 "API pricing Not yet available", "MedQA 64.4%", "81%", "MedSigLIP", "Mobile-capable",
                 "Health AI Developer Foundations (HAI-DEF)", "Gemma 3 4B"):
        assert fact in page, fact
    for wrong in ("MedMind", "40.0B", "40B", "CC-BY-SA", "by-sa"):
        assert wrong not in page, wrong


def test_seed_comparison_has_medqa_in_its_own_column_and_no_empty_one(bundled):
    doc = BeautifulSoup((bundled / "compare/small-medical-models/index.html").read_text(), "html.parser")
    headers = [" ".join(th.get_text(" ").split()) for th in doc.select("table.comparison thead th")]
    assert headers == ["Model", "MedQA", "LMArena Elo", "Parameters", "Context", "Price (in / out per 1M tokens)"]
    rows = {" ".join(tr.th.get_text(" ").split()): [" ".join(td.get_text(" ").split()) for td in tr.find_all("td")]
            for tr in doc.select("table.comparison tbody tr")}
    assert rows["MedGemma 4B Instruct"][0] == "64.4%"
    assert rows["MedGemma 27B"][0] == "87.7% ★ best"
    assert rows["BioMistral 7B"][0] == "~60%"
    assert rows["Gemma 3 4B"][0] == "~45% est."
    assert rows["Gemma 3 4B"][1] == "~1200 Elo"
    assert all(r[4] == "Free (open weights)" for r in rows.values())
    # Every column has a figure somewhere: an empty one would read as broken data.
    assert all(any(not r[i].startswith("—") for r in rows.values()) for i in range(len(headers) - 1))


def test_an_estimate_without_a_measurement_cites_no_source(bundled):
    doc = BeautifulSoup((bundled / "models/gemma-3-4b-it/index.html").read_text(), "html.parser")
    row = doc.select_one("#score-medqa")
    assert " ".join(row.get_text(" ").split()).startswith("MedQA ~45% est.")
    assert "no published measurement" in row.select_one("td[data-label=Note]").get_text()
    assert row.select_one("td[data-label=Source]").get_text() == "none given"


def test_benchmarks_no_model_reports_are_named_apart_not_ranked_empty(bundled):
    doc = BeautifulSoup((bundled / "benchmarks/index.html").read_text(), "html.parser")
    ranked = [" ".join(th.get_text(" ").split()) for th in doc.select("table tbody th")]
    assert ranked == ["MedQA", "LMArena Elo", "Chest X-ray reports clinically sufficient"]
    unreported = doc.select_one("main p.muted")
    assert "no model in the catalog reports a result yet" in unreported.get_text()
    assert [a.get_text() for a in unreported.select("a")] == ["GPQA Diamond", "SWE-bench Verified"]
    home = BeautifulSoup((bundled / "index.html").read_text(), "html.parser")
    assert "3 benchmarks" in " ".join(home.select_one(".stats").get_text(" ").split())
