"""The dev server: live reload in a real browser, errors shown and recovered from, safe serving.

Browser tests run `python -m generator serve` in a subprocess on a copy of the
fixture site and drive Chromium. Tests of the server's timing rules (builds on a
worker thread, requests waiting for a build, bursts of saves) run it in a thread
with a stand-in build function. The pure parts are tested as functions.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from browser import axe_violations
from conftest import FIXTURE_SITE, ROOT, run_cli, snapshot
from generator.errors import Code, Problem, Severity, UsageError
from generator.settings import BuildResult, Settings
from generator.serve import (
    EARLY_PAGE_SECONDS, Debouncer, DevServer, Found, Hosts, Outcome, bind, content_type, excerpt, failure_page,
    find_file, host_of, inject_script, is_loopback, server_url, stylesheet_changes,
)

SCRIPT = b'<script src="/livereload.js?port=1"></script>'


# --- Pure parts -----------------------------------------------------------------------


@pytest.mark.parametrize("html, expected", [
    (b"<html><head><title>t</title></head><body>x</body></html>",
     b"<html><head><title>t</title>" + SCRIPT + b"</head><body>x</body></html>"),
    (b"<HTML><HEAD><TITLE>t</TITLE></HEAD><BODY>x</BODY></HTML>",  # livereload: uppercase gets nothing
     b"<HTML><HEAD><TITLE>t</TITLE>" + SCRIPT + b"</HEAD><BODY>x</BODY></HTML>"),
    (b"<head><style>" + b"p{}" * 30_000 + b"</style></head >",  # livereload: nothing after 64 KiB
     b"<head><style>" + b"p{}" * 30_000 + b"</style>" + SCRIPT + b"</head >"),
    (b"<!doctype html><title>t</title><p>no head element</p>",
     b"<!doctype html><title>t</title><p>no head element</p>" + SCRIPT),
    (b"", SCRIPT),
])
def test_inject_script_reaches_every_html_page(html, expected):
    assert inject_script(html, SCRIPT) == expected


def test_debouncer_makes_one_build_of_a_burst():
    burst = Debouncer(quiet=0.05, longest=2.0)
    assert not burst.due(0.0)
    burst.add(["a.yaml.tmp-renamed", "a.yaml"], now=1.00)
    burst.add([], now=1.02)
    assert not burst.due(1.02)
    burst.add(["b.yaml"], now=1.04)
    assert not burst.due(1.08)
    assert burst.due(1.09)
    assert burst.take() == {"a.yaml.tmp-renamed", "a.yaml", "b.yaml"}
    assert not burst.due(5.0)


def test_debouncer_builds_anyway_when_changes_never_stop():
    burst = Debouncer(quiet=0.05, longest=2.0)
    for tick in range(200):
        now = tick * 0.02
        burst.add([f"file{tick}"], now)
        if burst.due(now):
            break
    assert now == pytest.approx(2.0)
    assert len(burst.take()) == 101


def test_only_a_stylesheet_change_gets_a_css_reload(tmp_path):
    site_static, theme_static = tmp_path / "static", tmp_path / "theme" / "static"
    css = str(site_static / "css" / "site.css")
    assert stylesheet_changes([css], [site_static, theme_static]) == ["/css/site.css"]
    assert stylesheet_changes([str(theme_static / "print.css")], [site_static, theme_static]) == ["/print.css"]
    assert stylesheet_changes([css, str(tmp_path / "content/models/a.yaml")], [site_static]) is None
    assert stylesheet_changes([str(tmp_path / "templates/extra.css")], [site_static]) is None
    assert stylesheet_changes([str(site_static / "logo.svg")], [site_static]) is None
    assert stylesheet_changes([], [site_static]) is None


@pytest.fixture
def output(tmp_path):
    root = tmp_path / "out"
    (root / "models" / "alpha").mkdir(parents=True)
    (root / "models" / "alpha" / "index.html").write_text("alpha")
    (root / "index.html").write_text("home")
    (root / ".modelcat-output").write_text("marker")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "escape").symlink_to(tmp_path / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path)
    (root / "loop").symlink_to(root / "loop")
    return root


@pytest.mark.parametrize("path, found", [
    ("/", Found(file=Path("index.html"))),
    ("/models/alpha/", Found(file=Path("models/alpha/index.html"))),
    ("/models/%61lpha/", Found(file=Path("models/alpha/index.html"))),
    ("/models/alpha", Found(redirect="/models/alpha/")),
    ("//models", Found(redirect="/models/")),  # never a protocol-relative //host redirect
    ("/models/alpha/index.html", Found(file=Path("models/alpha/index.html"))),
    ("/models/beta/", Found()),
    ("/../secret.txt", Found()),
    ("/models/../../secret.txt", Found()),
    ("/..%2fsecret.txt", Found()),
    ("/%2e%2e/secret.txt", Found()),
    ("/..%5csecret.txt", Found()),
    ("/..\\secret.txt", Found()),
    ("/escape", Found()),
    ("/escape-dir/secret.txt", Found()),
    ("/.modelcat-output", Found()),
    ("/index.html%00.txt", Found()),
    ("/" + "a" * 300, Found()),  # a name longer than file systems allow: ENAMETOOLONG, once a 500
    ("/models/" + "%61" * 256 + "/", Found()),
    ("/" + "a/" * 3000, Found()),  # thousands of segments
    ("/" + "../" * 3000 + "etc/passwd", Found()),
    ("/loop/index.html", Found()),  # a symbolic link to itself
])
def test_find_file_serves_only_the_output_folder(output, path, found):
    result = find_file(output, path)
    expected = found._replace(file=output.resolve() / found.file) if found.file else found
    assert result == expected


@pytest.mark.parametrize("name, expected", [
    ("index.html", "text/html; charset=utf-8"), ("site.css", "text/css; charset=utf-8"),
    ("alpha.json", "application/json; charset=utf-8"), ("favicon.svg", "image/svg+xml; charset=utf-8"),
    ("models.csv", "text/csv; charset=utf-8"), ("photo.png", "image/png"), ("blob", "application/octet-stream"),
])
def test_content_types(name, expected):
    assert content_type(Path(name)) == expected


def test_failure_page_escapes_what_it_shows():
    hostile = Problem(Code.UNKNOWN_FIELD, "content/models/<b>x</b>.yaml", "<img src=x onerror=alert(1)>",
                      'unknown field "<script>alert(1)</script>".', line=3, hint="did you mean <i>name</i>?")
    warning = Problem(Code.STRAY_FILE, "content/models/notes.txt", "", "not read.", severity=Severity.WARNING)
    page = failure_page(Outcome(BuildResult([hostile, warning])), Path("/nonexistent")).decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>x" not in page and "<i>name" not in page
    assert "content/models/&lt;b&gt;x&lt;/b&gt;.yaml:3" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "unknown field &#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;. <span class=\"code\">[MC010]" in page
    assert '<span class="label">Warning:</span> not read.' in page
    assert "1 error, 1 warning in 2 files." in page
    crash = failure_page(Outcome(None, "Traceback ...\nRuntimeError: <boom>"), Path("/nonexistent")).decode()
    assert "RuntimeError: &lt;boom&gt;" in crash and "modelcat could not build the site." in crash


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.1.2.3", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("devbox", False), ("", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_server_url_brackets_ipv6():
    assert server_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert server_url("::1", 8000) == "http://[::1]:8000/"


@pytest.mark.parametrize("header, host", [
    ("localhost:8000", "localhost"), ("LocalHost", "localhost"), ("localhost.:8000", "localhost"),
    ("127.0.0.1:8000", "127.0.0.1"), ("[::1]:8000", "::1"), ("[0:0:0:0:0:0:0:1]", "::1"), (" example.test ", "example.test"),
    ("localhost:", "localhost"),
    (None, None), ("", None), ("[::1", None), ("[::1]x", None), ("[evil.example]", None), ("::1", None),
    ("localhost:80:80", None), ("localhost:http", None), ("user@localhost", None), ("localhost,evil.example", None),
    ("local host", None), ("evil.example/", None), ("..", None),
])
def test_host_of_reads_the_host_a_browser_names(header, host):
    assert host_of(header) == host


@pytest.mark.parametrize("header, allowed", [
    ("localhost:8000", True), ("LOCALHOST.", True), ("app.localhost:8000", True), ("127.0.0.1", True),
    ("127.8.9.10:8000", True), ("[::1]:8000", True), ("preview.example.test:8000", True), ("a.lan.example", True),
    ("lan.example", True),
    ("evil.example", False), ("evil.example:8000", False), ("localhost.evil.example", False), ("evilpreview.example.test", False),
    ("preview.example.test.evil", False), ("10.0.0.1", False), ("[fe80::1]", False), ("0.0.0.0:8000", False),
    ("127.0.0.1.nip.io", False), ("", False), (None, False),
])
def test_the_server_answers_loopback_and_allowed_hosts_only(header, allowed):
    hosts = Hosts.of("127.0.0.1", ["Preview.Example.Test", ".lan.example"])
    assert hosts.allow(header) is allowed


def test_a_server_on_every_address_answers_any_address_but_only_allowed_names():
    hosts = Hosts.of("0.0.0.0", [])
    assert hosts.allow("192.168.1.5:8000") and hosts.allow("[fe80::1]") and hosts.allow("localhost")
    assert not hosts.allow("devbox.lan") and not hosts.allow("evil.example")
    named = Hosts.of("devbox.lan", [])
    assert named.allow("devbox.lan:8000") and not named.allow("192.168.1.5")


def test_a_refusal_says_which_option_allows_the_host():
    hosts = Hosts.of("127.0.0.1", [])
    assert hosts.refusal("Evil.Example:8000") == (
        'Blocked request: this preview answers only to localhost and the names it is told, not to "evil.example". '
        "To allow it, restart modelcat serve with --allowed-host evil.example\n")
    assert "--allowed-host [fe80::1]" in hosts.refusal("[fe80::1]:8000")
    assert hosts.refusal("a b") == "Blocked request: its Host header names no valid host.\n"


@pytest.mark.parametrize("name", ["http://example.test", "example.test/x", "", "a b", "exa mple"])
def test_an_allowed_host_that_is_no_host_is_a_usage_error(name):
    with pytest.raises(UsageError, match="is not a host name or address"):
        Hosts.of("127.0.0.1", [name])


def test_excerpt_marks_the_line_and_column_and_shows_what_cannot_be_seen():
    lines = ["name: x", "summary: Note:\tthis", "developer: \x1b[31mred", "a", "b", "c"]
    shown = excerpt(lines, 2, 14)
    assert shown.lines == ((1, "name: x"), (2, "summary: Note:  this"), (3, "developer: \u241b[31mred"), (4, "a"))
    assert (shown.line, shown.caret) == (2, 13)
    assert excerpt(lines, 1).caret is None and excerpt(lines, 1).lines[0] == (1, "name: x")
    long = excerpt(["x: " + "a" * 1000 + ": " + "b" * 1000], 1, 1004)
    [(_, text)] = long.lines
    assert len(text) == 160 and text.startswith("…") and text.endswith("…") and text[long.caret] == ":"


def test_failure_page_shows_the_lines_the_build_read_escaped(tmp_path):
    site = tmp_path / "site"
    (site / "content/models").mkdir(parents=True)
    entry = site / "content/models/alpha.yaml"
    entry.write_text("name: A\nsummary: <script>alert(1)</script>: x\ndeveloper: d\n")
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0\n")
    started = time.time() + 1  # the files above were saved before the build began
    problems = [Problem(Code.YAML_SYNTAX, "content/models/alpha.yaml", "", "YAML syntax error.", line=2, column=29,
                        hint='quote the text: it contains ": "'),
                Problem(Code.YAML_SYNTAX, str(outside), "", "outside the site.", line=1),
                Problem(Code.YAML_SYNTAX, "content/models/../../../secret.txt", "", "outside the site.", line=1)]
    page = failure_page(Outcome(BuildResult(problems), started=started), site).decode()
    assert "<script>alert(1)" not in page
    assert ('<span class="row marked"><span class="ln">2</span><span class="gutter">&gt;</span>'
            "summary: &lt;script&gt;alert(1)&lt;/script&gt;: x") in page
    assert '<span class="gutter"></span>' + " " * 28 + "^</span>" in page
    assert "content/models/alpha.yaml:2:29" in page and "quote the text: it contains &#34;: &#34;" in page
    assert "root:x" not in page  # only files of the site (and the bundled theme) are shown
    # Saved after the build began: not what the build read, so no excerpt (the next build shows one).
    saved_later = failure_page(Outcome(BuildResult(problems[:1]), started=time.time() - 60), site).decode()
    assert "alert(1)" not in saved_later and 'class="excerpt"' not in saved_later


def test_failure_page_summarises_problems_past_a_screenful(tmp_path):
    problems = [Problem(Code.UNKNOWN_BENCHMARK, f"content/models/m{n:03}.yaml", "benchmarks.x", "unknown benchmark id.",
                        line=3) for n in range(500)]
    page = failure_page(Outcome(BuildResult(problems)), tmp_path).decode()
    assert page.count('<li class="error">') == 3 and "… and 497 more of this code." in page
    assert "MC021 error, 500 times in 500 files: an unknown benchmark id" in page
    assert "`modelcat check --all` lists every one" in page


# --- The server with a stand-in build function, in a thread ------------------------------


class FakeBuild:
    """Stands in for build(): publishes content/page.txt as a page, slowly or by raising on request."""

    HALF = "<!doctype html><html><head><title>half</title></head><body><h1>half-written</h1></body></html>"

    def __init__(self):
        self.calls = 0
        self.paused = 0.0
        """How long the last build was held after showing its open page early."""
        self.building_slowly = threading.Event()
        self.release = threading.Event()
        self._counted = threading.Condition()

    def __call__(self, settings: Settings, **options) -> BuildResult:
        """Build as build(settings, ...) does; its other arguments (such as a cache) change nothing here."""
        with self._counted:
            self.calls += 1
            self._counted.notify_all()
        text = (settings.site_dir / "content" / "page.txt").read_text().strip()
        if text.startswith("raise"):
            raise RuntimeError(f"simulated bug <{text}>")
        page = settings.output / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(self.HALF)  # what a request would see if the server did not wait
        preview = options.get("preview")
        if text.startswith("early") and preview is not None and "index.html" in preview.open_outputs:
            preview.planned({"index.html", "other/index.html"})
            started = time.monotonic()
            preview.rendered_first({"index.html": f"<html><head></head><body><h1>{text}</h1></body></html>".encode()})
            self.paused = time.monotonic() - started
            self.building_slowly.set()
            self.release.wait(30)
        if text.startswith("slow"):
            self.building_slowly.set()
            self.release.wait(30)
        page.write_text(f"<!doctype html><html><head><title>t</title></head><body><h1>{text}</h1></body></html>")
        return BuildResult([], published=True)

    def wait_for_calls(self, count: int) -> None:
        with self._counted:
            assert self._counted.wait_for(lambda: self.calls >= count, timeout=20), f"{self.calls} builds, not {count}"


class ThreadedServer:
    """The dev server in a thread of this process, with FakeBuild as its build function."""

    def __init__(self, tmp_path: Path):
        self.site = tmp_path / "site"
        (self.site / "content").mkdir(parents=True)
        (self.site / "site.yaml").write_text("title: Test\n")
        self.write("first")
        sockets = bind("127.0.0.1", 0)
        self.url = server_url("127.0.0.1", sockets[0].getsockname()[1])
        self.build = FakeBuild()
        settings = Settings(self.site, out_dir=tmp_path / "out", base_url=self.url)
        # A long quiet time keeps a burst together even when this busy machine pauses the test mid-burst.
        self.server = DevServer(settings, self.url, self.build, quiet_seconds=0.3)
        self.thread = threading.Thread(target=asyncio.run, args=(self.server.run(sockets),))
        self.thread.start()
        assert "<h1>first</h1>" in self.get()  # waits for the first build to finish

    def write(self, text: str, name: str = "page.txt") -> None:
        (self.site / "content" / name).write_text(text)

    def get(self, path: str = "") -> str:
        with urllib.request.urlopen(self.url + path, timeout=20) as response:
            return response.read().decode()

    def next_reload(self, change) -> dict:
        """Connect as livereload.js does, make the change, and return the next message."""
        async def listen():
            socket_ = await websocket_connect(self.url.replace("http:", "ws:") + "livereload")
            await socket_.write_message(json.dumps({"command": "hello", "protocols": [
                "http://livereload.com/protocols/official-7"]}))
            assert json.loads(await socket_.read_message())["command"] == "hello"
            change()
            message = await asyncio.wait_for(socket_.read_message(), 20)
            socket_.close()
            return json.loads(message)
        # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, listen()).result()

    def stop(self) -> None:
        self.build.release.set()
        self.server.stop()
        self.thread.join(20)
        assert not self.thread.is_alive()


@pytest.fixture
def threaded(tmp_path):
    server = ThreadedServer(tmp_path)
    yield server
    server.stop()


def test_a_build_that_raises_reaches_the_browser_and_the_next_save_recovers(threaded, capsys):
    message = threaded.next_reload(lambda: threaded.write("raise now"))
    assert message["command"] == "reload"  # livereload: no reload, no message, a stale page
    page = threaded.get()
    assert "The site did not build" in page and "RuntimeError: simulated bug &lt;raise now&gt;" in page
    assert '<script src="/livereload.js?port=' in page and 'fetch("/livereload/builds")' in page
    assert threaded.next_reload(lambda: threaded.write("fixed"))["command"] == "reload"
    assert "<h1>fixed</h1>" in threaded.get()
    assert capsys.readouterr().err.count("RuntimeError: simulated bug <raise now>") == 1


def test_reload_socket_refuses_other_web_pages(threaded):
    # livereload accepts any origin, so any open web page could make the preview reload.
    async def connect(origin):
        request = HTTPRequest(threaded.url.replace("http:", "ws:") + "livereload", headers={"Origin": origin})
        (await websocket_connect(request)).close()
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, connect(threaded.url.rstrip("/"))).result()
        with pytest.raises(HTTPClientError, match="403"):
            thread.submit(asyncio.run, connect("http://elsewhere.example")).result()


async def connect_as_page(url: str):
    """Connect to the server as livereload.js does from the page at `url`, and say which page that is."""
    socket_ = await websocket_connect(url.replace("http:", "ws:") + "livereload")
    await socket_.write_message(json.dumps({"command": "hello", "protocols": [
        "http://livereload.com/protocols/official-7"]}))
    await socket_.read_message()
    await socket_.write_message(json.dumps({"command": "info", "url": url, "plugins": {}}))
    await asyncio.sleep(0.2)
    return socket_


def test_the_open_page_is_shown_before_the_rest_of_its_build_and_nothing_mixes(threaded):
    """Hugo's fast render: the page a browser shows comes first; files the build still
    rewrites wait for it, files it leaves alone are served at once."""
    (threaded.server.root / "other").mkdir(exist_ok=True)
    (threaded.server.root / "other/index.html").write_text("<h1>old other</h1>")
    (threaded.server.root / "still.txt").write_text("unchanged")

    async def watch_and_save():
        socket_ = await connect_as_page(threaded.url)
        threaded.write("early view")
        message = json.loads(await asyncio.wait_for(socket_.read_message(), 20))
        socket_.close()
        return message

    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        assert thread.submit(asyncio.run, watch_and_save()).result()["command"] == "reload"
    assert threaded.build.building_slowly.wait(20)
    assert "<h1>early view</h1>" in threaded.get()  # while the build still runs
    assert threaded.get("still.txt") == "unchanged"
    waiting = {}
    request = threading.Thread(target=lambda: waiting.update(page=threaded.get("other/")))
    request.start()
    request.join(0.5)
    assert request.is_alive(), "a file the build rewrites was served before the build ended"
    threaded.build.release.set()
    request.join(20)
    assert "page" in waiting
    assert threaded.build.paused >= EARLY_PAGE_SECONDS * 0.9  # the reloaded page never came back: held, then on


def test_the_rest_of_the_build_waits_while_the_open_page_loads(threaded):
    """On two cores the rest of a build would slow the browser down just when the page is
    wanted: the build is held until the page it reloaded connects again, and no longer."""
    async def reload_like_a_browser():
        socket_ = await connect_as_page(threaded.url)
        threaded.write("early view")
        message = json.loads(await asyncio.wait_for(socket_.read_message(), 20))
        socket_.close()
        await asyncio.sleep(0.2)  # the page loading
        held = not threaded.build.building_slowly.is_set()
        (await connect_as_page(threaded.url)).close()  # it has loaded: its livereload.js connects
        return message, held

    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        message, held = thread.submit(asyncio.run, reload_like_a_browser()).result()
    assert message["command"] == "reload" and held
    assert threaded.build.building_slowly.wait(20)
    assert threaded.build.paused < EARLY_PAGE_SECONDS


def test_a_long_build_never_blocks_serving_and_requests_wait_for_its_end(threaded):
    threaded.write("slow build")
    assert threaded.build.building_slowly.wait(20)
    # livereload builds on the serving thread: nothing would answer now.
    assert "LiveReload" in threaded.get("livereload.js")
    waiting = {}
    request = threading.Thread(target=lambda: waiting.update(page=threaded.get()))
    request.start()
    request.join(0.5)
    assert request.is_alive(), "a page was served in the middle of a build"
    threaded.write("saved during the build")
    threaded.build.release.set()
    request.join(20)
    assert "<h1>slow build</h1>" in waiting["page"]
    threaded.build.wait_for_calls(3)  # the save made during the build is built next
    assert "<h1>saved during the build</h1>" in threaded.get()


def test_a_page_that_missed_its_reload_catches_up_when_it_connects(threaded, page: Page):
    held = []
    page.route("**/livereload.js*", lambda route: route.continue_() if held else held.append(route))
    page.goto(threaded.url, wait_until="domcontentloaded")
    expect(page.locator("h1")).to_have_text("first")
    threaded.write("second")
    threaded.build.wait_for_calls(2)
    assert "<h1>second</h1>" in threaded.get()  # built, and its reload sent to nobody
    held[0].continue_()
    expect(page.locator("h1")).to_have_text("second", timeout=15_000)


def test_a_burst_of_saves_is_one_build_and_editor_temp_files_none(threaded, capsys):
    content = threaded.site / "content"
    (content / ".page.txt.swp").write_text("vim swap")
    (content / "page.txt~").write_text("backup")
    (content / "page.txt.tmp").write_text("burst")
    os.replace(content / "page.txt.tmp", content / "page.txt")  # an editor's atomic save
    threaded.write("a", "a.txt")  # "save all"
    threaded.write("b", "b.txt")
    threaded.build.wait_for_calls(2)
    assert "<h1>burst</h1>" in threaded.get()
    threaded.write("marker")
    threaded.build.wait_for_calls(3)
    assert "<h1>marker</h1>" in threaded.get()
    assert threaded.build.calls == 3
    err = capsys.readouterr().err
    assert "after changes to content/a.txt and 2 more." in err
    assert "after changes to content/page.txt." in err


# --- The real server in a subprocess, driven by Chromium ----------------------------------


class ServerProcess:
    """`python -m generator serve SITE --port 0`, with its terminal output collected as it comes."""

    def __init__(self, site: Path, *args: str, env: dict | None = None):
        self.site = site
        command = [sys.executable, "-W", "error::DeprecationWarning", "-m", "generator", "serve", str(site),
                   "--port", "0", *args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, **(env or {})})
        self._lines: list[str] = []
        self._ended = False
        self._arrived = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.url = self.wait_for(r"at (http://\S+/) \(Ctrl-C").group(1)

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._arrived:
                self._lines.append(line)
                self._arrived.notify_all()
        with self._arrived:
            self._ended = True
            self._arrived.notify_all()

    @property
    def output(self) -> str:
        with self._arrived:
            return "".join(self._lines)

    def wait_for(self, pattern: str) -> re.Match:
        with self._arrived:
            self._arrived.wait_for(lambda: self._ended or re.search(pattern, "".join(self._lines)), timeout=20)
        match = re.search(pattern, self.output)
        assert match, f"the server never printed {pattern!r}:\n{self.output}"
        return match

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(20)
        self._reader.join(20)
        return code


def stop_cleanly(running: ServerProcess) -> None:
    assert running.stop() == 0, running.output
    assert "Traceback" not in running.output and "Warning" not in running.output, running.output


@pytest.fixture
def server(site_copy):
    """A server on a site the test may edit."""
    running = ServerProcess(site_copy)
    yield running
    stop_cleanly(running)


@pytest.fixture(scope="module")
def unchanged_server(tmp_path_factory):
    """One server shared by the tests that only make requests."""
    site = tmp_path_factory.mktemp("unchanged") / "site"
    shutil.copytree(FIXTURE_SITE, site)
    running = ServerProcess(site, "--allowed-host", "preview.example.test", "--allowed-host", ".lan.example")
    yield running
    stop_cleanly(running)


CONNECTED = "document.addEventListener('LiveReloadConnect', () => { window.liveReloadConnected = true; });"


@pytest.fixture
def live_page(page: Page) -> Page:
    """A page that records when livereload.js has connected, in each document it loads."""
    page.add_init_script(CONNECTED)
    return page


def wait_until_connected(page: Page) -> None:
    page.wait_for_function("window.liveReloadConnected === true")


def save_like_an_editor(path: Path, text: str) -> None:
    """Write a temporary file beside the target and rename it over the target, as most editors do."""
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text)
    os.replace(temp, path)


def test_saves_reach_the_open_page_even_one_second_apart(server, live_page):
    entry = server.site / "content/models/alpha-4b.yaml"
    original = entry.read_text()
    live_page.goto(server.url + "models/alpha-4b/")
    wait_until_connected(live_page)
    heading = live_page.locator("h1")
    expect(heading).to_have_text("Alpha 4B")
    save_like_an_editor(entry, original.replace("name: Alpha 4B", "name: Alpha 4B Revised"))
    expect(heading).to_have_text("Alpha 4B Revised", timeout=15_000)
    wait_until_connected(live_page)
    # Well inside livereload's 3 s throttle, which would leave this save on disk but not on screen.
    entry.write_text(original.replace("name: Alpha 4B", "name: Alpha 4B Second"))
    expect(heading).to_have_text("Alpha 4B Second", timeout=15_000)


def test_broken_yaml_shows_its_file_and_line_then_recovers(server, live_page):
    entry = server.site / "content/models/alpha-4b.yaml"
    original = entry.read_text()
    live_page.goto(server.url + "models/alpha-4b/")
    wait_until_connected(live_page)
    save_like_an_editor(entry, original.replace("developer: Acme Labs", "developer: [Acme Labs"))
    expect(live_page.locator("h1")).to_have_text("The site did not build", timeout=15_000)
    main = live_page.locator("main")
    expect(main).to_contain_text("content/models/alpha-4b.yaml:4")
    expect(main).to_contain_text("YAML syntax error")
    wait_until_connected(live_page)
    live_page.reload()
    live_page.goto(server.url)
    expect(live_page.locator("h1")).to_have_text("The site did not build")
    wait_until_connected(live_page)
    assert server.output.count("content/models/alpha-4b.yaml:4:7: YAML syntax error") == 1
    save_like_an_editor(entry, original)
    expect(live_page.locator("h1")).to_have_text("Fixture Catalog", timeout=15_000)


def test_an_unquoted_colon_shows_the_line_marked_and_how_to_quote_it(server, live_page):
    entry = server.site / "content/models/alpha-4b.yaml"
    original = entry.read_text()
    live_page.goto(server.url + "models/alpha-4b/")
    wait_until_connected(live_page)
    broken = original.replace("summary: A *small* test model.", "summary: Note: <b>bold</b> test model.")
    save_like_an_editor(entry, broken)
    expect(live_page.locator("h1")).to_have_text("The site did not build", timeout=15_000)
    problem = live_page.locator("main li")
    expect(problem.locator(".where")).to_have_text("content/models/alpha-4b.yaml:2:14")
    expect(problem.locator(".hint")).to_contain_text('Hint: quote the text: it contains ": "')
    marked = problem.locator(".excerpt .marked")
    expect(marked).to_contain_text("2>summary: Note: <b>bold</b> test model.")  # escaped: shown as written
    expect(problem.locator(".excerpt .caret")).to_have_text(" " * 13 + "^")
    expect(problem.locator(".excerpt .row")).to_have_count(5)  # lines 1 to 4 and the caret
    assert problem.locator(".excerpt b").count() == 0
    for scheme in ("light", "dark"):
        live_page.emulate_media(color_scheme=scheme)
        assert axe_violations(live_page) == [], scheme
    save_like_an_editor(entry, original)
    expect(live_page.locator("h1")).to_have_text("Alpha 4B", timeout=15_000)


def test_the_preview_shows_drafts_marked_as_drafts(server):
    draft = ("draft: true\nname: Zeta Draftmodel\nsummary: Being written.\ndeveloper: Acme Labs\n"
             "release_date: 2025-01\nsources: ['https://example.com/z']\n")
    save_like_an_editor(server.site / "content/models/zeta-9b.yaml", draft)
    server.wait_for(r"Built the site in [\d.]+ s after changes to content/models/zeta-9b.yaml")
    page = urllib.request.urlopen(server.url + "models/zeta-9b/", timeout=20).read().decode()
    assert '<li class="badge badge-draft">Draft</li>' in page and "<strong>Draft.</strong> Not published" in page
    home = urllib.request.urlopen(server.url, timeout=20).read().decode()
    assert 'Zeta Draftmodel</a> <span class="badge badge-draft"' in home


def test_the_preview_search_finds_a_word_soon_after_it_is_saved(server, page: Page):
    """The index is made again in the background once saves pause: search catches up without a restart."""
    entry = server.site / "content/models/beta-7b.yaml"
    save_like_an_editor(entry, entry.read_text().replace("summary: Another developer's model.",
                                                         "summary: A quokka's model."))
    server.wait_for(r"Built the site in [\d.]+ s after changes to content/models/beta-7b.yaml")
    hits = page.locator("#search-list a")
    deadline = time.monotonic() + 30
    while True:
        page.goto(server.url)  # a fresh page loads the index as published now
        page.fill("#site-q", "quokka")
        # A page that loads the index while the new one replaces it says so and asks to try again: the test does.
        expect(page.locator("#search-status")).to_contain_text(re.compile("“quokka”|try again in a moment"))
        if hits.count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(hits).to_have_count(1)
    expect(hits.first).to_have_attribute("href", "/models/beta-7b/")


def test_the_preview_search_waits_for_saves_to_pause(server):
    """A burst of saves is indexed once, after it: Pagefind's seconds never compete with its rebuilds."""
    server.wait_for(r"Built the site")  # the first build makes its index itself
    before = len(server.output)
    entry = server.site / "content/models/beta-7b.yaml"
    original = entry.read_text()
    for number in range(8):
        save_like_an_editor(entry, original.replace("summary: Another developer's model.", f"summary: Burst {number}."))
        time.sleep(0.25)
    server.wait_for(r"Made the search index again")
    burst = server.output[before:]
    assert burst.count("Built the site") >= 2, burst
    assert burst.count("Made the search index again") == 1, burst
    assert burst.rindex("Built the site") < burst.index("Made the search index again"), burst


def test_broken_template_shows_its_error_then_recovers(server, live_page):
    site = server.site
    live_page.goto(server.url + "models/alpha-4b/")
    wait_until_connected(live_page)
    template = site / "templates" / "model.html"
    template.parent.mkdir()
    template.write_text('{% extends "base.html" %}\n{% block main %}\n<h1>{{ model.nme }}</h1>\n{% endblock %}\n')
    expect(live_page.locator("h1")).to_have_text("The site did not build", timeout=15_000)
    expect(live_page.locator("main")).to_contain_text("templates/model.html:3")
    expect(live_page.locator("main")).to_contain_text("has no attribute 'nme'")
    wait_until_connected(live_page)
    template.unlink()
    expect(live_page.locator("h1")).to_have_text("Alpha 4B", timeout=15_000)


def test_stylesheet_change_applies_without_reloading_the_page(server, live_page):
    site = server.site
    live_page.goto(server.url + "models/alpha-4b/")
    wait_until_connected(live_page)
    live_page.evaluate("window.sameDocument = true")
    heading = live_page.locator("h1")
    stylesheet = site / "static" / "css" / "site.css"
    stylesheet.parent.mkdir(parents=True)
    stylesheet.write_text((ROOT / "static/css/site.css").read_text() + "\nh1 { color: rgb(1, 2, 3); }\n")
    expect(heading).to_have_css("color", "rgb(1, 2, 3)", timeout=15_000)
    assert live_page.evaluate("window.sameDocument") is True


def test_unknown_path_gets_the_sites_404_page(unchanged_server, live_page):
    response = live_page.goto(unchanged_server.url + "models/no-such-model/")
    assert response.status == 404
    expect(live_page.locator("h1")).to_have_text("Page not found")
    wait_until_connected(live_page)  # live reload works on the 404 page too


def raw_get(url: str, path: str, method: str = "GET", host: str | None = None) -> http.client.HTTPResponse:
    """Send the path (and Host header) exactly as written: browsers and urllib would normalise the tricks away."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    connection.request(method, path, headers={"Host": host} if host is not None else {})
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.mark.parametrize("path", [
    "/../../../../etc/passwd", "/..%2f..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "//etc/passwd", "/..\\..\\..\\..\\etc\\passwd", "/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    "/models/../../../../../etc/passwd", "/.modelcat-output",
])
def test_requests_cannot_leave_the_output_folder(unchanged_server, path):
    response = raw_get(unchanged_server.url, path)
    assert response.status == 404
    assert b"root:" not in response.body and b"Page not found" in response.body


@pytest.mark.parametrize("path", ["/" + "a" * 256, "/models/" + "b" * 4000 + "/", "/" + "c/" * 5000, "/" + "%2e%2e/" * 3000])
def test_absurd_paths_get_the_404_page(unchanged_server, path):
    # issue 10: a segment of 256+ characters answered 500 with a traceback ("File name too long").
    response = raw_get(unchanged_server.url, path)
    assert response.status == 404 and b"Page not found" in response.body
    assert "Traceback" not in unchanged_server.output


@pytest.mark.parametrize("path", ["/", "/api/models.json", "/models/alpha-4b/", "/livereload.js", "/livereload/builds",
                                  "/no-such-page/"])
def test_a_request_for_another_host_is_refused_with_the_option_that_allows_it(unchanged_server, path):
    # issue 10: `Host: evil.example` got 200, the DNS-rebinding hole other dev servers closed.
    response = raw_get(unchanged_server.url, path, host="evil.example")
    assert response.status == 403 and response.getheader("Content-Type") == "text/plain; charset=utf-8"
    assert response.body.decode() == (
        'Blocked request: this preview answers only to localhost and the names it is told, not to "evil.example". '
        "To allow it, restart modelcat serve with --allowed-host evil.example\n")
    assert raw_get(unchanged_server.url, path, method="POST", host="evil.example").status == 403


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "app.localhost", "preview.example.test",
                                  "x.lan.example"])
def test_loopback_names_and_allowed_hosts_are_served(unchanged_server, host):
    port = urllib.parse.urlsplit(unchanged_server.url).port
    response = raw_get(unchanged_server.url, "/api/models.json", host=f"{host}:{port}")
    assert response.status == 200 and b'"alpha-4b"' in response.body


def test_the_reload_socket_refuses_another_host(unchanged_server):
    async def connect(host):
        url = unchanged_server.url.replace("http:", "ws:") + "livereload"
        (await websocket_connect(HTTPRequest(url, headers={"Host": host, "Origin": f"http://{host}"}))).close()
    port = urllib.parse.urlsplit(unchanged_server.url).port
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, connect(f"localhost:{port}")).result()
        with pytest.raises(HTTPClientError, match="403"):
            thread.submit(asyncio.run, connect(f"evil.example:{port}")).result()


def test_an_allowed_host_that_is_no_host_stops_serve_with_a_usage_error(site_copy):
    result = run_cli("serve", site_copy, "--port", "0", "--allowed-host", "http://preview.example.test/")
    assert result.returncode == 2 and "is not a host name or address" in result.stderr
    assert "Traceback" not in result.output


def test_pretty_urls_and_content_types(unchanged_server):
    server = unchanged_server
    pages = {
        "models/alpha-4b/": "text/html; charset=utf-8",
        "css/site.css": "text/css; charset=utf-8",
        "api/models/alpha-4b.json": "application/json; charset=utf-8",
        "favicon.svg": "image/svg+xml; charset=utf-8",
    }
    for path, kind in pages.items():
        response = raw_get(server.url, "/" + path)
        assert (response.status, response.getheader("Content-Type")) == (200, kind), path
        assert response.getheader("Cache-Control") == "no-store"
    head = raw_get(server.url, "/models/alpha-4b/", method="HEAD")
    assert (head.status, head.body) == (200, b"") and int(head.getheader("Content-Length")) > 1000
    redirect = raw_get(server.url, "/models/alpha-4b")
    assert (redirect.status, redirect.getheader("Location")) == (302, "/models/alpha-4b/")
    page = raw_get(server.url, "/models/alpha-4b/").body.decode()
    assert f'<link rel="canonical" href="{server.url}models/alpha-4b/">' in page  # the base URL is the server


def test_port_in_use_is_a_clear_usage_error(site_copy):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", site_copy, "--port", port)
    assert result.returncode == 2
    assert f"port {port} is already in use on 127.0.0.1. Stop the program using it, or choose another port" \
        in result.stderr
    assert "Traceback" not in result.output


def test_non_loopback_host_is_warned_about(site_copy):
    # 192.0.2.1 is reserved for documentation: no machine has it, so nothing is exposed.
    result = run_cli("serve", site_copy, "--host", "192.0.2.1", "--port", "0")
    assert result.stderr.startswith("Warning: --host 192.0.2.1 lets other machines on the network see this preview.")
    assert result.returncode == 2 and "cannot listen on 192.0.2.1:0" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_cleanly(site_copy, sig):
    before = snapshot(site_copy)
    running = ServerProcess(site_copy)
    assert running.url.startswith("http://127.0.0.1:")  # this machine only, unless told otherwise
    running.wait_for(r"Built the site in")
    assert running.stop(sig) == 0
    assert running.output.rstrip().endswith("Stopped.")
    assert "Traceback" not in running.output and "KeyboardInterrupt" not in running.output
    assert snapshot(site_copy) == before  # the preview is built outside the site: no _site with local links


def test_open_flag_opens_the_preview_in_a_browser(site_copy, tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    browser.chmod(0o755)
    running = ServerProcess(site_copy, "--open", env={"BROWSER": str(browser)})
    deadline = time.monotonic() + 20
    while not opened.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.stop() == 0
    assert opened.read_text() == running.url


def test_an_unusable_cache_folder_gets_a_temporary_preview(site_copy, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where the cache folder would go")
    running = ServerProcess(site_copy, env={"XDG_CACHE_HOME": str(blocker / "cache")})
    running.wait_for(r"Built the site in")
    assert "Alpha 4B" in urllib.request.urlopen(running.url + "models/alpha-4b/", timeout=20).read().decode()
    assert running.stop() == 0
    assert "Could not use the cache folder" in running.output and "Traceback" not in running.output
