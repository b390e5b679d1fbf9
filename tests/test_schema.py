"""The JSON Schema editors read: generated from the classes that validate content, so it
accepts what the loader accepts and rejects what the loader rejects."""

import datetime as dt
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURE_SITE, ROOT, V2_SITE, run_cli
from generator.load import parse_yaml

SEED_SITE = Path(__file__).resolve().parent / "fixtures" / "seed-as-written"
SCHEMA_FILE = ROOT / "schemas" / "model.schema.json"
GOOD = "name: Gamma 4B\nsummary: A small test model.\ndeveloper: Acme Labs\nrelease_date: 2025-07-09\n"


@pytest.fixture(scope="module")
def schema() -> dict:
    result = run_cli("schema")
    assert result.returncode == 0, result.output
    return json.loads(result.stdout)


def as_editor_sees(text: str):
    """Parse YAML as the YAML language server does (YAML 1.2: a date is the text written)."""
    parsed = parse_yaml(text, "entry.yaml")
    assert not parsed.problems, parsed.problems
    return json.loads(json.dumps(parsed.data, default=lambda d: d.isoformat() if isinstance(d, dt.date) else str(d)))


def schema_errors(schema: dict, text: str) -> list[str]:
    return [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(as_editor_sees(text))]


def test_committed_schema_file_is_what_modelcat_schema_prints(schema, tmp_path):
    assert json.loads(SCHEMA_FILE.read_text()) == schema, "run `modelcat schema --out schemas/model.schema.json`"
    written = tmp_path / "deep" / "model.schema.json"
    assert run_cli("schema", "--out", written).returncode == 0
    assert written.read_bytes() == SCHEMA_FILE.read_bytes()


def test_schema_is_draft_7_and_describes_every_field(schema):
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"  # what the YAML language server supports
    jsonschema.Draft7Validator.check_schema(schema)
    assert "$defs" not in json.dumps(schema)
    assert schema["additionalProperties"] is False
    for name, field in schema["properties"].items():
        assert field.get("description"), f"{name} has no description to show on hover"


def entries_of(*sites: Path) -> list[Path]:
    return [path for site in sites for path in sorted((site / "content/models").glob("*.yaml"))]


@pytest.mark.parametrize("path", entries_of(ROOT, FIXTURE_SITE, SEED_SITE, V2_SITE), ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
def test_schema_accepts_every_bundled_and_fixture_entry(schema, path):
    assert schema_errors(schema, path.read_text()) == []


BAD_ENTRIES = [
    # (id, entry text): the loader and the schema must both refuse each one
    ("unknown field", GOOD + "paramters: 4B"),
    ("unknown score field", GOOD + "benchmarks:\n  medqa: {value: 64.4, aprox: true}"),
    ("internal field", GOOD + "slug: other"),
    ("empty name", GOOD.replace("Gamma 4B", '""')),
    ("blank summary", GOOD.replace("A small test model.", '"   "')),
    ("empty list item", GOOD + "strengths: ['']"),
    ("empty source title", GOOD + "sources: [{url: 'https://example.org/', title: ''}]"),
    ("missing developer", GOOD.replace("developer: Acme Labs\n", "")),
    ("bad related slug", GOOD + "related: [Not_A_Slug]"),
    ("base_model that is not a slug", GOOD + "base_model: Gemma 3"),
    ("outside model without a name", GOOD + "base_model: {url: 'https://example.org/'}"),
    ("catalog model as a mapping", GOOD + "variant_of: {slug: alpha-4b, name: Alpha}"),
    ("javascript URL", GOOD + "sources: ['javascript:alert(1)']"),
    ("data URL", GOOD + "license: {name: X, url: 'data:text/html,<b>x</b>'}"),
    ("protocol-relative URL", GOOD + "sources: ['//evil.example/x']"),
    ("URL with a space", GOOD + "sources: ['https://example.org/a b']"),
    ("URL without a host", GOOD + "sources: ['https:///path']"),
    ("empty mailto", GOOD + "sources: ['mailto:']"),
    ("month 13", GOOD.replace("2025-07-09", "2025-13")),
    ("one-digit day", GOOD.replace("2025-07-09", "2025-07-9")),
    ("month where a day is needed", GOOD + "updated: 2025-07"),
    ("not a date", GOOD + "updated: yesterday"),
    ("unknown size suffix", GOOD + "parameters: 4.3X"),
    ("zero parameters", GOOD + "parameters: 0"),
    ("zero parameters as text", GOOD + "parameters: 0B"),
    ("negative parameters", GOOD + "parameters: -4"),
    ("fractional context window", GOOD + "context_window: 1000.5"),
    ("unknown modality", GOOD + "modalities: [text, smell]"),
    ("yes for a boolean", GOOD + "open_weights: yes"),
    ("license without name or spdx", GOOD + "license: {url: 'https://example.org/'}"),
    ("license with a space", GOOD + "license: Apache 2.0"),
    ("negative price", GOOD + "pricing: {input_per_mtok: -1}"),
    ("lower-case currency", GOOD + "pricing: {currency: usd}"),
    ("score as a boolean", GOOD + "benchmarks:\n  medqa: true"),
    ("bad benchmark id", GOOD + "benchmarks:\n  Bad Id: 5"),
    ("unknown status", GOOD + "status: gone"),
    ("fact without a label", GOOD + "facts:\n  - {value: SigLIP}"),
    ("silence without a reason", GOOD + "silence:\n  - {code: MC101}"),
    ("silence of an error code", GOOD + "silence:\n  - {code: MC020, reason: Errors cannot be silenced.}"),
    # format v2
    ("context window of 0", GOOD + "context_window: 0"),
    ("output limit of 0", GOOD + "limits: {output: 0}"),
    ("unknown limit", GOOD + "limits: {ouput: 4K}"),
    ("unknown output modality", GOOD + "modalities: {input: [text], output: [smell]}"),
    ("capability that is not an id", GOOD + "capabilities: [Tool Calling]"),
    ("cutoff in month 13", GOOD + "knowledge_cutoff: 2025-13"),
    ("beta status", GOOD + "status: beta"),
    ("offer without a provider", GOOD + "offers:\n  - {model_id: x}"),
    ("unknown per-unit price", GOOD + "pricing: {per_unit: {images: 0.04}}"),
    ("tier without above", GOOD + "pricing: {tiers: [{input_per_mtok: 2}]}"),
    ("free as text", GOOD + "pricing: {free: 'yes'}"),
    ("empty list of scores", GOOD + "benchmarks:\n  medqa: []"),
    ("unknown evaluator", GOOD + "benchmarks:\n  medqa: {value: 1, evaluated_by: lab}"),
    ("negative shots", GOOD + "benchmarks:\n  medqa: {value: 1, shots: -1}"),
    ("variant that is not an id", GOOD + "benchmarks:\n  medqa: [{value: 1, variant: Public Set}]"),
    ("empty alias", GOOD + "aliases: [gpt-4o, '']"),
]
LOADER_ONLY = [
    # What JSON Schema cannot express; the loader still refuses it.
    ("a day that does not exist", GOOD.replace("2025-07-09", "2025-02-30")),
    ("more active parameters than total", GOOD + "parameters: {total: 4B, active: 5B}"),
    ("a fraction of a token", GOOD + "context_window: '1.5'"),
    ("price tiers out of order", GOOD + "pricing: {tiers: [{above: 2K}, {above: 1K}]}"),
    ("two scores of one variant", GOOD + "benchmarks:\n  medqa: [{value: 1}, {value: 2}]"),
    ("self-reported yet measured by the platform", GOOD + "benchmarks:\n  medqa: {value: 1, self_reported: true, evaluated_by: platform}"),
    ("two context windows", GOOD + "context_window: 1K\nlimits: {context: 2K}"),
    ("an offer twice", GOOD + "offers: [{provider: a, model_id: x}, {provider: a, model_id: x}]"),
]


@pytest.fixture(scope="module")
def loader_errors(tmp_path_factory) -> dict[str, set[str]]:
    """Check every bad entry at once, each in its own file; return error codes by file."""
    site = tmp_path_factory.mktemp("bad") / "site"
    shutil.copytree(FIXTURE_SITE, site)
    for index, (_, text) in enumerate(BAD_ENTRIES + LOADER_ONLY):
        (site / f"content/models/bad-{index}.yaml").write_text(text)
    problems = json.loads(run_cli("check", site, "--format", "json").stdout)["problems"]
    found: dict[str, set[str]] = {}
    for problem in problems:
        if problem["severity"] == "error":
            found.setdefault(problem["path"], set()).add(problem["code"])
    return found


@pytest.mark.parametrize("index", range(len(BAD_ENTRIES)), ids=[case[0] for case in BAD_ENTRIES])
def test_loader_and_schema_reject_the_same_bad_entries(schema, loader_errors, index):
    assert loader_errors.get(f"content/models/bad-{index}.yaml"), "the loader accepted it"
    assert schema_errors(schema, BAD_ENTRIES[index][1]), "the schema accepted it"


@pytest.mark.parametrize("index", range(len(LOADER_ONLY)), ids=[case[0] for case in LOADER_ONLY])
def test_loader_rejects_what_no_schema_can_express(loader_errors, index):
    assert loader_errors.get(f"content/models/bad-{len(BAD_ENTRIES) + index}.yaml")


def test_new_entry_carries_the_schema_comment_and_builds(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.yaml").write_text("title: Fresh\n")
    result = run_cli("new", "delta-7b", "--site", site)
    assert result.returncode == 0, result.output
    entry = site / "content/models/delta-7b.yaml"
    text = entry.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/model.schema.json\n")
    assert (entry.parent / "../../schemas/model.schema.json").resolve().read_bytes() == SCHEMA_FILE.read_bytes()
    assert schema_errors(json.loads(SCHEMA_FILE.read_text()), text) == []
    built = run_cli("build", site, "--out", tmp_path / "out")
    assert built.returncode == 0, built.output
    assert (tmp_path / "out/models/delta-7b/index.html").is_file()
    # Its one warning is the reminder to cite sources; a second `new` keeps the schema file as it is.
    assert {p["code"] for p in json.loads(run_cli("check", site, "--format", "json").stdout)["problems"]} == {"MC104"}
    (site / "schemas/model.schema.json").write_text("{}")
    assert run_cli("new", "epsilon-2b", "--site", site).returncode == 0
    assert (site / "schemas/model.schema.json").read_text() == "{}"
