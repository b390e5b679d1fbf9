"""Publishing: a failed build leaves the previous output exactly as it was."""

import pytest

from conftest import run_cli, snapshot
from generator.write import safe_join


@pytest.fixture
def published(site_copy, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", site_copy, "--out", out).returncode == 0
    return site_copy, out, snapshot(out)


@pytest.mark.parametrize("path, text", [
    ("content/models/alpha-4b.yaml", "name: [broken\n"),
    ("content/models/beta-7b.yaml", "name: Beta\nsummary: s\ndeveloper: d\nrelease_date: 2024-01-01\nrelated: [ghost]\n"),
    ("templates/model.html", "{% extends 'base.html' %}{% block main %}{{ model.nope }}{% endblock %}"),
    ("templates/index.html", "{% if %}"),
    ("static/index.html", "<p>would replace the home page</p>"),
], ids=["yaml", "reference", "template-runtime", "template-syntax", "static-collision"])
def test_failed_build_leaves_previous_output_byte_for_byte(published, path, text):
    site, out, before = published
    (site / path).parent.mkdir(parents=True, exist_ok=True)
    (site / path).write_text(text)
    result = run_cli("build", site, "--out", out)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "previous output was left as it was" in result.stderr
    assert snapshot(out) == before
    assert not any(p.name.startswith(".out.") for p in out.parent.iterdir()), "staging folder left behind"


def test_template_errors_name_the_template_line_and_page(published):
    site, out, _ = published
    (site / "templates").mkdir()
    (site / "templates/model.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{{ model.nope }}\n{% endblock %}\n")
    result = run_cli("build", site, "--out", out)
    assert "templates/model.html:3: " in result.stderr
    assert "MC030" in result.stderr and "while rendering /models/" in result.stderr


def test_rebuild_removes_pages_of_deleted_entries(published):
    site, out, _ = published
    (site / "content/models/old-1b.yaml").unlink()
    assert run_cli("build", site, "--out", out).returncode == 0
    assert not (out / "models/old-1b").exists()
    assert (out / "models/alpha-4b/index.html").exists()


def test_build_refuses_to_replace_a_folder_it_did_not_write(site_copy, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = run_cli("build", site_copy, "--out", precious)
    assert result.returncode == 2
    assert "was not written by modelcat" in result.stderr
    assert (precious / "thesis.txt").read_text() == "years of work"


@pytest.mark.parametrize("out", [".", "..", "content", "static/out"])
def test_build_refuses_an_output_folder_that_holds_the_site(site_copy, out):
    before = snapshot(site_copy)
    result = run_cli("build", site_copy, "--out", site_copy / out)
    assert result.returncode == 2, result.output
    assert snapshot(site_copy) == before


@pytest.mark.parametrize("relative", ["../x", "/etc/passwd", "a/../../b", "a\\..\\b", ""])
def test_safe_join_refuses_paths_outside_the_output(tmp_path, relative):
    with pytest.raises(OSError):
        safe_join(tmp_path, relative)
