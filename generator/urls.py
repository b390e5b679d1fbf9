"""The URL plan: the one place that knows where every page of the site lives.

Every link in templates and exports comes from here, so a `base_url` with a path
(https://example.org/catalog/) reaches every link, asset, feed and sitemap entry,
and the names a free page may not take are derived from the same table.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

TAXONOMIES = ("developers", "domains", "modalities")
"""The taxonomies of model listings, each at /NAME/ with a page per term."""
OPTIONAL_TAXONOMIES = ("capabilities", "outputs")
"""Taxonomies a site has once some model fills them: capabilities, and outputs other than text."""

ROOTS = ("models", "compare", "benchmarks", *TAXONOMIES, *OPTIONAL_TAXONOMIES, "providers", "api", "page", "pagefind", "css", "js",
         "img", "assets", "static",
         "404.html", "sitemap.xml", "feed.xml", "robots.txt", "favicon.svg")
"""Top-level URL segments the generator (or the bundled theme) uses."""
RESERVED_ROOTS = frozenset({*ROOTS, "404", "sitemaps"})
"""Names a free page in content/pages/ cannot take."""

SITEMAP_SIZE = 5000
"""URLs per sitemap file; sitemap.xml is the index of them."""


@dataclass(frozen=True)
class Urls:
    base_url: str
    """The site's base URL, ending in "/": absolute, or a path when the host is unknown."""

    @functools.cached_property
    def base_path(self) -> str:
        """The path part of the base URL, e.g. "/catalog/"."""
        return urlsplit(self.base_url).path or "/"

    @functools.cached_property
    def is_absolute(self) -> bool:
        return bool(urlsplit(self.base_url).scheme)

    def path(self, relative: str) -> str:
        """Return a site-relative link: "models/x/" -> "/catalog/models/x/"."""
        return self.base_path + _quoted(relative)

    def absolute(self, relative: str) -> str:
        """Return a full URL where the host is known, else the site-relative link."""
        return (self.base_url if self.is_absolute else self.base_path) + _quoted(relative)

    def href(self, url: str) -> str:
        """Return a content URL as a link: site paths ("/about/") go under the base path."""
        return self.path(url[1:]) if url.startswith("/") and not url.startswith("//") else url

    # Where each kind of page lives, relative to the site root.
    @staticmethod
    def model(slug: str) -> str:
        return f"models/{slug}/"

    @staticmethod
    def model_json(slug: str) -> str:
        return f"api/models/{slug}.json"

    @staticmethod
    def comparison(slug: str) -> str:
        return f"compare/{slug}/"

    @staticmethod
    def benchmark(benchmark_id: str) -> str:
        return f"benchmarks/{benchmark_id}/"

    @staticmethod
    def taxonomy(taxonomy: str) -> str:
        return f"{taxonomy}/"

    @staticmethod
    def term(taxonomy: str, slug: str) -> str:
        return f"{taxonomy}/{slug}/"

    @staticmethod
    def provider(provider_id: str) -> str:
        return f"providers/{provider_id}/"

    @staticmethod
    def page(slug: str) -> str:
        return f"{slug}/"

    @staticmethod
    def listing(listing: str, number: int = 1) -> str:
        """Return page `number` of a listing: "current" is the catalog page, "all" the A-Z list at models/,
        "TAXONOMY/TERM" a term's page and "benchmarks/ID" a leaderboard; later pages add page/N/."""
        first = {"current": "", "all": "models/"}.get(listing, listing + "/")
        return first if number == 1 else f"{first}page/{number}/"

    @staticmethod
    def sitemap(number: int) -> str:
        return f"sitemaps/{number}.xml"


_PLAIN_PATH = re.compile(r"[A-Za-z0-9/#?=&._~-]*")


def _quoted(relative: str) -> str:
    """Return a path with anything but URL-safe characters percent-encoded (slugs pass as they are)."""
    return relative if _PLAIN_PATH.fullmatch(relative) else quote(relative, safe="/#?=&.-_~")


def output_file(relative: str) -> str:
    """Return the file that serves a URL: "models/x/" -> "models/x/index.html"."""
    return relative + "index.html" if relative == "" or relative.endswith("/") else relative
