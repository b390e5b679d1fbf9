"""The catalog: what a build publishes. Drafts (`draft: true`) are left out of every
output unless asked for, and a published entry may not name one."""

import json
from pathlib import Path

from conftest import run_cli

DRAFT = """\
draft: true
name: Zeta Draftmodel 9B
summary: A model still being written up.
developer: Draftco Labs
release_date: 2026-01
base_model: alpha-4b
related: [beta-7b]
domains: [draftdomain]
modalities: [text]
benchmarks:
  medqa: {value: 99, source: "https://example.com/zeta"}
sources: ["https://example.com/zeta"]
"""
TRACES = (b"zeta-9b", b"Draftmodel", b"draftco", b"Draftco", b"draftdomain")
"""What would show if any page, listing, taxonomy, leaderboard, export, feed or sitemap held the draft."""


def files_with_traces(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and any(trace in p.read_bytes() for trace in TRACES))


def test_a_draft_is_left_out_of_every_output_unless_drafts_is_given(make_site, tmp_path):
    site = make_site({"content/models/zeta-9b.yaml": DRAFT})
    out = tmp_path / "out"
    built = run_cli("build", site, "--out", out)
    assert built.returncode == 0, built.output
    assert files_with_traces(out) == []
    assert (out / "models/alpha-4b/index.html").is_file()

    with_drafts = run_cli("build", site, "--out", out, "--drafts")
    assert with_drafts.returncode == 0, with_drafts.output
    shown = files_with_traces(out)
    for path in ("models/zeta-9b/index.html", "developers/draftco-labs/index.html", "domains/draftdomain/index.html",
                 "benchmarks/medqa/index.html", "index.html", "feed.xml", "sitemap.xml", "api/models.json",
                 "api/models.csv", "api/models/zeta-9b.json", "models/alpha-4b/index.html"):
        assert path in shown, path
    page = (out / "models/zeta-9b/index.html").read_text()
    assert '<li class="badge badge-draft">Draft</li>' in page and "<strong>Draft.</strong> Not published" in page
    assert 'Zeta Draftmodel 9B</a> <span class="badge badge-draft"' in (out / "index.html").read_text()
    assert 'badge-draft' in (out / "benchmarks/medqa/index.html").read_text()
    assert json.loads((out / "api/models/zeta-9b.json").read_text())["model"]["draft"] is True
    assert "draft" not in json.loads((out / "api/models/alpha-4b.json").read_text())["model"]

    # Built again without --drafts into the same output: the draft's files go again.
    assert run_cli("build", site, "--out", out).returncode == 0
    assert files_with_traces(out) == []


def test_check_checks_what_build_publishes_and_says_how_many_drafts_it_left_out(make_site):
    site = make_site({"content/models/zeta-9b.yaml": DRAFT.replace("Draftco Labs", "Unknown")})
    result = run_cli("check", site)
    assert result.returncode == 0, result.output
    assert result.stdout.endswith(
        ": checked 4 models, 1 comparison, 3 benchmarks, 1 page (1 draft left out; --drafts checks drafts too): "
        "no problems.\n")
    with_drafts = json.loads(run_cli("check", site, "--drafts", "--format", "json").stdout)["problems"]
    assert [(p["code"], p["path"]) for p in with_drafts] == [("MC114", "content/models/zeta-9b.yaml")]


def test_a_drafts_own_file_is_still_validated(make_site):
    site = make_site({"content/models/zeta-9b.yaml": DRAFT + "paramters: 9B\n"})
    problems = json.loads(run_cli("check", site, "--format", "json").stdout)["problems"]
    assert [(p["code"], p["field"]) for p in problems] == [("MC010", "paramters")]


def test_a_published_entry_that_names_a_draft_is_an_error(make_site, tmp_path):
    site = make_site({"content/models/alpha-4b.yaml": "draft: true\n" + (
        Path(__file__).parent / "fixtures/site/content/models/alpha-4b.yaml").read_text()})
    result = run_cli("check", site, "--format", "json")
    assert result.returncode == 1
    found = {(p["code"], p["path"], p["line"], p["field"]) for p in json.loads(result.stdout)["problems"]}
    assert found == {
        ("MC024", "content/models/alpha-4b-chat.yaml", 4, "variant_of"),
        ("MC024", "content/models/beta-7b.yaml", 7, "related[0]"),
        ("MC024", "content/comparisons/small-models.yaml", 2, "models[0]"),
    }
    [message] = {p["message"] for p in json.loads(result.stdout)["problems"]}
    assert message == '"alpha-4b" is a draft, which this build leaves out.'
    assert run_cli("build", site, "--out", tmp_path / "out").returncode == 1
    assert run_cli("check", site, "--drafts").returncode == 0
