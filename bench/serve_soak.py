#!/usr/bin/env python3
"""Soak the dev server: many saves, some of them broken, and watch its memory and pages.

    python bench/serve_soak.py [--models 1000] [--edits 1000] [--broken-every 5]
                               [--pause-every 50] [--without-search]

`modelcat serve` runs in a subprocess on a synthetic catalog (bench/make_catalog.py).
Each edit saves one model's YAML the way editors save (a temporary file renamed over
the entry); every --broken-every-th save is broken YAML, fixed by the next save. After
each save the script waits for the rebuild (/livereload/builds answers once it is
done) and checks the model's page: the new name after a good save, the problem
page after a broken one. The first save and every --pause-every-th after it are
followed by a pause of a few seconds, as editors pause, in which the server makes its
search index again. It reports the server's resident memory (VmRSS) after the first
100 edits and at the end, the largest, and any traceback the server printed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAUSE_SECONDS = 4.0
"""Long enough for the search index of 1,000 models to be made again (about 3 s)."""
NAME_LINE = re.compile(r"^name: .*$", re.MULTILINE)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.read().decode()


def save(path: Path, text: str) -> None:
    """Write the way editors do: a temporary file in the same folder, renamed over the entry."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--broken-every", type=int, default=5)
    parser.add_argument("--pause-every", type=int, default=50)
    parser.add_argument("--without-search", action="store_true", help="turn the site search off (search: false)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="modelcat-soak-"))
    site = work / "site"
    subprocess.run([sys.executable, ROOT / "bench/make_catalog.py", str(args.models), site], check=True)
    if args.without_search:
        with open(site / "site.yaml", "a") as config:
            config.write("\nsearch: false\n")
    port = free_port()
    log = open(work / "serve.log", "w+")
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache")}
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(site), "--port", str(port)],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(600):
            try:
                builds = int(get(url + "livereload/builds"))
                break
            except OSError:
                time.sleep(0.2)
        entry = sorted((site / "content/models").glob("*.yaml"))[args.models // 2]
        original = entry.read_text()
        page = url + f"models/{entry.stem}/"
        memory, stale, seconds = [], 0, []
        for number in range(1, args.edits + 1):
            broken = number % args.broken_every == 0
            text = NAME_LINE.sub(f"name: Soak {number}", original, count=1)
            started = time.perf_counter()
            save(entry, text + ("\nbroken: [unclosed\n" if broken else ""))
            while int(get(url + "livereload/builds")) <= builds:
                time.sleep(0.01)
            builds = int(get(url + "livereload/builds"))
            shown = get(page)
            seconds.append(time.perf_counter() - started)
            expected = "The site did not build" if broken else f"Soak {number}</h1>"
            stale += expected not in shown
            memory.append(rss_mb(server.pid))
            if args.pause_every and number % args.pause_every == 1:
                time.sleep(PAUSE_SECONDS)
            if number % 100 == 0:
                print(f"{number} edits: RSS {memory[-1]:.0f} MB, stale pages {stale}", flush=True)
        log.seek(0)
        tracebacks = log.read().count("Traceback")
        settled = memory[min(99, len(memory) - 1)]
        seconds.sort()
        print(f"\n{args.edits} edits ({args.edits // args.broken_every} broken) at {args.models:,} models:")
        print(f"- RSS after the first 100 edits {settled:.0f} MB, at the end {memory[-1]:.0f} MB "
              f"({100 * (memory[-1] - settled) / settled:+.1f}%), largest {max(memory):.0f} MB")
        print(f"- save to rebuilt page: median {seconds[len(seconds) // 2]:.3f} s, slowest {seconds[-1]:.3f} s")
        print(f"- stale pages: {stale}; tracebacks printed by the server: {tracebacks}")
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
