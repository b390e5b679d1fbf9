"""The catalog: an update from the previous catalog equals a build from scratch; drafts
(`draft: true`) are left out of every output unless asked for, and a published entry may
not name one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURE_SITE, run_cli
from generator.entries import load_entries
from generator.catalog import Catalog, FrozenDict, build_catalog
from generator.load import LineMap, Source, find_sources
from generator.schema import Model, Score
from generator.validate import Content, Origin


def fixture_content() -> Content:
    sources, _ = find_sources(FIXTURE_SITE)
    loaded = load_entries(sources, {}, {}, None, dt.date(2026, 1, 1), jobs=1)
    assert not loaded.problems
    return loaded.content


def with_models(content: Content, models: dict[str, Model]) -> Content:
    origins = dict(content.origins)
    for slug in models:
        if ("model", slug) not in origins:
            source = Source("model", Path(f"/nowhere/{slug}.yaml"), f"content/models/{slug}.yaml", slug)
            origins[("model", slug)] = Origin(source.relative, LineMap(source, {}))
    return dataclasses.replace(content, models=models, origins=origins)


def as_plain(value):
    """Return a value with every mapping's order made visible, so that equal means equal and in the same order."""
    if isinstance(value, Mapping):
        return [(key, as_plain(item)) for key, item in value.items()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [(f.name, as_plain(getattr(value, f.name))) for f in dataclasses.fields(value)]
    if isinstance(value, tuple):
        return tuple(as_plain(item) for item in value)
    return value


def new_model(number: int) -> Model:
    return Model.model_validate({
        "slug": f"new-{number}", "name": f"New {number % 5}", "summary": "s", "developer": f"Dev {number % 3}",
        "release_date": f"202{number % 6}-0{1 + number % 9}", "domains": ["code", "medical"][: number % 3],
        "modalities": ["text"], "benchmarks": {"medqa": {"value": number % 97}, "arena": number % 1500},
    })


MUTATIONS = ["summary", "name", "release_date", "status", "developer", "score", "add", "remove", "domains"]


def mutate(models: dict[str, Model], kind: str, pick: int, value: int) -> dict[str, Model]:
    models = dict(models)
    slugs = sorted(models)
    slug = slugs[pick % len(slugs)] if slugs else None
    if kind == "add" or slug is None:
        model = new_model(value)
        models[model.slug] = model
        return models
    if kind == "remove":
        if all(getattr(m.variant_of, "slug", None) != slug and getattr(m.base_model, "slug", None) != slug
               and slug not in m.related for m in models.values()):
            del models[slug]
        return models
    model = models[slug]
    update = {
        "summary": {"summary": f"Changed {value}."},
        "name": {"name": f"Renamed {value % 4}"},
        "release_date": {"release_date": f"20{10 + value % 16}-01-0{1 + value % 9}"},
        "status": {"status": ["active", "deprecated", "retired"][value % 3]},
        "developer": {"developer": f"Dev {value % 3}"},
        "domains": {"domains": [["code"], ["medical", "code"], []][value % 3]},
        "score": {"benchmarks": {**model.benchmarks, "medqa": [Score(value=value % 100)]} if value % 4 else
                  {k: v for k, v in model.benchmarks.items() if k != "medqa"}},
    }[kind]
    models[slug] = model.model_copy(update=update)
    return models


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 40), st.integers(0, 1000)), min_size=1,
                      max_size=8))
def test_an_updated_catalog_equals_one_built_from_scratch(steps):
    base = fixture_content()
    models = dict(base.models)
    for number in range(12):
        models[f"new-{number}"] = new_model(number)
    content = with_models(base, models)
    previous, problems = build_catalog(content)
    assert previous is not None, problems
    for kind, pick, value in steps:
        models = mutate(models, kind, pick, value)
        content = with_models(base, models)
        updated, problems = build_catalog(content, previous)
        scratch, scratch_problems = build_catalog(content)
        assert [p.format() for p in problems] == [p.format() for p in scratch_problems]
        assert as_plain(updated) == as_plain(scratch), f"after {kind}"
        previous = updated


def test_an_update_keeps_every_part_no_change_reaches():
    content = fixture_content()
    before, _ = build_catalog(content)
    beta = content.models["beta-7b"]
    edited = with_models(content, {**content.models, "beta-7b": beta.model_copy(update={"summary": "Edited."})})
    after, _ = build_catalog(edited, before)
    assert after.taxonomies is before.taxonomies and after.leaderboards is before.leaderboards
    assert after.listings is before.listings and after.ranks is before.ranks and after.newest is before.newest
    assert after.models["alpha-4b"] is before.models["alpha-4b"] and after.models["beta-7b"] is not beta


def test_catalog_mappings_are_read_only():
    catalog, _ = build_catalog(fixture_content())
    assert isinstance(catalog, Catalog) and isinstance(catalog.models, FrozenDict)
    with pytest.raises(TypeError):
        catalog.models["x"] = None  # type: ignore[index]


# --- Drafts -------------------------------------------------------------------------

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
                 "benchmarks/medqa/index.html", "index.html", "feed.xml", "sitemaps/1.xml", "api/models.json",
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
