"""Broken entries: one case, one problem, located by file, line and field (through the real CLI)."""

import json

import pytest

from conftest import run_cli

MODEL = "content/models/alpha-4b.yaml"
GOOD = """\
name: Alpha 4B
summary: A small test model.
developer: Acme Labs
release_date: 2025-07-09
{extra}
"""


def problems_of(site) -> list[dict]:
    result = run_cli("check", site, "--format", "json")
    assert "Traceback" not in result.output
    return json.loads(result.stdout)["problems"]


CASES = [
    # (extra lines, code, line, field, message part)
    ("paramters: 4B", "MC010", 5, "paramters", 'did you mean'),
    ("parameters: 4.3X", "MC013", 5, "parameters", 'suffix such as "4B"'),
    ("parameters: {total: 46.7B, active: 50B}", "MC013", 5, "parameters", "cannot exceed"),
    ("context_window: 1000.5", "MC013", 5, "context_window", "whole number"),
    ("modalities: [text, smell]", "MC013", 5, "modalities[1]", "'text', 'image'"),
    ("open_weights: yes", "MC012", 5, "open_weights", "true or false"),
    ("license: {name: X, url: 'javascript:alert(1)'}", "MC014", 5, "license.url", "http, https or mailto"),
    ("sources: ['data:text/html;base64,PHNjcmlwdD4=']", "MC014", 5, "sources[0].url", "http, https or mailto"),
    ("benchmarks:\n  medqa: {value: 64.4, aprox: true}", "MC010", 6, "benchmarks.medqa.aprox", 'did you mean "approx"'),
    ("benchmarks:\n  medqa: true", "MC012", 6, "benchmarks.medqa", "a number or {value"),
    ("benchmarks:\n  medqa2: 50", "MC021", 6, "benchmarks.medqa2", 'did you mean "medqa"'),
    ("benchmarks:\n  medqa: 164.4", "MC013", 6, "benchmarks.medqa.value", "not a percentage"),
    ("base_model: Gemma 3", "MC013", 5, "base_model", "{name: ..., url: ...}"),
    ("base_model: alpha-4", "MC020", 5, "base_model", 'did you mean "alpha-4b'),
    ("variant_of: alpha-4b", "MC020", 5, "variant_of", "cannot refer to itself"),
    ("related: [nobody-here]", "MC020", 5, "related[0]", 'no model has the slug "nobody-here"'),
    ("pricing: {input_per_mtok: -1}", "MC013", 5, "pricing.input_per_mtok", "at least 0"),
    ("status: gone", "MC013", 5, "status", "'active', 'preview', 'deprecated' or 'retired'"),
    ("updated: 2025-07", "MC013", 5, "updated", "YYYY-MM-DD"),
    ("updated: 2025-13-45", "MC013", 5, "updated", "YYYY-MM-DD"),
    ("status_date: 2025-02-30", "MC013", 5, "status_date", "YYYY-MM-DD"),
    ("slug: other", "MC010", 5, "slug", "comes from the file name"),
    ("summary: again", "MC002", 5, "summary", "appears twice"),
]


@pytest.mark.parametrize("extra, code, line, field, message", CASES, ids=[c[3] + ":" + c[1] for c in CASES])
def test_check_locates_each_bad_field(make_site, extra, code, line, field, message):
    site = make_site({MODEL: GOOD.format(extra=extra)})
    found = [(p["code"], p["path"], p["line"], p["field"]) for p in problems_of(site) if p["severity"] == "error"]
    assert (code, MODEL, line, field) in found
    text = json.dumps(problems_of(site))
    assert message.replace('"', '\\"') in text


def test_check_reports_a_missing_required_field(make_site):
    site = make_site({MODEL: "name: Alpha\ndeveloper: Acme\nrelease_date: 2025-01-01\n"})
    [problem] = problems_of(site)
    assert (problem["code"], problem["field"], problem["line"]) == ("MC011", "summary", 1)


def test_check_reports_every_problem_of_every_file_together(make_site):
    site = make_site({
        MODEL: GOOD.format(extra="paramters: 4B\nopen_weights: maybe"),
        "content/models/beta-7b.yaml": "name: [unclosed\n",
        "content/comparisons/small-models.yaml": "title: T\nmodels: [alpha-4b, ghost]\ncolumns: [medqa, speed]\n",
    })
    found = {(p["path"], p["code"]) for p in problems_of(site)}
    assert {(MODEL, "MC010"), (MODEL, "MC012"), ("content/models/beta-7b.yaml", "MC001")} <= found


def test_check_reports_comparison_references(make_site):
    site = make_site({"content/comparisons/small-models.yaml":
                      "title: T\nmodels: [alpha-4b, ghost]\ncolumns: [medqa, speed, medqa]\n"})
    found = {(p["code"], p["field"], p["line"]) for p in problems_of(site)}
    assert ("MC020", "models[1]", 2) in found
    assert ("MC022", "columns[1]", 3) in found
    assert ("MC013", "columns[2]", 3) in found


def test_check_rejects_bad_file_names_and_stray_files(make_site):
    site = make_site({"content/models/Bad_Name.yaml": GOOD.format(extra=""),
                      "content/models/notes.yml": "x: 1\n"})
    found = {(p["path"], p["code"]) for p in problems_of(site)}
    assert ("content/models/Bad_Name.yaml", "MC005") in found
    assert ("content/models/notes.yml", "MC009") in found


def test_check_rejects_oversize_and_non_utf8_files(make_site):
    site = make_site({"content/models/huge.yaml": "name: " + "x" * (3 * 1024 * 1024) + "\n",
                      "content/models/latin.yaml": "name: caf\xe9\n".encode("latin-1")})
    found = {(p["path"], p["code"]) for p in problems_of(site)}
    assert ("content/models/huge.yaml", "MC003") in found
    assert ("content/models/latin.yaml", "MC006") in found


def test_check_validates_benchmarks_site_and_pages(make_site):
    site = make_site({
        "content/benchmarks.yaml": "medqa: {name: MedQA, unit: '%', higher_is_better: maybe}\nBad Id: {name: x}\n",
        "site.yaml": "title: T\nbase_url: ftp://example.org/\n",
        "content/pages/models.md": "---\ntitle: Clash\n---\nbody\n",
    })
    found = {(p["path"], p["code"], p["field"]) for p in problems_of(site)}
    assert ("content/benchmarks.yaml", "MC012", "medqa.higher_is_better") in found
    assert ("content/benchmarks.yaml", "MC013", "Bad Id") in found
    assert ("site.yaml", "MC013", "base_url") in found
    assert ("content/pages/models.md", "MC023", "") in found
