"""Incremental builds equal clean builds, byte for byte, after any sequence of edits."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURE_SITE, ROOT, V2_SITE, run_cli, snapshot
from generator.build import Settings, build
from generator.cache import BuildCache

MODELS = "content/models"


def _models(site: Path) -> list[Path]:
    return sorted((site / MODELS).glob("*.yaml"))


def change_field(site: Path, pick: int, value: int) -> None:
    path = _models(site)[pick % len(_models(site))]
    text = path.read_text()
    path.write_text(text.replace("summary: ", f"summary: Revised {value}. ", 1))


def change_name(site: Path, pick: int, value: int) -> None:
    path = _models(site)[pick % len(_models(site))]
    path.write_text(re.sub(r"^name: (.*)$", rf"name: \1 v{value}", path.read_text(), count=1, flags=re.M))


def change_score(site: Path, pick: int, value: int) -> None:
    path = _models(site)[pick % len(_models(site))]
    path.write_text(re.sub(r"value: [0-9.]+", f"value: {value % 100}.5", path.read_text(), count=1))


def add_entry(site: Path, pick: int, value: int) -> None:
    source = _models(site)[pick % len(_models(site))]
    target = site / MODELS / f"added-{value}.yaml"
    text = source.read_text().replace("name: ", f"name: Added {value} ", 1)
    target.write_text("\n".join(line for line in text.splitlines() if not line.startswith(("variant_of", "related"))) + "\n")


def delete_entry(site: Path, pick: int, value: int) -> None:
    _models(site)[pick % len(_models(site))].unlink()


def rename_entry(site: Path, pick: int, value: int) -> None:
    path = _models(site)[pick % len(_models(site))]
    path.rename(path.with_name(f"renamed-{value}.yaml"))


def break_file(site: Path, pick: int, value: int) -> None:
    path = _models(site)[pick % len(_models(site))]
    path.write_text(path.read_text() + "\nbroken: [unclosed\n")


def fix_files(site: Path, pick: int, value: int) -> None:
    for path in _models(site):
        path.write_text(path.read_text().replace("\nbroken: [unclosed\n", ""))


def edit_template(site: Path, pick: int, value: int) -> None:
    name = ["base.html", "model.html", "partials/macros.html", "index.html"][pick % 4]
    path = site / "templates" / name
    path.write_text(path.read_text() + f"{{# edit {value} #}}<!-- {value} -->\n")


def edit_static(site: Path, pick: int, value: int) -> None:
    path = site / "static/css/site.css"
    path.write_text(path.read_text() + f"\n/* {value} */\n")


def edit_benchmarks(site: Path, pick: int, value: int) -> None:
    path = site / "content/benchmarks.yaml"
    path.write_text(path.read_text().replace("name: MedQA", f"name: MedQA v{value}", 1).replace(
        f"name: MedQA v{value - 1}", f"name: MedQA v{value}", 1))


EDITS = [change_field, change_name, change_score, add_entry, delete_entry, rename_entry, break_file, fix_files,
         edit_template, edit_static, edit_benchmarks]


def fresh_site(root: Path) -> Path:
    site = root / "site"
    shutil.copytree(FIXTURE_SITE, site)
    shutil.copytree(ROOT / "templates", site / "templates")
    shutil.copytree(ROOT / "static", site / "static")
    return site


def clean_build(site: Path, out: Path) -> tuple[bool, dict[str, bytes]]:
    result = build(Settings(site, out_dir=out, use_cache=False, jobs=1))
    return result.published, snapshot(out) if result.published else {}


edit_steps = st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 50), st.integers(1, 10_000)), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=edit_steps, in_memory=st.booleans())
def test_incremental_build_equals_clean_build(tmp_path_factory, steps, in_memory):
    root = tmp_path_factory.mktemp("inc")
    site, out = fresh_site(root), root / "out"
    cache_dir = root / "cache"
    memory = BuildCache()
    memory.autosave = False  # as the dev server keeps it: compared with its last catalog, saved on exit only

    def incremental():
        cache = memory if in_memory else BuildCache.open(cache_dir)
        return build(Settings(site, out_dir=out, cache_dir=cache_dir, jobs=1), cache=cache)

    assert incremental().published
    for number, (edit, pick, value) in enumerate(steps):
        before = snapshot(out)
        edit(site, pick, value + number)
        result = incremental()
        ok, expected = clean_build(site, root / f"clean-{number}")
        assert result.published == ok, [p.format() for p in result.problems]
        if ok:
            assert snapshot(out) == expected, f"stale output after {edit.__name__}"
        else:
            assert snapshot(out) == before, f"a failed build changed the output after {edit.__name__}"


V2_EDITS = [
    # (file, text, its replacement): what the pages read from the v2 definitions and offers
    ("content/providers.yaml", "name: OpenRouter", "name: Open Router"),
    ("content/capabilities.yaml", "name: Tool calling", "name: Function calling"),
    ("content/benchmarks.yaml", "name: Public set", "name: Public tasks"),
    ("content/models/claude-sonnet-4.yaml", "model_id: anthropic/claude-sonnet-4\n    pricing: {input_per_mtok: 3,",
     "model_id: anthropic/claude-sonnet-4\n    pricing: {input_per_mtok: 2.5,"),
    ("content/models/llama-3-1-8b-instruct.yaml", "[tool_calling, temperature, fine_tuning]", "[tool_calling, reasoning]"),
    ("content/models/imagen-4.yaml", "output: [image]", "output: [image, text]"),
]


@pytest.mark.parametrize("in_memory", [True, False], ids=["dev server", "build"])
def test_incremental_builds_of_v2_edits_equal_clean_builds(tmp_path, in_memory):
    site, out = tmp_path / "site", tmp_path / "out"
    shutil.copytree(V2_SITE, site)
    memory = BuildCache()
    memory.autosave = False
    settings = Settings(site, out_dir=out, cache_dir=tmp_path / "cache", jobs=1)
    assert build(settings, cache=memory if in_memory else BuildCache.open(tmp_path / "cache")).published
    for number, (name, old, new) in enumerate(V2_EDITS):
        path = site / name
        assert old in path.read_text(), name
        path.write_text(path.read_text().replace(old, new))
        result = build(settings, cache=memory if in_memory else BuildCache.open(tmp_path / "cache"))
        assert result.published, [p.format() for p in result.problems]
        assert result.rendered > 0 and result.skipped > 0  # an edit renders the pages that show it, not all
        ok, expected = clean_build(site, tmp_path / f"clean-{number}")
        assert ok and snapshot(out) == expected, f"stale output after editing {name}"


def test_second_build_renders_nothing_and_an_edit_renders_only_what_shows_it(site_copy, tmp_path):
    out = tmp_path / "out"
    first = run_cli("build", site_copy, "--out", out)
    assert "0 unchanged" in first.stderr
    again = run_cli("build", site_copy, "--out", out)
    assert " 0 rendered" in again.stderr and "0 written" in again.stderr, again.stderr
    beta = site_copy / MODELS / "beta-7b.yaml"
    beta.write_text(beta.read_text().replace("Another developer's model.", "Another developer's model, revised."))
    edited = run_cli("build", site_copy, "--out", out)
    rendered = int(edited.stderr.split(" rendered")[0].split()[-1])
    assert 0 < rendered < 25, edited.stderr
    assert "revised" in (out / "models/beta-7b/index.html").read_text()


def test_cache_lives_in_the_user_cache_folder_and_a_corrupt_cache_is_discarded(site_copy, tmp_path):
    cache_root = tmp_path / "xdg"
    out = tmp_path / "out"
    env = {"XDG_CACHE_HOME": str(cache_root)}
    assert run_cli("build", site_copy, "--out", out, env=env).returncode == 0
    [folder] = list((cache_root / "modelcat").iterdir())
    assert (folder / "manifest.pickle").exists()
    assert not any(p.name.startswith(".") for p in site_copy.iterdir())  # nothing inside the site
    for file in folder.iterdir():
        file.write_bytes(b"not a pickle")
    (out / "models/alpha-4b/index.html").write_text("tampered")
    result = run_cli("build", site_copy, "--out", out, env=env)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Alpha 4B" in (out / "models/alpha-4b/index.html").read_text()


def test_no_cache_and_cache_dir_options(site_copy, tmp_path):
    cache_dir = tmp_path / "mycache"
    assert run_cli("build", site_copy, "--out", tmp_path / "a", "--cache-dir", cache_dir).returncode == 0
    assert (cache_dir / "manifest.pickle").exists()
    xdg = tmp_path / "xdg"
    assert run_cli("build", site_copy, "--out", tmp_path / "b", "--no-cache", env={"XDG_CACHE_HOME": str(xdg)}).returncode == 0
    assert not xdg.exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parallel_and_serial_builds_are_identical(tmp_path, jobs):
    site = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, site)
    for number in range(300):  # enough pages to spread over workers
        (site / MODELS / f"extra-{number}.yaml").write_text(
            f"name: Extra {number}\nsummary: Filler {number}.\ndeveloper: Dev {number % 7}\nrelease_date: 2024-01-01\n"
            f"sources: ['https://example.com/{number}']\ndescription: |\n  Text **{number}**.\n")
    assert run_cli("build", site, "--out", tmp_path / "serial", "--jobs", "1", "--no-cache").returncode == 0
    assert run_cli("build", site, "--out", tmp_path / f"jobs-{jobs}", "--jobs", jobs, "--no-cache").returncode == 0
    assert snapshot(tmp_path / "serial") == snapshot(tmp_path / f"jobs-{jobs}")
