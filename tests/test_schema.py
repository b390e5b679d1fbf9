"""The JSON Schema validators and editors read: generated from the classes that validate
content, so it accepts what the loader accepts and rejects what the loader rejects, and
every common validator takes it as it comes (ajv 8 strict, check-jsonschema, jsonschema)."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
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


def test_schema_holds_only_standard_keywords(schema):
    # ajv's strict mode refuses keywords it does not know; the YAML language server's own go in the editor schema.
    assert "patternErrorMessage" not in json.dumps(schema)


AJV = ROOT / "tools" / "ajv"


def require_tool(available: bool, what: str) -> None:
    """Skip without the tool on a developer's machine; under CI=true a missing tool fails the run."""
    if not available:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing; CI must run it (.ci/run installs it).")
        pytest.skip(f"{what} is not installed")


def ajv(schema_file: Path, *documents: Path, editor_keywords: bool = False) -> subprocess.CompletedProcess:
    """Compile a schema with ajv 8 in strict mode (with ajv-formats) and validate documents, through node."""
    require_tool(shutil.which("node") is not None and (AJV / "node_modules" / "ajv").is_dir(),
                 "node with tools/ajv (npm ci --prefix tools/ajv)")
    command = ["node", str(AJV / "validate.mjs"), str(schema_file), *map(str, documents)]
    return subprocess.run(command + (["--editor-keywords"] if editor_keywords else []),
                          capture_output=True, text=True, timeout=60)


def as_json_files(tmp_path: Path, paths: list[Path]) -> list[Path]:
    files = []
    for index, path in enumerate(paths):
        files.append(tmp_path / f"{index}-{path.stem}.json")
        files[-1].write_text(json.dumps(as_editor_sees(path.read_text())))
    return files


BUNDLED = entries_of(ROOT, FIXTURE_SITE, SEED_SITE, V2_SITE)


def test_ajv_8_strict_compiles_the_schema_and_accepts_every_bundled_entry(tmp_path):
    result = ajv(SCHEMA_FILE, *as_json_files(tmp_path, BUNDLED))
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)["results"]
    assert len(results) == len(BUNDLED) and all(r["valid"] for r in results), results


def test_ajv_refuses_a_bad_entry_with_the_schema(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(as_editor_sees(GOOD + "sources: ['javascript:alert(1)']\nparamters: 4B")))
    [result] = json.loads(ajv(SCHEMA_FILE, bad).stdout)["results"]
    assert not result["valid"] and "/sources/0 must match pattern" in " ".join(result["errors"])


def test_check_jsonschema_takes_the_schema_and_accepts_every_bundled_entry():
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    require_tool(tool is not None, "check-jsonschema (pip install -e '.[test]')")
    metaschema = subprocess.run([tool, "--check-metaschema", str(SCHEMA_FILE)], capture_output=True, text=True, timeout=120)
    assert metaschema.returncode == 0, metaschema.stdout + metaschema.stderr
    entries = subprocess.run([tool, "--schemafile", str(SCHEMA_FILE), *map(str, BUNDLED)],
                             capture_output=True, text=True, timeout=120)
    assert entries.returncode == 0, entries.stdout + entries.stderr


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
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


