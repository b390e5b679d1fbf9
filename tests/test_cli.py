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


def test_check_writes_nothing(site_copy):
    before = snapshot(site_copy)
    result = run_cli("check", site_copy)
    assert result.returncode == 0, result.output
    assert "no problems" in result.stdout
    assert snapshot(site_copy) == before


def test_strict_turns_warnings_into_failures(site_copy, tmp_path):
    (site_copy / "content/models/notes.txt").write_text("not content")
    relaxed = run_cli("check", site_copy)
    assert relaxed.returncode == 0 and "warning:" in relaxed.stdout and "MC009" in relaxed.stdout
    assert run_cli("check", site_copy, "--strict").returncode == 1
    assert run_cli("build", site_copy, "--out", tmp_path / "a").returncode == 0
    strict = run_cli("build", site_copy, "--out", tmp_path / "b", "--strict")
    assert strict.returncode == 1 and not (tmp_path / "b").exists()


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
    assert all(set(p) == {"severity", "code", "path", "line", "field", "message", "hint"} for p in data["problems"])


def test_new_scaffolds_an_entry_that_builds_and_never_overwrites(site_copy, tmp_path):
    result = run_cli("new", "gamma-2b", "--name", 'Gamma "2B"', cwd=site_copy)
    assert result.returncode == 0, result.output
    entry = site_copy / "content/models/gamma-2b.yaml"
    assert yaml.safe_load(entry.read_text())["name"] == 'Gamma "2B"'
    entry.write_text(entry.read_text() + "# edited\n")
    again = run_cli("new", "gamma-2b", cwd=site_copy)
    assert again.returncode == 2 and "never overwrites" in again.stderr
    assert entry.read_text().endswith("# edited\n")
    assert run_cli("new", "Bad_Slug", cwd=site_copy).returncode == 2
    assert run_cli("new", "../escape", cwd=site_copy).returncode == 2
    out = tmp_path / "out"
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    assert "Gamma &#34;2B&#34;" in (out / "models/gamma-2b/index.html").read_text()


def test_console_script_is_the_same_program():
    exe = shutil.which("modelcat", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "modelcat console script is not installed"
    result = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("modelcat ")


def test_a_slow_build_shows_progress_on_a_terminal_and_a_timing_summary():
    import io

    from generator.build import BuildResult
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
