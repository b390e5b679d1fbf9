"""`modelcat import`: entries from a models.dev checkout, scores from a model card's model-index.

The fixtures are small files in the real formats (tests/fixtures/models-dev, tests/fixtures/hf);
hostile files (a link out of the folder, an oversized file) are added to a copy at run time.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from generator.build import Settings, build, check
from generator.importers import grouping, run
from generator.importers.report import BROKEN, GUESSED, MERGED, NOT_HELD

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODELS_DEV = FIXTURES / "models-dev"
CARD = FIXTURES / "hf" / "neuralpipe-7b-slerp.md"
MODEL_INDEX = FIXTURES / "hf" / "whisper-small-model-index.yaml"


def _site(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "site.yaml").write_text("title: Imported\n")
    return folder


def _hostile_checkout(tmp: Path) -> Path:
    """A copy of the fixture checkout with what cannot be committed: a link out of it, a huge file."""
    checkout = tmp / "models.dev"
    shutil.copytree(MODELS_DEV, checkout)
    secret = tmp / "secret.toml"
    secret.write_text('name = "outside the folder"\n')
    (checkout / "providers" / "openrouter" / "models" / "acme" / "escape.toml").symlink_to(secret)
    (checkout / "providers" / "openrouter" / "models" / "acme" / "huge.toml").write_text(
        'name = "' + "x" * 1_100_000 + '"\n')
    return checkout


def _entry(site: Path, slug: str) -> dict:
    return yaml.safe_load((site / "content" / "models" / f"{slug}.yaml").read_text())


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """One import of the hostile fixture checkout into an empty site: (site, report)."""
    tmp = tmp_path_factory.mktemp("import")
    site = _site(tmp / "site")
    report = run.models_dev(site, _hostile_checkout(tmp), dry_run=False)
    return site, report


def _notes(report, kind: str) -> list[str]:
    return [f"{n.source}:{n.line or ''} {n.entry} {n.message}" for n in report.notes if n.kind == kind]


# --- Grouping ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw, base, date, region", [
    ("us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4", "20250514", "us"),
    ("anthropic/claude-sonnet-4", "claude-sonnet-4", None, None),
    ("claude-sonnet-4@20250514", "claude-sonnet-4", "20250514", None),
    ("anthropic--claude-3.5-sonnet", "claude-3-5-sonnet", None, None),
    ("claude-3-5-sonnet-latest", "claude-3-5-sonnet", None, None),
    ("meta.llama3-1-8b-instruct-v1:0", "llama-3-1-8b-instruct", None, None),
    ("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama-3-1-8b-instruct", None, None),
    ("workers-ai/@cf/meta/llama-3.1-8b-instruct-fp8", "llama-3-1-8b-instruct", None, None),
    ("meta-llama/llama-3.1-8b-instruct:free", "llama-3-1-8b-instruct", None, None),
    ("gpt-4o-2024-08-06", "gpt-4o", "20240806", None),
    ("deepseek.v3-v1:0", "deepseek-v-3", None, None),
    ("deepseek-v3", "deepseek-v-3", None, None),
    ("claude-opus-4-0", "claude-opus-4", None, None),
    ("gpt-4.1", "gpt-4-1", None, None),
    ("mistral-large-2411", "mistral-large-2411", None, None),
])
def test_grouping_reads_what_a_provider_id_names(raw, base, date, region):
    read = grouping.read_id(raw)
    assert (read.base, read.date, read.region) == (base, date, region)


def test_grouping_makes_ids_from_any_benchmark_name():
    assert grouping.identifier("Humanity’s Last Exam") == "humanitys_last_exam"
    assert grouping.identifier("τ3 Banking") == "tau_3_banking"
    assert grouping.identifier("SWE-Bench Pro") == grouping.identifier("SWE Bench Pro") == "swe_bench_pro"


# --- models.dev ---------------------------------------------------------------------------


def test_models_dev_makes_one_entry_per_model_and_reports_the_ids_it_merged(imported):
    site, report = imported
    slugs = sorted(p.stem for p in (site / "content" / "models").glob("*.yaml"))
    expected = ["claude-sonnet-4", "evil", "gpt-4o-2024-08-06", "gpt-image-1", "llama-3-1-8b-instruct"]
    assert slugs == expected + ["zorblax-1"]
    claude = _entry(site, "claude-sonnet-4")
    assert set(claude["aliases"]) == {"anthropic.claude-sonnet-4-20250514-v1:0", "anthropic/claude-sonnet-4",
                                      "claude-sonnet-4-20250514", "eu.anthropic.claude-sonnet-4-20250514-v1:0"}
    merged = _notes(report, MERGED)
    assert any("claude-sonnet-4" in n and "5 ids" in n and "eu.anthropic.claude-sonnet-4-20250514-v1:0" in n
               for n in merged), merged
    assert any("llama-3.1-8b-instruct-fp8" in n and "meta-llama/llama-3.1-8b-instruct:free" in n for n in merged)
    assert report.counts["entries"] == 6 and report.counts["offers"] == 10 and report.counts["scores"] == 3


def test_models_dev_developer_listing_sets_the_price_and_every_other_listing_is_an_offer(imported):
    site, _ = imported
    claude = _entry(site, "claude-sonnet-4")
    assert claude["developer"] == "Anthropic"
    assert claude["pricing"] == {"input_per_mtok": 3.0, "output_per_mtok": 15.0, "cached_input_per_mtok": 0.3,
                                 "cache_write_per_mtok": 3.75, "tiers": [
                                     {"above": 200000, "input_per_mtok": 6.0, "output_per_mtok": 22.5,
                                      "cached_input_per_mtok": 0.6}]}
    offers = {(o["provider"], o["model_id"]): o for o in claude["offers"]}
    assert set(offers) == {("amazon-bedrock", "anthropic.claude-sonnet-4-20250514-v1:0"),
                           ("amazon-bedrock", "eu.anthropic.claude-sonnet-4-20250514-v1:0"),
                           ("github-copilot", "claude-sonnet-4"), ("openrouter", "anthropic/claude-sonnet-4")}
    eu = offers[("amazon-bedrock", "eu.anthropic.claude-sonnet-4-20250514-v1:0")]
    assert eu == {"provider": "amazon-bedrock", "model_id": "eu.anthropic.claude-sonnet-4-20250514-v1:0",
                  "pricing": {"input_per_mtok": 3.3, "output_per_mtok": 16.5}, "limits": {"context": 200000},
                  "status": "preview", "region": "eu"}
    assert offers[("github-copilot", "claude-sonnet-4")]["pricing"] == {"plan": "GitHub Copilot"}
    assert "limits" not in offers[("openrouter", "anthropic/claude-sonnet-4")]  # the same as the entry's
    llama = _entry(site, "llama-3-1-8b-instruct")
    assert "pricing" not in llama  # Meta sells no API here: the offers give "from $X"
    free = next(o for o in llama["offers"] if o["model_id"].endswith(":free"))
    assert free["pricing"] == {"free": True} and free["limits"] == {"output": 4096}


def test_models_dev_maps_every_field_the_format_holds(imported):
    site, _ = imported
    claude = _entry(site, "claude-sonnet-4")
    assert claude["release_date"].isoformat() == "2025-05-22" and claude["last_updated"].isoformat() == "2025-05-22"
    assert claude["knowledge_cutoff"] == "2025-03" and claude["family"] == "claude-sonnet"
    assert claude["limits"] == {"context": 1000000, "output": 64000}
    assert claude["modalities"] == {"input": ["text", "image", "pdf"], "output": ["text"]}
    assert claude["capabilities"] == ["reasoning", "tool_calling", "structured_output", "attachments", "temperature"]
    assert claude["open_weights"] is False and claude.get("status", "active") == "active"
    assert claude["facts"] == [{"label": "Reasoning options", "value": "thinking budget in tokens (from 1,024)"}]
    assert {"title": "models.dev", "url": "https://models.dev/"} in claude["sources"]
    pro = {s["variant"]: s for s in claude["benchmarks"]["swe_bench_pro"]}
    assert pro["public"] == {"value": 42.7, "variant": "public", "evaluated_by": "third_party", "metric": "resolve rate",
                             "source": "https://labs.scale.com/leaderboard/swe_bench_pro_public",
                             "date": __import__("datetime").date(2025, 9, 20)}
    verified = claude["benchmarks"]["swe_bench_verified"]
    assert verified["evaluated_by"] == "developer" and verified["note"] == "Dated 2025-05 in the source."
    image = _entry(site, "gpt-image-1")
    assert image["modalities"]["output"] == ["image"] and "limits" not in image
    assert image["pricing"]["per_unit"] == {"image": 0.04}
    content = site / "content"
    benchmarks = yaml.safe_load((content / "benchmarks.yaml").read_text())
    assert benchmarks["swe_bench_pro"]["variants"] == {"commercial": {"name": "commercial"}, "public": {"name": "public"}}
    assert benchmarks["swe_bench_pro"]["unit"] == "%"
    providers = yaml.safe_load((content / "providers.yaml").read_text())
    assert providers["amazon-bedrock"] == {"name": "Amazon Bedrock",
                                           "url": "https://docs.aws.amazon.com/bedrock/latest/userguide/models-supported.html"}
    assert set(yaml.safe_load((content / "capabilities.yaml").read_text())) >= {"reasoning", "tool_calling"}


def test_models_dev_reports_what_is_broken_or_not_held_and_imports_the_rest(imported):
    site, report = imported
    broken = "\n".join(_notes(report, BROKEN))
    assert "providers/openrouter/models/acme/broken.toml:2 " in broken and "TOML syntax error" in broken
    assert "escape.toml" in broken and "leads out of the imported folder" in broken
    assert "huge.toml" in broken and "larger than" in broken
    assert "gpt-image-1.toml" in broken and "limit.context is 0" in broken
    assert "release_date '2024-13-06' is not valid" in broken
    assert "'../../../../etc/passwd' names no file under models/" in broken
    assert "control characters removed" in broken and _entry(site, "evil")["name"] == "Evil[31m Model"
    assert "no developer" in broken
    assert any("modes fast" in n for n in _notes(report, NOT_HELD))
    assert any("last_updated 2024-08-06 is used" in n for n in _notes(report, GUESSED))
    assert _entry(site, "gpt-4o-2024-08-06")["release_date"].isoformat() == "2024-08-06"
    text = (site / "content" / "import" / "models-dev-report.md").read_text()
    assert "## Broken in the source" in text and "providers/openrouter/models/acme/broken.toml:2" in text
    assert "\x1b" not in text


def test_models_dev_writes_a_model_without_developer_as_a_draft_with_a_placeholder(imported):
    site, _ = imported
    zorblax = _entry(site, "zorblax-1")
    assert zorblax["draft"] is True and zorblax["developer"] == "Unknown"
    assert {o["provider"] for o in zorblax["offers"]} | {"openrouter"} == {"openrouter", "wafer-ai"}


def test_models_dev_import_passes_check_and_builds(imported, tmp_path):
    site, _ = imported
    problems = check(Settings(site)).problems
    assert [p.format() for p in problems if p.is_error] == []
    result = build(Settings(site, out_dir=tmp_path / "out", use_cache=False))
    assert result.published
    page = (tmp_path / "out" / "models" / "claude-sonnet-4" / "index.html").read_text()
    assert "Amazon Bedrock" in page and "GitHub Copilot" in page


def test_models_dev_cli_starts_a_site_and_a_reimport_keeps_editors_values(tmp_path):
    site = tmp_path / "catalog"  # the import starts the site
    checkout = tmp_path / "models.dev"
    shutil.copytree(MODELS_DEV, checkout)
    first = run_cli("import", "models-dev", checkout, "--site", site)
    assert first.returncode == 0, first.output
    assert "added     content/models/claude-sonnet-4.yaml" in first.stdout and "modelcat check: " in first.stdout
    assert (site / "site.yaml").read_text().startswith("title: AI models\n")
    entry = site / "content" / "models" / "claude-sonnet-4.yaml"
    text = entry.read_text()
    text = text.replace("summary: ", "# Reviewed by the editor.\nsummary: ", 1)
    text = text.replace('summary: "Claude Sonnet 4 by Anthropic', 'summary: "Anthropic\'s balanced model', 1)
    text = text.replace("knowledge_cutoff: 2025-03", "knowledge_cutoff: 2025-04  # per the system card", 1)
    text += "strengths:\n  - Strong at code.\ndescription: |\n  Written by an editor.\n"
    entry.write_text(text)
    hand_made = site / "content" / "models" / "my-model.yaml"
    hand_made.write_text("name: My Model\nsummary: Mine.\ndeveloper: Me\nrelease_date: 2025-01-01\n")
    price = checkout / "providers" / "openrouter" / "models" / "anthropic" / "claude-sonnet-4.toml"
    price.write_text(price.read_text().replace("input = 3.00", "input = 2.50"))
    (checkout / "providers" / "openrouter" / "models" / "acme" / "evil.toml").unlink()  # a model that goes away

    second = run_cli("import", "models-dev", checkout, "--site", site)
    assert second.returncode == 0, second.output
    assert "updated   content/models/claude-sonnet-4.yaml (offers)" in second.stdout
    assert "Files: 0 added, 1 updated" in second.stdout
    after = entry.read_text()
    assert "# Reviewed by the editor." in after and "# per the system card" in after
    kept = _entry(site, "claude-sonnet-4")
    assert kept["summary"].startswith("Anthropic's balanced model") and kept["strengths"] == ["Strong at code."]
    assert kept["description"] == "Written by an editor.\n" and kept["knowledge_cutoff"] == "2025-04"
    openrouter = next(o for o in kept["offers"] if o["provider"] == "openrouter")
    assert openrouter["pricing"]["input_per_mtok"] == 2.5
    assert hand_made.read_text().startswith("name: My Model\n")
    assert (site / "content" / "models" / "evil.yaml").exists()
    report = (site / "content" / "import" / "models-dev-report.md").read_text()
    assert "knowledge_cutoff: kept the editor's value; the source says \"2025-03\"" in report
    assert "**evil**: no longer in the source; the entry was left as it is" in report
    state = json.loads((site / "content" / "import" / "models-dev.json").read_text())
    assert state["entries"]["claude-sonnet-4"]["key"] == "claude-sonnet-4"


def test_models_dev_cli_dry_run_writes_nothing(tmp_path):
    site = tmp_path / "catalog"
    result = run_cli("import", "models-dev", MODELS_DEV, "--site", site, "--dry-run")
    assert result.returncode == 0, result.output
    assert "Files that would change: 9 added" in result.stdout and "Nothing was written (--dry-run)." in result.stdout
    assert not site.exists()


def test_models_dev_cli_refuses_a_folder_that_is_not_a_checkout(tmp_path):
    site = _site(tmp_path / "site")
    result = run_cli("import", "models-dev", tmp_path, "--site", site)
    assert result.returncode == 2 and "no providers/ folder" in result.stderr


def test_import_writes_nothing_outside_the_site_even_through_a_linked_folder(tmp_path):
    site = _site(tmp_path / "site")
    outside = tmp_path / "outside"
    outside.mkdir()
    (site / "content").mkdir()
    (site / "content" / "models").symlink_to(outside)
    report = run.models_dev(site, MODELS_DEV, dry_run=False)
    assert list(outside.iterdir()) == []
    assert any("leads out of the site" in n for n in _notes(report, BROKEN))


# --- Hugging Face ---------------------------------------------------------------------------


def test_hf_cli_writes_a_new_draft_entry_with_every_result_as_a_score(tmp_path):
    site = _site(tmp_path / "site")
    result = run_cli("import", "hf", CARD, "--site", site)
    assert result.returncode == 0, result.output
    entry = _entry(site, "neuralpipe-7b-slerp")
    assert entry["draft"] is True and entry["developer"] == "Unknown" and entry["license"] == "Apache-2.0"
    assert entry["base_model"] == {"name": "mistralai/Mistral-7B-v0.1",
                                   "url": "https://huggingface.co/mistralai/Mistral-7B-v0.1"}
    assert set(entry["benchmarks"]) == {"ai2_arc", "hellaswag", "mmlu"}


def test_hf_cli_into_adds_scores_and_keeps_the_rest_of_the_entry(tmp_path):
    site = _site(tmp_path / "site")
    (site / "content" / "models").mkdir(parents=True)
    entry = site / "content" / "models" / "neuralpipe.yaml"
    entry.write_text("# An editor's entry.\nname: NeuralPipe 7B\nsummary: A merge.\ndeveloper: mlabonne\n"
                     "release_date: 2024-01-10\nstrengths: [Cheap]  # kept\n")
    result = run_cli("import", "hf", CARD, "--site", site, "--into", "neuralpipe")
    assert result.returncode == 0, result.output
    assert "modelcat check: 0 errors" in result.stdout or "modelcat check: no problems" in result.stdout
    text = entry.read_text()
    assert text.startswith("# An editor's entry.\nname: NeuralPipe 7B\n") and "strengths: [Cheap]  # kept" in text
    scores = _entry(site, "neuralpipe")["benchmarks"]
    arc = scores["ai2_arc"]
    assert arc["variant"] == "arc_challenge" and arc["shots"] == 25 and arc["split"] == "test"
    assert arc["metric"] == "acc_norm" and arc["evaluated_by"] == "third_party"
    assert arc["source"] == {"title": "Open LLM Leaderboard", "url": "https://huggingface.co/spaces/HuggingFaceH4/"
                                                                     "open_llm_leaderboard?query=mlabonne/NeuralPipe-7B-slerp"}
    mmlu = {s["variant"]: s for s in scores["mmlu"]}  # two results on one dataset: two variants, none dropped
    assert mmlu["leaderboard"]["value"] == 63.94 and mmlu["verified"]["evaluated_by"] == "platform"
    assert mmlu["verified"]["value"] == 63.12  # 0.6312 on the percent scale of a new "%" benchmark
    mapping = yaml.safe_load((site / "content" / "import" / "hf-datasets.yaml").read_text())
    assert mapping == {"ai2_arc": "ai2_arc", "hellaswag": "hellaswag", "cais/mmlu": "mmlu"}
    again = run_cli("import", "hf", CARD, "--site", site, "--into", "neuralpipe", "--dry-run")
    assert "Files that would change: 0 added, 0 updated" in again.stdout


def test_hf_model_index_file_gives_lower_is_better_benchmarks_and_keeps_text_values(tmp_path):
    site = _site(tmp_path / "site")
    (site / "content" / "models").mkdir(parents=True)
    (site / "content" / "models" / "whisper-small.yaml").write_text(
        "name: Whisper Small\nsummary: Speech to text.\ndeveloper: OpenAI\nrelease_date: 2022-09-21\n")
    report = run.hf_card(site, MODEL_INDEX, "whisper-small", dry_run=False, today="2025-01-01")
    scores = {s["variant"]: s for s in _entry(site, "whisper-small")["benchmarks"]["librispeech_asr"]}
    assert scores["clean"]["evaluated_by"] == "platform" and scores["clean"]["metric"] == "wer"
    assert scores["other"]["value"] == 7.63 and "7.63 ± 0.2" in scores["other"]["note"]
    benchmark = yaml.safe_load((site / "content" / "benchmarks.yaml").read_text())["librispeech_asr"]
    assert benchmark["higher_is_better"] is False and benchmark["name"] == "LibriSpeech"
    assert report.counts["scores"] == 2
    assert [p for p in check(Settings(site)).problems if p.is_error] == []


@pytest.mark.parametrize("text, expected", [
    ("---\nmodel-index: [\n---\n", "YAML syntax error"),
    ("---\na: &a [*a, *a]\nmodel-index: *a\n---\n", ""),
    ("---\nlicense: mit\n---\n# No results\n", "no model-index"),
    ("---\nmodel-index:\n- name: x\n  results:\n  - dataset: {type: ../../etc}\n    metrics: [{type: acc, value: abc}]\n---\n",
     "is not a number"),
])
def test_hf_reports_a_broken_card_and_writes_no_entry(tmp_path, text, expected):
    site = _site(tmp_path / "site")
    card = tmp_path / "README.md"
    card.write_text(text)
    report = run.hf_card(site, card, None, dry_run=False, today="2025-01-01")
    assert not (site / "content" / "models").exists() or not list((site / "content" / "models").iterdir())
    assert any(expected in n.message for n in report.notes if n.kind == BROKEN)


def test_hf_cli_into_an_entry_that_does_not_exist_is_a_usage_error(tmp_path):
    site = _site(tmp_path / "site")
    result = run_cli("import", "hf", CARD, "--site", site, "--into", "../../etc")
    assert result.returncode == 2 and "not a valid slug" in result.stderr
