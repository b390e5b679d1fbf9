"""The README keeps up with the content format and the commands."""

import re
from pathlib import Path

from generator.schema import INTERNAL_FIELDS, BatchPricing, Benchmark, Capability, Comparison, License, Limits, \
    Modalities, Model, Offer, PriceTier, Pricing, Provider, Score, SiteConfig, UnitPrices, Variant

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_every_content_field_is_documented():
    for cls in (Model, Benchmark, Comparison, SiteConfig, Score, Pricing, License, Offer, Limits, Modalities, PriceTier,
                BatchPricing, UnitPrices, Variant, Capability, Provider):
        for field in cls.model_fields:
            if field not in INTERNAL_FIELDS:
                assert f"`{field}`" in README, f"{cls.__name__}.{field} is not in README.md"


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    blocks = re.findall(r"```sh\n(.*?)```", README.split("## A site")[0], re.S)
    assert len(blocks) == 2, "the quick start has exactly two commands: build and serve, and test"
    assert "modelcat" in blocks[0] and "pytest" in blocks[1]
    ci = (Path(__file__).resolve().parent.parent / ".ci/run").read_text().splitlines()
    assert blocks[1].strip() in ci, ".ci/run must run the README's test command as written"


def test_every_problem_code_has_a_readme_row_that_its_summary_quotes():
    from generator.errors import MEANINGS, Code

    codes = {code for name, code in vars(Code).items() if not name.startswith("_")}
    assert set(MEANINGS) == codes
    rows = dict(re.findall(r"^\| (MC\d{3}) \| (?:warning: )?(.*) \|$", README, re.M))
    for code, meaning in MEANINGS.items():
        assert rows.get(code, "").startswith(meaning), f"README's row of {code} does not start with {meaning!r}"
