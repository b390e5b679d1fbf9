"""The command line: commands, exit codes, and no tracebacks."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT, run_cli, snapshot


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("build", "--no-such-option").returncode == 2
    assert run_cli().returncode == 2
    missing = run_cli("build", tmp_path / "nowhere")
    assert missing.returncode == 2 and "is not a folder" in missing.stderr
    empty = run_cli("check", tmp_path)
    assert empty.returncode == 2 and "is not a modelcat site" in empty.stderr
    assert run_cli("build", ROOT, "--base-url", "javascript:alert(1)").returncode == 2


def test_check_writes_nothing_and_says_what_it_checked(site_copy):
    before = snapshot(site_copy)
    result = run_cli("check", site_copy)
    assert result.returncode == 0, result.output
    assert result.stdout == f"{site_copy}: checked 4 models, 1 comparison, 3 benchmarks, 1 page: no problems.\n"
    assert snapshot(site_copy) == before


def test_strict_turns_warnings_into_failures_and_says_so(site_copy, tmp_path):
    (site_copy / "content/models/notes.txt").write_text("not content")
    relaxed = run_cli("check", site_copy)
    assert relaxed.returncode == 0 and "warning:" in relaxed.stdout and "MC009" in relaxed.stdout
    assert "--strict" not in relaxed.stdout
    strict_check = run_cli("check", site_copy, "--strict")
    assert strict_check.returncode == 1
    assert strict_check.stdout.splitlines()[-2:] == [
        "0 errors, 1 warning in 1 file.", "failed: 1 warning and --strict treats warnings as errors."]
    assert run_cli("build", site_copy, "--out", tmp_path / "a").returncode == 0
    strict = run_cli("build", site_copy, "--out", tmp_path / "b", "--strict")
    assert strict.returncode == 1 and not (tmp_path / "b").exists()
    assert strict.stderr.splitlines()[-1] == ("Build failed: 1 warning and --strict treats warnings as errors; "
                                              "the previous output was left as it was.")


def test_problem_output_is_clickable_and_summarised(make_site):
    site = make_site({"content/models/beta-7b.yaml": "name: B\nsummary: s\ndeveloper: d\nrelease_date: 2024-01-01\nparamters: 7B\n"})
    result = run_cli("check", site)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        'content/models/beta-7b.yaml:5: paramters: unknown field "paramters". [MC010]',
        '    hint: did you mean "parameters"?',
        "1 error, 0 warnings in 1 file.",
    ]


def test_check_json_format_is_machine_readable(make_site):
    site = make_site({"content/models/beta-7b.yaml": "name: B\n"})
    data = json.loads(run_cli("check", site, "--format", "json").stdout)
    assert {p["code"] for p in data["problems"]} == {"MC011"}
    assert all(set(p) == {"severity", "code", "path", "line", "column", "field", "message", "hint"} for p in data["problems"])


def test_a_yaml_error_is_located_to_its_column(make_site):
    site = make_site({"content/models/beta-7b.yaml": "name: B\nsummary: Note: a colon\ndeveloper: d\nrelease_date: 2024-01-01\n"})
    result = run_cli("check", site)
    assert result.returncode == 1
    assert result.stdout.splitlines()[:2] == [
        "content/models/beta-7b.yaml:2:14: YAML syntax error: mapping values are not allowed in this context. [MC001]",
        '    hint: quote the text: it contains ": ", which YAML reads as the start of another key; '
        "write it between double quotes.",
    ]
    [problem] = json.loads(run_cli("check", site, "--format", "json").stdout)["problems"]
    assert (problem["line"], problem["column"]) == (2, 14)


def many_warnings_site(make_site, models: int, scores: int) -> Path:
    """A site whose every score lacks a source (MC103) and every model lists none (MC104)."""
    ids = [f"b{n}" for n in range(scores)]
    files = {"content/benchmarks.yaml": "".join(f"{i}: {{name: Bench {i}, unit: ''}}\n" for i in ids)}
    files["content/comparisons/small-models.yaml"] = None
    for slug in ("alpha-4b", "alpha-4b-chat", "beta-7b", "old-1b"):
        files[f"content/models/{slug}.yaml"] = None
    for n in range(models):
        scored = "".join(f"  {i}: {n % 90 + 1}\n" for i in ids)
        files[f"content/models/m{n:03}.yaml"] = (f"name: Model {n}\nsummary: s\ndeveloper: d\nrelease_date: 2024-01-01\n"
                                                 f"benchmarks:\n{scored}")
    return make_site(files)


def test_past_a_screenful_problems_are_summarised_by_code(make_site, tmp_path):
    site = many_warnings_site(make_site, models=40, scores=50)  # 2,000 MC103 and 40 MC104 warnings
    result = run_cli("check", site)
    assert result.returncode == 0, result.output
    lines = result.stdout.splitlines()
    assert len(result.stdout) < 3000 and len(lines) < 20
    assert lines[0] == "MC103 warning, 2,000 times in 40 files: a benchmark figure without a `source`"
    assert lines[1].startswith("  content/models/m000.yaml:6: benchmarks.b0: warning: the Bench b0 figure has no source.")
    assert "  ... and 1,997 more MC103" in lines
    assert "MC104 warning, 40 times in 40 files: an entry without `sources`" in lines
    assert lines[-1] == ("0 errors, 2,040 warnings in 40 files: showing the first 3 of each code; "
                         "--all lists every one, --format json gives them as data.")
    every = run_cli("check", site, "--all")
    assert every.stdout.count("[MC103]") == 2000 and every.stdout.count("[MC104]") == 40
    built = run_cli("build", site, "--out", tmp_path / "out")
    assert built.returncode == 0 and len(built.stderr.splitlines()) < 20
    assert "--all lists every one" in built.stderr


def test_new_scaffolds_a_draft_that_publishes_nothing_and_never_overwrites(site_copy, tmp_path):
    result = run_cli("new", "gamma-2b", "--name", 'Gamma: "2B"', cwd=site_copy)
    assert result.returncode == 0, result.output
    entry = site_copy / "content/models/gamma-2b.yaml"
    data = yaml.safe_load(entry.read_text())
    assert data["name"] == 'Gamma: "2B"' and data["draft"] is True
    # The example score names a benchmark this site defines, not one it does not (such as mmlu).
    assert "#   medqa: {value: 70.1," in entry.read_text() and "mmlu" not in entry.read_text()
    entry.write_text(entry.read_text() + "# edited\n")
    again = run_cli("new", "gamma-2b", cwd=site_copy)
    assert again.returncode == 2 and "never overwrites" in again.stderr
    assert entry.read_text().endswith("# edited\n")
    assert run_cli("new", "Bad_Slug", cwd=site_copy).returncode == 2
    assert run_cli("new", "../escape", cwd=site_copy).returncode == 2
    out = tmp_path / "out"
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    assert not (out / "developers/unknown").exists() and not (out / "models/gamma-2b").exists()
    assert b"gamma-2b" not in (out / "api/models.json").read_bytes()
    # Published as it was scaffolded, its placeholders are warnings.
    entry.write_text(entry.read_text().replace("draft: true", "draft: false"))
    published = json.loads(run_cli("check", site_copy, "--format", "json").stdout)["problems"]
    assert {(p["code"], p["field"]) for p in published} == {
        ("MC114", "developer"), ("MC116", "summary"), ("MC104", "sources")}
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    assert "Gamma: &#34;2B&#34;" in (out / "models/gamma-2b/index.html").read_text()


def test_new_on_a_site_without_benchmarks_gives_no_example_score(tmp_path):
    (tmp_path / "site.yaml").write_text("title: T\n")
    assert run_cli("new", "alpha-4b", cwd=tmp_path).returncode == 0
    assert "benchmarks" not in (tmp_path / "content/models/alpha-4b.yaml").read_text()


def test_console_script_is_the_same_program():
    exe = shutil.which("modelcat", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "modelcat console script is not installed"
    result = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("modelcat ")


def test_a_slow_build_shows_progress_on_a_terminal_and_a_timing_summary():
    import io

    from generator.settings import BuildResult
    from generator.cli import _ProgressBar, _summary

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = _ProgressBar(screen, delay=0)
    bar.update(5, 10)
    bar.close()
    assert "Rendering [###############...............] 5/10" in screen.getvalue()
    quiet = io.StringIO()
    _ProgressBar(quiet, delay=0).update(5, 10)
    assert quiet.getvalue() == ""  # not a terminal: no bar in logs
    result = BuildResult([], rendered=3, skipped=7, removed=1, timings={"load": 0.75, "render": 0.5})
    assert _summary(result, Path("out")).splitlines() == [
        "Built out in 1.25 s: 3 rendered, 7 unchanged, 1 removed.",
        "  load 0.75 s, render 0.50 s",
    ]


def test_a_reader_that_leaves_early_gets_no_traceback():
    # `modelcat schema | head -1`: the reading end is gone before modelcat writes.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run([sys.executable, "-m", "generator", "schema"], stdout=write_end,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=60)
    finally:
        os.close(write_end)
    assert result.returncode == 1 and result.stderr == ""


def test_an_output_that_cannot_be_written_is_an_error_not_a_traceback(site_copy, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the output's parent folder would go")
    result = run_cli("build", site_copy, "--out", blocker / "site")
    assert result.returncode == 1, result.output
    assert f"{blocker / 'site'}: could not write" in result.stderr and "[MC031]" in result.stderr
    assert "Traceback" not in result.output


def test_a_cache_that_cannot_be_written_only_costs_time(site_copy, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder would go")
    out = tmp_path / "out"
    result = run_cli("build", site_copy, "--out", out, "--cache-dir", blocker / "cache")
    assert result.returncode == 0, result.output
    assert "Could not write the build cache" in result.stderr and "Traceback" not in result.output
    assert "Alpha 4B" in (out / "models/alpha-4b/index.html").read_text()


def test_new_where_no_file_can_be_written_says_so(tmp_path):
    (tmp_path / "site.yaml").write_text("title: T\n")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "models").write_text("a file where the models folder goes")
    result = run_cli("new", "alpha-4b", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == "modelcat new: could not write content/models: File exists.\n"
