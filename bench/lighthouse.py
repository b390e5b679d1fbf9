#!/usr/bin/env python3
"""Score built sites with Lighthouse on a simulated phone: performance, layout shift, blocking time.

    (cd tools/lighthouse && npm ci)        # once: Lighthouse 12.2.3, pinned in tools/lighthouse/package-lock.json
    python bench/lighthouse.py OUTDIR [OUTDIR ...] [--pages "" models/x/] [--runs 3] [--report FILE]

Each OUTDIR is a built site (`modelcat build SITE --out OUTDIR`). The script serves it
on 127.0.0.1 as a static host would (gzip for text, so transfer sizes are a real
host's), runs Lighthouse's default mobile profile (a mid-range phone on a slow 4G
network, simulated) on each page with Debian's Chromium, and reports medians of the
runs: the performance score, Cumulative Layout Shift, Total Blocking Time, First and
Largest Contentful Paint, and the page's HTML size. Without --pages it scores the
catalog page and the first model page in the sitemap. With --report the table is
appended to FILE under a dated heading.

The score depends on the machine's load (Lighthouse scales the CPU time it sees):
compare runs made side by side, and note the load average printed with them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.server
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from browsing import serve

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".csv")


class _StaticHost(http.server.SimpleHTTPRequestHandler):
    """Serve files as a static host does: text gzipped when the browser accepts it."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSED or "gzip" not in self.headers.get("Accept-Encoding", "") or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def log_message(self, *args) -> None:
        pass


class _Body:
    """A file-like body for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data: bytes):
        self._data = data

    def read(self, size: int = -1) -> bytes:
        data, self._data = (self._data, b"") if size < 0 else (self._data[:size], self._data[size:])
        return data

    def close(self) -> None:
        pass




def first_model_page(folder: Path) -> str:
    """Return the URL of the first model page, by name."""
    pages = sorted(p for p in (folder / "models").glob("*/index.html"))
    return pages[0].parent.relative_to(folder).as_posix() + "/" if pages else ""


def lighthouse(url: str) -> dict:
    """Run Lighthouse once (mobile, simulated throttling); return the audits this report uses."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        done = subprocess.run([str(LIGHTHOUSE), url, f"--chrome-flags={CHROME_FLAGS}", "--only-categories=performance",
                               "--output=json", f"--output-path={report}", "--quiet"],
                              env={**os.environ, "CHROME_PATH": "/usr/bin/chromium"}, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"Lighthouse failed on {url}:\n{done.stderr[-3000:]}")
        data = json.loads(report.read_text())
    audits = data["audits"]
    return {"performance": data["categories"]["performance"]["score"],
            "cls": audits["cumulative-layout-shift"]["numericValue"],
            "tbt": audits["total-blocking-time"]["numericValue"],
            "fcp": audits["first-contentful-paint"]["numericValue"],
            "lcp": audits["largest-contentful-paint"]["numericValue"]}


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", type=Path, nargs="+")
    parser.add_argument("--pages", nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run (cd tools/lighthouse && npm ci) first.")
    lines = ["| site | page | HTML (raw / gzip) | performance | CLS | TBT | FCP | LCP | runs |",
             "|---|---|---|---|---|---|---|---|---|"]
    for folder in args.sites:
        server, root = serve(folder, _StaticHost)
        try:
            for page in args.pages if args.pages is not None else ["", first_model_page(folder)]:
                html = (folder / page / "index.html").read_bytes()
                runs = [lighthouse(root + page) for _ in range(args.runs)]
                scores = sorted(r["performance"] for r in runs)
                lines.append(
                    f"| {folder.name} | /{page} | {len(html) / 1e3:.0f} KB / {len(gzip.compress(html)) / 1e3:.0f} KB "
                    f"| {median_of(runs, 'performance'):.2f} ({scores[0]:.2f}–{scores[-1]:.2f}) "
                    f"| {median_of(runs, 'cls'):.3f} | {median_of(runs, 'tbt'):.0f} ms "
                    f"| {median_of(runs, 'fcp') / 1e3:.1f} s | {median_of(runs, 'lcp') / 1e3:.1f} s | {len(runs)} |")
                print(lines[-1], flush=True)
        finally:
            server.shutdown()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    table = "\n".join(lines) + f"\n\nLighthouse 12.2.3, mobile, simulated throttling; load average {load}.\n"
    print(table)
    if args.report:
        with args.report.open("a", encoding="utf-8") as report:
            report.write(f"\n## Lighthouse, {dt.date.today().isoformat()}\n\n{table}")


if __name__ == "__main__":
    main()
