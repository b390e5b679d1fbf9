"""Data-quality warnings: each fires on a minimal bad entry, located by file, line and
field, stays quiet on sound data, and can be silenced on one entry with a reason."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, run_cli

SEED_SITE = Path(__file__).resolve().parent / "fixtures" / "seed-as-written"
TODAY = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01: "the future" stays the future
MODEL = "content/models/gamma-4b.yaml"
COMPARISON = "content/comparisons/two-models.yaml"


def entry(extra: str = "", sources: bool = True) -> str:
    """A model entry that lints clean; `extra` lines start at line 6."""
    return ("name: Gamma 4B\nsummary: A small test model.\ndeveloper: Acme Labs\nrelease_date: 2025-07-09\n"
            + ('sources: ["https://example.com/gamma"]\n' if sources else "") + extra + "\n")


def problems_of(site: Path, *options: str, env: dict | None = None) -> list[dict]:
    result = run_cli("check", site, "--format", "json", *options, env={**TODAY, **(env or {})})
    assert "Traceback" not in result.output, result.output
    return json.loads(result.stdout)["problems"]


def located(problems: list[dict]) -> set[tuple]:
    return {(p["code"], p["path"], p["line"], p["field"]) for p in problems}


CASES = [
    # (id, files, code, path, line, field, message part)
    ("name size", {MODEL: entry("parameters: 40e9")}, "MC101", MODEL, 6, "parameters", 'says 4B, but parameters is 40B'),
    ("negative score", {MODEL: entry("benchmarks:\n  arena: {value: -5, source: 'https://example.com/a'}")},
     "MC102", MODEL, 7, "benchmarks.arena.value", "below zero"),
    ("score over max", {"content/benchmarks.yaml": "arena: {name: Arena, unit: Elo, max: 2000}\n"
                                                   "medqa: {name: MedQA, unit: '%'}\nlatency: {name: Latency, unit: ms}\n",
                        MODEL: entry("benchmarks:\n  arena: {value: 2500, source: 'https://example.com/a'}")},
     "MC102", MODEL, 7, "benchmarks.arena.value", "over Arena's maximum of 2000"),
    ("figure without source", {MODEL: entry("benchmarks:\n  medqa: 50")},
     "MC103", MODEL, 7, "benchmarks.medqa", "MedQA figure has no source"),
    ("entry without sources", {MODEL: entry(sources=False)}, "MC104", MODEL, 1, "sources", "lists no sources"),
    ("updated before release", {MODEL: entry("updated: 2025-07-01")},
     "MC105", MODEL, 6, "updated", "before release_date 2025-07-09"),
    ("future date", {MODEL: entry("updated: 2027-03-01")}, "MC106", MODEL, 6, "updated", "in the future (today is 2026-01-01)"),
    ("future score date", {MODEL: entry("benchmarks:\n  medqa: {value: 50, date: 2026-02-01, source: 'https://e.org/'}")},
     "MC106", MODEL, 7, "benchmarks.medqa.date", "in the future"),
    ("empty column", {COMPARISON: "title: Two\nmodels: [alpha-4b, beta-7b]\ncolumns: [medqa, arena]\n"},
     "MC107", COMPARISON, 3, "columns[1]", 'no model in this comparison has a value for "arena"'),
    ("duplicate name", {MODEL: entry().replace("Gamma 4B", "alpha  4b")},
     "MC108", MODEL, 1, "name", "also the name of content/models/alpha-4b.yaml"),
    ("base_model loop", {MODEL: entry("base_model: delta-4b"),
                         "content/models/delta-4b.yaml": entry("base_model: gamma-4b").replace("Gamma", "Delta")},
     "MC109", MODEL, 6, "base_model", "loops: gamma-4b -> delta-4b -> gamma-4b"),
    ("bare license not SPDX", {MODEL: entry("license: CC-BY-SA")}, "MC110", MODEL, 6, "license", "did you mean \"CC-BY-SA-4.0\""),
    ("spdx in a mapping", {MODEL: entry("license:\n  spdx: apache-2.0")}, "MC110", MODEL, 7, "license.spdx", "case-sensitive"),
    ("developer in prose", {MODEL: entry("description: |\n  A model.\n  Developed by Initech, it answers.")},
     "MC111", MODEL, 6, "description", '"Developed by Initech", but developer is "Acme Labs"'),
    ("fact contradicts field", {MODEL: entry("parameters: 4B\nfacts:\n  - {label: Parameters, value: 40B}")},
     "MC112", MODEL, 8, "facts[0].label", 'says "40B", but parameters is 4B'),
    ("fact holds a field", {MODEL: entry("facts:\n  - {label: Base model, value: Gemma 3}")},
     "MC112", MODEL, 7, "facts[0].label", "belongs in the base_model field"),
    ("score filed under another benchmark", {MODEL: entry("benchmarks:\n  arena: {value: 64.4, note: MedQA, source: 'https://e.org/'}")},
     "MC113", MODEL, 7, "benchmarks.arena.note", "filed under arena (LMArena Elo), but its note names MedQA"),
    ("placeholder developer", {MODEL: entry().replace("Acme Labs", "Unknown")},
     "MC114", MODEL, 3, "developer", 'would be listed at /developers/unknown/'),
    ("placeholder source", {MODEL: entry("benchmarks:\n  medqa: {value: 50, source: 'https://...'}")},
     "MC115", MODEL, 7, "benchmarks.medqa.source", '"https://..." is a placeholder'),
    ("placeholder summary", {MODEL: entry().replace("A small test model.", "One sentence on what Gamma 4B is and who it is for.")},
     "MC116", MODEL, 2, "summary", "still the text `modelcat new` wrote"),
    ("free yet priced", {MODEL: entry("offers:\n  - provider: cloudy\n    pricing: {free: true, output_per_mtok: 0.6}"),
                         "content/providers.yaml": "cloudy: {name: Cloudy}\n"},
     "MC117", MODEL, 8, "offers[0].pricing.output_per_mtok", "free: true, but output_per_mtok is 0.6"),
    ("free price written as 0", {MODEL: entry("pricing: {input_per_mtok: 0, output_per_mtok: 0}")},
     "MC118", MODEL, 6, "pricing.input_per_mtok", "write free: true"),
    ("tier cheaper than its base", {MODEL: entry("pricing:\n  input_per_mtok: 1.25\n  tiers:\n    - {above: 200K, input_per_mtok: 0.6}")},
     "MC119", MODEL, 9, "pricing.tiers[0].input_per_mtok", "less than the base price (1.25)"),
    ("output limit above the context", {MODEL: entry("limits: {context: 128K, output: 200K}")},
     "MC121", MODEL, 6, "limits.output", "(200,000 tokens) is above the context window (128,000)"),
    ("cutoff after release", {MODEL: entry("knowledge_cutoff: 2025-09")},
     "MC122", MODEL, 6, "knowledge_cutoff", "after release_date 2025-07-09"),
    ("unused silence", {MODEL: entry("silence:\n  - {code: MC101, reason: The name was wrong once.}")},
     "MC120", MODEL, 7, "silence[0]", "MC101 does not fire in this entry"),
]


@pytest.mark.parametrize("files, code, path, line, field, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_warning_fires_on_a_minimal_bad_entry(make_site, files, code, path, line, field, message):
    problems = problems_of(make_site(files))
    assert all(p["severity"] == "warning" for p in problems), problems
    [problem] = [p for p in problems if (p["code"], p["path"], p["line"], p["field"]) == (code, path, line, field)]
    assert message in problem["message"] + " " + problem["hint"]
    assert problem["hint"] and "\n" not in problem["hint"]


def test_every_warning_code_has_a_case_and_a_readme_row():
    from generator.errors import SILENCEABLE, Code

    readme = (ROOT / "README.md").read_text()
    codes = {*SILENCEABLE, Code.UNUSED_SILENCE}
    assert codes == {c[2] for c in CASES}
    for code in codes:
        assert f"| {code} |" in readme, code


def test_every_built_in_column_knows_when_a_model_fills_it():
    from generator.lint import _COLUMN_FILLED
    from generator.schema import BUILTIN_COLUMNS

    assert set(_COLUMN_FILLED) == set(BUILTIN_COLUMNS)


QUIET = [
    # (id, extra lines): near misses that must not warn
    ("rounded name size", "parameters: 4.3e9"),
    ("moe active size in name", "parameters: {total: 46.7B, active: 4.1B}"),
    ("percent at the top", "benchmarks:\n  medqa: {value: 100, source: 'https://e.org/'}"),
    ("same day review", "updated: 2025-07-09"),
    ("spdx id", "license: Apache-2.0"),
    ("developer named in full", "description: Developed by Acme Labs Research in 2025."),
    ("lower-case attribution", "description: Made by further training of Alpha."),
    ("maker ends at a full stop", "description: Developed by Acme. Google hosts it."),
    ("fact that is not a field", "facts:\n  - {label: Image encoder, value: SigLIP}"),
    ("note names its own benchmark", "benchmarks:\n  medqa: {value: 60, note: MedQA 5-shot, source: 'https://e.org/'}"),
]


@pytest.mark.parametrize("extra", [c[1] for c in QUIET], ids=[c[0] for c in QUIET])
def test_near_misses_stay_quiet(make_site, extra):
    assert problems_of(make_site({MODEL: entry(extra)})) == []


def test_name_sizes_glued_to_a_letter_are_not_total_counts(make_site):
    site = make_site({MODEL: entry("parameters: 30B").replace("Gamma 4B", "Gamma 30B-A3B E4B 8x7B")})
    assert problems_of(site) == []


def test_warnings_wait_until_the_errors_are_fixed(make_site):
    """An invalid entry is missing from the catalog; linting around the gap would mislead
    (its scores would leave comparison columns looking empty)."""
    site = make_site({MODEL: entry("parameters: 40e9"), "content/models/beta-7b.yaml": "name: Beta 7B\n"})
    assert {(p["severity"], p["code"]) for p in problems_of(site)} == {("error", "MC011")}


def test_source_date_epoch_decides_what_is_in_the_future(make_site):
    site = make_site({MODEL: entry("updated: 2027-03-01")})
    assert {p["code"] for p in problems_of(site)} == {"MC106"}
    assert problems_of(site, env={"SOURCE_DATE_EPOCH": "1830297600"}) == []  # 2028-01-01
    bad = run_cli("check", site, env={"SOURCE_DATE_EPOCH": "soon"})
    assert bad.returncode == 2 and "SOURCE_DATE_EPOCH" in bad.stderr and "Traceback" not in bad.stderr


def test_bundled_catalog_and_fixture_site_lint_clean_under_strict(fixture_site):
    for site in (ROOT, fixture_site):
        result = run_cli("check", site, "--strict", "--format", "json")
        assert result.returncode == 0, result.stdout
        assert json.loads(result.stdout)["problems"] == []


def test_a_realistic_1000_model_catalog_with_every_figure_sourced_has_no_warning(tmp_path):
    """The synthetic catalog (bench/make_catalog.py) is sound data: the checks stay quiet on it, and
    a figure whose source is taken away is the one warning."""
    site = tmp_path / "synthetic"
    subprocess.run([sys.executable, str(ROOT / "bench/make_catalog.py"), "1000", str(site)], check=True)
    assert problems_of(site, env={"SOURCE_DATE_EPOCH": "1893456000"}) == []  # 2030: its review dates are past
    path = next(p for p in sorted((site / "content/models").glob("*.yaml")) if "benchmarks:" in p.read_text())
    entry = yaml.safe_load(path.read_text())
    benchmark_id = next(iter(entry["benchmarks"]))
    del entry["benchmarks"][benchmark_id]["source"]
    path.write_text(yaml.safe_dump(entry, sort_keys=False))
    problems = problems_of(site, env={"SOURCE_DATE_EPOCH": "1893456000"})
    assert {(p["code"], p["path"], p["field"]) for p in problems} == {
        ("MC103", f"content/models/{path.name}", f"benchmarks.{benchmark_id}")}


# --- Silences -----------------------------------------------------------------------------

def test_a_silence_with_a_reason_turns_one_warning_off(make_site):
    site = make_site({MODEL: entry("parameters: 40e9\nsilence:\n  - code: MC101\n"
                                   "    reason: The vendor calls it 4B; its card gives 40e9.")})
    assert run_cli("check", site, "--strict", env=TODAY).returncode == 0


def test_a_silence_with_a_field_turns_off_only_that_field(make_site):
    site = make_site({MODEL: entry("benchmarks:\n  medqa: 50\n  arena: 1200\nsilence:\n"
                                   "  - {code: MC103, field: benchmarks.arena, reason: Read off the live leaderboard.}")})
    assert located(problems_of(site)) == {("MC103", MODEL, 7, "benchmarks.medqa")}


def test_a_misspelt_silence_field_is_reported_with_where_the_warning_fires(make_site):
    site = make_site({MODEL: entry("benchmarks:\n  medqa: 50\nsilence:\n"
                                   "  - {code: MC103, field: benchmarks.medqq, reason: No public source.}")})
    problems = problems_of(site)
    assert located(problems) == {("MC103", MODEL, 7, "benchmarks.medqa"), ("MC120", MODEL, 9, "silence[0]")}
    [unused] = [p for p in problems if p["code"] == "MC120"]
    assert "benchmarks.medqa" in unused["hint"]


@pytest.mark.parametrize("silence, code, field", [
    ("{code: MC101}", "MC011", "silence[0].reason"),
    ("{code: MC101, reason: '  '}", "MC013", "silence[0].reason"),
    ("{code: MC1O1, reason: A typo in the code.}", "MC013", "silence[0].code"),
    ("{code: MC020, reason: Errors cannot be silenced.}", "MC013", "silence[0].code"),
    ("{code: MC101, reason: x, because: y}", "MC010", "silence[0].because"),
], ids=["no reason", "blank reason", "misspelt code", "error code", "unknown key"])
def test_a_silence_needs_a_warning_code_and_a_reason(make_site, silence, code, field):
    site = make_site({MODEL: entry(f"parameters: 40e9\nsilence:\n  - {silence}")})
    problems = problems_of(site)
    assert (code, MODEL, 8, field) in located(problems)
    assert any(p["severity"] == "error" for p in problems)


def test_silences_stay_out_of_the_exports(tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", ROOT, "--out", out, "--strict").returncode == 0
    assert "silence" not in (out / "api/models.json").read_text()


# --- Exit codes and the seed card --------------------------------------------------------

def test_strict_turns_lint_warnings_into_exit_status_1(make_site, tmp_path):
    site = make_site({MODEL: entry("parameters: 40e9")})
    assert run_cli("check", site, env=TODAY).returncode == 0
    assert run_cli("check", site, "--strict", env=TODAY).returncode == 1
    strict_build = run_cli("build", site, "--out", tmp_path / "strict", "--strict", env=TODAY)
    assert strict_build.returncode == 1 and not (tmp_path / "strict").exists()
    assert run_cli("build", site, "--out", tmp_path / "relaxed", env=TODAY).returncode == 0


SEED_4B = "content/models/medgemma-4b-instruct.yaml"
SEED_EXPECTED = [
    # (code, path, line, field, message part): each contradiction the data can reveal
    ("MC101", SEED_4B, 13, "parameters", 'name "MedGemma 4B Instruct" says 4B, but parameters is 40B'),
    ("MC112", SEED_4B, 19, "facts[0].label", 'fact "Parameters" says "4B", but parameters is 40B'),
    ("MC111", SEED_4B, 7, "summary", '"developed by MedMind", but developer is "Google"'),
    ("MC110", SEED_4B, 16, "license", '"CC-BY-SA" is not an SPDX license id'),
    ("MC112", SEED_4B, 24, "facts[5].label", '"License" ("HAI-DEF Terms of Use") repeats the license field ("CC-BY-SA")'),
    ("MC112", SEED_4B, 20, "facts[1].label", '"Base Model" belongs in the base_model field'),
    ("MC112", SEED_4B, 21, "facts[2].label", '"Release Date" ("July 9, 2025") repeats the release_date field'),
    ("MC113", SEED_4B, 28, "benchmarks.gpqa.note", "filed under gpqa (GPQA Diamond), but its note names MedQA"),
    ("MC113", "content/models/medgemma-27b.yaml", 9, "benchmarks.gpqa.note", "note names MedQA"),
    ("MC113", "content/models/biomistral-7b.yaml", 9, "benchmarks.gpqa.note", "note names MedQA"),
    ("MC113", "content/models/gemma-3-4b.yaml", 10, "benchmarks.gpqa.note", "note names MedQA"),
    ("MC107", "content/comparisons/competitor-comparison.yaml", 4, "columns[1]", 'value for "swe"'),
    ("MC104", SEED_4B, 1, "sources", "lists no sources"),
    ("MC103", SEED_4B, 26, "benchmarks.medqa", "MedQA figure has no source"),
]


def test_the_seed_card_as_written_fails_strict_with_each_contradiction():
    problems = problems_of(SEED_SITE)
    by_location = {(p["code"], p["path"], p["line"], p["field"]): p["message"] for p in problems}
    for code, path, line, field, message in SEED_EXPECTED:
        assert (code, path, line, field) in by_location, (code, path, line, field)
        assert message in by_location[(code, path, line, field)]
    assert all(p["severity"] == "warning" for p in problems)
    assert run_cli("check", SEED_SITE, env=TODAY).returncode == 0
    strict = run_cli("check", SEED_SITE, "--strict", env=TODAY)
    assert strict.returncode == 1
    assert "content/models/medgemma-4b-instruct.yaml:13: parameters: warning: " in strict.stdout
