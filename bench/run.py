#!/usr/bin/env python3
"""Measure modelcat's build speed on synthetic catalogs, side by side with Hugo.

    python bench/run.py [--sizes 1000 10000] [--runs 5] [--report FILE]

For each size N it makes the catalog of `make_catalog.py` (and its Hugo twin when
`hugo` is installed) and reports, as median and min-max of the runs:

- cold build: a fresh output folder, no cache (`--no-cache`), the real CLI, wall and CPU time;
- the same cold build by Hugo into a fresh folder, run by run beside modelcat's, and the ratio of the medians;
- no-change rebuild: the build state saved in the cache folder, output in place, the real CLI;
- one-entry edit: the state in memory on a build thread and the file watcher's list of changes, as
  `modelcat serve` builds (the build alone; bench/serve_latency.py measures save to browser);
- one-entry edit after a restart: the real CLI with the saved state;
- template edit: a changed model.html, saved state, the real CLI;
- peak memory (largest process), output size, pages per second;
- then, with the site search index (`search: true`, the default): a cold build and a one-entry edit
  through the CLI.

All but the last two rows build with `search: false`: Hugo's twin makes no search index, and
Pagefind's cost, which only a change to Pagefind would lower, is reported on its own.

Every build writes into a folder that never existed before: deleting a large
output tree slows the disk here for a while, which would measure the disk, not
the builder.
"""

from __future__ import annotations

import argparse
import compileall
import concurrent.futures
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.build import build  # noqa: E402
from generator.settings import Settings  # noqa: E402
from generator.incremental import Tracker  # noqa: E402

# Time modelcat as an installed copy runs: with its modules' bytecode cached (pip compiles it on
# install). Where the environment forbids writing bytecode, every run would compile every module
# again, about 0.15 s more on each build here.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
compileall.compile_dir(ROOT / "generator", quiet=1)


def timed(command: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, int, float]:
    """Run a command; return (wall seconds, peak RSS in MB of its largest process, CPU seconds of it and its children)."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: thousands of warnings would fill a pipe
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})},
                                stdout=subprocess.DEVNULL, stderr=errors)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"failed: {' '.join(map(str, command))}\n{errors.read().decode()[-4000:]}")
    # Once reaped, the child's time (its own and its children's) is in RUSAGE_CHILDREN:
    # the difference is the whole of it; wait4's own figure is the same time again.
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return seconds, usage.ru_maxrss // 1024, cpu


def stats(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def modelcat(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "generator", "build", *map(str, args)]


def edit_model(site: Path, run: int) -> Path:
    """Change one entry's summary, as an editor would; return the file."""
    path = sorted((site / "content/models").glob("*.yaml"))[len(list((site / "content/models").glob("*.yaml"))) // 2]
    text = path.read_text()
    lines = [f"summary: Edited in run {run}." if line.startswith("summary:") else line for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n")
    return path


def edit_template(site: Path, run: int) -> None:
    target = site / "templates/model.html"
    if not target.exists():
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(ROOT / "templates/model.html", target)
    target.write_text(target.read_text() + f"{{# run {run} #}}<!-- template edit {run} -->\n")


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def measure(n: int, runs: int, work: Path, hugo: str | None) -> list[str]:
    site, twin = work / f"site-{n}", work / f"hugo-{n}"
    subprocess.run([sys.executable, ROOT / "bench/make_catalog.py", str(n), site], check=True)
    config = site / "site.yaml"
    with_search = config.read_text()
    config.write_text(with_search + "search: false\n")
    rows = [f"### N = {n:,}", ""]
    fresh = iter(range(10**6))

    if hugo:
        subprocess.run([sys.executable, ROOT / "bench/make_hugo.py", str(n), twin], check=True)
    cold, hugo_runs = [], []
    for _ in range(runs):  # side by side, run after run, so both meet the same load on a shared machine
        cold.append(timed(modelcat(site, "--out", work / f"cold-{n}-{next(fresh)}", "--no-cache")))
        if hugo:
            hugo_runs.append(timed([hugo, "--quiet", "-d", str(work / f"hugo-out-{n}-{next(fresh)}")], cwd=twin))
    files, size = folder_size(work / f"cold-{n}-0")
    cold_s = [s for s, _, _ in cold]
    rows.append(f"- cold build: {stats(cold_s)}, CPU {statistics.median(c for _, _, c in cold):.1f} s, "
                f"peak {max(m for _, m, _ in cold)} MB, {files:,} files, {size / 1e6:.0f} MB, "
                f"{files / statistics.median(cold_s):,.0f} files/s")
    if hugo:
        hugo_s = [s for s, _, _ in hugo_runs]
        rows.append(f"- Hugo cold build: {stats(hugo_s)}, CPU {statistics.median(c for _, _, c in hugo_runs):.1f} s, "
                    f"peak {max(m for _, m, _ in hugo_runs)} MB; "
                    f"modelcat / Hugo = {statistics.median(cold_s) / statistics.median(hugo_s):.2f}")

    cache_dir, out = work / f"cache-{n}", work / f"warm-{n}"
    timed(modelcat(site, "--out", out, "--cache-dir", cache_dir))
    warm = [timed(modelcat(site, "--out", out, "--cache-dir", cache_dir))[0] for _ in range(runs)]
    rows.append(f"- no-change rebuild (persistent cache): {stats(warm)}")

    restart = []
    for run in range(runs):
        edit_model(site, run)
        restart.append(timed(modelcat(site, "--out", out, "--cache-dir", cache_dir))[0])
    rows.append(f"- one-entry edit, new process (persistent cache): {stats(restart)}")

    memory = Tracker(autosave=False)  # as the dev server keeps it, building on a thread of its own
    builder = concurrent.futures.ThreadPoolExecutor(1)
    settings = Settings(site, out_dir=work / f"served-{n}")
    builder.submit(build, settings, memory).result()
    served = []
    for run in range(runs):
        changed = {str(edit_model(site, 100 + run))}  # the file watcher's list
        started = time.perf_counter()
        result = builder.submit(build, settings, memory, changed).result()
        served.append(time.perf_counter() - started)
        assert result.published, result.problems
    rows.append(f"- one-entry edit, state in memory as under `serve`: {stats(served)} "
                f"({result.rendered} files rendered)")

    template = []
    for run in range(runs):
        edit_template(site, run)
        template.append(timed(modelcat(site, "--out", out, "--cache-dir", cache_dir))[0])
    rows.append(f"- template edit (model.html): {stats(template)}")
    shutil.rmtree(site / "templates")

    config.write_text(with_search)
    searched = [timed(modelcat(site, "--out", work / f"cold-search-{n}-{next(fresh)}", "--no-cache"))
                for _ in range(runs)]
    rows.append(f"- with search: cold build {stats([s for s, _, _ in searched])}, "
                f"CPU {statistics.median(c for _, _, c in searched):.1f} s, peak {max(m for _, m, _ in searched)} MB")
    timed(modelcat(site, "--out", out, "--cache-dir", cache_dir))
    edits = []
    for run in range(runs):
        edit_model(site, 200 + run)
        edits.append(timed(modelcat(site, "--out", out, "--cache-dir", cache_dir))[0])
    rows.append(f"- with search: one-entry edit, new process: {stats(edits)}")
    return rows + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--report", type=Path, help="also write the figures to this Markdown file")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a new temporary folder)")
    args = parser.parse_args()
    hugo = shutil.which("hugo")
    work = args.work or Path(tempfile.mkdtemp(prefix="modelcat-bench-"))
    lines = [f"modelcat bench, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}, "
             f"medians of {args.runs} runs (min–max)" + ("" if hugo else "; hugo not installed"), ""]
    for n in args.sizes:
        lines += measure(n, args.runs, work, hugo)
        print("\n".join(lines), flush=True)
    if args.report:
        args.report.write_text("\n".join(lines) + "\n")
    print(f"scratch data in {work}")


if __name__ == "__main__":
    main()
