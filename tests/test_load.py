"""Reading the site: which files may be read, YAML 1.2 scalars, line numbers, and the safety limits."""

import json
import os
import shutil
import time

import pytest

from conftest import run_cli, snapshot
from generator.build import Settings, build
from generator.errors import Code
from generator.incremental import Tracker
from generator.load import MAX_FILE_BYTES, MAX_NODES, find_sources, find_theme_files, parse_yaml


def parse(text: str):
    return parse_yaml(text, "f.yaml", record_lines=True)


@pytest.mark.parametrize("text, expected", [
    ("v: no", "no"),                 # YAML 1.1 would say False
    ("v: 4.3e9", 4.3e9),             # YAML 1.1 would say the string "4.3e9"
    ("v: 1:20", "1:20"),             # YAML 1.1 would say 80 (base 60)
    ("v: 0o17", 15),
    ("v: 1.10", 1.1),
    ("v: true", True),
    ("v: ~", None),
    ("v: 2025-07", "2025-07"),
    ("v: 2025-07-09", "2025-07-09"),  # dates stay text, as in YAML 1.2; the schema checks their form
])
def test_load_reads_scalars_as_yaml_1_2(text, expected):
    assert parse(text).data == {"v": expected}


def test_load_records_the_line_of_nested_fields():
    parsed = parse("a: 1\nb:\n  c:\n    - d: 2\n      e: [x, {f: 3}]\n")
    assert parsed.lines[("b", "c", 0, "e")] == 5
    assert parsed.lines[("b", "c", 0, "d")] == 4
    assert parsed.lines[("b",)] == 2


def test_load_rejects_duplicate_keys_with_both_lines():
    parsed = parse("name: a\nsummary: b\nname: c\n")
    [problem] = parsed.problems
    assert (problem.code, problem.line, problem.field) == (Code.DUPLICATE_KEY, 3, "name")
    assert "first on line 1" in problem.message


@pytest.mark.parametrize("text", [
    "x: !!python/object/apply:os.system [echo hacked]",
    "x: !!python/name:os.system",
    "x: !!binary aGVsbG8=",
    "x: !custom 1",
])
def test_load_refuses_tags_that_construct_objects(text):
    parsed = parse(text)
    assert [p.code for p in parsed.problems] == [Code.YAML_TAG]


def test_load_stops_an_alias_bomb_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    parsed = parse("\n".join(lines))
    assert [p.code for p in parsed.problems] == [Code.YAML_LIMIT]
    assert f"{MAX_NODES:,}" in parsed.problems[0].message


def test_load_stops_a_self_referencing_alias():
    assert [p.code for p in parse("a: &a [*a]").problems] == [Code.YAML_LIMIT]


def test_load_reports_syntax_errors_with_a_line():
    [problem] = parse("name: ok\nsummary: [unclosed\nother: 1\n").problems
    assert problem.code == Code.YAML_SYNTAX
    assert problem.line in (2, 3, 4)


def test_load_works_out_lines_only_when_asked(tmp_path):
    from generator.load import Source, parse_source

    file = tmp_path / "m.yaml"
    file.write_text("name: a\nbenchmarks:\n  medqa:\n    value: 1\n")
    entry, problems = parse_source(Source("model", file, "content/models/m.yaml", "m"), file.read_bytes())
    assert problems == []
    assert entry.lines.line_of(("benchmarks", "medqa", "value")) == 4
    assert entry.lines.line_of(("benchmarks", "medqa", "nope")) == 3  # nearest parent


@pytest.mark.parametrize("text, hint", [
    ("name: A\n\tsummary: indented with a tab\n", "YAML indents with spaces only"),
    ("name: A\nsummary: \"never closed\n", "check the indentation and quoting"),
])
def test_a_syntax_error_hints_at_its_likely_cause(text, hint):
    [problem] = parse_yaml(text, "f.yaml").problems
    assert problem.code == Code.YAML_SYNTAX and problem.hint.startswith(hint)


# --- Files the site may read (issue 10) ---------------------------------------------
OUTSIDE_ENTRY = """\
name: Zeta 2B
summary: An entry kept outside the site.
developer: Elsewhere
release_date: 2025-01-01
"""


def codes_by_path(site) -> dict[str, set[str]]:
    result = run_cli("check", site, "--format", "json")
    assert "Traceback" not in result.output
    found: dict[str, set[str]] = {}
    for problem in json.loads(result.stdout)["problems"]:
        found.setdefault(problem["path"], set()).add(problem["code"])
    return found


def test_a_static_file_linked_outside_the_site_is_neither_checked_clean_nor_published(site_copy, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    before = snapshot(out)
    (site_copy / "static").mkdir()
    (site_copy / "static/leak.txt").symlink_to("/etc/passwd")
    (site_copy / "static/etc").symlink_to("/etc")
    check = run_cli("check", site_copy)
    assert check.returncode == 1
    assert "static/leak.txt: this file leads outside the site (to /etc/passwd)" in check.stdout
    assert "static/etc: this folder leads outside the site" in check.stdout and "[MC040]" in check.stdout
    build = run_cli("build", site_copy, "--out", out)
    assert build.returncode == 1 and "Traceback" not in build.output
    assert snapshot(out) == before and not (out / "leak.txt").exists()


def test_a_content_folder_or_entry_linked_outside_the_site_is_refused(site_copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "pages").mkdir(parents=True)
    (elsewhere / "pages/secret.md").write_text("---\ntitle: Secret\n---\nNot for publishing.\n")
    (elsewhere / "zeta-2b.yaml").write_text(OUTSIDE_ENTRY)
    shutil.rmtree(site_copy / "content/pages")
    (site_copy / "content/pages").symlink_to(elsewhere / "pages")
    (site_copy / "content/models/zeta-2b.yaml").symlink_to(elsewhere / "zeta-2b.yaml")
    found = codes_by_path(site_copy)
    assert found["content/pages"] == {"MC040"}
    assert found["content/models/zeta-2b.yaml"] == {"MC040"}
    result = run_cli("build", site_copy, "--out", tmp_path / "out")
    assert result.returncode == 1 and not (tmp_path / "out").exists()


def test_a_model_linked_to_dev_zero_is_refused_without_being_read(site_copy):
    (site_copy / "content/models/zero.yaml").symlink_to("/dev/zero")
    started = time.monotonic()
    assert codes_by_path(site_copy)["content/models/zero.yaml"] == {"MC040"}
    assert time.monotonic() - started < 30


def test_special_files_inside_the_site_are_refused_without_being_opened(site_copy):
    # Opening a FIFO blocks until a writer comes: a check that opened one would hang here.
    os.mkfifo(site_copy / "content/models/pipe.yaml")
    (site_copy / "static").mkdir()
    os.mkfifo(site_copy / "static/pipe.css")
    found = codes_by_path(site_copy)
    assert found["content/models/pipe.yaml"] == {"MC041"} and found["static/pipe.css"] == {"MC041"}


def test_a_content_file_over_the_limit_is_refused_from_its_size_alone(site_copy):
    huge = site_copy / "content/models/huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(64 * 1024**3)  # sparse: reading it whole would need 64 GB of memory
    sources, problems = find_sources(site_copy)
    assert huge not in [s.file for s in sources]
    [problem] = problems
    assert (problem.code, problem.path) == ("MC003", "content/models/huge.yaml")
    assert f"limited to {MAX_FILE_BYTES:,}" in problem.message


def test_links_that_stay_inside_the_site_are_read_and_published(site_copy, tmp_path):
    (site_copy / "shared/css").mkdir(parents=True)
    (site_copy / "shared/css/extra.css").write_text("body { margin: 0 }\n")
    (site_copy / "static").mkdir()
    (site_copy / "static/extra").symlink_to(site_copy / "shared/css")
    (site_copy / "static/one.css").symlink_to("../shared/css/extra.css")
    (site_copy / "drafts").mkdir()
    (site_copy / "drafts/zeta-2b.yaml").write_text(OUTSIDE_ENTRY)
    (site_copy / "content/models/zeta-2b.yaml").symlink_to("../../drafts/zeta-2b.yaml")
    out = tmp_path / "out"
    result = run_cli("build", site_copy, "--out", out)
    assert result.returncode == 0, result.output
    assert (out / "extra/extra.css").read_text() == (out / "one.css").read_text() == "body { margin: 0 }\n"
    assert "Zeta 2B" in (out / "models/zeta-2b/index.html").read_text()


def test_broken_links_and_link_loops_are_reported(site_copy):
    (site_copy / "content/models/gone.yaml").symlink_to("nowhere.yaml")
    (site_copy / "content/models/ring-a.yaml").symlink_to("ring-b.yaml")
    (site_copy / "content/models/ring-b.yaml").symlink_to("ring-a.yaml")
    (site_copy / "static/sub").mkdir(parents=True)
    (site_copy / "static/sub/up").symlink_to("..")
    found = codes_by_path(site_copy)
    for path in ("content/models/gone.yaml", "content/models/ring-a.yaml", "content/models/ring-b.yaml", "static/sub/up"):
        assert found[path] == {"MC042"}, path


def test_templates_may_link_outside_the_site(site_copy, tmp_path):
    # Templates are the site author's code, as Hugo trusts a project's own layouts: a
    # theme kept beside several sites may be linked in. Content and static files may not.
    theme = tmp_path / "shared-theme"
    theme.mkdir()
    (theme / "page.html").write_text('{% extends "base.html" %}{% block main %}<p>shared theme</p>{% endblock %}\n')
    (site_copy / "templates").mkdir()
    (site_copy / "templates/page.html").symlink_to(theme / "page.html")
    problems = []
    files = find_theme_files(site_copy, "templates", problems)
    assert problems == [] and files["page.html"] == site_copy / "templates/page.html"
    out = tmp_path / "out"
    result = run_cli("build", site_copy, "--out", out)
    assert result.returncode == 0, result.output
    assert "shared theme" in (out / "about/index.html").read_text()
    (site_copy / "static").mkdir()
    (site_copy / "static/page.html").symlink_to(theme / "page.html")
    find_theme_files(site_copy, "static", problems)
    assert [(p.code, p.path) for p in problems] == [("MC040", "static/page.html")]


def test_a_rebuild_told_what_changed_lists_a_file_swapped_for_a_link_again(site_copy, tmp_path):
    # The dev server's rebuild keeps the last listing when its watcher says only known
    # files changed; a file that became a link must still meet the gate.
    elsewhere = tmp_path / "elsewhere.yaml"
    elsewhere.write_text(OUTSIDE_ENTRY)
    tracker = Tracker(autosave=False)
    settings = Settings(site_copy, out_dir=tmp_path / "out", jobs=1)
    assert build(settings, tracker=tracker).published
    beta = site_copy / "content/models/beta-7b.yaml"
    kept = beta.read_text()
    beta.unlink()
    beta.symlink_to(elsewhere)
    result = build(settings, tracker=tracker, changed={str(beta)})
    assert not result.published
    assert [(p.code, p.path) for p in result.problems if p.code == "MC040"] == [("MC040", "content/models/beta-7b.yaml")]
    assert "Elsewhere" not in (tmp_path / "out/models/beta-7b/index.html").read_text()
    beta.unlink()
    beta.write_text(kept)
    assert build(settings, tracker=tracker, changed={str(beta)}).published
