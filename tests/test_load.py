"""Reading YAML: YAML 1.2 scalars, line numbers, and the safety limits."""

import pytest

from generator.errors import Code
from generator.load import MAX_NODES, parse_yaml


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
