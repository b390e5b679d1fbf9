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
import ipaddress
import json
import logging
import mimetypes
import multiprocessing
import multiprocessing.pool
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
from tornado.websocket import WebSocketClosedError
from tornado.httpserver import HTTPServer

from generator import search
from generator.build import build
from generator.errors import Problem, UsageError, by_code, report, sort_problems, summarize, too_many_to_list
from generator.incremental import Tracker
from generator.load import MAX_FILE_BYTES, theme_dirs
from generator.settings import BuildResult, Settings, default_cache_dir, normalize_base_url, require_site
from generator.write import Staging
from generator.watch import SiteWatcher

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.025
"""A burst of saves is over when nothing changed for this long."""
LONGEST_BURST_SECONDS = 2.0
"""Build anyway when files keep changing for this long."""
SEARCH_QUIET_SECONDS = 1.0
"""The search index is made again once saves have paused this long."""
EARLY_PAGE_SECONDS = 1.0
"""A build waits at most this long, after showing browsers their page early, for those pages to load."""

Builder = Callable[..., BuildResult]
"""`build`, or a stand-in in tests: called with the settings, `tracker=` and `changed=`."""


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
          allowed_hosts: Iterable[str] = ()) -> None:
    """Build the site, serve it at http://host:port/ and rebuild on every save, until Ctrl-C.

    The site is built into a preview folder (see `preview_folder`) with its base URL
    pointing at this server, so the deployable output (SITE/_site) never receives
    local links. Requests are answered only when addressed to a name in `Hosts`.
    """
    require_site(settings.site_dir)
    hosts = Hosts.of(host, allowed_hosts)
    if not is_loopback(host):
        _say(f"Warning: --host {host} lets other machines on the network see this preview. "
             "Use it only on a network you trust.")
    sockets = bind(host, port)
    url = server_url(host, sockets[0].getsockname()[1])
    try:
        with preview_folder(settings) as (out_dir, tracker):
            preview = replace(settings, out_dir=out_dir, base_url=normalize_base_url(url), fingerprint=False)
            server = DevServer(preview, url, tracker=tracker, hosts=hosts)
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


# --- Which hosts the server answers to ------------------------------------------------

_HOST_NAME = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$")
"""A host name as browsers send it (IDNs as punycode): labels of letters, digits, - and _."""


def host_of(header: str | None) -> str | None:
    """Return the host a `Host` header names, without its port, lowercase, without a trailing dot; None if malformed.

    `Host: [::1]:8000` names "::1", `Host: LocalHost.:8000` names "localhost". Anything a
    browser would not send (no header, a user name, two hosts, spaces, an empty name) is None.
    """
    if header is None:
        return None
    header = header.strip()
    if header.startswith("["):  # an IPv6 address, the only host with colons
        address, bracket, port = header[1:].partition("]")
        if not bracket or not re.fullmatch(r"(?::\d*)?", port):
            return None
        try:
            return str(ipaddress.IPv6Address(address))
        except ValueError:
            return None
    name, _, port = header.partition(":")
    name = name.lower().removesuffix(".")
    if not re.fullmatch(r"\d*", port) or not _HOST_NAME.match(name):
        return None
    return name


def _host_option(text: str) -> str | None:
    """Return a --host or --allowed-host value as `host_of` names it; IPv6 may be written with or without brackets."""
    return host_of(f"[{text}]" if ":" in text and not text.startswith("[") else text)


@dataclass(frozen=True)
class Hosts:
    """The names and addresses the dev server answers to; a request addressed to any other is refused.

    A web page can make a browser send requests to this server under the page's own
    name, by pointing that name's DNS record at 127.0.0.1 (DNS rebinding): the browser
    then treats the preview as part of the attacker's site and lets the page read it.
    Such requests carry the attacker's name in `Host`, so answering only to names
    known to lead here closes the hole, as Vite (`server.allowedHosts`) and
    webpack-dev-server (`allowedHosts`) do: loopback names and addresses, the address
    the server listens on, and names given with --allowed-host (".example.test"
    also allows every name under example.test). An IP address cannot be rebound, so
    a server listening on every address (0.0.0.0, ::) answers to any address.
    """

    names: frozenset[str] = frozenset()
    """Allowed names and addresses, as `host_of` normalises them; ".name" allows its subdomains too."""
    any_address: bool = False

    @classmethod
    def of(cls, host: str, allowed: Iterable[str]) -> Hosts:
        """Return the hosts of a server bound to `host`, or raise UsageError for an --allowed-host that is no host."""
        names = set()
        for name in allowed:
            subdomains = name.startswith(".")
            normal = _host_option(name[1:] if subdomains else name)
            if normal is None:
                raise UsageError(f'--allowed-host "{name}" is not a host name or address: give a name such as '
                                 'preview.example.test, without a scheme or a port.')
            names.add("." + normal if subdomains else normal)
        bound = _host_option(host)
        any_address = False
        if bound is not None:
            names.add(bound)
            with contextlib.suppress(ValueError):
                any_address = ipaddress.ip_address(bound).is_unspecified
        return cls(frozenset(names), any_address)

    def allow(self, header: str | None) -> bool:
        """Whether to answer a request with this `Host` header."""
        name = host_of(header)
        if name is None:
            return False
        if name == "localhost" or name.endswith(".localhost") or name in self.names:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return any(allowed.startswith(".") and (name == allowed[1:] or name.endswith(allowed)) for allowed in self.names)
        return address.is_loopback or self.any_address

    def refusal(self, header: str | None) -> str:
        """Return the one line a refused request gets: why, and the option that allows its host."""
        name = host_of(header)
        if name is None:
            return "Blocked request: its Host header names no valid host.\n"
        shown = f"[{name}]" if ":" in name else name
        return (f'Blocked request: this preview answers only to localhost and the names it is told, not to "{shown}". '
                f"To allow it, restart modelcat serve with --allowed-host {shown}\n")


@dataclass(frozen=True)
class Outcome:
    """What one build produced, as the server shows it."""

    result: BuildResult | None
    failure: str | None = None
    """Why the build function raised: a usage error's message, or a traceback (a bug)."""
    seconds: float = 0.0
    started: float = 0.0
    """When the build began (time.time()): a file saved since may differ from what the build read."""

    @property
    def ok(self) -> bool:
        return self.failure is None and self.result is not None and self.result.published

    def report(self) -> str:
        """Return the problems (or the failure) as the terminal prints them."""
        if self.failure is not None:
            return self.failure.rstrip()
        return "\n".join(report(self.result.problems, show_all=False, how_to_see_all=SEE_ALL))


class DevServer:
    """The running preview of one site: its watcher, its builds, and what it serves."""

    def __init__(self, settings: Settings, url: str, build_site: Builder = build,
                 quiet_seconds: float = QUIET_SECONDS, tracker: Tracker | None = None, hosts: Hosts | None = None):
        self.settings = replace(settings, site_dir=settings.site_dir.resolve())
        self.url = url
        self.hosts = hosts or Hosts.of(urlsplit(url).hostname or "127.0.0.1", ())
        """Who the server answers: see `Hosts`."""
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
        self._index_process: multiprocessing.pool.Pool | None = None
        self._last_report = ""
        self._has_site = False
        self._watcher = SiteWatcher(self.settings.site_dir, self._note_change)
        self._changed: set[str] = set()
        """Files changed since the watch loop last looked; filled on the watcher's thread."""
        self._changed_lock = threading.Lock()
        self._pending: set[str] | None = None
        """While a build runs: the outputs it rewrites or removes, once known (None before)."""
        self._early: dict[str, bytes] = {}
        """While a build runs: the open pages it has rendered already, by output file."""
        self._reloaded: set[_ReloadSocket] = set()
        """Browsers this build reloaded early, on their open page."""
        self._reloading = 0
        """How many of them have not connected again yet, from the page they reloaded."""
        self._early_loaded = threading.Event()
        """Set once they all have: the build, paused meanwhile, goes on."""

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
        self._news = asyncio.Event()
        """Set, and replaced, whenever requests waiting on a build may go ahead."""
        self._search_due = asyncio.Event()
        """Set when a rebuild changed searched pages and left the search index behind them."""
        if threading.current_thread() is threading.main_thread() and sys.platform != "win32":
            self._loop.add_signal_handler(signal.SIGTERM, self._stopping.set)
        http = HTTPServer(_Preview(self.hosts, [
            (r"/livereload", _ReloadSocket, {"browsers": self._browsers, "connected": self._browser_connected}),
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
        indexing = asyncio.create_task(self._index_search())
        stopping = asyncio.create_task(self._stopping.wait())
        try:
            await asyncio.wait({watching, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if watching.done():
                watching.result()  # the watch loop only ends by raising: a bug, shown with its traceback
        finally:
            watching.cancel()
            indexing.cancel()
            stopping.cancel()
            http.stop()
            self._watcher.stop()
            for browser in list(self._browsers):
                browser.close()
            self._worker.shutdown(wait=True, cancel_futures=True)
            if self._index_process is not None:
                self._index_process.terminate()

    def stop(self) -> None:
        """Ask a running server to stop; safe from any thread."""
        self._loop.call_soon_threadsafe(self._stopping.set)

    def reload_script(self, build: int | None = None) -> bytes:
        """Return the script that keeps a page live: livereload.js, plus a check on connecting.

        A build that finishes after a page was served but before its WebSocket
        connects sends its reload to nobody; so on connecting, a page served at an
        older build than `build` (the last finished one by default) reloads itself.
        """
        build = self.builds if build is None else build
        return (f'<script src="/livereload.js?port={self.port}" async></script>'
                '<script>document.addEventListener("LiveReloadConnect", () => fetch("/livereload/builds")'
                f'.then(r => r.text()).then(n => {{ if (n !== "{build}") location.reload(); }}));</script>'
                ).encode()

    async def wait_for_site(self, url_path: str | None = None) -> bytes | None:
        """Return when a request for `url_path` can be answered without mixing two builds.

        While a build runs, a file it does not rewrite is served at once, an open page
        it has rendered early is returned (its bytes), and anything else waits for the
        build to finish. Without a path, wait for the build.
        """
        outputs = _outputs_of(url_path) if url_path is not None else set()
        while not self._idle.is_set():
            news = self._news
            early = next((self._early[o] for o in outputs if o in self._early), None)
            if early is not None:
                return early
            if outputs and self._pending is not None and not outputs & self._pending:
                return None
            await news.wait()
        return None

    def _tell_waiters(self) -> None:
        """Wake the requests waiting on a build: it finished, or knows more of what it rewrites."""
        self._news.set()
        self._news = asyncio.Event()

    # The build's Preview: called on the build thread.

    @property
    def open_outputs(self) -> set[str]:
        """Output files of the pages the connected browsers show."""
        return {output for browser in list(self._browsers) for output in _outputs_of(browser.page_path)}

    def planned(self, outputs: set[str]) -> None:
        self._loop.call_soon_threadsafe(self._show_pending, outputs)

    def rendered_first(self, pages: dict[str, bytes]) -> None:
        """Show browsers their page, and pause the build until those pages have loaded (or for a second).

        The rest of the build is of pages nobody looks at yet; on a machine of few cores
        it would slow the browser down, and the server's answers to it, just when the
        page is wanted.
        """
        self._early_loaded.clear()
        self._loop.call_soon_threadsafe(self._show_early, pages)
        self._early_loaded.wait(EARLY_PAGE_SECONDS)

    def _show_pending(self, outputs: set[str]) -> None:
        self._pending = outputs
        self._tell_waiters()

    def _show_early(self, pages: dict[str, bytes]) -> None:
        self._early = pages
        self._tell_waiters()
        for browser in list(self._browsers):
            if _outputs_of(browser.page_path) & pages.keys():
                self._reloaded.add(browser)
                browser.send_message({"command": "reload", "path": "*", "liveCSS": True, "liveImg": True})
        self._reloading = len(self._reloaded)
        if not self._reloading:
            self._early_loaded.set()

    def _browser_connected(self) -> None:
        """Note a page that connected: while a build is paused for reloaded pages, one more has loaded."""
        if self._reloading:
            self._reloading -= 1
            if not self._reloading:
                self._early_loaded.set()

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
        self._pending, self._early, self._reloaded = None, {}, set()
        started = time.monotonic()
        try:
            outcome = done or await self._loop.run_in_executor(self._worker, self._build_once, set(changes))
            self.failure_page = None if outcome.ok else failure_page(outcome, self.settings.site_dir)
            self.builds += 1
        finally:
            self._idle.set()
            self._tell_waiters()
        self._report(changes, outcome)
        if outcome.ok and outcome.result.search_stale:
            self._search_due.set()
        stylesheets = stylesheet_changes(changes, [d.resolve() for d in theme_dirs(self.settings.site_dir, "static")])
        # A page shown early comes from this very build; a page that connected during the build asks, on
        # connecting, which build it shows (see reload_script): neither needs telling again.
        skip = (self._reloaded if outcome.ok else set()) | {b for b in self._browsers if b.opened > started}
        for path in (stylesheets if stylesheets and outcome.ok and was_ok else ["*"]):
            self._reload_browsers(path, skip)

    async def _index_search(self) -> None:
        """Make the search index again after rebuilds that changed searched pages, in the background.

        Pagefind cannot update an index (a 10,000-page index takes it seconds), so a save
        does not wait for it: once saves have paused, the index is made from the pages
        as published in a process of its own (`search.index_update`), and written on the
        build thread, between two builds. Until then a search finds the pages as they were.
        """
        while True:
            await self._search_due.wait()
            builds = -1
            while builds != self.builds:  # until a quiet spell passes with no build
                builds = self.builds
                await asyncio.sleep(SEARCH_QUIET_SECONDS)
                await self.wait_for_site()
            self._search_due.clear()
            pages = [(plan.url, self.root / plan.output) for plan in self._tracker.bulk.plan or () if plan.searched]
            before = dict(self._tracker.manifest.search)
            started = time.perf_counter()
            try:
                update = await self._loop.run_in_executor(None, self._indexer().apply, search.index_update,
                                                          (pages, before))
                if await self._loop.run_in_executor(self._worker, self._publish_search, update, before):
                    _say(f"Made the search index again in {time.perf_counter() - started:.2f} s.")
                elif self._tracker.manifest.search_stale:  # a whole new output came meanwhile: index it
                    self._search_due.set()
            except (OSError, search.SearchIndexError) as exc:  # the preview goes on; only its search lags
                _say(f"Warning: the search index was not made again ({exc}); search finds the pages as they were.")

    def _indexer(self) -> multiprocessing.pool.Pool:
        """The process that makes the search index, started when first needed.

        Reading every page and Pagefind's long answers in the server's own process left
        its memory fragmented, growing with each index made (+31% over 1,000 saves at
        1,000 models); a process of its own keeps it flat. Spawned, not forked: the server
        runs threads.
        """
        if self._index_process is None:
            self._index_process = multiprocessing.get_context("spawn").Pool(1)
        return self._index_process

    def _publish_search(self, update: search.IndexUpdate, before: dict[str, str]) -> bool:
        """Write the index files that changed and remove those the index no longer has (on the build thread).

        False when a build replaced or dropped the index it was made against (a whole new
        output, search turned off): then nothing is written.
        """
        if self._tracker.manifest.search != before:
            return False
        staging = Staging(self.root)
        staging.start()
        for path, data in update.files.items():
            staging.write(path, data)
        staging.publish(list(update.files), update.removed, whole=False)
        self._tracker.manifest.search, self._tracker.manifest.search_stale = update.hashes, False
        return True

    def _build_once(self, changed: set[str] | None = None) -> Outcome:
        """Run one build on the worker thread; whatever happens, the server keeps running.

        `changed` names the files the watcher saw change since the last build (None, for
        the first build, looks at every file).
        """
        began, started = time.time(), time.perf_counter()
        try:
            result = self._build_site(self.settings, tracker=self._tracker, changed=changed,
                                      preview=self if changed is not None else None)
        except UsageError as exc:  # e.g. the site folder was removed
            return Outcome(None, str(exc), time.perf_counter() - started, began)
        except Exception:  # a bug in modelcat: show it, and keep serving the last good site
            return Outcome(None, traceback.format_exc(), time.perf_counter() - started, began)
        return Outcome(result, None, time.perf_counter() - started, began)

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

    def _reload_browsers(self, path: str, skip: set[_ReloadSocket] = frozenset()) -> None:
        # The livereload protocol's reload command; livereload.js swaps stylesheets in
        # place when `path` is a .css file and liveCSS is on, and reloads the page otherwise.
        message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
        for browser in list(self._browsers - skip):
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


def _outputs_of(url_path: str) -> set[str]:
    """Return the output files a request path may name: "/models/x/" -> {"models/x/index.html"}."""
    path = unquote(url_path).lstrip("/")
    if path == "" or path.endswith("/"):
        return {path + "index.html"}
    return {path, path + "/index.html"}


MAX_PATH_SEGMENTS = 64
"""A request path with more segments finds nothing, without a look at the disk (a site's deepest is a handful)."""
MAX_SEGMENT_BYTES = 255
"""The longest file name Linux and macOS file systems allow."""


def find_file(root: Path, url_path: str) -> Found:
    """Return the file under `root` that a request path names, or where to redirect, or nothing.

    The path is decoded first, so encoded tricks (%2e%2e, %2f, %5c) are judged like
    plain ones. Any `..`, hidden name or backslash finds nothing, and so does a
    symbolic link that leads out of root. A folder is served by its index.html, and
    asked for without its trailing slash it redirects, as static hosts do. An absurd
    path (thousands of segments, a name longer than any file system allows) finds
    nothing, and so does any path the system refuses to look up: a request never
    ends in a traceback.
    """
    decoded = unquote(url_path)
    parts = [part for part in decoded.split("/") if part]
    if "\\" in decoded or "\0" in decoded or any(part.startswith(".") for part in parts):
        return Found()
    if len(parts) > MAX_PATH_SEGMENTS or any(len(part.encode("utf-8", "surrogatepass")) > MAX_SEGMENT_BYTES
                                             for part in parts):
        return Found()
    try:
        root = root.resolve()
        target = root.joinpath(*parts).resolve()
        if not target.is_relative_to(root):
            return Found()
        if target.is_dir():
            if not decoded.endswith("/"):
                return Found(redirect="/" + "".join(quote(part) + "/" for part in parts))
            target = target / "index.html"
        return Found(file=target) if target.is_file() else Found()
    except (OSError, RuntimeError, ValueError):  # ENAMETOOLONG, EACCES, ELOOP; RuntimeError: a symlink loop (Python < 3.13)
        return Found()


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


SEE_ALL = "showing the first few of each code; `modelcat check --all` lists every one."
"""How the terminal and the failure page point to every problem when they show a summary."""


def failure_page(outcome: Outcome, site_dir: Path) -> bytes:
    """Return the page shown while a build fails: its problems with the lines they point at, as overlays of
    Astro and Vite show them, every string escaped, readable in light and dark.

    Past a screenful the problems are summarised by code, as in the terminal.
    """
    problems = sort_problems(outcome.result.problems) if outcome.result else []
    excerpts = Excerpts(site_dir, outcome.started)
    if too_many_to_list(problems):
        sections = [Section(group.heading(), tuple((p, excerpts.of(p)) for p in group.shown), group.hidden)
                    for group in by_code(problems)]
    else:
        sections = [Section("", tuple((p, excerpts.of(p)) for p in problems))] if problems else []
    return _FAILURE_TEMPLATE.render(
        sections=sections,
        summary=summarize(problems) if problems else "modelcat could not build the site",
        see_all=SEE_ALL if len(sections) > 1 or (sections and sections[0].hidden) else "",
        failure=outcome.failure,
    ).encode()


@dataclass(frozen=True)
class Section:
    """Problems the failure page shows under one heading (a code's meaning when summarised, none otherwise)."""

    heading: str
    items: tuple[tuple[Problem, Excerpt | None], ...]
    hidden: int = 0
    """Problems of the code left out of the page."""


@dataclass(frozen=True)
class Excerpt:
    """The lines of a file around a problem, the problem's line marked, and its column where known."""

    lines: tuple[tuple[int, str], ...]
    """(line number, text as shown)."""
    line: int
    caret: int | None = None
    """How many characters of the shown line come before the column, for the ^ under it."""


EXCERPT_CONTEXT = 2
"""Lines shown before and after the problem's line."""
EXCERPT_WIDTH = 160
"""Characters shown of a line; a longer one is cut around the column."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""Where YAML (libyaml) starts a new line, so line numbers match the parser's."""


class Excerpts:
    """Read the lines problems point at, as the build read them.

    Only files inside the site or the bundled theme are read, regular files within
    the content size limit, and none saved after the build began: the page would
    otherwise show lines the build never saw (the next build, already on its way,
    shows the new ones).
    """

    def __init__(self, site_dir: Path, built_at: float):
        self._roots = [site_dir.resolve(), *(d.resolve() for d in theme_dirs(site_dir, "templates"))]
        self._site_dir = site_dir
        self._built_at = built_at
        self._texts: dict[str, list[str] | None] = {}

    def of(self, problem: Problem) -> Excerpt | None:
        if not problem.line:
            return None
        if problem.path not in self._texts:
            self._texts[problem.path] = self._lines(problem.path)
        lines = self._texts[problem.path]
        if lines is None or problem.line > len(lines):
            return None
        return excerpt(lines, problem.line, problem.column)

    def _lines(self, path: str) -> list[str] | None:
        file = Path(path) if Path(path).is_absolute() else self._site_dir / path
        try:
            resolved = file.resolve()
            stat = resolved.stat()
            if not any(resolved.is_relative_to(root) for root in self._roots) or not resolved.is_file() \
                    or stat.st_size > MAX_FILE_BYTES or stat.st_mtime > self._built_at:
                return None
            data = resolved.read_bytes()
            if resolved.stat().st_mtime_ns != stat.st_mtime_ns:  # saved while being read
                return None
        except (OSError, RuntimeError):
            return None
        lines = _LINE_BREAK.split(data.decode("utf-8-sig", errors="replace"))
        return lines[:-1] if lines and not lines[-1] else lines  # the break that ends the last line starts none


def excerpt(lines: list[str], line: int, column: int | None = None) -> Excerpt:
    """Return the lines around `line` (1-based) as the failure page shows them: tabs expanded, control
    characters made visible, long lines cut to a window around `column` (1-based)."""
    first, last = max(1, line - EXCERPT_CONTEXT), min(len(lines), line + EXCERPT_CONTEXT)
    before = len(lines[line - 1][:column - 1].expandtabs(4)) if column else 0
    start = before - EXCERPT_WIDTH // 2 if before > EXCERPT_WIDTH * 3 // 4 else 0
    shown = tuple((number, _shown_text(lines[number - 1], start)) for number in range(first, last + 1))
    return Excerpt(shown, line, before - start if column else None)


def _shown_text(text: str, start: int) -> str:
    text = text.expandtabs(4)
    cut = text[start:start + EXCERPT_WIDTH]
    if start and text:
        cut = "…" + cut[1:]
    if len(text) > start + EXCERPT_WIDTH:
        cut = cut[:-1] + "…"
    return _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group()) if m.group() != "\x7f" else 0x2421), cut)


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
        early = await self.server.wait_for_site(self.request.path)
        if early is not None:  # the page a browser shows, rendered ahead of a build that is still running
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.write(inject_script(early, self.server.reload_script(self.server.builds + 1)))
            return
        found = find_file(self.server.root, self.request.path)
        if found.redirect:
            query = f"?{self.request.query}" if self.request.query else ""
            self.redirect(found.redirect + query)
            return
        body = _read(found.file) if found.file else None
        file = found.file
        if body is None:
            self.set_status(404)
            file = self.server.root / "404.html"
            body = _read(file)
        if body is not None:
            kind = content_type(file)
        else:  # no site yet: the first build failed
            kind, body = "text/html; charset=utf-8", b"<!doctype html><title>Not found</title><h1>Not found</h1>"
        if kind.startswith("text/html"):
            body = inject_script(self.server.failure_page or body, self.server.reload_script())
        self.set_header("Content-Type", kind)
        self.write(body)

    head = get


def _read(file: Path) -> bytes | None:
    """Return a file's bytes, or None if it is gone or unreadable (a request then gets the 404 page)."""
    try:
        return file.read_bytes()
    except OSError:
        return None


class _Preview(web.Application):
    """The server's routes behind one gate: a request not addressed to an allowed host reaches no handler.

    The gate stands before routing, so it holds for every handler there is and any
    added later, the live-reload WebSocket included.
    """

    def __init__(self, hosts: Hosts, handlers: list, **settings):
        super().__init__(handlers, **settings)
        self.hosts = hosts

    def find_handler(self, request, **kwargs):
        if not self.hosts.allow(request.headers.get("Host")):
            return self.get_handler_delegate(request, _RefusedHost, {"hosts": self.hosts})
        return super().find_handler(request, **kwargs)


class _RefusedHost(web.RequestHandler):
    """Answer 403 and one line on how to allow the host, whatever the method."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS", "CONNECT", "TRACE")

    def initialize(self, hosts: Hosts) -> None:
        self.hosts = hosts

    def prepare(self) -> None:
        header = self.request.headers.get("Host")
        log.info("Refused a request for host %r: %s", header, self.request.uri)
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(self.hosts.refusal(header))


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

    def initialize(self, browsers: set, connected: Callable[[], None]) -> None:
        self.browsers = browsers
        self.connected = connected
        self.opened = 0.0
        """When the socket opened (time.monotonic())."""
        self.page_path = ""
        """The path of the page this browser shows, as it said on connecting."""

    def on_message(self, message: str) -> None:
        super().on_message(message)
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            said = json.loads(message)
            if said.get("command") == "info" and isinstance(said.get("url"), str):
                self.page_path = urlsplit(said["url"]).path

    def check_origin(self, origin: str) -> bool:
        # livereload accepts every origin, letting any open web page connect; only the preview may.
        return super(LiveReloadHandler, self).check_origin(origin)

    def open(self) -> None:
        self.opened = time.monotonic()
        self.browsers.add(self)
        self.connected()

    def send_message(self, message: dict | str) -> None:
        # A page that is reloading closes its socket; a message on its way to it is moot, not an error.
        if self.ws_connection is not None and not self.ws_connection.is_closing():
            with contextlib.suppress(WebSocketClosedError):
                super().send_message(message)

    def on_close(self) -> None:
        self.browsers.discard(self)
        super().on_close()
