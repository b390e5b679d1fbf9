"""How problems are printed: clickable locations, and past a screenful a summary by code."""

from generator.errors import Code, Problem, Severity, report


def test_a_problem_prints_its_column_only_where_the_source_gives_one():
    located = Problem(Code.YAML_SYNTAX, "content/models/a.yaml", "", "YAML syntax error.", line=3, column=14)
    assert located.format() == "content/models/a.yaml:3:14: YAML syntax error. [MC001]"
    assert Problem(Code.UNKNOWN_FIELD, "a.yaml", "x", "unknown field.", line=3).format() == "a.yaml:3: x: unknown field. [MC010]"
    assert Problem(Code.MISSING_FILE, "site.yaml", "", "missing.").format() == "site.yaml: missing. [MC008]"


def warning(n: int, code: str = Code.UNSOURCED_FIGURE) -> Problem:
    return Problem(code, f"content/models/m{n // 10:02}.yaml", f"benchmarks.b{n % 10}", "no source.", line=5 + n % 10,
                   hint="add one.", severity=Severity.WARNING)


def test_a_screenful_of_problems_is_printed_in_full():
    problems = [warning(n) for n in range(20)]  # 40 lines with their hints
    assert report(problems, show_all=False, how_to_see_all="(see all)") == [
        line for p in problems for line in p.format().splitlines()] + ["0 errors, 20 warnings in 2 files."]


def test_past_a_screenful_problems_are_summarised_by_code_errors_first():
    problems = [warning(n) for n in range(21)] + [warning(n, Code.UNSOURCED_ENTRY) for n in range(2)] + [
        Problem(Code.UNKNOWN_BENCHMARK, "content/models/z.yaml", "benchmarks.q", "unknown benchmark id.", line=2)]
    lines = report(problems, show_all=False, how_to_see_all="--all lists every one.")
    assert lines == [
        "MC021 error, once in 1 file: an unknown benchmark id",
        "  content/models/z.yaml:2: benchmarks.q: unknown benchmark id. [MC021]",
        "MC103 warning, 21 times in 3 files: a benchmark figure without a `source`",
        "  content/models/m00.yaml:5: benchmarks.b0: warning: no source. [MC103]",
        "      hint: add one.",
        "  content/models/m00.yaml:6: benchmarks.b1: warning: no source. [MC103]",
        "      hint: add one.",
        "  content/models/m00.yaml:7: benchmarks.b2: warning: no source. [MC103]",
        "      hint: add one.",
        "  ... and 18 more MC103",
        "MC104 warning, 2 times in 1 file: an entry without `sources`",
        "  content/models/m00.yaml:5: benchmarks.b0: warning: no source. [MC104]",
        "      hint: add one.",
        "  content/models/m00.yaml:6: benchmarks.b1: warning: no source. [MC104]",
        "      hint: add one.",
        "1 error, 23 warnings in 4 files: --all lists every one.",
    ]
    assert len(report(problems, show_all=True, how_to_see_all="")) == 2 * 23 + 1 + 1
