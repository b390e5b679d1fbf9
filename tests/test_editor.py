"""The schema of one site, for editors: its benchmark ids and model slugs are the only
choices where an entry names one, so the YAML language server completes them and
underlines a dangling reference as it is typed."""

import json

import jsonschema
import pytest

from conftest import FIXTURE_SITE, run_cli
from generator import editor
from test_schema import GOOD, ajv, as_editor_sees

FIXTURE_SLUGS = ["alpha-4b", "alpha-4b-chat", "beta-7b", "old-1b"]


@pytest.fixture(scope="module")
def site_schema() -> dict:
    result = run_cli("schema", "--site", FIXTURE_SITE)
    assert result.returncode == 0, result.output
    return json.loads(result.stdout)


def editor_errors(schema: dict, text: str) -> list[str]:
    return [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(as_editor_sees(text))]


def test_site_schema_lists_the_sites_benchmarks_with_their_names_and_its_model_slugs(site_schema):
    benchmarks = site_schema["properties"]["benchmarks"]
    assert list(benchmarks["properties"]) == ["medqa", "arena", "latency"]  # in the file's order, for completion
    assert benchmarks["properties"]["medqa"]["description"] == "MedQA (%): Medical exam questions"
    assert benchmarks["additionalProperties"] is False
    assert site_schema["definitions"]["site-model"]["enum"] == FIXTURE_SLUGS
    assert "patternErrorMessage" in json.dumps(site_schema)  # the editor's own messages are kept here
    jsonschema.Draft7Validator.check_schema(site_schema)


@pytest.mark.parametrize("extra, refused", [
    ("base_model: alpha-4b", False),
    ("base_model: alpha-4", True),  # a dangling base_model
    ("variant_of: nope", True),
    ("related: [beta-7b, nowhere]", True),
    ("base_model: {name: Outside, url: 'https://example.org/'}", False),
    ("benchmarks:\n  medqa: 50", False),
    ("benchmarks:\n  mmlu: 50", True),  # a benchmark the site does not define
    ("benchmarks:\n  arena: {value: 1200, source: 'https://example.org/'}", False),
])
def test_site_schema_refuses_what_the_site_does_not_define(site_schema, extra, refused):
    assert bool(editor_errors(site_schema, GOOD + extra)) is refused


def test_site_schema_compiles_in_ajv_strict_once_its_editor_keyword_is_declared_and_in_check_jsonschema(
        site_schema, tmp_path):
    schema_file = tmp_path / "site.schema.json"
    schema_file.write_text(json.dumps(site_schema))
    entry = tmp_path / "entry.json"
    entry.write_text(json.dumps(as_editor_sees(GOOD + "base_model: nowhere")))
    refused = ajv(schema_file, editor_keywords=False)
    assert refused.returncode == 1 and 'unknown keyword: "patternErrorMessage"' in refused.stderr  # why it is editor-only
    result = ajv(schema_file, entry, editor_keywords=True)
    assert result.returncode == 0, result.stderr
    [checked] = json.loads(result.stdout)["results"]
    assert "/base_model must be equal to one of the allowed values" in checked["errors"]


def test_site_without_benchmarks_accepts_no_benchmark_and_any_slug_pattern(tmp_path):
    (tmp_path / "site.yaml").write_text("title: T\n")
    schema = editor.site_json_schema(editor.site_ids(tmp_path))
    assert editor_errors(schema, GOOD + "benchmarks:\n  medqa: 5")
    assert not editor_errors(schema, GOOD + "related: [some-model]")  # no models yet: no list to refuse it by


def test_ids_come_from_file_names_and_keys_and_a_broken_file_defines_none(make_site, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: {name: Secret}\n")
    site = make_site({"content/benchmarks.yaml": "medqa: {name: MedQA\n",  # a YAML error
                      "content/models/broken.yaml": "name: [\n"})
    ids = editor.site_ids(site)
    assert ids["benchmarks"] == {} and "broken" in ids["model"]
    (site / "content/benchmarks.yaml").unlink()
    (site / "content/benchmarks.yaml").symlink_to(outside)  # a file outside the site is not read
    assert editor.site_ids(site)["benchmarks"] == {}


def test_a_new_kind_of_id_is_one_line(monkeypatch, fixture_site):
    choices = (*editor.SITE_CHOICES, editor.SiteChoice("/definitions/Fact/properties/label", "comparison"))
    monkeypatch.setattr(editor, "SITE_CHOICES", choices)
    schema = editor.site_json_schema(editor.site_ids(fixture_site))
    assert schema["definitions"]["site-comparison"]["enum"] == ["small-models"]
    assert editor_errors(schema, GOOD + "facts: [{label: other, value: x}]")


def test_new_points_its_entry_at_the_site_schema_which_knows_the_new_slug(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.yaml").write_text("title: Fresh\n")
    (site / "content").mkdir()
    (site / "content/benchmarks.yaml").write_text("arena: {name: Arena, unit: Elo}\n")
    result = run_cli("new", "delta-7b", "--site", site)
    assert result.returncode == 0, result.output
    entry = site / "content/models/delta-7b.yaml"
    text = entry.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/site.schema.json\n")
    schema_file = (entry.parent / "../../schemas/site.schema.json").resolve()
    schema = json.loads(schema_file.read_text())
    assert schema["definitions"]["site-model"]["enum"] == ["delta-7b"]
    assert editor_errors(schema, text) == []
    assert editor_errors(schema, text.replace("# benchmarks:", "benchmarks:").replace("#   arena:", "  arena:")) == []
    # The next `new` refreshes the generated file; a file of the editor's own is left as it is.
    assert run_cli("new", "epsilon-2b", "--site", site).returncode == 0
    assert json.loads(schema_file.read_text())["definitions"]["site-model"]["enum"] == ["delta-7b", "epsilon-2b"]
    schema_file.write_text("{}")
    kept = run_cli("new", "zeta-1b", "--site", site)
    assert kept.returncode == 0 and "modelcat did not write it" in kept.stdout
    assert schema_file.read_text() == "{}"
    assert not (site / "schemas/model.schema.json").exists()


def test_schema_of_a_folder_that_is_no_site_is_a_usage_error(tmp_path):
    result = run_cli("schema", "--site", tmp_path)
    assert result.returncode == 2 and "is not a modelcat site" in result.stderr
