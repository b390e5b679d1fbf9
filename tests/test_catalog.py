"""Checks across entries and the URL of every taxonomy term."""

import json

import pytest

from conftest import run_cli
from generator.catalog import MAX_TERM_SLUG, slugify


@pytest.mark.parametrize("name, slug", [
    ("Mistral AI", "mistral-ai"), ("Google DeepMind", "google-deepmind"), ("Zürich Lab", "zurich-lab"),
])
def test_slugify_keeps_readable_names_readable(name, slug):
    assert slugify(name) == slug


@pytest.mark.parametrize("name", ["深度求索", "x" * 300, "A " * 200, "CON", "nul", "Com1"])
def test_slugify_gives_every_name_a_short_stable_distinct_segment(name):
    slug = slugify(name)
    assert 0 < len(slug) <= MAX_TERM_SLUG and slug.strip("-") == slug
    assert slug not in ("con", "nul", "com1")
    assert slug == slugify(name) != slugify(name + "!")  # stable, and two names do not share it


def test_a_developer_with_a_very_long_name_gets_a_page(make_site, tmp_path):
    # Issue 10: a 300-character developer failed with "File name too long", naming no file.
    name = "Laboratory of " + "very " * 60 + "long names"
    site = make_site({"content/models/beta-7b.yaml": f"""
        name: Beta 7B
        summary: Another developer's model.
        developer: {name}
        release_date: 2024-02-15
        sources: ["https://example.com/beta"]
        """})
    out = tmp_path / "out"
    result = run_cli("build", site, "--out", out)
    assert result.returncode == 0, result.output
    [page] = [p for p in (out / "developers").iterdir() if p.name.startswith("laboratory-of-very")]
    assert len(page.name) <= MAX_TERM_SLUG and name in (page / "index.html").read_text()


def test_an_unreadable_benchmarks_file_does_not_make_every_score_unknown(make_site):
    site = make_site({"content/benchmarks.yaml": "medqa: {name: MedQA\n"})
    problems = json.loads(run_cli("check", site, "--format", "json").stdout)["problems"]
    assert [p["code"] for p in problems] == ["MC001"]
