"""The catalog: an update from the previous catalog equals a build from scratch."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURE_SITE
from generator.build import Settings, _load
from generator.catalog import Catalog, FrozenDict, build_catalog
from generator.load import LineMap, Source, find_sources
from generator.schema import Model, Score
from generator.validate import Content, Origin


def fixture_content() -> Content:
    sources, _ = find_sources(FIXTURE_SITE)
    content, problems, _ = _load(sources, {}, {}, None, Settings(FIXTURE_SITE, jobs=1))
    assert not problems
    return content


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
        "score": {"benchmarks": {**model.benchmarks, "medqa": Score(value=value % 100)} if value % 4 else
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
