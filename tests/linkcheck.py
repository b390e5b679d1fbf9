"""A link checker over a built site's files: every internal link, asset and fragment resolves.

It reads the files, not a server, so it checks exactly what would be published: each
href and src of every page, the canonical and Open Graph URLs, the feed's and the
sitemap's links, and robots.txt's sitemap. A link inside the site must stay under the
base path and name a file that exists (a directory URL needs its index.html); a
`#fragment` must name an id on the target page. Written by hand on the standard
library's HTML parser because it must also know the base path, the feed and the
sitemap, which general link checkers do not.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

_LINK_ATTRS = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"),
               ("iframe", "src"), ("form", "action"), ("use", "href"), ("use", "xlink:href")}
_URL_METAS = {"og:url", "og:image", "twitter:image"}


@dataclass
class _Page:
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        for name, value in values.items():
            if (tag, name) in _LINK_ATTRS:
                self.page.links.append(value)
        if "id" in values:
            self.page.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.page.ids.add(values["name"])
        if tag == "meta" and values.get("property") in _URL_METAS and "content" in values:
            self.page.links.append(values["content"])


def _parse(path: Path) -> _Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector.page


class _Site:
    def __init__(self, out: Path, base_url: str):
        self.out = out
        self.base_url = base_url
        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
        self.base_path = parts.path or "/"
        self._pages: dict[Path, _Page] = {}

    def page(self, path: Path) -> _Page:
        if path not in self._pages:
            self._pages[path] = _parse(path)
        return self._pages[path]

    def url_of(self, path: Path) -> str:
        relative = path.relative_to(self.out).as_posix()
        if relative == "index.html" or relative.endswith("/index.html"):
            relative = relative[: -len("index.html")]
        return self.origin + self.base_path + relative

    def problem(self, source: str, target: str) -> str | None:
        """Return why a link from `source` (a site URL) to `target` is broken, or None."""
        resolved = urljoin(source, target.strip())
        parts = urlsplit(resolved)
        if parts.scheme in ("mailto", "tel") or (parts.scheme in ("http", "https") and
                                                 f"{parts.scheme}://{parts.netloc}" != self.origin):
            return None  # outside the site
        if parts.scheme not in ("", "http", "https"):
            return f"unexpected scheme in {target}"
        if not parts.path.startswith(self.base_path):
            return f"{target} leaves the base path {self.base_path}"
        relative = unquote(parts.path[len(self.base_path):])
        file = self.out / (relative + "index.html" if relative == "" or relative.endswith("/") else relative)
        if not file.is_file():
            return f"{target} -> {file.relative_to(self.out)} does not exist"
        if parts.fragment and file.suffix == ".html" and parts.fragment not in self.page(file).ids:
            return f"{target}: no id {parts.fragment!r} in {file.relative_to(self.out)}"
        return None


def broken_links(out: Path, base_url: str) -> list[str]:
    """Return every broken internal link of the built site in `out`, as "page: problem" lines."""
    site = _Site(out, base_url)
    broken = []
    for path in sorted(out.rglob("*.html")):
        source = site.url_of(path)
        for target in site.page(path).links:
            if (problem := site.problem(source, target)) is not None:
                broken.append(f"{path.relative_to(out)}: {problem}")
    root = site.origin + site.base_path
    for name, targets in (("sitemap.xml", _sitemap_locs(out)), ("feed.xml", _feed_links(out)),
                          ("robots.txt", _robots_sitemaps(out))):
        for target in targets:
            if (problem := site.problem(root, target)) is not None:
                broken.append(f"{name}: {problem}")
    return broken


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_pages(out: Path) -> list[str]:
    """Return the page URLs the site's sitemaps list: sitemap.xml is the index of the sitemap files."""
    index = ET.parse(out / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex", index.tag
    pages = []
    for loc in index.iter(f"{SITEMAP}loc"):
        relative = urlsplit(loc.text or "").path.split("/sitemaps/", 1)[1]
        chunk = ET.parse(out / "sitemaps" / relative).getroot()
        assert chunk.tag == f"{SITEMAP}urlset", chunk.tag
        pages += [page.text or "" for page in chunk.iter(f"{SITEMAP}loc")]
    return pages


def _sitemap_locs(out: Path) -> list[str]:
    index = ET.parse(out / "sitemap.xml")
    return [loc.text or "" for loc in index.iter(f"{SITEMAP}loc")] + sitemap_pages(out)


def _feed_links(out: Path) -> list[str]:
    tree = ET.parse(out / "feed.xml")
    return [link.get("href", "") for link in tree.iter("{http://www.w3.org/2005/Atom}link")]


def _robots_sitemaps(out: Path) -> list[str]:
    lines = (out / "robots.txt").read_text().splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sitemap:")]
