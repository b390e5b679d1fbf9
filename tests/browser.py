"""Real-browser helpers: Debian's Chromium through Playwright, a local server, axe-core.

Test modules import the `browser_type_launch_args` fixture from here (importing a
fixture makes it that module's own), so pytest-playwright's `browser` fixture drives
/usr/bin/chromium. Without that binary the browser tests are skipped, except under
CI=true, where a missing browser is a failure: CI must never pass by skipping.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (never a downloaded one); skip without it, fail under CI."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests (apt-get install chromium).")
        pytest.skip(f"{CHROMIUM} is not installed")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serve a folder under a base path, as a host would serve a site published there."""

    base_path = "/"

    def translate_path(self, path: str) -> str:
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if not clean.startswith(self.base_path):
            return str(Path(self.directory) / "__outside_the_base_path__")
        return super().translate_path("/" + clean[len(self.base_path):])

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serve(folder: Path, base_path: str = "/"):
    """Serve `folder` on 127.0.0.1 at `base_path`; yield the site's root URL."""
    handler = type("Handler", (_Handler,), {"base_path": base_path})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base_path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def settle(page) -> None:
    """Wait until the page's script has shown what it shows."""
    if page.locator("#filters").count():
        expect(page.locator("#catalog-count")).to_be_visible()
    if page.locator("#picker").count() and "models=" in page.url:
        expect(page.locator("#picker-table table")).to_be_visible()
    elif page.locator("#picker").count():
        expect(page.locator("#picker-list li").first).to_be_visible()


def watch_console(page) -> list[str]:
    """Return a list that fills with the page's console errors, failed requests and uncaught exceptions."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    # A request cut short by the next navigation (net::ERR_ABORTED) is the test moving on, not a fault.
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url} ({request.failure})")
            if request.failure != "net::ERR_ABORTED" else None)
    page.on("response", lambda response: errors.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    return errors


def axe_violations(page) -> list[str]:
    """Run the vendored axe-core on the page as it is now; return one line per violating node."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                           AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node['failureSummary']}"
            for v in result["violations"] for node in v["nodes"]]


# Opens every <details>, then lists the table cells that lie even partly outside the screen
# (with what they hold), which a visitor would have to scroll sideways to read. Cells
# clipped away on purpose (a table header kept for screen readers only) are not on
# screen at all and do not count.
_CELLS_OFF_SCREEN = """
() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  const width = document.documentElement.clientWidth;
  const clipped = el => { for (let a = el; a; a = a.parentElement) if (getComputedStyle(a).clip !== "auto") return true; return false; };
  return Array.from(document.querySelectorAll("th, td"))
    .filter(cell => cell.getClientRects().length && !clipped(cell))
    .filter(cell => { const r = cell.getBoundingClientRect();
                      return r.left < -0.5 || r.left + Math.max(r.width, cell.scrollWidth) > width + 0.5; })
    .map(cell => `${cell.closest("table").className}: ${cell.textContent.trim().slice(0, 40)}`);
}
"""


def cells_off_screen(page) -> list[str]:
    """Return the table cells of the page as it is now that a visitor would have to scroll sideways to read."""
    return page.evaluate(_CELLS_OFF_SCREEN)
