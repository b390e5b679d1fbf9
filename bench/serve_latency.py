#!/usr/bin/env python3
"""Measure how long a save takes to reach the browser under `modelcat serve`.

    python bench/serve_latency.py [--saves 20] [--models 1000] [--without-search]

Two catalogs: the bundled one (the repository root's site.yaml and content/, copied
to a temporary folder, so the repository is never edited) and a synthetic one of
--models entries written by bench/make_catalog.py. For each, the dev server runs in
a subprocess and Chromium opens a model page; then, --saves times, the model's YAML
is saved the way editors save (a temporary file renamed over it) with a new name,
and the time runs from just before the write to the DOMContentLoaded of the page
that shows the new name, as recorded in the page by Date.now(). Measuring in the
page leaves out Playwright's polling, which adds about 0.4 s (toolchain.md section 3).
The next save waits until the rebuild is done (the open page is shown before the rest
of the site is), as an editor's next save comes seconds later; the site search index,
made in the background once saves pause, may still be running. --without-search turns
the site search off (`search: false`) in both catalogs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from browsing import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
RECORDER = """
document.addEventListener('DOMContentLoaded', () => { window.shownAt = Date.now(); });
document.addEventListener('LiveReloadConnect', () => { window.liveReloadConnected = true; });
"""
NAME_LINE = re.compile(r"^name: .*$", re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--without-search", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="modelcat-latency-") as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        rows = [("bundled catalog", bundled_copy(Path(scratch) / "bundled")),
                (f"synthetic, {args.models} models", synthetic(Path(scratch) / "synthetic", args.models))]
        if args.without_search:
            for _, site in rows:
                with open(site / "site.yaml", "a") as config:
                    config.write("\nsearch: false\n")
        print(f"{'catalog':<26} {'models':>6} {'saves':>5}  {'median':>8}  {'min-max':>13}  {'build (median)':>14}")
        for label, site in rows:
            latencies, builds = measure(browser, site, args.saves)
            models = len(list((site / "content/models").glob("*.yaml")))
            print(f"{label:<26} {models:>6} {len(latencies):>5}  {statistics.median(latencies):>6.2f} s  "
                  f"{min(latencies):>5.2f}-{max(latencies):.2f} s  {statistics.median(builds):>12.2f} s", flush=True)
        browser.close()


def bundled_copy(target: Path) -> Path:
    target.mkdir()
    shutil.copy2(ROOT / "site.yaml", target / "site.yaml")
    shutil.copytree(ROOT / "content", target / "content")
    return target


def synthetic(target: Path, models: int) -> Path:
    subprocess.run([sys.executable, str(ROOT / "bench/make_catalog.py"), str(models), str(target)],
                   check=True, stdout=subprocess.DEVNULL)
    return target


def measure(browser, site: Path, saves: int) -> tuple[list[float], list[float]]:
    """Return the save-to-page latencies and the server's build times, in seconds."""
    entry = sorted((site / "content/models").glob("*.yaml"))[0]
    original = entry.read_text()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(site), "--port", "0"],
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    lines = []
    url = _server_url(server, lines)
    page = browser.new_page()
    page.add_init_script(RECORDER)
    try:
        page.goto(f"{url}models/{entry.stem}/")
        page.wait_for_function("window.liveReloadConnected === true", timeout=120_000)
        latencies = []
        for number in range(saves):
            name = f"Latency probe {number}"
            text = NAME_LINE.sub(f"name: {name}", original, count=1)
            started = time.time()
            save_like_an_editor(entry, text)
            page.wait_for_function("name => document.querySelector('h1')?.textContent === name", arg=name,
                                   timeout=120_000)
            latencies.append(page.evaluate("window.shownAt") / 1000 - started)
            urllib.request.urlopen(f"{url}livereload/builds", timeout=300).read()  # answers once the build is done
            page.wait_for_function("window.liveReloadConnected === true", timeout=120_000)
    finally:
        page.close()
        server.terminate()
        server.wait(60)
    builds = [float(m) for m in re.findall(r"^Built the site in ([\d.]+) s after", "".join(lines), re.MULTILINE)]
    return latencies, builds


def _server_url(server: subprocess.Popen, lines: list[str]) -> str:
    """Read the server's terminal output until it says where it serves; keep collecting the rest."""
    for line in server.stderr:
        lines.append(line)
        found = re.search(r"at (http://\S+/) \(Ctrl-C", line)
        if found:
            threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True).start()
            return found.group(1)
    raise SystemExit("the server stopped before serving:\n" + "".join(lines))


def save_like_an_editor(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text)
    os.replace(temp, path)


if __name__ == "__main__":
    main()
