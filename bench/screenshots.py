#!/usr/bin/env python3
"""Photograph every kind of page of a built site on a phone and a desktop, light and dark.

    python bench/screenshots.py OUTDIR SHOTDIR [--widths 360 1280] [--pages URL ...]

OUTDIR is a built site (`modelcat build SITE --out OUTDIR`); the script serves it on
127.0.0.1 and saves SHOTDIR/<page>-<width>-<scheme>.png, whole pages, for a person to
look at (the browser tests check what can be checked by machine: fit, contrast, axe).
Without --pages it takes one page of each kind found in OUTDIR.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

from browsing import CHROMIUM_ARGS, serve





def page_kinds(folder: Path) -> list[str]:
    """Return the first URL of each kind of page (by its first one or two URL segments), and the 404 page."""
    kinds: dict[str, str] = {}
    for page in sorted(folder.rglob("index.html")):
        url = page.parent.relative_to(folder).as_posix() + "/" if page.parent != folder else ""
        parts = url.strip("/").split("/")
        kind = parts[0] + ("/*" if len(parts) > 1 else "") + ("/page" if "page" in parts else "") if url else "home"
        kinds.setdefault(kind, url)
    return [*kinds.values(), "404.html"]


def shot_name(url: str, width: int, scheme: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"
    return f"{stem}-{width}-{scheme}.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("shots", type=Path)
    parser.add_argument("--widths", type=int, nargs="+", default=[360, 1280])
    parser.add_argument("--pages", nargs="+")
    args = parser.parse_args()
    args.shots.mkdir(parents=True, exist_ok=True)
    server, root = serve(args.site)
    pages = args.pages or page_kinds(args.site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for width in args.widths:
                for scheme in ("light", "dark"):
                    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
                    page = context.new_page()
                    for url in pages:
                        page.goto(root + url)
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=args.shots / shot_name(url, width, scheme), full_page=True)
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    print(f"{len(pages) * len(args.widths) * 2} screenshots in {args.shots}")


if __name__ == "__main__":
    main()
