#!/usr/bin/env python3
"""Measure the catalog page of a built site in Chromium: size, start-up and filter latency.

    python bench/filter_latency.py OUTDIR [--runs N]

OUTDIR is a built site (`modelcat build SITE --out OUTDIR`). The script serves it on
127.0.0.1, opens the catalog page in Debian's Chromium and reports:

- the size of index.html and of the listing's data file (api/listing.json, which the
  page loads the first time a visitor filters), raw and gzipped;
- when the page was ready (DOMContentLoaded), and how long the first filter took: the
  data file's download and parse, then the first view made from it;
- per interaction, the time from the event to the next frame painted: typing a search
  query key by key, choosing a developer, sorting by a column, adding a benchmark
  column. Two measures: the browser's own Event Timing entries (what INP is made of;
  Chromium rounds them to 8 ms and reports only those of 16 ms or more), and an
  in-page measure from dispatching the event to the frame after the script's update;
- the script's own share: how long its update (one animation-frame callback) ran.

Timings are noisy on a shared machine: compare medians from one run side by side.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from browsing import CHROMIUM_ARGS, serve


OBSERVE_EVENTS = """
window.__events = [];
window.__work = [];
const raf = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = callback => raf(time => {
  const start = performance.now();
  callback(time);
  window.__work.push(performance.now() - start);
});
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__events.push({name: e.name, duration: e.duration, id: e.interactionId});
}).observe({type: "event", durationThreshold: 16, buffered: true});
"""

# Dispatch a change the way a visitor's input would, then wait for the frame after the
# script's requestAnimationFrame update: its callback runs first, ours after it, and the
# timeout fires once that frame has been produced.
TIME_ACTION = """
async ([kind, selector, value]) => {
  const target = document.querySelector(selector);
  const start = performance.now();
  if (kind === "type") { target.value = value; target.dispatchEvent(new Event("input", {bubbles: true})); }
  else if (kind === "select") { target.value = value; target.dispatchEvent(new Event("input", {bubbles: true}));
                                target.dispatchEvent(new Event("change", {bubbles: true})); }
  else { target.click(); }
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))));
  return performance.now() - start;
}
"""


# The first keystroke in the name filter: from the event to the first frame after the
# count says how many models match (the data file has loaded and the view is made).
FIRST_FILTER = """
async () => {
  const count = document.getElementById("catalog-count"), field = document.getElementById("f-q");
  const start = performance.now();
  field.value = "a";
  field.dispatchEvent(new Event("input", {bubbles: true}));
  await new Promise(done => new MutationObserver((changes, observer) => {
    if (/match|All/.test(count.textContent)) { observer.disconnect(); done(); }
  }).observe(count, {childList: true, characterData: true, subtree: true}));
  await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
  field.value = "";
  field.dispatchEvent(new Event("input", {bubbles: true}));
  return performance.now() - start;
}
"""




def summary(values: list[float]) -> str:
    if not values:
        return "none reported (all under 16 ms)"
    return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms (n={len(values)})"


def measure(folder: Path, runs: int) -> None:
    index = (folder / "index.html").read_bytes()
    rows = index.count(b"<tr><th scope=\"row\">")
    print(f"index.html: {len(index) / 1e3:.0f} KB raw, {len(gzip.compress(index)) / 1e3:.0f} KB gzipped, "
          f"{rows} rows, {len(index) / max(rows, 1):.0f} bytes a row")
    data = (folder / "api/listing.json").read_bytes()
    print(f"api/listing.json: {len(data) / 1e3:.0f} KB raw, {len(gzip.compress(data)) / 1e3:.0f} KB gzipped")
    server, url = serve(folder)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script(OBSERVE_EVENTS)
            page.goto(url)
            ready = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            print(f"DOMContentLoaded {ready:.0f} ms")
            first = page.evaluate(FIRST_FILTER)
            print(f"first filter (loads the data file): {first:.0f} ms to the view made from it")

            query = "gemma 7b"
            page.click("#f-q")
            page.evaluate("window.__events = []; window.__work = []")
            for character in query:
                page.keyboard.type(character)
                page.wait_for_timeout(150)
            page.wait_for_timeout(300)
            events = page.evaluate("window.__events")
            per_key = {}
            for event in events:
                if event["id"]:
                    per_key[event["id"]] = max(per_key.get(event["id"], 0), event["duration"])
            print(f"keystrokes (Event Timing, {len(query)} keys): {summary(list(per_key.values()))}")
            print(f"  the script's update per keystroke: {summary(page.evaluate('window.__work'))}")
            print(f"  shown: {page.text_content('#catalog-count')}")

            def timed(label, kind, selector, values):
                samples = [page.evaluate(TIME_ACTION, [kind, selector, values[i % len(values)]]) for i in range(runs)]
                print(f"{label}: {summary(samples)}")

            timed("search keystroke (in-page)", "type", "#f-q", ["g", "ge", "gem", "gemm", "gemma", "gemm", "gem"])
            timed("clear search", "type", "#f-q", [""])
            timed("developer filter", "select", "#f-dev", [page.eval_on_selector("#f-dev option:nth-child(2)", "o => o.value"), ""])
            timed("sort by a column", "click", "th[data-sort=params] button", [None])
            page.evaluate(TIME_ACTION, ["select", "#f-add", page.eval_on_selector("#f-add option:nth-child(2)", "o => o.value")])
            timed("sort with a benchmark column shown", "click", "th[data-bench] button", [None])
            add = [page.evaluate(TIME_ACTION, ["select", "#f-add", page.eval_on_selector("#f-add option:nth-child(3)", "o => o.value")])]
            print(f"add a benchmark column (once): {add[0]:.0f} ms")
            browser.close()
    finally:
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    measure(args.outdir, args.runs)


if __name__ == "__main__":
    main()
