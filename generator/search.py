"""Full-text search over the published pages: Pagefind's index, made in memory.

`search_index` takes rendered pages and returns the files of a static search index
(a WebAssembly search engine, `pagefind.js`, and the index split into small chunks
that a browser fetches as a query needs them), for the write stage to publish under
/pagefind/. Templates choose what is searched: Pagefind indexes the element marked
`data-pagefind-body` (skipping anything inside `data-pagefind-ignore`), and a page
without one is not sent at all.

Pagefind runs as its own binary (the `pagefind_bin` wheel). Its Python API polls the
binary for one answer every 0.1 s, which would take 17 minutes for 10,000 pages, so
this module speaks the binary's service protocol directly: base64-encoded JSON
messages, each followed by a comma, on the binary's standard input and output.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pagefind.service import get_executable

from generator.errors import Code, Problem

OPT_IN = b"data-pagefind-body"
"""Pages without this attribute are not searched; templates put it on the part worth finding."""

_UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.", "playground/")
"""Pagefind's own result interfaces and tools: the site shows results in its own style (static/js/search.js)."""


class SearchIndexError(RuntimeError):
    """Pagefind could not index the pages (a missing binary, a crash, an answer it could not give)."""


def unindexable(exc: SearchIndexError) -> Problem:
    """The problem of a build whose search index could not be made; the site as published stays as it was."""
    return Problem(Code.SEARCH_ERROR, "site.yaml", "search", f"could not make the search index: {exc}",
                   hint="install modelcat's dependencies again (they include pagefind[bin]), "
                        "or set `search: false` in site.yaml to publish the site without search.")


@dataclass(frozen=True)
class IndexUpdate:
    """What a build does to the published search index."""

    files: dict[str, bytes]
    """Index files to write: those whose bytes changed (every one when the output is made whole)."""
    removed: list[str]
    """Files of the last index that the new one no longer has."""
    hashes: dict[str, str]
    """Index file -> hash of its bytes, as published after the build."""
    stale: bool = False
    """Searched pages changed but the index was left as it was, to be made later."""


def refresh_index(pages: list[tuple[str, str]], written: set[str], others_changed: bool, whole: bool,
                  before: Mapping[str, str], stale: bool, wanted: bool, deferred: bool,
                  read: Callable[[str], bytes]) -> IndexUpdate:
    """Make the search index again if one of the searched `pages` ((url, output file) pairs) changed.

    `before` and `stale` are the last build's `hashes` and `stale`. `deferred` (the dev
    server, which indexes in the background rather than on every save) leaves the
    index for later; a site that does not want search gets its last index removed.
    """
    if not wanted:
        return IndexUpdate({}, sorted(before), {})
    due = whole or others_changed or stale or not before or any(output in written for _, output in pages)
    if not due:
        return IndexUpdate({}, [], dict(before))
    if deferred:  # a whole output replaces the folder the index was in
        return IndexUpdate({}, [], {} if whole else dict(before), stale=True)
    return index_changes(search_index((url, read(output)) for url, output in pages), before, whole)


def index_changes(files: Mapping[str, bytes], before: Mapping[str, str], whole: bool = False) -> IndexUpdate:
    """Return how to publish a newly made index over the one whose hashes are `before`."""
    hashes = {path: hashlib.blake2b(data, digest_size=16).hexdigest() for path, data in files.items()}
    changed = {path: data for path, data in files.items() if whole or before.get(path) != hashes[path]}
    return IndexUpdate(changed, sorted(before.keys() - files.keys()), hashes)


def index_update(pages: list[tuple[str, Path]], before: Mapping[str, str]) -> IndexUpdate:
    """Return how to publish the index of the pages now in these (url, file) pairs over the one whose
    hashes are `before`: the dev server's background index, run in a process of its own."""
    return index_changes(search_index(_read(pages)), before)


def _read(pages: list[tuple[str, Path]]) -> Iterator[tuple[str, bytes]]:
    for url, path in pages:
        with contextlib.suppress(OSError):  # a page a later build removed
            yield url, path.read_bytes()


def search_index(pages: Iterable[tuple[str, bytes]]) -> dict[str, bytes]:
    """Return the search index of these pages as {path under the site root: bytes}, all under "pagefind/".

    `pages` are (URL relative to the site root, HTML) pairs, as the render stage makes
    them ("models/x/", b"<!doctype html>..."). Only pages that opt in (`OPT_IN`) are
    indexed. The index does not depend on the base URL: in the browser, pagefind.js
    puts results under the path it was itself loaded from (/catalog/pagefind/ gives
    /catalog/models/x/). Nothing is written to disk.
    """
    chosen = sorted((url, html) for url, html in pages if OPT_IN in html)  # sorted: the same site, the same index
    with _Service() as service:
        index_id = next(service.ask([{"type": "NewIndex", "config": {}}]))["index_id"]
        adds = ({"type": "AddFile", "index_id": index_id, "url": "/" + url, "file_path": None,
                 "file_contents": _spaced(html).decode("utf-8", "replace")} for url, html in chosen)
        # The binary answers in order: the files come once every page is in.
        for answer in service.ask(itertools.chain(adds, [{"type": "GetFiles", "index_id": index_id}])):
            if answer["type"] == "GetFiles":
                files = answer["files"]
                break
            if answer["type"] != "IndexedFile":
                raise SearchIndexError(f"Pagefind answered {answer['type']} to a page.")
    return {f"pagefind/{file['path']}": base64.b64decode(file["content"])
            for file in files if not file["path"].startswith(_UNUSED)}


_ITEM_END = re.compile(rb"</(dt|dd|th|td|li|caption)>")


def _spaced(html: bytes) -> bytes:
    """Return the page with a space after each list item, term and table cell.

    Pagefind joins the text of neighbouring elements it does not know as blocks, so
    `<dt>Parameters</dt><dd>27B</dd>` would be found as "Parameters27B".
    """
    return _ITEM_END.sub(rb"\g<0> ", html)


class _Service:
    """One Pagefind binary in service mode, asked questions in order and answering in order."""

    def __init__(self) -> None:
        executable = get_executable()
        if executable is None:
            raise SearchIndexError("the Pagefind binary is missing; install pagefind[bin].")
        self._process = subprocess.Popen([str(executable), "--service"], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._answers = self._read_answers()
        self._next_id = 0

    def __enter__(self) -> _Service:
        return self

    def __exit__(self, *exc_info) -> None:
        self._process.stdin.close()
        self._process.terminate()
        self._process.wait()
        self._process.stdout.close()

    def ask(self, payloads: Iterable[dict]) -> Iterator[dict]:
        """Send requests and yield the answers as they come.

        A thread writes while this one reads, so neither pipe fills up and stalls the
        other. If the binary stops, reading ends, and that is reported.
        """
        def send() -> None:
            try:
                for payload in payloads:
                    self._next_id += 1
                    message = json.dumps({"message_id": self._next_id, "payload": payload}).encode()
                    self._process.stdin.write(base64.b64encode(message) + b",")
                self._process.stdin.flush()
            except (OSError, ValueError):
                pass  # the binary has stopped (or the service is closing): reading its output says so

        threading.Thread(target=send, daemon=True).start()
        while True:
            answer = next(self._answers, None)
            if answer is None:
                raise SearchIndexError("Pagefind stopped before it answered.")
            if answer["type"] == "Error":
                raise SearchIndexError(f"Pagefind: {answer.get('message')}")
            yield answer

    def _read_answers(self) -> Iterator[dict]:
        pending, scanned = bytearray(), 0
        while chunk := self._process.stdout.read1(1 << 16):
            pending += chunk
            # An answer can be tens of megabytes (the index files): look for its end only in what is new.
            while (end := pending.find(b",", scanned)) >= 0:
                message = bytes(pending[:end])
                del pending[:end + 1]
                scanned = 0
                yield json.loads(base64.b64decode(message))["payload"]
            scanned = len(pending)
