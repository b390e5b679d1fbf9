"""Reading YAML: YAML 1.2 scalars, line numbers, and the safety limits, on both paths.

A file is read by the native parser when it can vouch for it and by the careful walk
otherwise (or when lines are asked for); every rule below holds whichever path runs.
"""

import importlib.util
import math
import random
from pathlib import Path

import pytest

from generator import load
from generator.errors import Code
from generator.load import MAX_DEPTH, MAX_NODES, parse_yaml

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
