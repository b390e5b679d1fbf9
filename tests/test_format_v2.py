"""The second content format: what real catalogs publish (models.dev, OpenRouter, Artificial
Analysis, Hugging Face model-index), read, checked, shown on every kind of page and exported.

Parsing and shorthands are tested on the schema classes in-process; errors through a real
check of real files (one site holds every broken entry, each in its own file); pages and
exports on one build of tests/fixtures/catalog-v2 by the real CLI. Browser behaviour is in
test_format_v2_browser.py.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from bs4 import BeautifulSoup
from pydantic import ValidationError

from conftest import V2_SITE, run_cli
from generator import exports
from generator.build import check
from generator.settings import Settings
from generator.schema import Benchmark, Model
from generator.urls import Urls

BASE = {"name": "Gamma 4B", "summary": "A test model.", "developer": "Acme Labs", "release_date": "2025-07-09"}


def entry(**fields) -> Model:
    return Model.model_validate({**BASE, **fields})


def refused(**fields) -> list[dict]:
    with pytest.raises(ValidationError) as caught:
        entry(**fields)
    return caught.value.errors()


# --- Parsing and shorthands ------------------------------------------------------------------


def test_context_window_is_the_shorthand_for_limits_context_both_ways():
    written = entry(context_window="128K")
    assert (written.context_window, written.limits.context) == (128_000, 128_000)
    spelt_out = entry(limits={"context": 131072, "output": "8K"})
    assert (spelt_out.context_window, spelt_out.limits.context, spelt_out.limits.output) == (131072, 131072, 8000)
    assert entry(context_window=1000, limits={"context": "1K"}).limits.context == 1000  # the same value twice is fine
    [error] = refused(context_window="128K", limits={"context": "200K"})
    assert error["ctx"]["at"] == ("limits", "context") and "disagrees with context_window" in error["msg"]


@pytest.mark.parametrize("fields", [{"context_window": 0}, {"context_window": "0K"}, {"limits": {"output": 0}}],
                         ids=["context_window 0", "0K", "limits.output 0"])
def test_a_limit_written_as_zero_is_refused_with_the_rule_that_fixes_it(fields):
    [error] = refused(**fields)
    assert "a limit that does not apply is left out, never written as 0" in error["msg"]


def test_a_model_without_a_context_window_leaves_it_out():
    speech = entry(modalities={"input": ["audio"], "output": ["text"]})
    assert speech.context_window is None and speech.limits.context is None


def test_a_modalities_list_means_the_inputs_with_text_out():
    assert entry(modalities=["text", "image"]).modalities.model_dump() == {"input": ["text", "image"], "output": ["text"]}
    assert entry(modalities={"input": ["text", "pdf"], "output": ["image"]}).modalities.output == ["image"]
    assert entry(modalities=[]).modalities.model_dump() == {"input": [], "output": []}
    assert entry().modalities.model_dump() == {"input": [], "output": []}  # unknown, not "text"


def test_a_score_is_a_number_a_mapping_or_a_list_with_one_score_per_variant():
    model = entry(benchmarks={"gpqa": 86.4, "aime": {"value": 88, "approx": True},
                              "swe_pro": [{"variant": "public", "value": 21.6}, {"variant": "commercial", "value": 10.1}]})
    assert [(b, s.variant, s.value) for b, s in model.scores] == [
        ("gpqa", None, 86.4), ("aime", None, 88.0), ("swe_pro", "public", 21.6), ("swe_pro", "commercial", 10.1)]
    assert model.score_of("swe_pro", "commercial").value == 10.1 and model.score_of("swe_pro") is None
    [error] = refused(benchmarks={"swe_pro": [{"variant": "public", "value": 1}, {"variant": "public", "value": 2}]})
    assert error["loc"][:2] == ("benchmarks", "swe_pro") and error["ctx"]["at"] == (1, "variant")
    assert refused(benchmarks={"swe_pro": []})[0]["type"] == "too_short"


def test_self_reported_and_evaluated_by_developer_say_the_same():
    claimed = entry(benchmarks={"a": {"value": 1, "self_reported": True}}).score_of("a")
    assert claimed.evaluated_by == "developer"
    spelt_out = entry(benchmarks={"a": {"value": 1, "evaluated_by": "developer"}}).score_of("a")
    assert spelt_out.self_reported is True
    verified = entry(benchmarks={"a": {"value": 1, "evaluated_by": "platform", "measured_on": "base-8b"}}).score_of("a")
    assert (verified.self_reported, verified.credited, verified.measured_on.slug) == (False, True, "base-8b")
    assert "keep one" in refused(benchmarks={"a": {"value": 1, "self_reported": True, "evaluated_by": "third_party"}})[0]["msg"]
    assert refused(benchmarks={"a": {"value": 1, "self_reported": False, "evaluated_by": "developer"}})[0]["ctx"]["at"] == (
        "self_reported",)


def test_a_score_condition_is_its_setting_else_its_shots():
    model = entry(benchmarks={"a": {"value": 1, "shots": 5}, "b": {"value": 1, "shots": 0, "setting": "with tools"}})
    assert (model.score_of("a").condition, model.score_of("b").condition) == ("5-shot", "with tools")


def test_knowledge_cutoff_and_last_updated_take_a_month_as_real_catalogs_write_them():
    model = entry(knowledge_cutoff="2025-01", last_updated="2025-06-17")
    assert (model.knowledge_cutoff, model.last_updated) == ("2025-01", "2025-06-17")
    assert refused(knowledge_cutoff="2025-13")[0]["loc"] == ("knowledge_cutoff",)


def test_preview_models_stay_in_default_listings():
    assert entry(status="preview").is_listed and not entry(status="deprecated").is_listed


def test_price_tiers_go_from_the_shortest_prompts_up():
    model = entry(pricing={"input_per_mtok": 1.25, "tiers": [{"above": "200K", "input_per_mtok": 2.5}]})
    assert model.pricing.tiers[0].above == 200_000
    [error] = refused(pricing={"tiers": [{"above": "200K"}, {"above": "128K"}]})
    assert error["ctx"]["at"] == ("tiers", 1, "above")


def test_the_cheapest_offer_ranks_free_first_then_tokens_then_units_and_skips_retired_ones():
    providers = {"offers": [
        {"provider": "a", "pricing": {"input_per_mtok": 0.05, "output_per_mtok": 0.08}},
        {"provider": "b", "pricing": {"input_per_mtok": 0.01}, "status": "retired"},
        {"provider": "c", "pricing": {"plan": "subscription"}},
        {"provider": "d"},
    ]}
    model = entry(pricing={"input_per_mtok": 0.1, "output_per_mtok": 0.2}, **providers)
    assert [o.provider for o in model.price_options] == [None, "a", "c"]
    assert model.cheapest.provider == "a" and model.headline_pricing.input_per_mtok == 0.05
    free = entry(offers=[*providers["offers"], {"provider": "e", "pricing": {"free": True}}])
    assert free.cheapest.provider == "e"
    images = entry(offers=[{"provider": "a", "pricing": {"per_unit": {"image": 0.04}}},
                           {"provider": "b", "pricing": {"per_unit": {"image": 0.02}}}])
    assert images.cheapest.provider == "b"
    assert entry(offers=[{"provider": "c", "pricing": {"plan": "subscription"}}]).cheapest.provider == "c"
    assert entry(pricing={"input_per_mtok": 1}).headline_pricing.input_per_mtok == 1  # without offers: its own


def test_a_fraction_scale_belongs_to_percentages():
    assert Benchmark(name="ARC", unit="%", scale="fraction").scale_max == 1.0
    with pytest.raises(ValidationError, match="scale applies to percentages"):
        Benchmark(name="Arena", unit="Elo", scale="fraction")


# --- Errors: file, line and field, through a real check --------------------------------------

MODEL = "content/models/gamma-4b.yaml"
GOOD = "name: Gamma 4B\nsummary: A test model.\ndeveloper: Acme Labs\nrelease_date: 2025-07-09\n"
BAD = [
    # (id, lines after the four required ones (from line 5), code, line, field, message part)
    ("context_window 0", "context_window: 0", "MC013", 5, "context_window", "left out, never written as 0"),
    ("limit written as 0", "limits: {context: 128K, output: 0}", "MC013", 5, "limits.output", "never written as 0"),
    ("misspelt limit", "limits: {context: 128K, ouput: 4K}", "MC010", 5, "limits.ouput", 'did you mean "output"'),
    ("two context windows", "context_window: 128K\nlimits: {context: 200K}", "MC013", 6, "limits.context",
     "disagrees with context_window (128000)"),
    ("unknown output", "modalities: {input: [text], output: [smell]}", "MC013", 5, "modalities.output[0]", "'pdf'"),
    ("modalities as text", "modalities: text", "MC012", 5, "modalities", "a list of input modalities or {input"),
    ("unknown capability", "capabilities: [reasoning, tool_caling]", "MC025", 5, "capabilities[1]",
     'did you mean "tool_calling"'),
    ("bad cutoff", "knowledge_cutoff: 2025-13", "MC013", 5, "knowledge_cutoff", "YYYY-MM"),
    ("bad last_updated", "last_updated: last week", "MC013", 5, "last_updated", "YYYY-MM"),
    ("beta status", "status: beta", "MC013", 5, "status", "'preview'"),
    ("aliases as text", "aliases: gpt-4o", "MC012", 5, "aliases", "a list"),
    ("unknown provider", "offers:\n  - {provider: open-router}", "MC026", 6, "offers[0].provider", 'did you mean "openrouter"'),
    ("misspelt offer price", "offers:\n  - {provider: openrouter, pricing: {cached_per_mtok: 0.1}}", "MC010", 6,
     "offers[0].pricing.cached_per_mtok", "did you mean"),
    ("offer twice", "offers:\n  - {provider: groq, model_id: a}\n  - {provider: groq, model_id: a}", "MC013", 7,
     "offers[1]", "repeats an earlier one"),
    ("offer status", "offers:\n  - {provider: groq, status: beta}", "MC013", 6, "offers[0].status", "'preview'"),
    ("tiers out of order", "pricing:\n  tiers:\n    - {above: 200K, input_per_mtok: 2}\n    - {above: 128K, input_per_mtok: 3}",
     "MC013", 8, "pricing.tiers[1].above", "larger than the one before"),
    ("misspelt unit", "pricing: {per_unit: {images: 0.04}}", "MC010", 5, "pricing.per_unit.images", 'did you mean "image"'),
    ("free as yes", "pricing: {free: yes}", "MC012", 5, "pricing.free", "true or false"),
    ("undeclared variant", "benchmarks:\n  swe_bench_pro: {variant: private, value: 20}", "MC027", 6,
     "benchmarks.swe_bench_pro.variant", "its variants are: public, commercial"),
    ("variant twice", "benchmarks:\n  swe_bench_pro:\n    - {variant: public, value: 20}\n    - {variant: public, value: 21}",
     "MC013", 8, "benchmarks.swe_bench_pro[1].variant", "two scores here have the variant \"public\""),
    ("unknown evaluator", "benchmarks:\n  gpqa: {value: 50, evaluated_by: lab}", "MC013", 6, "benchmarks.gpqa.evaluated_by",
     "'third_party'"),
    ("two evaluators", "benchmarks:\n  gpqa: {value: 50, self_reported: true, evaluated_by: platform}", "MC013", 6,
     "benchmarks.gpqa.evaluated_by", "keep one"),
    ("measured on a missing model", "benchmarks:\n  gpqa: {value: 50, measured_on: llama-3-1-8b}", "MC020", 6,
     "benchmarks.gpqa.measured_on", 'did you mean "llama-3-1-8b-instruct"'),
    ("negative shots", "benchmarks:\n  gpqa: {value: 50, shots: -1}", "MC013", 6, "benchmarks.gpqa.shots", "at least 0"),
    ("percentage on a fraction scale", "benchmarks:\n  arc_challenge: 82.3", "MC013", 6, "benchmarks.arc_challenge.value",
     "not a fraction"),
    ("misspelt field in a list", "benchmarks:\n  gpqa: [{value: 50, aprox: true}]", "MC010", 6, "benchmarks.gpqa[0].aprox",
     'did you mean "approx"'),
    ("fraction in a list", "benchmarks:\n  hellaswag:\n    - {variant: validation, value: 79.2}", "MC013", 7,
     "benchmarks.hellaswag[0].value", "not a fraction"),
]


def _errors_by_file(site) -> dict[str, list]:
    result = check(Settings(site))
    found: dict[str, list] = {}
    for problem in result.problems:
        if problem.is_error:
            found.setdefault(problem.path, []).append(problem)
    return found


@pytest.fixture(scope="module")
def bad_v2_entries(tmp_path_factory) -> dict[str, list]:
    """Check a copy of the v2 fixture holding every bad entry, each in its own file, in one run."""
    site = tmp_path_factory.mktemp("bad-v2") / "site"
    shutil.copytree(V2_SITE, site)
    for index, (_, extra, *_rest) in enumerate(BAD):
        (site / f"content/models/bad-{index}.yaml").write_text(GOOD + extra + "\n")
    (site / "content/models/no-developer.yaml").write_text(GOOD.replace("developer: Acme Labs\n", ""))
    return _errors_by_file(site)


@pytest.mark.parametrize("index", range(len(BAD)), ids=[case[0] for case in BAD])
def test_check_locates_each_bad_v2_field_by_file_line_and_field(bad_v2_entries, index):
    _, _, code, line, field, message = BAD[index]
    path = f"content/models/bad-{index}.yaml"
    found = bad_v2_entries.get(path, [])
    assert (code, line, field) in {(p.code, p.line, p.field) for p in found}, [p.format() for p in found]
    [problem] = [p for p in found if (p.code, p.field) == (code, field)]
    assert message in problem.message + " " + (problem.hint or "")


def test_a_missing_developer_says_what_to_write(bad_v2_entries):
    [problem] = bad_v2_entries["content/models/no-developer.yaml"]
    assert (problem.code, problem.field, problem.line) == ("MC011", "developer", 1)
    assert "the one that publishes its weights or serves its API" in problem.hint


def test_check_reports_bad_capabilities_providers_and_variants_definitions(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(V2_SITE, site)
    with open(site / "content/capabilities.yaml", "a") as file:
        file.write("Bad Id: {name: X}\nvision: {name: Vision, descripton: Sees.}\n")
    with open(site / "content/providers.yaml", "a") as file:
        file.write("evil: {name: Evil, url: 'javascript:alert(1)'}\nplain: just a name\n")
    with open(site / "content/benchmarks.yaml", "a") as file:
        file.write("elo: {name: Elo, unit: Elo, scale: fraction}\nmmlu: {name: MMLU, variants: {pro: {title: Pro}}}\n")
    (site / "content/comparisons/frontier-models.yaml").write_text(
        "title: T\nmodels: [gemini-2-5-pro, claude-sonnet-4]\ncolumns: [swe_bench_pro.private, nothing.public, output_limits]\n")
    found = {(p.path, p.code, p.field) for problems in _errors_by_file(site).values() for p in problems}
    assert {
        ("content/capabilities.yaml", "MC013", "Bad Id"),
        ("content/capabilities.yaml", "MC010", "vision.descripton"),
        ("content/providers.yaml", "MC014", "evil.url"),
        ("content/providers.yaml", "MC012", "plain"),
        ("content/benchmarks.yaml", "MC013", "elo.scale"),
        ("content/benchmarks.yaml", "MC010", "mmlu.variants.pro.title"),
        ("content/comparisons/frontier-models.yaml", "MC027", "columns[0]"),
        ("content/comparisons/frontier-models.yaml", "MC022", "columns[1]"),
        ("content/comparisons/frontier-models.yaml", "MC022", "columns[2]"),
    } <= found


def test_the_cli_prints_a_v2_error_without_a_traceback(make_site):
    site = make_site({"content/models/alpha-4b.yaml": GOOD + "context_window: 0\n"})
    result = run_cli("check", site)
    assert result.returncode == 1 and "Traceback" not in result.output
    assert ("content/models/alpha-4b.yaml:5: context_window: a limit that does not apply is left out, never written as 0: "
            "remove the line (an image, speech or embedding model has no context window or output limit); got 0. [MC013]"
            ) in result.output


# --- Pages -----------------------------------------------------------------------------------


def page(out, url: str) -> BeautifulSoup:
    return BeautifulSoup((out / url.strip("/") / "index.html").read_text(encoding="utf-8"), "html.parser")


def text(node) -> str:
    return " ".join(node.get_text(" ").split())


def rows_of(table) -> list[list[str]]:
    return [[text(cell) for cell in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]


def test_model_page_lists_every_provider_lowest_price_first_with_limits_and_status(built_v2_site):
    doc = page(built_v2_site, "models/gemini-2-5-pro/")
    table = doc.select_one("#providers table.offers")
    assert [text(th) for th in table.select("thead th")] == [
        "Provider", "Input / 1M", "Cached input / 1M", "Output / 1M", "Context", "Max output", "Model ID", "Region", "Status"]
    rows = rows_of(table)
    assert [row[0] for row in rows] == [
        "Google Developer's own API Lowest price", "Google Vertex AI", "OpenRouter", "Vercel AI Gateway", "GitHub Copilot",
        "OpenRouter"]
    assert rows[1] == ["Google Vertex AI", "$1.25", "$0.31", "$10.00", "1M", "64K", "gemini-2.5-pro", "global", "Available"]
    assert rows[4][1:] == ["Included in Copilot subscription", "128K", "64K", "gemini-2.5-pro", "—", "Available"]  # a plan spans
    assert rows[5][-3] == "google/gemini-2.5-pro-preview-05-06" and rows[5][-1] == "Retired"  # retired last
    assert table.select_one("a.model-id")["href"].startswith("https://cloud.google.com/")
    assert "$0.00" not in doc.get_text()


def test_model_page_shows_long_prompt_tiers_and_batch_and_cache_write_prices(built_v2_site):
    doc = page(built_v2_site, "models/gemini-2-5-pro/")
    tiers = rows_of(doc.select_one("table.tiers"))
    assert tiers[0] == ["Google", "200K tokens", "$2.50", "$0.625", "$15.00"]
    assert len(tiers) == 3
    others = doc.select_one("table.other-prices")
    assert [text(th) for th in others.select("thead th")] == ["Provider", "Batch in / out / 1M", "Cache write / 1M"]
    assert rows_of(others) == [["Google", "$0.625 / $5.00", "—"], ["Google Vertex AI", "$0.625 / $5.00", "—"],
                               ["OpenRouter", "—", "$1.625"]]


def test_model_page_shows_capabilities_modalities_cutoff_and_api_ids(built_v2_site):
    doc = page(built_v2_site, "models/gemini-2-5-pro/")
    traits = {text(div.dt): div.dd for div in doc.select(".model-traits > div")}
    assert text(traits["Modalities"]) == "Input: Text Image Audio Video PDF → . Output: Text"
    assert [a["href"] for a in traits["Capabilities"].select("a")][:2] == ["/capabilities/reasoning/", "/capabilities/tool_calling/"]
    assert text(traits["Capabilities"]).startswith("✓ Reasoning ✓ Tool calling")
    assert text(traits["API ids"]) == "gemini-2.5-pro gemini-2.5-pro-preview-06-05 google/gemini-2.5-pro"
    cards = {text(card.dt): text(card.dd) for card in doc.select(".spec-cards .card")}
    assert cards["Knowledge cutoff"] == "January 2025" and cards["Max output"] == "64K tokens"
    assert cards["API pricing"].startswith("from $1.25 / $10.00 per 1M tokens in / out 4 providers")
    assert "model updated 17 June 2025" in text(doc.select_one(".reviewed"))


def test_model_page_says_who_measured_each_figure_and_on_what_model(built_v2_site):
    gemini = page(built_v2_site, "models/gemini-2-5-pro/")
    rows = {tr["id"]: [text(c) for c in tr.find_all(["th", "td"])] for tr in gemini.select("table.benchmarks tbody tr")}
    assert rows["score-swe_bench_pro.public"][:4] == ["SWE-Bench Pro Public set", "21.6%", "1 of 2", ""]
    assert "Third party SWE-agent" in rows["score-swe_bench_pro.public"]
    assert rows["score-aa_index"][0] == "Artificial Analysis Intelligence Index version v2.2"
    awq = page(built_v2_site, "models/llama-3-1-8b-instruct-awq/")
    arc = awq.select_one("#score-arc_challenge")
    assert text(arc.select("td")[0]).startswith("82.34% base model")  # a fraction shows as a percentage
    assert arc.select_one(".measured-on a")["href"] == "/models/llama-3-1-8b-instruct/"
    assert "acc_norm · test split" in text(arc.th)
    assert "base model measured on another model" in text(awq.select_one(".legend"))


def test_pages_of_models_without_a_context_window_leave_it_out(built_v2_site):
    for slug in ("imagen-4", "whisper"):
        cards = [text(dt) for dt in page(built_v2_site, f"models/{slug}/").select(".spec-cards dt")]
        assert "Context window" not in cards, slug
    imagen = page(built_v2_site, "models/imagen-4/")
    assert text(imagen.select_one(".card-price dd")).startswith("from $0.02 / image 2 providers ; lowest at Replicate")
    assert [text(th) for th in imagen.select("table.offers thead th")] == ["Provider", "Per unit", "Model ID", "Region"]


def test_a_free_offer_reads_free_never_zero_dollars(built_v2_site):
    doc = page(built_v2_site, "models/llama-3-1-8b-instruct/")
    assert text(doc.select_one(".card-price dd")).startswith("Free or from $0.03 / $0.05 per 1M tokens 5 providers")
    free = rows_of(doc.select_one("table.offers"))[0]
    assert free[:2] == ["OpenRouter Lowest price", "Free"] and "meta-llama/llama-3.1-8b-instruct:free" in free
    assert "$0.00" not in doc.get_text()


def test_listing_shows_from_the_cheapest_price_and_keys_for_new_filters(built_v2_site):
    doc = page(built_v2_site, "")
    rows = {text(tr.th.a): tr for tr in doc.select("#catalog tbody tr")}
    assert text(rows["Gemini 2.5 Pro"].select("td")[-1]) == "from $1.25 / $10.00"
    assert text(rows["Imagen 4"].select("td")[-1]) == "from $0.02 / image"
    assert text(rows["Llama 3.1 8B Instruct"].select("td")[-1]) == "Free"
    assert text(rows["Imagen 4"].th.small).endswith("text → image")
    # What the script filters and sorts by comes from the listing's data file.
    catalog = check(Settings(V2_SITE)).catalog
    data = json.loads(exports.listing_json(catalog, Urls(catalog.site.base_url)))
    models = {row[1]: dict(zip(data["fields"], row)) for row in data["models"]}
    assert models["Gemini 2.5 Pro"]["capabilities"] == [
        "reasoning", "tool_calling", "structured_output", "attachments", "temperature", "web_search"]
    assert models["Imagen 4"]["outputs"] == ["image"] and models["Gemini 2.5 Pro"]["outputs"] == []
    assert "gemini-2.5-pro-preview-06-05" in models["Gemini 2.5 Pro"]["aliases"]
    assert models["Gemini 2.5 Pro"]["scores"].split()[2:4] == ["swe_bench_pro.public:21.6", "swe_bench_pro.commercial:10.1"]
    assert models["Gemini 2.5 Pro"]["price_text"] == "from $1.25 / $10.00"
    selects = {select["id"]: [o["value"] for o in select.select("option")] for select in doc.select("#filters select")}
    assert selects["f-cap"][:2] == ["", "attachments"] and selects["f-out"] == ["", "image"]
    assert "swe_bench_pro.public" in selects["f-add"]
    assert doc.select_one('#f-add option[value="arc_challenge"]')["data-scale"] == "100"
    assert text(doc.select_one('label[for="f-mod"]')) == "Input"


def test_provider_pages_list_every_model_there_with_its_price_there(built_v2_site):
    doc = page(built_v2_site, "providers/openrouter/")
    assert doc.h1.get_text() == "OpenRouter"
    rows = rows_of(doc.select_one("table.offers"))
    assert [row[0] for row in rows] == ["Gemini 2.5 Flash Image Google", "Claude Sonnet 4 Anthropic", "Gemini 2.5 Pro Google",
                                        "Gemini 2.5 Pro Google", "Llama 3.1 8B Instruct Meta"]
    assert rows[1][1:4] == ["$3.00", "$0.30", "$15.00"] and "anthropic/claude-sonnet-4" in rows[1]
    assert rows[4][1] == "Free" and rows[3][-1] == "Retired" and rows[0][-1] == "Preview"
    index = page(built_v2_site, "providers/")
    counts = {text(a.select_one(".term-name")): text(a.select_one(".count")) for a in index.select(".term-list a")}
    assert counts["OpenRouter"] == "5 models" and counts["Groq"] == "2 models" and len(counts) == 12


def test_capabilities_and_outputs_are_taxonomies(built_v2_site):
    reasoning = page(built_v2_site, "capabilities/reasoning/")
    assert reasoning.h1.get_text() == "Models with Reasoning"
    assert "Thinks step by step" in text(reasoning.select_one(".lead"))
    assert [text(a) for a in reasoning.select("#catalog tbody th a")] == ["Claude Sonnet 4", "Gemini 2.5 Pro"]
    image = page(built_v2_site, "outputs/image/")
    assert [text(a) for a in image.select("#catalog tbody th a")] == ["Gemini 2.5 Flash Image", "Imagen 4"]
    assert not (built_v2_site / "outputs/text").exists()  # text is every chat model's output: not a filter


def test_a_leaderboard_ranks_one_variant_at_a_time(built_v2_site):
    doc = page(built_v2_site, "benchmarks/swe_bench_pro/")
    boards = doc.select("section.board")
    assert [b["id"] for b in boards] == ["board-swe_bench_pro.public", "board-swe_bench_pro.commercial"]
    for board, order in zip(boards, (["Gemini 2.5 Pro", "Claude Sonnet 4"], ["Claude Sonnet 4", "Gemini 2.5 Pro"])):
        assert len(board.select("table.leaderboard")) == 1
        assert [text(tr.th.a) for tr in board.select("tbody tr")] == order
        assert "Third party SWE-agent" in text(board.select_one("tbody tr"))
    assert len(doc.select("svg.chart")) == 2
    assert "2 variants, ranked apart" in text(doc.select_one(".badges"))


def test_a_leaderboard_marks_a_figure_measured_on_another_model(built_v2_site):
    doc = page(built_v2_site, "benchmarks/arc_challenge/")
    rows = {text(tr.th.a): tr for tr in doc.select("table.leaderboard tbody tr")}
    quantised = rows["Llama 3.1 8B Instruct AWQ INT4"]
    assert "base model" in text(quantised.select_one(".mark-base"))
    assert text(quantised.select_one(".measured-on")) == "on Llama 3.1 8B Instruct"
    assert "Platform (verified)" in text(quantised)
    assert text(rows["Llama 3.1 8B Instruct"].select("td")[1]).startswith("82.34%")
    assert "measured on its base model" in doc.select_one("svg.chart desc").get_text()
    index = page(built_v2_site, "benchmarks/")
    leader = [tr for tr in index.select("tbody tr") if text(tr.th) == "SWE-Bench Pro"][0]
    assert text(leader.select("td")[-1]) == "Public set: Gemini 2.5 Pro (21.6%) Commercial set: Claude Sonnet 4 (11.5%)"


def test_comparisons_take_output_limit_cached_price_cutoff_and_variant_columns(built_v2_site):
    doc = page(built_v2_site, "compare/frontier-models/")
    table = doc.select_one("table.comparison")
    assert [text(th) for th in table.select("thead th")][1:] == [
        "Price (in / out per 1M tokens)", "Cached input (per 1M tokens)", "Context", "Max output", "Knowledge cutoff",
        "GPQA Diamond", "SWE-bench Verified", "SWE-Bench Pro (Public set)"]
    rows = rows_of(table)
    assert rows[0][:6] == ["Gemini 2.5 Pro", "from $1.25 / $10.00", "$0.31", "1M ★ best", "64K ★ best", "January 2025"]
    assert rows[1][-1] == "16.9%"


def test_a_site_in_the_first_format_gains_no_empty_v2_pages_or_filters(built_site):
    assert not any((built_site / name).exists() for name in ("capabilities", "outputs", "providers", "api/offers.csv"))
    home = page(built_site, "")
    assert not home.select("#f-cap, #f-out") and text(home.select_one('label[for="f-mod"]')) == "Modality"
    assert "Providers" not in text(home.select_one(".site-footer"))


# --- Exports ---------------------------------------------------------------------------------


def test_json_export_carries_every_v2_field_and_resolves_measured_on(built_v2_site):
    data = json.loads((built_v2_site / "api/models.json").read_text())
    assert data["schema_version"] == 2
    assert data["providers"]["openrouter"]["name"] == "OpenRouter"
    assert data["capabilities"]["tool_calling"]["name"] == "Tool calling"
    assert data["benchmarks"]["swe_bench_pro"]["variants"]["public"]["name"] == "Public set"
    assert data["benchmarks"]["arc_challenge"]["scale"] == "fraction"
    models = {m["slug"]: m for m in data["models"]}
    gemini = models["gemini-2-5-pro"]
    assert gemini["limits"] == {"context": 1048576, "input": None, "output": 65536} and gemini["context_window"] == 1048576
    assert gemini["modalities"] == {"input": ["text", "image", "audio", "video", "pdf"], "output": ["text"]}
    assert (gemini["knowledge_cutoff"], gemini["last_updated"], gemini["status"]) == ("2025-01", "2025-06-17", "active")
    assert gemini["aliases"][0] == "gemini-2.5-pro" and "web_search" in gemini["capabilities"]
    assert gemini["pricing"]["tiers"] == [{"above": 200000, "input_per_mtok": 2.5, "output_per_mtok": 15.0,
                                           "cached_input_per_mtok": 0.625}]
    assert gemini["pricing"]["batch"] == {"input_per_mtok": 0.625, "output_per_mtok": 5.0}
    assert [o["provider"] for o in gemini["offers"]][:2] == ["google-vertex", "openrouter"]
    assert gemini["offers"][3]["pricing"]["plan"] == "Copilot subscription"
    assert gemini["price_from"]["provider"] is None and gemini["price_from"]["input_per_mtok"] == 1.25
    assert [s["variant"] for s in gemini["benchmarks"]["swe_bench_pro"]] == ["public", "commercial"]
    assert gemini["benchmarks"]["swe_bench_pro"][0]["harness"] == "SWE-agent"
    awq = models["llama-3-1-8b-instruct-awq"]["benchmarks"]["arc_challenge"][0]
    assert awq["measured_on"] == {"slug": "llama-3-1-8b-instruct", "name": "Llama 3.1 8B Instruct",
                                  "url": "https://v2.example.org/models/llama-3-1-8b-instruct/"}
    assert (awq["metric"], awq["split"], awq["shots"], awq["evaluated_by"]) == ("acc_norm", "test", 25, "platform")
    assert models["imagen-4"]["pricing"]["per_unit"]["image"] == 0.04
    assert models["llama-3-1-8b-instruct"]["offers"][4]["pricing"]["free"] is True
    one = json.loads((built_v2_site / "api/models/gemini-2-5-pro.json").read_text())
    assert one["model"] == gemini
    index = json.loads((built_v2_site / "api/index.json").read_text())
    assert set(index["providers"]) == set(data["providers"]) and set(index["capabilities"]) == set(data["capabilities"])


def test_csv_export_carries_v2_fields_and_one_column_group_per_variant(built_v2_site):
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO((built_v2_site / "api/models.csv").read_text()))}
    gemini = rows["gemini-2-5-pro"]
    assert (gemini["output_limit"], gemini["knowledge_cutoff"], gemini["cached_input_per_mtok"]) == ("65536", "2025-01", "0.31")
    assert gemini["input_modalities"] == "text;image;audio;video;pdf" and gemini["providers"] == \
        "google-vertex;openrouter;vercel;github-copilot"
    assert (gemini["batch_input_per_mtok"], gemini["from_input_per_mtok"]) == ("0.625", "1.25")
    assert (gemini["swe_bench_pro.public"], gemini["swe_bench_pro.commercial"]) == ("21.6", "10.1")
    assert gemini["swe_bench_pro.public_evaluated_by"] == "third_party"
    assert gemini["swe_bench_pro.public_details"] == "harness=SWE-agent" and gemini["swe_bench_pro"] == ""
    awq = rows["llama-3-1-8b-instruct-awq"]
    assert awq["arc_challenge_measured_on"] == "llama-3-1-8b-instruct"
    assert awq["arc_challenge_details"] == "metric=acc_norm;split=test;shots=25"
    assert rows["llama-3-1-8b-instruct"]["capabilities"] == "tool_calling;temperature;fine_tuning"


def test_offers_csv_has_one_row_per_offer(built_v2_site):
    rows = list(csv.DictReader(io.StringIO((built_v2_site / "api/offers.csv").read_text())))
    data = json.loads((built_v2_site / "api/models.json").read_text())
    assert len(rows) == sum(len(m["offers"]) for m in data["models"])
    bedrock = next(r for r in rows if r["slug"] == "claude-sonnet-4" and r["provider"] == "amazon-bedrock")
    assert (bedrock["provider_name"], bedrock["region"], bedrock["input_per_mtok"], bedrock["cache_write_per_mtok"]) == (
        "Amazon Bedrock", "us-east-1", "3", "3.75")  # whole numbers without ".0" (issue 10)
    assert bedrock["context"] == "200000"  # the model's, where the offer states none
    vertex = next(r for r in rows if r["slug"] == "gemini-2-5-pro" and r["provider"] == "google-vertex")
    assert vertex["tiers"] == "200000:2.5/15/0.625"
    imagen = next(r for r in rows if r["model_id"] == "google/imagen-4-fast")
    assert imagen["per_unit"] == "image=0.02"
