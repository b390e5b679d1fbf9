#!/usr/bin/env python3
"""Search a built site in Chromium and time it: what a query finds, and how soon.

    python bench/search_check.py OUTDIR QUERY [QUERY ...] [--page URL]

OUTDIR is a built site with its search index (/pagefind/). The script serves it on
127.0.0.1, opens a page (the catalog page unless --page says otherwise), and for each
query types it into the header's search box and reports the time until the results
show and the first results (kind, title, URL). The first query includes loading the
engine and its WebAssembly; later ones run on the same page, and the last is run
again on a second page reached by a link, as a visitor browsing the site would.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from browsing import CHROMIUM_ARGS, serve





def search(page, query: str) -> None:
    start = time.perf_counter()
    page.fill("#site-q", query)
    expect(page.locator("#search-status")).to_contain_text(f"“{query}”", timeout=60_000)
    seconds = time.perf_counter() - start
    hits = page.locator("#search-list a").evaluate_all(
        "links => links.map(a => [a.querySelector('.search-kind')?.textContent, "
        "a.querySelector('.search-title').textContent, a.getAttribute('href')])")
    print(f"{query!r}: {page.text_content('#search-status')} ({seconds:.2f} s)")
    for kind, title, href in hits[:3]:
        print(f"    {kind}: {title}  {href}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--page", default="")
    args = parser.parse_args()
    server, root = serve(args.site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(root + args.page)
            for query in args.queries:
                search(page, query)
            page.locator("main a[href*='/models/']").first.click()
            page.wait_for_load_state()
            print(f"on {page.url[len(root) - 1:]}, reached by a link:")
            search(page, args.queries[-1])
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
