"""Incremental builds equal clean builds, byte for byte, after any sequence of edits.

Edits reach every kind of input: each model field that listings sort or group by,
entries added, removed, renamed, broken and fixed, benchmarks, comparisons, free
pages, site.yaml, every file under templates/ and static/, and the date. After each
edit a build with the state kept on disk (a new `modelcat build`), one with the state
kept in memory and told which files changed (the dev server), and one that looks at
every file must each publish exactly what a clean build publishes, and report the
same problems.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURE_SITE, ROOT, V2_SITE, run_cli, snapshot
from generator.build import build
from generator.settings import Settings
from generator.incremental import Tracker

MODELS = "content/models"
EXTRA = 22
"""Generated models besides the fixture's four, so that listings run to several pages."""


def _models(site: Path) -> list[Path]:
    return sorted((site / MODELS).glob("*.yaml"))


def _pick(site: Path, pick: int) -> Path:
    models = _models(site)
    return models[pick % len(models)]


def _rewrite(path: Path, pattern: str, replacement: str) -> set[Path]:
    text = path.read_text()
    path.write_text(re.sub(pattern, replacement, text, count=1, flags=re.M) if re.search(pattern, text, re.M)
                    else text + "\n")
    return {path}


def change_summary(site, pick, value):
    return _rewrite(_pick(site, pick), r"^summary: ", f"summary: Revised {value}. ")


def change_name(site, pick, value):
    return _rewrite(_pick(site, pick), r"^name: (.*)$", rf"name: \1 v{value}")


def change_score(site, pick, value):
    return _rewrite(_pick(site, pick), r"value: [0-9.]+", f"value: {value % 100}.5")


def change_release(site, pick, value):
    return _rewrite(_pick(site, pick), r"^release_date: .*$", f"release_date: 20{10 + value % 15}-0{1 + value % 9}")


def change_status(site, pick, value):
    path = _pick(site, pick)
    text = re.sub(r"^status(_date)?: .*\n", "", path.read_text(), flags=re.M)
    status = ["active", "deprecated", "retired"][value % 3]
    path.write_text(text + f"status: {status}\n")
    return {path}


def change_developer(site, pick, value):
    return _rewrite(_pick(site, pick), r"^developer: .*$", f"developer: Dev {value % 4}")


def add_entry(site, pick, value):
    target = site / MODELS / f"added-{value}.yaml"
    target.write_text(f"name: Added {value}\nsummary: Added.\ndeveloper: Dev {value % 3}\nrelease_date: 2024-0{1 + value % 9}\n"
                      f"domains: [code]\nbenchmarks:\n  medqa: {{value: {value % 90}, source: 'https://example.com/{value}'}}\n"
                      f"sources: ['https://example.com/{value}']\n")
    return {target}


def delete_entry(site, pick, value):
    path = _pick(site, pick)
    path.unlink()
    return {path}


def rename_entry(site, pick, value):
    path = _pick(site, pick)
    target = path.with_name(f"renamed-{value}.yaml")
    path.rename(target)
    return {path, target}


def break_file(site, pick, value):
    path = _pick(site, pick)
    path.write_text(path.read_text() + "\nbroken: [unclosed\n")
    return {path}


def fix_files(site, pick, value):
    changed = set()
    for path in _models(site):
        if "\nbroken: [unclosed\n" in path.read_text():
            path.write_text(path.read_text().replace("\nbroken: [unclosed\n", ""))
            changed.add(path)
    return changed


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def edit_template(site, pick, value):
    """Edit any template where it shows: inside its main block or its first macro, else at its top."""
    path = _files(site / "templates")[pick % len(_files(site / "templates"))]
    text, mark = path.read_text(), f"<!-- edit {value} -->"
    for anchor in ("{% block main %}", "{% block head %}"):
        if anchor in text:
            path.write_text(text.replace(anchor, anchor + mark, 1))
            return {path}
    macro = re.search(r"\{% macro [^%]*%\}", text)
    if macro:
        path.write_text(text[:macro.end()] + mark + text[macro.end():])
    else:
        path.write_text(mark + text if not text.startswith("<?xml") else text.replace("?>", "?>" + mark, 1))
    return {path}


def edit_static(site, pick, value):
    path = _files(site / "static")[pick % len(_files(site / "static"))]
    path.write_bytes(path.read_bytes() + f"\n/* {value} */\n".encode())
    return {path}


def add_static(site, pick, value):
    path = site / "static" / "img" / f"extra-{value}.txt"
    path.parent.mkdir(exist_ok=True)
    path.write_text(f"extra {value}\n")
    return {path}


def edit_site(site, pick, value):
    path = site / "site.yaml"
    text = re.sub(r"^(title|page_size|search): .*\n", "", path.read_text(), flags=re.M)
    search = "false" if value % 5 == 0 else "true"  # now and then a site turns its search off (or on again)
    path.write_text(text + f"title: Catalog {value % 3}\npage_size: {10 + value % 3 * 5}\nsearch: {search}\n")
    return {path}


def edit_benchmarks(site, pick, value):
    path = site / "content/benchmarks.yaml"
    text = re.sub(r"name: MedQA[^,}\n]*", f"name: MedQA v{value}", path.read_text(), count=1)
    if value % 4 == 0:  # flip a ranking direction now and then
        text = text.replace("higher_is_better: false", "higher_is_better: true") if "higher_is_better: false" in text \
            else text
    path.write_text(text)
    return {path}


def edit_comparison(site, pick, value):
    path = sorted((site / "content/comparisons").glob("*.yaml"))[0]
    return _rewrite(path, r"^title: .*$", f"title: Compared {value}")


def edit_page(site, pick, value):
    path = site / "content/pages" / ("about.md" if value % 2 else f"notes-{value % 3}.md")
    path.write_text(f"---\ntitle: Notes {value}\n---\nSome *notes* {value}.\n")
    return {path}


def edit_definitions(site, pick, value):
    """Rename a provider or a capability: the pages that name it, and its own, show the new name."""
    path = site / "content" / ("providers.yaml" if value % 2 else "capabilities.yaml")
    path.write_text(re.sub(r"name: [^,}\n]*", f"name: Renamed {value}", path.read_text(), count=1))
    return {path}


def change_offers(site, pick, value):
    """Give a model an offer at a provider, at a new price, or take its offers away."""
    path = _pick(site, pick)
    text = re.sub(r"^offers:.*\n(  .*\n)*", "", path.read_text(), flags=re.M)
    if value % 3:
        text += f"offers:\n  - {{provider: {['cloudy', 'hosty'][value % 2]}, pricing: {{input_per_mtok: {value % 7}.5}}}}\n"
    path.write_text(text)
    return {path}


def change_capabilities(site, pick, value):
    path = _pick(site, pick)
    text = re.sub(r"^capabilities:.*\n", "", path.read_text(), flags=re.M)
    path.write_text(text + f"capabilities: [{['reasoning', 'tool_calling', 'reasoning, tool_calling'][value % 3]}]\n")
    return {path}


def change_day(site, pick, value):
    return {"day": dt.date(2024 + value % 3, 1 + value % 12, 1)}


EDITS = [change_summary, change_name, change_score, change_release, change_status, change_developer, add_entry,
         delete_entry, rename_entry, break_file, fix_files, edit_template, edit_static, add_static, edit_site,
         edit_benchmarks, edit_comparison, edit_page, edit_definitions, change_offers, change_capabilities, change_day]


def fresh_site(root: Path) -> Path:
    site = root / "site"
    shutil.copytree(FIXTURE_SITE, site)
    shutil.copytree(ROOT / "templates", site / "templates")
    shutil.copytree(ROOT / "static", site / "static")
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "page_size: 10\n")
    (site / "content/providers.yaml").write_text("cloudy: {name: Cloudy}\nhosty: {name: Hosty, url: 'https://hosty.example/'}\n")
    (site / "content/capabilities.yaml").write_text("reasoning: {name: Reasoning}\ntool_calling: {name: Tool calling}\n")
    for number in range(EXTRA):
        add_entry(site, 0, 1000 + number)
    return site


def clean_build(site: Path, out: Path, day: dt.date) -> tuple[bool, dict[str, bytes], list[str]]:
    result = build(Settings(site, out_dir=out, use_cache=False, jobs=1, day=day))
    return result.published, snapshot(out) if result.published else {}, sorted(p.format() for p in result.problems)


edit_steps = st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 50), st.integers(1, 10_000)), min_size=1, max_size=5)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=edit_steps, mode=st.sampled_from(["disk", "memory", "watcher"]))
def test_incremental_build_equals_clean_build(tmp_path_factory, steps, mode):
    root = tmp_path_factory.mktemp("inc")
    site, out = fresh_site(root), root / "out"
    cache_dir = root / "cache"
    day = dt.date(2026, 1, 1)
    memory = Tracker(autosave=False)

    def incremental(changed: set[Path] | None):
        if mode == "disk":
            return build(Settings(site, out_dir=out, cache_dir=cache_dir, jobs=1, day=day))
        watched = {str(p) for p in changed} if mode == "watcher" and changed is not None else None
        return build(Settings(site, out_dir=out, jobs=1, day=day), tracker=memory, changed=watched)

    assert incremental(None).published
    for number, (edit, pick, value) in enumerate(steps):
        before = snapshot(out)
        changed = edit(site, pick, value + number)
        if isinstance(changed, dict):
            day, changed = changed["day"], set()
        result = incremental(changed)
        ok, expected, problems = clean_build(site, root / f"clean-{number}", day)
        assert result.published == ok, [p.format() for p in result.problems]
        assert sorted(p.format() for p in result.problems) == problems, f"other problems after {edit.__name__}"
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


@pytest.mark.parametrize("mode", ["disk", "memory"])
def test_incremental_builds_of_v2_edits_equal_clean_builds(tmp_path, mode):
    site, out = tmp_path / "site", tmp_path / "out"
    shutil.copytree(V2_SITE, site)
    memory = Tracker(autosave=False)
    settings = Settings(site, out_dir=out, cache_dir=tmp_path / "cache", jobs=1)

    def incremental():
        return build(settings) if mode == "disk" else build(settings, tracker=memory)

    assert incremental().published
    for number, (name, old, new) in enumerate(V2_EDITS):
        path = site / name
        assert old in path.read_text(), name
        path.write_text(path.read_text().replace(old, new))
        result = incremental()
        assert result.published, [p.format() for p in result.problems]
        assert result.rendered > 0 and result.skipped > 0  # an edit renders the pages that show it, not all
        ok, expected, _ = clean_build(site, tmp_path / f"clean-{number}", dt.date.today())
        assert ok and snapshot(out) == expected, f"stale output after editing {name}"


def test_second_build_renders_nothing_and_an_edit_renders_only_what_shows_it(site_copy, tmp_path):
    out = tmp_path / "out"
    first = run_cli("build", site_copy, "--out", out)
    assert "0 unchanged" in first.stderr
    again = run_cli("build", site_copy, "--out", out)
    assert " 0 rendered" in again.stderr, again.stderr
    beta = site_copy / MODELS / "beta-7b.yaml"
    beta.write_text(beta.read_text().replace("Another developer's model.", "Another developer's model, revised."))
    edited = run_cli("build", site_copy, "--out", out)
    rendered = int(edited.stderr.split(" rendered")[0].split()[-1])
    assert 0 < rendered < 15, edited.stderr
    assert "revised" in (out / "models/beta-7b/index.html").read_text()


def test_a_stylesheet_edit_gives_it_a_new_name_on_every_page_and_a_script_edit_only_where_it_is_used(site_copy,
                                                                                                      tmp_path):
    settings = Settings(site_copy, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1)
    out = settings.output
    stylesheet, script = site_copy / "static/css/site.css", site_copy / "static/js/compare.js"
    for path in (stylesheet, script):
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "static" / path.relative_to(site_copy / "static"), path)
    assert build(settings).published
    pages = sorted(out.rglob("*.html"))
    linked = lambda name: {re.search(rf'"/({name}\.\w+\.\w+)"', p.read_text())[1] for p in pages if name in p.read_text()}
    [old_css], [old_js] = linked("css/site"), linked("js/compare")
    stylesheet.write_text(stylesheet.read_text() + "\nh1 { color: rgb(1, 2, 3); }\n")
    result = build(settings)
    [new_css] = linked("css/site")
    assert new_css != old_css and result.rendered >= len(pages)  # every page links the stylesheet
    assert not (out / old_css).exists() and b"rgb(1, 2, 3)" in (out / new_css).read_bytes()
    script.write_text(script.read_text() + "\n// revised\n")
    result = build(settings)
    [new_js] = linked("js/compare")
    assert new_js != old_js and not (out / old_js).exists()
    assert result.rendered == 3  # the comparison page, and the script under both its names


def test_a_template_linking_a_static_file_that_does_not_exist_fails_with_its_line(site_copy, tmp_path):
    (site_copy / "templates").mkdir()
    (site_copy / "templates/page.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<script src="{{ asset(\'js/gone.js\') }}"></script>\n{% endblock %}\n')
    result = build(Settings(site_copy, out_dir=tmp_path / "out", use_cache=False, jobs=1))
    assert not result.published
    [problem] = result.problems
    assert (problem.code, problem.path, problem.line) == ("MC030", "templates/page.html", 3)
    assert "there is no static/js/gone.js" in problem.message


def test_a_template_loaded_by_name_at_run_time_is_tracked(site_copy, tmp_path):
    """A partial that pages load by name while rendering (not found by reading the
    templates beforehand) still makes those pages render again when it changes."""
    shutil.copytree(ROOT / "templates", site_copy / "templates")
    model = site_copy / "templates/model.html"
    model.write_text(model.read_text().replace("{% block main %}", "{% block main %}{% include 'partials/' ~ 'extra.html' %}"))
    (site_copy / "templates/partials/extra.html").write_text("<p>extra one</p>\n")
    out = tmp_path / "out"
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    (site_copy / "templates/partials/extra.html").write_text("<p>extra two</p>\n")
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    assert "extra two" in (out / "models/beta-7b/index.html").read_text()


@pytest.mark.parametrize("mode", ["disk", "memory"])
def test_a_partial_imported_by_another_template_is_tracked(tmp_path, mode):
    """Listing rows come from partials/rows.html, which partials/macros.html imports once
    and Jinja keeps: every listing page still renders again when rows.html changes."""
    site, out = fresh_site(tmp_path), tmp_path / "out"
    memory = Tracker(autosave=False)

    def incremental():
        if mode == "disk":
            return build(Settings(site, out_dir=out, cache_dir=tmp_path / "cache", jobs=1))
        return build(Settings(site, out_dir=out, jobs=1), tracker=memory)

    assert incremental().published
    rows = site / "templates/partials/rows.html"
    rows.write_text(rows.read_text().replace('<tr><th scope="row">', '<tr data-edited><th scope="row">', 1))
    assert incremental().published
    assert clean_build(site, tmp_path / "clean", dt.date.today())[1] == snapshot(out)
    assert "data-edited" in (out / "developers/acme-labs/index.html").read_text()


def test_a_new_day_reports_the_warnings_a_check_reports(site_copy, tmp_path):
    out = tmp_path / "out"
    then = {"SOURCE_DATE_EPOCH": str(int(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc).timestamp()))}
    assert "MC106" in run_cli("build", site_copy, "--out", out, env=then).stderr
    now = run_cli("build", site_copy, "--out", out)
    assert "MC106" not in now.stderr and "MC106" not in run_cli("check", site_copy).stdout


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


def test_a_file_changed_in_the_output_is_made_again(site_copy, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    (out / "models/alpha-4b/index.html").write_text("tampered")
    (out / "api/models.csv").unlink()
    again = run_cli("build", site_copy, "--out", out)
    assert again.returncode == 0 and " 2 rendered" in again.stderr, again.stderr
    assert "Alpha 4B" in (out / "models/alpha-4b/index.html").read_text() and (out / "api/models.csv").exists()


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
