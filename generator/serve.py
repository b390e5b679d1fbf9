"""The dev server: build, serve the output, rebuild after each burst of saves, reload the browser.

It is made of livereload's parts (its WebSocket protocol handler and its browser
script) inside a Tornado application of our own, with a file watcher fed by the
operating system (`generator.watch`), because
livereload's `Server` has pitfalls measured on this machine (toolchain.md section 3):
it drops a change that comes less than 3 s after the last reload, runs the build on
the serving thread, says nothing in the browser when a build raises, injects its
script only before a lowercase </head> in the first 64 KiB, and warns on Python 3.12.
Here every reload is sent, builds run on a worker thread while requests wait for the
finished site, a failed build shows its problems in every HTML page, the script goes
into every HTML response, and the event loop exists before Tornado listens.
tests/test_serve.py pins each of these.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import fcntl
import gc
import ipaddress
import logging
import mimetypes
import re
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit

import jinja2
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import netutil, web
from tornado.httpserver import HTTPServer

from generator.build import BuildResult, Settings, build, normalize_base_url, require_site
from generator.incremental import Tracker, default_cache_dir
from generator.load import theme_dirs
from generator.errors import UsageError, sort_problems, summarize
from generator.watch import SiteWatcher

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.05
"""A burst of saves is over when nothing changed for this long."""
LONGEST_BURST_SECONDS = 2.0
"""Build anyway when files keep changing for this long."""

Builder = Callable[..., BuildResult]
"""`build`, or a stand-in in tests: called with the settings, `tracker=` and `changed=`."""


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> None:
    """Build the site, serve it at http://host:port/ and rebuild on every save, until Ctrl-C.

    The site is built into a preview folder (see `preview_folder`) with its base URL
    pointing at this server, so the deployable output (SITE/_site) never receives
    local links.
    """
    require_site(settings.site_dir)
    if not is_loopback(host):
        _say(f"Warning: --host {host} lets other machines on the network see this preview. "
             "Use it only on a network you trust.")
    sockets = bind(host, port)
    url = server_url(host, sockets[0].getsockname()[1])
    try:
        with preview_folder(settings) as (out_dir, tracker):
            preview = replace(settings, out_dir=out_dir, base_url=normalize_base_url(url))
            server = DevServer(preview, url, tracker=tracker)
            server.build_first()
            try:
                asyncio.run(server.run(sockets, open_browser=open_browser))
            except KeyboardInterrupt:
                pass  # Ctrl-C is how the server is meant to stop
            tracker.save()
            _say("Stopped.")
    finally:
        for sock in sockets:
            sock.close()


@contextlib.contextmanager
def preview_folder(settings: Settings) -> Iterator[tuple[Path, Tracker]]:
    """Yield where the preview is built and the build state that goes with it.

    Both live in the user's cache folder and outlast the session, so restarting the
    server on a large site costs a no-change build, not a cold one; the state is
    written back when the server stops rather than after every save. A second server
    on the same site, or `use_cache=False`, gets a temporary folder and a state in
    memory only.
    """
    folder = default_cache_dir(settings.site_dir, settings.site_dir / ".modelcat-serve") if settings.use_cache else None
    lock = _lock(folder) if folder is not None else None
    try:
        if lock is not None:
            tracker = Tracker.open(folder)
            tracker.autosave = False
            yield folder / "preview", tracker
        else:
            with tempfile.TemporaryDirectory(prefix="modelcat-serve-") as scratch:
                yield Path(scratch) / "site", Tracker(autosave=False)
    finally:
        if lock is not None:
            lock.close()


def _lock(folder: Path):
    """Return an open lock file held for this session, or None if another server holds it or it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / "serve.lock", "w")
    except OSError as exc:
        log.warning("Could not use the cache folder %s (%s); this session keeps its preview in a temporary folder.",
                    folder, exc.strerror or exc)
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def is_loopback(host: str) -> bool:
    """Return whether only this machine can reach a server bound to `host`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> list[socket.socket]:
    """Return listening sockets for host:port, or raise UsageError saying why not."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port number (0 to 65535).")
    try:
        return netutil.bind_sockets(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is already in use on {host}. Stop the program using it, "
                             "or choose another port with --port.") from None
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}.") from None


def server_url(host: str, port: int) -> str:
    """Return the root URL of a server listening on host:port."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@dataclass(frozen=True)
class Outcome:
    """What one build produced, as the server shows it."""

    result: BuildResult | None
    failure: str | None = None
    """Why the build function raised: a usage error's message, or a traceback (a bug)."""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None and self.result is not None and self.result.published

    def report(self) -> str:
        """Return the problems (or the failure) as the terminal prints them."""
        if self.failure is not None:
            return self.failure.rstrip()
        problems = sort_problems(self.result.problems)
        return "\n".join([p.format() for p in problems] + [summarize(problems) + "."]) if problems else ""


class DevServer:
    """The running preview of one site: its watcher, its builds, and what it serves."""

    def __init__(self, settings: Settings, url: str, build_site: Builder = build,
                 quiet_seconds: float = QUIET_SECONDS, tracker: Tracker | None = None):
        self.settings = replace(settings, site_dir=settings.site_dir.resolve())
        self.url = url
        self.port = urlsplit(url).port
        self.builds = 0
        """Finished builds: a page knows the number it was served at, to catch a reload it missed."""
        self.failure_page: bytes | None = None
        """Shown instead of every HTML page while the last build failed."""
        self._build_site = build_site
        self._tracker = tracker or Tracker(autosave=False)
        """Kept between builds: each save re-does only what it changed."""
        self._first: Outcome | None = None
        self._first_started = 0.0
        self._quiet_seconds = quiet_seconds
        self._browsers: set[_ReloadSocket] = set()
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="modelcat-build")
        self._last_report = ""
        self._has_site = False
        self._watcher = SiteWatcher(self.settings.site_dir, self._note_change)
        self._changed: set[str] = set()
        """Files changed since the watch loop last looked; filled on the watcher's thread."""
        self._changed_lock = threading.Lock()

    @property
    def root(self) -> Path:
        return self.settings.output

    async def run(self, sockets: list, open_browser: bool = False) -> None:
        """Serve until `stop()`, SIGTERM or Ctrl-C; the first build runs while requests already wait for it."""
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Event()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        """Set when files changed."""
        if threading.current_thread() is threading.main_thread() and sys.platform != "win32":
            self._loop.add_signal_handler(signal.SIGTERM, self._stopping.set)
        http = HTTPServer(web.Application([
            (r"/livereload", _ReloadSocket, {"browsers": self._browsers}),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/livereload/builds", _BuildsHandler, {"server": self}),
            (r"/.*", _SiteHandler, {"server": self}),
        ], log_function=_log_request))
        http.add_sockets(sockets)
        _say(f"Serving {self.settings.site_dir} at {self.url} (Ctrl-C to stop).")
        notice = self._watcher.start()
        if notice:
            _say(f"Warning: {notice}")
        watching = asyncio.create_task(self._build_and_watch(open_browser))
        stopping = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({watching, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if watching.done():
                watching.result()  # the watch loop only ends by raising: a bug, shown with its traceback
        finally:
            watching.cancel()
            stopping.cancel()
            http.stop()
            self._watcher.stop()
            for browser in list(self._browsers):
                browser.close()
            self._worker.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """Ask a running server to stop; safe from any thread."""
        self._loop.call_soon_threadsafe(self._stopping.set)

    def reload_script(self) -> bytes:
        """Return the script that keeps a page live: livereload.js, plus a check on connecting.

        A build that finishes after a page was served but before its WebSocket
        connects sends its reload to nobody; so on connecting, a page served at an
        older build reloads itself.
        """
        return (f'<script src="/livereload.js?port={self.port}" async></script>'
                '<script>document.addEventListener("LiveReloadConnect", () => fetch("/livereload/builds")'
                f'.then(r => r.text()).then(n => {{ if (n !== "{self.builds}") location.reload(); }}));</script>'
                ).encode()

    async def wait_for_site(self) -> None:
        """Return when no build is running, so a request never sees a half-swapped site."""
        while not self._idle.is_set():
            await self._idle.wait()

    def build_first(self) -> None:
        """Run the first build now, in this thread, before the server starts any other.

        A build spreads pages over worker processes only in a process without other
        threads (forking beside threads is unsafe), so this lets a large site's first
        build use every core; later builds are small and run on the build thread.
        """
        self._first_started = time.time()
        self._first = self._build_once()

    async def _build_and_watch(self, open_browser: bool) -> None:
        if self._first is not None:
            # The first build ran before the watcher started: catch the saves made meanwhile.
            self._note_change(await self._loop.run_in_executor(
                self._worker, self._watcher.changed_since, self._first_started))
        await self._rebuild(frozenset(), self._first)
        if open_browser and not await self._loop.run_in_executor(None, webbrowser.open, self.url):
            _say(f"Could not open a web browser; visit {self.url}")
        burst = Debouncer(self._quiet_seconds, LONGEST_BURST_SECONDS)
        while True:
            with contextlib.suppress(TimeoutError):  # in a burst, look again as soon as it could be over
                await asyncio.wait_for(self._wake.wait(), self._quiet_seconds if burst.pending else None)
            self._wake.clear()
            now = self._loop.time()
            burst.add(self._take_changes(), now)
            if burst.due(now):
                await self._rebuild(burst.take())

    def _note_change(self, paths: set[str]) -> None:
        """Remember changed files and wake the watch loop; called on the watcher's thread."""
        if paths:
            with self._changed_lock:
                self._changed |= paths
            self._loop.call_soon_threadsafe(self._wake.set)

    def _take_changes(self) -> set[str]:
        with self._changed_lock:
            changed, self._changed = self._changed, set()
        return changed

    async def _rebuild(self, changes: frozenset[str], done: Outcome | None = None) -> None:
        was_ok = self.failure_page is None
        self._idle.clear()
        try:
            outcome = done or await self._loop.run_in_executor(self._worker, self._build_once, set(changes))
            self.failure_page = None if outcome.ok else failure_page(outcome)
            self.builds += 1
        finally:
            self._idle.set()
        self._report(changes, outcome)
        stylesheets = stylesheet_changes(changes, [d.resolve() for d in theme_dirs(self.settings.site_dir, "static")])
        for path in (stylesheets if stylesheets and outcome.ok and was_ok else ["*"]):
            self._reload_browsers(path)

    def _build_once(self, changed: set[str] | None = None) -> Outcome:
        """Run one build on the worker thread; whatever happens, the server keeps running.

        `changed` names the files the watcher saw change since the last build (None, for
        the first build, looks at every file).
        """
        started = time.perf_counter()
        try:
            result = self._build_site(self.settings, tracker=self._tracker, changed=changed)
        except UsageError as exc:  # e.g. the site folder was removed
            return Outcome(None, str(exc), time.perf_counter() - started)
        except Exception:  # a bug in modelcat: show it, and keep serving the last good site
            return Outcome(None, traceback.format_exc(), time.perf_counter() - started)
        finally:
            # The build cache outlives every build. Frozen, its objects are left out of
            # the cycle collector's full passes, which at 10,000 models scanned 1.2
            # million of them for 1.1 s, often while the reloaded page waited. Builds
            # leave no garbage cycles (gc.collect() after a rebuild finds none), so
            # freezing keeps nothing alive that would otherwise be freed.
            gc.freeze()
        return Outcome(result, None, time.perf_counter() - started)

    def _report(self, changes: frozenset[str], outcome: Outcome) -> None:
        """Print the build's result; problems are printed once, not again while they stay the same."""
        because = f" after changes to {self._describe(changes)}" if changes else ""
        report = outcome.report()
        repeated = bool(report) and report == self._last_report
        self._last_report = report
        if report and not repeated:
            _say(report)
        repeat = " with the same problems as above" if repeated else ""
        if outcome.ok:
            self._has_site = True
            _say(f"Built the site in {outcome.seconds:.2f} s{because}.")
        elif self._has_site:
            _say(f"Build failed{because}{repeat}; still serving the last good site. Fix it and save.")
        else:
            _say(f"Build failed{because}{repeat}; fix it and save, and the preview shows the site.")

    def _describe(self, changes: Iterable[str]) -> str:
        names = sorted(_relative(Path(p), self.settings.site_dir) for p in changes)
        return names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"

    def _reload_browsers(self, path: str) -> None:
        # The livereload protocol's reload command; livereload.js swaps stylesheets in
        # place when `path` is a .css file and liveCSS is on, and reloads the page otherwise.
        message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for browser in list(self._browsers):
            browser.send_message(message)


def _log_request(handler: web.RequestHandler) -> None:
    # Tornado logs 404s as warnings; in a preview they are routine, so they show only with -v.
    log.info("%d %s %s", handler.get_status(), handler.request.method, handler.request.uri)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- Watching -------------------------------------------------------------------------


@dataclass
class Debouncer:
    """Gather the files of one burst of saves and say when the burst is over.

    An editor's save is often several events (write a temporary file, rename it over
    the original), and "save all" touches many files: each burst is one build.
    """

    quiet: float
    """The burst is over when nothing changed for this long."""
    longest: float
    """...or when it has lasted this long, so constant changes cannot starve builds."""
    _pending: set[str] = field(default_factory=set)
    _first: float = 0.0
    _last: float = 0.0

    def add(self, paths: Iterable[str], now: float) -> None:
        paths = set(paths)
        if not paths:
            return
        if not self._pending:
            self._first = now
        self._pending |= paths
        self._last = now

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def due(self, now: float) -> bool:
        return self.pending and (now - self._last >= self.quiet or now - self._first >= self.longest)

    def take(self) -> frozenset[str]:
        """Return the burst's files and start a new burst."""
        taken, self._pending = frozenset(self._pending), set()
        return taken


def stylesheet_changes(changes: Iterable[str], static_dirs: list[Path]) -> list[str] | None:
    """Return the URL paths of the changed stylesheets when stylesheets are all that changed, else None."""
    urls = []
    for change in changes:
        path = Path(change)
        folder = next((d for d in static_dirs if path.is_relative_to(d)), None)
        if folder is None or path.suffix.lower() != ".css":
            return None
        urls.append("/" + path.relative_to(folder).as_posix())
    return sorted(urls) or None


# --- Serving --------------------------------------------------------------------------


class Found(NamedTuple):
    """What a request path names: a file to serve, a folder's URL to redirect to, or neither (404)."""

    file: Path | None = None
    redirect: str | None = None


def find_file(root: Path, url_path: str) -> Found:
    """Return the file under `root` that a request path names, or where to redirect, or nothing.

    The path is decoded first, so encoded tricks (%2e%2e, %2f, %5c) are judged like
    plain ones. Any `..`, hidden name or backslash finds nothing, and so does a
    symbolic link that leads out of root. A folder is served by its index.html, and
    asked for without its trailing slash it redirects, as static hosts do.
    """
    decoded = unquote(url_path)
    parts = [part for part in decoded.split("/") if part]
    if "\\" in decoded or "\0" in decoded or any(part.startswith(".") for part in parts):
        return Found()
    root = root.resolve()
    target = root.joinpath(*parts).resolve()
    if not target.is_relative_to(root):
        return Found()
    if target.is_dir():
        if not decoded.endswith("/"):
            return Found(redirect="/" + "".join(quote(part) + "/" for part in parts))
        target = target / "index.html"
    return Found(file=target) if target.is_file() else Found()


_TEXT_TYPES = {"application/json", "application/xml", "application/javascript", "image/svg+xml",
               "application/atom+xml", "application/rss+xml", "application/manifest+json"}


def content_type(path: Path) -> str:
    """Return the Content-Type for a file; text is always UTF-8 in a modelcat site."""
    guessed, encoding = mimetypes.guess_type(path.name)
    if guessed is None or encoding is not None:
        return "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") or guessed in _TEXT_TYPES else guessed


_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


def inject_script(html: bytes, script: bytes) -> bytes:
    """Return the page with `script` just before its </head>, in any case and at any
    depth, or at the end of the page when it has none (browsers run it there too)."""
    match = _HEAD_END.search(html)
    if match is None:
        return html + script
    return html[:match.start()] + script + html[match.start():]


_FAILURE_TEMPLATE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True, undefined=jinja2.StrictUndefined,
).get_template("serve_failure.html")
"""Not a theme template: it must render when the site's own templates are what is broken."""


def failure_page(outcome: Outcome) -> bytes:
    """Return the page shown while a build fails: its problems, escaped, readable in light and dark."""
    problems = sort_problems(outcome.result.problems) if outcome.result else []
    return _FAILURE_TEMPLATE.render(
        problems=problems,
        summary=summarize(problems) if problems else "modelcat could not build the site",
        failure=outcome.failure,
    ).encode()


class _SiteHandler(web.RequestHandler):
    """Serve the output folder: pretty URLs, the site's own 404 page, no caching, and the
    reload script (or the build's problems) in every HTML response."""

    def initialize(self, server: DevServer) -> None:
        self.server = server

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")

    def compute_etag(self) -> None:
        return None  # always send the page: a preview must never show a cached one

    async def get(self) -> None:
        await self.server.wait_for_site()
        found = find_file(self.server.root, self.request.path)
        if found.redirect:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(found.redirect + query)
            return
        file = found.file
        if file is None:
            self.set_status(404)
            file = self.server.root / "404.html"
        if file.is_file():
            kind, body = content_type(file), file.read_bytes()
        else:  # no site yet: the first build failed
            kind, body = "text/html; charset=utf-8", b"<!doctype html><title>Not found</title><h1>Not found</h1>"
        if kind.startswith("text/html"):
            body = inject_script(self.server.failure_page or body, self.server.reload_script())
        self.set_header("Content-Type", kind)
        self.write(body)

    head = get


class _BuildsHandler(web.RequestHandler):
    """Answer how many builds have finished, once the one in progress (if any) has."""

    def initialize(self, server: DevServer) -> None:
        self.server = server

    async def get(self) -> None:
        await self.server.wait_for_site()
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write(str(self.server.builds))


class _ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket handler, with our own list of browsers to reload.

    A browser counts as connected as soon as its socket opens, not after it sends
    "info", so a reload sent right after the handshake always reaches it.
    """

    def initialize(self, browsers: set) -> None:
        self.browsers = browsers

    def check_origin(self, origin: str) -> bool:
        # livereload accepts every origin, letting any open web page connect; only the preview may.
        return super(LiveReloadHandler, self).check_origin(origin)

    def open(self) -> None:
        self.browsers.add(self)

    def on_close(self) -> None:
        self.browsers.discard(self)
        super().on_close()
