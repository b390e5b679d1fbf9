"""Broken entries: one case, one problem, located by file, line and field (through the real CLI)."""

import json
import shutil

import pytest

from conftest import FIXTURE_SITE, run_cli
from generator.build import Settings, build
from generator.incremental import Tracker

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


# --- Hostile values: each refused with its file, line and field (issue 10) ----------

DEEP_LIST = "".join("  " * level + f"- level {level + 1}\n" for level in range(17)) + "\nThe rest of the text.\n"
BAD_VALUES = {
    # file name -> (extra lines, [(code, line, field, message part)])
    "digits": ("parameters: " + "9" * 400, [("MC013", 5, "parameters", "at most 1e+15")]),
    "exponent": ('parameters: "1e400"', [("MC013", 5, "parameters", 'got "1e400"')]),
    "huge-exponent": ('context_window: "1e999999999"', [("MC013", 5, "context_window", "at most 1e+09")]),
    "score": ("benchmarks:\n  arena: 1.5e308", [("MC013", 6, "benchmarks.arena.value", "at most 1e+15")]),
    "price": ("pricing: {input_per_mtok: 1e300}", [("MC013", 5, "pricing.input_per_mtok", "at most 1e+06")]),
    "full-width-date": ('updated: "２０２５-０７-０９"', [("MC013", 5, "updated", "YYYY-MM-DD")]),
    "arabic-date": ('status_date: "٢٠٢٥-٠٧-٠٩"', [("MC013", 5, "status_date", "YYYY-MM-DD")]),
    "date-and-line-break": ('updated: "2025-07-09\\n"', [("MC013", 5, "updated", "YYYY-MM-DD")]),
    "escape": ('family: "Alpha\\e[31m"', [("MC013", 5, "family", "U+001B")]),
    "nul-character": ('strengths: [fine, "with \\0 inside"]', [("MC013", 5, "strengths[1]", "U+0000")]),
    "nonchar": ('facts: [{label: "Encoder", value: "x\\uFFFF"}]', [("MC013", 5, "facts[0].value", "U+FFFF")]),
    "deep-markdown": ("description: |\n" + "".join("  " + line + "\n" for line in DEEP_LIST.splitlines()),
                      [("MC013", 5, "description", "nest 17 deep")]),
    "long-related": ("related: [" + "a" * 300 + "]", [("MC013", 5, "related[0]", "at most 100 characters")]),
}


@pytest.fixture(scope="module")
def hostile_values(tmp_path_factory) -> dict[str, list[dict]]:
    """Check every hostile value at once, each in its own model file; return problems by file."""
    site = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(FIXTURE_SITE, site)
    for name, (extra, _) in BAD_VALUES.items():
        (site / f"content/models/{name}.yaml").write_text(GOOD.format(extra=extra))
    result = run_cli("check", site, "--format", "json")
    assert result.returncode == 1 and "Traceback" not in result.output
    found: dict[str, list[dict]] = {}
    for problem in json.loads(result.stdout)["problems"]:
        found.setdefault(problem["path"], []).append(problem)
    return found


@pytest.mark.parametrize("name", BAD_VALUES)
def test_check_refuses_a_hostile_value_with_its_line_and_field(hostile_values, name):
    problems = hostile_values[f"content/models/{name}.yaml"]
    for code, line, field, message in BAD_VALUES[name][1]:
        assert any((p["code"], p["line"], p["field"]) == (code, line, field) and message in p["message"]
                   for p in problems), problems


def test_a_benchmark_cannot_take_the_id_of_a_built_in_column_or_a_long_id(make_site):
    long_id = "b" * 300
    site = make_site({"content/benchmarks.yaml": f"""
        medqa: {{name: MedQA, unit: "%"}}
        price: {{name: Price index}}
        {long_id}: {{name: Long}}
        """})
    problems = problems_of(site)
    price = next(p for p in problems if p["field"] == "price")
    assert (price["code"], price["path"], price["line"]) == ("MC013", "content/benchmarks.yaml", 2)
    assert "built-in comparison column" in price["message"] and "context_window" in price["hint"]
    long = next(p for p in problems if p["field"] == long_id)
    assert long["code"] == "MC013" and "300 characters" in long["message"]
    assert all(p["code"] != "MC031" for p in problems)


def test_a_long_file_name_is_refused_before_it_becomes_a_folder(make_site):
    site = make_site({f"content/models/{'m' * 120}.yaml": GOOD.format(extra="")})
    [problem] = [p for p in problems_of(site) if p["code"] == "MC005"]
    assert "120 characters" in problem["message"]


def test_every_error_of_a_file_is_reported_at_once_with_the_checks_across_files(make_site):
    # Issue 10: a 170% score appeared only once three other errors of its file were fixed.
    site = make_site({MODEL: GOOD.format(extra="""\
open_weights: maybe
paramters: 4B
summary: twice
related: [ghost-model]
benchmarks:
  medqa: 170
  medqa2: 50
  arena: {value: high}""")})
    found = {(p["code"], p["field"]) for p in problems_of(site)}
    assert found == {("MC012", "open_weights"), ("MC010", "paramters"), ("MC002", "summary"),
                     ("MC020", "related[0]"), ("MC013", "benchmarks.medqa.value"), ("MC021", "benchmarks.medqa2"),
                     ("MC012", "benchmarks.arena.value")}


def test_a_rebuild_after_another_edit_still_reports_the_checks_across_files_of_a_broken_entry(make_site, tmp_path):
    # The dev server updates its content file by file: the checkable parts of a broken
    # entry must outlive an edit of another file.
    site = make_site({MODEL: GOOD.format(extra="open_weights: maybe\nbenchmarks:\n  medqa2: 50")})
    tracker = Tracker(autosave=False)
    settings = Settings(site, out_dir=tmp_path / "out", jobs=1)
    first = {(p.code, p.field) for p in build(settings, tracker=tracker).problems}
    assert {("MC012", "open_weights"), ("MC021", "benchmarks.medqa2")} <= first
    beta = site / "content/models/beta-7b.yaml"
    beta.write_text(beta.read_text().replace("Another developer's model.", "Another developer's model, revised."))
    again = {(p.code, p.field) for p in build(settings, tracker=tracker, changed={str(beta)}).problems}
    assert again == first
