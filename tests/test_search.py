"""Site search: Pagefind's index made in memory from rendered pages, by the real Pagefind binary."""

import gzip
import json

import pytest

from generator import search


def html(title: str, body: str, opt_in: bool = True) -> bytes:
    main = f'<main data-pagefind-body data-pagefind-meta="kind:Model">' if opt_in else "<main>"
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
