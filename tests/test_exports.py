"""The JSON record of a model, written by pydantic, is byte for byte what json.dumps writes."""

import importlib.util
import json
from pathlib import Path

import pytest

from generator import exports
from generator.build import Settings, check
from generator.schema import Model
from generator.urls import Urls

ROOT = Path(__file__).resolve().parent.parent


def reference(model: Model, names: dict, urls: Urls) -> str:
    return json.dumps(exports.model_record(model, names, urls), ensure_ascii=False, separators=(",", ":"))


def synthetic_site(folder: Path) -> Path:
    spec = importlib.util.spec_from_file_location("make_catalog", ROOT / "bench" / "make_catalog.py")
    make_catalog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_catalog)
    make_catalog.make_catalog(300, str(folder))
    return folder


@pytest.mark.parametrize("site", ["bundled", "synthetic"])
@pytest.mark.parametrize("base_url", ["/", "https://example.org/a&b/"])
def test_record_json_is_json_dumps_of_the_record_for_every_model(site, base_url, tmp_path):
    folder = ROOT if site == "bundled" else synthetic_site(tmp_path / "site")
    catalog = check(Settings(folder, use_cache=False)).catalog
    urls = Urls(base_url)
    for model in catalog.models.values():
        names = exports.referenced_names(model, catalog)
        assert exports.record_json(model, names, urls) == reference(model, names, urls), model.slug


@pytest.mark.parametrize("extra", [
    {},
    {"pricing": None},
    {"pricing": {"input_per_mtok": 0.00001, "output_per_mtok": 2.5e-7}},
    {"pricing": {"input_per_mtok": 0.0001, "output_per_mtok": 1e16}},
    {"parameters": 0.00005},
    {"parameters": {"total": 1e17, "active": 1.5e16}},
    {"benchmarks": {"x": 1e-05, "y": {"value": -0.0, "note": "a\u2028b\x7f\x1f</script>\"\\ é 😀"}}},
    {"variant_of": {"name": "Outside", "url": "https://e.org/"}, "base_model": "known"},
    {"variant_of": "known", "related": ["known"], "facts": [{"label": "L", "value": 12}]},
])
def test_record_json_is_json_dumps_of_the_record_for_unusual_entries(extra):
    data = {"name": "M", "summary": "S", "developer": "Dév & Co", "release_date": "2025-01", **extra}
    model = Model.model_validate(data).model_copy(update={"slug": "m"})
    names = {"known": "Known \"model\""}
    urls = Urls("/")
    assert exports.record_json(model, names, urls) == reference(model, names, urls)
