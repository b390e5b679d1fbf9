"""The URL plan: one place that knows where every page of the site lives.

Every link in templates and exports comes from here, so a `base_url` with a path
(https://example.org/catalog/) reaches every link, asset, feed and sitemap entry.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


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
    def term(taxonomy: str, slug: str) -> str:
        return f"{taxonomy}/{slug}/"

    @staticmethod
    def provider(provider_id: str) -> str:
        return f"providers/{provider_id}/"

    @staticmethod
    def page(slug: str) -> str:
        return f"{slug}/"


_PLAIN_PATH = re.compile(r"[A-Za-z0-9/#?=&._~-]*")


def _quoted(relative: str) -> str:
    """Return a path with anything but URL-safe characters percent-encoded (slugs pass as they are)."""
    return relative if _PLAIN_PATH.fullmatch(relative) else quote(relative, safe="/#?=&.-_~")


def output_file(relative: str) -> str:
    """Return the file that serves a URL: "models/x/" -> "models/x/index.html"."""
    return relative + "index.html" if relative == "" or relative.endswith("/") else relative
