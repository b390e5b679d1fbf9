"""Site search: Pagefind's index made in memory from rendered pages, by the real Pagefind binary."""

import gzip
import json
from pathlib import Path

import pytest

from conftest import snapshot
from generator import search
from generator.build import Settings, build


def html(title: str, body: str, opt_in: bool = True) -> bytes:
    main = '<main data-pagefind-body data-pagefind-meta="kind:Model">' if opt_in else "<main>"
    return (f'<!doctype html><html lang="en"><head><title>{title}</title></head><body>'
            f'<header>Everywhere</header>{main}<h1>{title}</h1>{body}</main></body></html>').encode()


def fragments(files: dict[str, bytes]) -> list[dict]:
    """The indexed pages as Pagefind stores them: gzipped JSON after a signature."""
    return [json.loads(gzip.decompress(data).removeprefix(b"pagefind_dcd"))
            for path, data in files.items() if path.startswith("pagefind/fragment/")]


def test_index_holds_the_pages_that_opt_in_with_their_site_urls():
    pages = [("models/a/", html("Alpha", "<p>Only alpha says zanzibar.</p>")),
             ("models/b/", html("Beta", "<dl><dt>Image encoder</dt><dd>SigLIP</dd></dl>")),
             ("", html("Home", "<p>Lists every model.</p>", opt_in=False))]
    files = search.search_index(pages)
    assert all(path.startswith("pagefind/") for path in files)
    assert {"pagefind/pagefind.js", "pagefind/wasm.en.pagefind", "pagefind/pagefind-entry.json"} <= set(files)
    assert not [path for path in files if "-ui." in path or "highlight" in path]  # the site shows results itself
    indexed = {page["url"]: page for page in fragments(files)}
    assert set(indexed) == {"/models/a/", "/models/b/"}
    assert indexed["/models/a/"]["meta"] == {"kind": "Model", "title": "Alpha"}
    assert "zanzibar" in indexed["/models/a/"]["content"]
    assert "Everywhere" not in indexed["/models/a/"]["content"]  # only the opted-in part
    assert "Image encoder SigLIP" in indexed["/models/b/"]["content"]  # terms and values stay apart


def test_the_same_pages_give_the_same_index_in_any_order():
    pages = [(f"models/m{i}/", html(f"Model {i}", f"<p>word{i} shared</p>")) for i in range(20)]
    assert search.search_index(pages) == search.search_index(list(reversed(pages)))


def test_a_site_with_nothing_to_search_still_gets_a_working_engine():
    files = search.search_index([("", html("Home", "<p>x</p>", opt_in=False))])
    assert "pagefind/pagefind.js" in files and fragments(files) == []


def test_a_missing_binary_is_reported_as_such(monkeypatch):
    monkeypatch.setattr(search, "get_executable", lambda: None)
    with pytest.raises(search.SearchIndexError, match="binary is missing"):
        search.search_index([("models/a/", html("Alpha", "<p>a</p>"))])


# --- The index a build publishes --------------------------------------------------------


def published_index(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}


def stamps(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()}


def test_a_build_publishes_the_index_and_makes_it_again_only_when_a_searched_page_changes(site_copy, tmp_path):
    out, settings = tmp_path / "out", Settings(site_copy, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1)
    assert build(settings).published
    indexed = {page["url"] for page in fragments(published_index(out))}
    assert {"/models/alpha-4b/", "/models/beta-7b/", "/benchmarks/medqa/"} <= indexed
    assert not [url for url in indexed if url in ("/", "/models/") or "/page/" in url]
    first = stamps(out)

    stylesheet = site_copy / "static/css/extra.css"
    stylesheet.parent.mkdir(parents=True, exist_ok=True)
    stylesheet.write_text("body { margin: 0; }\n")
    assert build(settings).published and (out / "css/extra.css").exists()
    assert stamps(out) == first  # no searched page changed: the index was left alone

    entry = site_copy / "content/models/beta-7b.yaml"
    entry.write_text(entry.read_text().replace("summary: Another developer's model.", "summary: A quokka's model."))
    assert build(settings).published
    index = published_index(out)
    assert [page["url"] for page in fragments(index) if "quokka" in page["content"]] == ["/models/beta-7b/"]
    clean = tmp_path / "clean"
    assert build(Settings(site_copy, out_dir=clean, use_cache=False, jobs=1)).published
    assert index == published_index(clean)  # no fragment of the old text is left behind


def test_a_site_without_search_has_neither_box_nor_index(site_copy, tmp_path):
    out, settings = tmp_path / "out", Settings(site_copy, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1)
    assert build(settings).published and (out / "pagefind/pagefind.js").exists()
    (site_copy / "site.yaml").write_text((site_copy / "site.yaml").read_text() + "search: false\n")
    assert build(settings).published
    assert not (out / "pagefind").exists()
    for page in ("index.html", "models/alpha-4b/index.html"):
        html = (out / page).read_text()
        assert 'id="site-q"' not in html and "data-pagefind-body" not in html and "search.js" not in html


def test_a_missing_binary_fails_the_build_and_keeps_the_site_as_it_was(site_copy, tmp_path, monkeypatch):
    out, settings = tmp_path / "out", Settings(site_copy, out_dir=tmp_path / "out", cache_dir=tmp_path / "cache", jobs=1)
    assert build(settings).published
    before = snapshot(out)
    entry = site_copy / "content/models/beta-7b.yaml"
    entry.write_text(entry.read_text().replace("summary: Another developer's model.", "summary: Changed."))
    monkeypatch.setattr(search, "get_executable", lambda: None)
    result = build(settings)
    assert not result.published and snapshot(out) == before
    assert [(p.code, p.path, p.field) for p in result.problems] == [("MC032", "site.yaml", "search")]
    assert "Pagefind binary is missing" in result.problems[0].message and "search: false" in result.problems[0].hint
    monkeypatch.undo()
    assert build(settings).published and "Changed." in (out / "models/beta-7b/index.html").read_text()
