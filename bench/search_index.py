#!/usr/bin/env python3
"""Measure making the site search index (generator/search.py) from a built site's pages.

    python bench/search_index.py OUTDIR [--runs N] [--changed K] [--write]

OUTDIR is a built site (`modelcat build SITE --out OUTDIR`). The script reads every
HTML page into memory, as the render stage holds them, and times `search_index` on
them: wall time, this process's CPU time and the Pagefind binary's, medians of N
runs. It also times what an incremental rebuild would cost on the same pages:

- the binary's two halves: taking in the pages (parsing and tokenising them) and
  giving back the files (building and compressing the index);
- re-indexing after an edit that changed K pages, in a Pagefind service kept running
  between builds that holds every page already (Pagefind can only add pages to an
  index; the re-added pages replace the old ones by URL, which this checks).

With --write it writes the index into OUTDIR/pagefind/ (to try the search by hand).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator import search  # noqa: E402


def read_pages(folder: Path) -> list[tuple[str, bytes]]:
    return [(p.relative_to(folder).as_posix().removesuffix("index.html"), p.read_bytes())
            for p in sorted(folder.rglob("*.html")) if "pagefind" not in p.parts]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(task):
    wall, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
    result = task()
    return result, time.perf_counter() - wall, time.process_time() - cpu, children_cpu() - child


def add_requests(index_id: int, pages):
    return ({"type": "AddFile", "index_id": index_id, "url": "/" + url, "file_path": None,
             "file_contents": search._spaced(html).decode()} for url, html in pages)


def binary_cpu(service) -> float:
    """CPU seconds the running Pagefind binary has used so far (Linux)."""
    fields = Path(f"/proc/{service._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def halves(pages) -> tuple[float, float, float, float]:
    """Wall and CPU seconds of the binary taking in the pages, then of giving back the index files."""
    with search._Service() as service:
        index_id = next(service.ask([{"type": "NewIndex", "config": {}}]))["index_id"]
        start, cpu = time.perf_counter(), binary_cpu(service)
        for _ in zip(range(len(pages)), service.ask(add_requests(index_id, pages))):
            pass
        added, added_cpu = time.perf_counter(), binary_cpu(service)
        next(service.ask([{"type": "GetFiles", "index_id": index_id}]))
        return added - start, added_cpu - cpu, time.perf_counter() - added, binary_cpu(service) - added_cpu


def kept_service(pages, changed: int) -> tuple[float, int, int, int]:
    """Seconds to re-add `changed` pages to a running service's full index and get the files again;
    the pages in the index before and after, and how many files changed (to write)."""
    with search._Service() as service:
        index_id = next(service.ask([{"type": "NewIndex", "config": {}}]))["index_id"]
        for _ in zip(range(len(pages)), service.ask(add_requests(index_id, pages))):
            pass
        before = next(service.ask([{"type": "GetFiles", "index_id": index_id}]))["files"]
        edited = [(url, html.replace(b"</main>", b"<p>freshlyeditedword</p></main>")) for url, html in pages[:changed]]
        start = time.perf_counter()
        answers = service.ask(itertools.chain(add_requests(index_id, edited), [{"type": "GetFiles", "index_id": index_id}]))
        after = None
        for answer in answers:
            if answer["type"] == "GetFiles":
                after = answer["files"]
                break
        seconds = time.perf_counter() - start
        old = {f["path"]: f["content"] for f in before}
        changed_files = sum(1 for f in after if old.get(f["path"]) != f["content"])
        return seconds, count_pages(before), count_pages(after), changed_files


def count_pages(files) -> int:
    return sum(1 for f in files if f["path"].startswith("fragment/"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--changed", type=int, default=15)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    pages = read_pages(args.outdir)
    searched = [p for p in pages if search.OPT_IN in p[1]]
    print(f"{args.outdir}: {len(pages):,} HTML pages ({sum(len(h) for _, h in pages) / 1e6:.0f} MB), "
          f"{len(searched):,} searched ({sum(len(h) for _, h in searched) / 1e6:.0f} MB)")
    runs = [timed(lambda: search.search_index(pages)) for _ in range(args.runs)]
    files = runs[0][0]
    print(f"search_index: wall {statistics.median(r[1] for r in runs):.2f} s "
          f"(min {min(r[1] for r in runs):.2f}, max {max(r[1] for r in runs):.2f}); "
          f"CPU: Python {statistics.median(r[2] for r in runs):.2f} s, Pagefind {statistics.median(r[3] for r in runs):.2f} s; "
          f"{len(files):,} files, {sum(map(len, files.values())) / 1e6:.1f} MB")
    taken, taken_cpu, given, given_cpu = halves(searched)
    print(f"  in the binary: taking in the pages {taken:.2f} s ({taken_cpu:.2f} s CPU), "
          f"building and returning the index {given:.2f} s ({given_cpu:.2f} s CPU)")
    seconds, before, after, changed = kept_service(searched, min(args.changed, len(searched)))
    print(f"kept service, {args.changed} pages re-added then the files again: {seconds:.2f} s "
          f"(pages in the index: {before:,} before, {after:,} after; {changed:,} files changed)")
    if args.write:
        for path, data in files.items():
            (args.outdir / path).parent.mkdir(parents=True, exist_ok=True)
            (args.outdir / path).write_bytes(data)
        print(f"wrote {args.outdir / 'pagefind'}")


if __name__ == "__main__":
    main()
