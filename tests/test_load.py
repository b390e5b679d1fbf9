"""Reading the site: which files may be read, YAML 1.2 scalars, line numbers and the safety limits,
on both paths.

A file is read by the native parser when it can vouch for it and by the careful walk
otherwise (or when lines are asked for); every rule below holds whichever path runs.
"""

import importlib.util
import json
import math
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from conftest import run_cli, snapshot
from generator import load
from generator.build import build
from generator.errors import Code
from generator.incremental import Tracker
from generator.load import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, find_sources, find_theme_files, parse_yaml
from generator.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=[False, True], ids=["default path", "careful path"])
def parse(request):
    return lambda text: parse_yaml(text, "f.yaml", record_lines=request.param)


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
def test_load_reads_scalars_as_yaml_1_2(parse, text, expected):
    assert parse(text).data == {"v": expected}


def test_load_records_the_line_of_nested_fields():
    parsed = parse_yaml("a: 1\nb:\n  c:\n    - d: 2\n      e: [x, {f: 3}]\n", "f.yaml", record_lines=True)
    assert parsed.lines[("b", "c", 0, "e")] == 5
    assert parsed.lines[("b", "c", 0, "d")] == 4
    assert parsed.lines[("b",)] == 2


def test_load_rejects_duplicate_keys_with_both_lines(parse):
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
def test_load_refuses_tags_that_construct_objects(parse, text):
    parsed = parse(text)
    assert [p.code for p in parsed.problems] == [Code.YAML_TAG]


def test_load_stops_an_alias_bomb_quickly(parse):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        lines.append(f"{level}: &{level} [" + ", ".join([f"*{previous}"] * 10) + "]")
    parsed = parse("\n".join(lines))
    assert [p.code for p in parsed.problems] == [Code.YAML_LIMIT]
    assert f"{MAX_NODES:,}" in parsed.problems[0].message


def test_load_stops_a_self_referencing_alias(parse):
    assert [p.code for p in parse("a: &a [*a]").problems] == [Code.YAML_LIMIT]


def test_load_reports_syntax_errors_with_a_line(parse):
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


def test_load_keeps_the_parsed_text_for_lines_not_the_file_as_it_is_later(tmp_path):
    from generator.load import Source, parse_source

    file = tmp_path / "m.yaml"
    file.write_text("name: a\nbenchmarks:\n  medqa:\n    value: 1\n")
    source = Source("model", file, "content/models/m.yaml", "m")
    entry, _ = parse_source(source, file.read_bytes(), record_lines=True)
    file.write_text("\n\n\nname: a\n")  # edited after it was read
    assert entry.lines.line_of(("benchmarks", "medqa", "value")) == 4


# --- The native path agrees with the careful walk ----------------------------------


def same(a, b) -> bool:
    """Equal, with the same types throughout (1, 1.0 and True differ) and NaN equal to NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def disagreements(texts) -> tuple[list[str], int]:
    """Return the texts the native parser reads otherwise than the careful walk, and how many it read."""
    wrong, taken = [], 0
    for text in texts:
        native = load._parse_plain(text)
        if native is None:
            continue
        taken += 1
        careful = parse_yaml(text, "f.yaml", record_lines=True)
        if careful.problems or not same(native, careful.data):
            wrong.append(text)
    return wrong, taken


@pytest.fixture(scope="module")
def content_files(tmp_path_factory) -> list[str]:
    """The YAML of the bundled catalog, the test fixtures and a 300-model synthetic catalog."""
    spec = importlib.util.spec_from_file_location("make_catalog", ROOT / "bench" / "make_catalog.py")
    make_catalog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_catalog)
    synthetic = tmp_path_factory.mktemp("synthetic")
    make_catalog.make_catalog(300, str(synthetic))
    folders = [ROOT / "content", ROOT / "tests" / "fixtures", synthetic]
    return [path.read_text(encoding="utf-8") for folder in folders for path in sorted(folder.rglob("*.yaml"))]


def test_native_path_reads_every_content_file_as_the_careful_walk_does(content_files):
    wrong, taken = disagreements(content_files)
    assert wrong == []
    assert taken >= 0.95 * len(content_files)  # the synthetic catalog's files all take the native path


def test_native_path_reads_mutated_content_files_as_the_careful_walk_does(content_files):
    rnd = random.Random(15)
    alphabet = list(" \n-:#'\"[]{},?|>*&!%@`\\\t\r.0123456789aeEx_~") + ["\n  ", ": ", "- ", "\n- "]
    texts = []
    for _ in range(3000):
        text = rnd.choice(content_files)
        for _ in range(rnd.randint(1, 4)):
            at = rnd.randrange(len(text) + 1)
            text = rnd.choice([text[:at] + rnd.choice(alphabet) + text[at:], text[:at] + text[at + rnd.randint(1, 3):],
                               text[:at] + rnd.choice(alphabet) + text[at + 1:]])
        texts.append(text)
    wrong, taken = disagreements(texts)
    assert wrong == [] and taken > 1000


def test_native_path_reads_short_scalars_as_the_core_schema_does():
    alphabet = "0123456789+-._eEinfaINFAN~tTrRuUlLsS:xXoObB"
    words = [a + b for a in alphabet for b in alphabet] + list(alphabet) + [
        "0o17", "0O17", "0x1F", "+0x1F", "-0x1F", "0b101", "1_000", "_1", "0._", "1e_5", "1.5e+_3", "-_1", "1__0",
        ".inf", "-.Inf", "+.INF", ".NaN", "nan", "inf", "012", "+12", "-0", "1.10", "4.3e9", "1e", "5.", ".5",
        "True", "TRUE", "tRue", "yes", "no", "on", "Null", "NULL", "~", "2025-07", "2025-07-09", "1:20", "70B", "llama3_1"]
    texts = [f"v: {word}\n" for word in words] + [f"v: [{word}]\n" for word in words] + [f"{word}: 1\n" for word in words]
    wrong, taken = disagreements(texts)
    assert wrong == [] and taken > len(words)


@pytest.mark.parametrize("text", [
    "a: !!str 1\n", "a: !custom x\n", "a: &x 1\nb: *x\n", "b: *x\n", "a: 1\na: 2\n", "a: 1\n'a': 2\n", "<<: {a: 1}\n",
    "1: x\n", "~: x\n", "? [a]\n: b\n", "a: {?b: 1}\n", "a: 0b101\n", "a: 1_000\n", "a: +0x1F\n", "a: x\n---\nb: y\n",
    "%YAML 1.2\n---\na: 1\n", "a: |\n  x", "a:\tb\n", "a: b: c\n", "a: [x\n", "- a\n- b\n",
    "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "a: [" + "1, " * MAX_NODES + "1]\n",
])
def test_native_path_leaves_what_it_cannot_vouch_for_to_the_careful_walk(text):
    assert load._parse_plain(text) is None


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
