"""The pages of the site, and each page rendered to bytes.

`plan_site` decides which files the site has; `render_page` makes one of them.
Neither touches the disk beyond reading templates: rendering returns bytes, and
`write` publishes them. Templates run with StrictUndefined and autoescaping, so a
misspelt variable is an error and every string from content is escaped.

A page's content is gathered while it renders, from the catalog it is given: what
a page shows is whatever its gatherer and template read, nothing declared beside it.
"""

from __future__ import annotations

import functools
import logging
import posixpath
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from generator import charts, exports, filters, tables, workers
from generator.catalog import Catalog, slugify
from generator.errors import Code, Problem
from generator.schema import board_key
from generator.urls import SITEMAP_SIZE, Urls, output_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageMeta:
    """What base.html needs to know about the page it wraps."""

    url: str
    """Relative URL, e.g. "models/x/"; "" for the home page."""
    title: str
    description: str = ""
    kind: str = "page"


SEARCHED = {"model": "Model", "comparison": "Comparison", "benchmark": "Leaderboard", "page": "Page"}
"""The kinds of page site search finds (by their first page, when paged), with the label results show."""


@dataclass(frozen=True)
class PagePlan:
    """One file of the site: where it goes, its template (None for a data file), and how its content is gathered.

    `gather(catalog, urls, *args)` returns (PageMeta, context) for a page, or the bytes
    of a data file. Plans are plain values: two builds that plan the same file plan
    equal objects.
    """

    output: str
    kind: str
    template: str | None
    gather: Callable[..., Any]
    args: tuple = ()

    @property
    def url(self) -> str:
        """The page's relative URL: "models/x/" for "models/x/index.html"."""
        return self.output.removesuffix("index.html")

    @property
    def searched(self) -> bool:
        """Whether site search indexes this page: a kind it finds, and the first page of a paged one."""
        return self.kind in SEARCHED and (self.kind != "benchmark" or self.args[-1] == 1)


class SitePlan(list):
    """The plans of the site's generated files, in order, and the set of their outputs.

    The set is made once per plan, not on every rebuild that keeps the plan: at
    10,000 models a walk over its 21,000 plans costs about 10 ms each time.
    """

    @functools.cached_property
    def outputs(self) -> frozenset[str]:
        return frozenset(plan.output for plan in self)


# --- The site's files ---------------------------------------------------------------


def plan_site(catalog: Catalog, urls: Urls) -> SitePlan:
    """Return every file the site publishes, in a fixed order: pages, then data.

    Only which files exist is decided here; what each shows is gathered when it renders.
    """
    plans = [_page(urls.listing("current", number), "home", "index.html", _catalog_page, number)
             for number in catalog.listings["current"]]
    plans += [_page(urls.listing("all", number), "models", "models.html", _all_models_page, number)
              for number in catalog.listings["all"]]
    plans += [_page(urls.model(slug), "model", "model.html", _model_page, slug) for slug in catalog.models]
    plans.append(_page("compare/", "compare", "compare.html", _fixed_page, PageMeta(
        "compare/", "Compare models", "Curated comparison tables, and any models side by side.", "compare")))
    plans += [_page(urls.comparison(slug), "comparison", "comparison.html", _comparison_page, slug)
              for slug in catalog.comparisons]
    plans.append(_page("benchmarks/", "benchmarks", "benchmarks.html", _fixed_page, PageMeta(
        "benchmarks/", "Benchmarks", "Leaderboards, one per benchmark.", "benchmarks")))
    for benchmark_id in catalog.benchmarks:
        pages = max(len(catalog.listings[f"benchmarks/{board_key(benchmark_id, variant)}"])
                    for variant in (None, *catalog.benchmarks[benchmark_id].variants))
        plans += [_page(urls.listing(f"benchmarks/{benchmark_id}", number), "benchmark", "benchmark.html",
                        _benchmark_page, benchmark_id, number) for number in range(1, pages + 1)]
    for taxonomy in catalog.taxonomies:
        plans.append(_page(urls.taxonomy(taxonomy), "taxonomy", "taxonomy_index.html", _taxonomy_page, taxonomy))
        for term in catalog.taxonomies[taxonomy]:
            plans += [_page(urls.listing(f"{taxonomy}/{term}", number), "term", "taxonomy.html", _term_page,
                            taxonomy, term, number) for number in catalog.listings[f"{taxonomy}/{term}"]]
    if catalog.providers:
        plans.append(_page("providers/", "providers", "providers.html", _fixed_page, PageMeta(
            "providers/", "Providers", "Where the models can be used, and at what price.", "providers")))
        for provider in catalog.providers:
            plans += [_page(urls.listing(f"providers/{provider}", number), "provider", "provider.html", _provider_page,
                            provider, number) for number in catalog.listings[f"providers/{provider}"]]
    plans += [_page(urls.page(slug), "page", "page.html", _free_page, slug) for slug in catalog.pages]
    plans.append(_page("404.html", "404", "404.html", _fixed_page, PageMeta("404.html", "Page not found", "", "404")))
    listed = [(plan.url, plan.args[0] if plan.kind == "model" else None) for plan in plans if plan.kind != "404"]
    chunks = [tuple(listed[start:start + SITEMAP_SIZE]) for start in range(0, len(listed), SITEMAP_SIZE)]
    plans.append(_page("sitemap.xml", "xml", "sitemap_index.xml", _sitemap_index, len(chunks)))
    plans += [_page(urls.sitemap(number), "xml", "sitemap.xml", _sitemap, chunk)
              for number, chunk in enumerate(chunks, start=1)]
    plans.append(_page("feed.xml", "xml", "feed.xml", _feed))
    plans.append(_page("robots.txt", "text", "robots.txt", _fixed_page, PageMeta("robots.txt", "", "", "text")))
    plans += [PagePlan(urls.model_json(slug), "export", None, _model_export, (slug,)) for slug in catalog.models]
    plans += [PagePlan("api/listing.json", "export", None, exports.listing_json),
              PagePlan("api/index.json", "export", None, exports.index_json),
              PagePlan("api/models.json", "export", None, exports.models_json),
              PagePlan("api/models.csv", "export", None, exports.models_csv)]
    if any(catalog.offers_by_provider.values()):
        plans.append(PagePlan("api/offers.csv", "export", None, exports.offers_csv))
    return SitePlan(plans)


def _page(url: str, kind: str, template: str, gather: Callable, *args: Any) -> PagePlan:
    return PagePlan(output_file(url), kind, template, gather, args)


def _fixed_page(catalog: Catalog, urls: Urls, meta: PageMeta) -> tuple[PageMeta, dict]:
    return meta, {}


@dataclass(frozen=True)
class Pager:
    """Where a page sits in a paged listing, and the links to its neighbours."""

    listing: str
    number: int
    count: int
    """How many pages the listing has."""
    total: int
    """How many items it lists in all."""
    size: int

    @property
    def first_item(self) -> int:
        """The place, from 1, of the page's first item in the whole listing."""
        return (self.number - 1) * self.size + 1

    def url(self, number: int) -> str:
        return Urls.listing(self.listing, number)


def _pager(catalog: Catalog, listing: str, number: int) -> Pager:
    return Pager(listing, number, len(catalog.listings[listing]), catalog.listing_sizes[listing], catalog.site.page_size)


def _paged_meta(meta: PageMeta, pager: Pager) -> PageMeta:
    if pager.number == 1:
        return meta
    return PageMeta(pager.url(pager.number), f"{meta.title} (page {pager.number} of {pager.count})", meta.description,
                    meta.kind)


def _catalog_page(catalog: Catalog, urls: Urls, number: int) -> tuple[PageMeta, dict]:
    site, pager = catalog.site, _pager(catalog, "current", number)
    slugs = catalog.listings["current"][number]
    return _paged_meta(PageMeta("", site.title, site.description or "", "home"), pager), {
        "listing": tables.listing([catalog.models[s] for s in slugs]), "pager": pager}


def _all_models_page(catalog: Catalog, urls: Urls, number: int) -> tuple[PageMeta, dict]:
    pager = _pager(catalog, "all", number)
    slugs = catalog.listings["all"][number]
    meta = PageMeta("models/", "All models, A to Z", "Every model in the catalog, current, deprecated and retired.", "models")
    return _paged_meta(meta, pager), {"listing": tables.listing([catalog.models[s] for s in slugs]), "pager": pager}


def _model_page(catalog: Catalog, urls: Urls, slug: str) -> tuple[PageMeta, dict]:
    model = catalog.models[slug]
    return PageMeta(urls.model(slug), model.name, model.summary, "model"), {
        "model": model, "ranks": catalog.ranks.get(slug, {})}


def _comparison_page(catalog: Catalog, urls: Urls, slug: str) -> tuple[PageMeta, dict]:
    comparison = catalog.comparisons[slug]
    table = tables.comparison_table(comparison, catalog)
    meta = PageMeta(urls.comparison(slug), comparison.title, comparison.description or comparison.title, "comparison")
    return meta, {"comparison": comparison, "table": table, "charts": charts.comparison_charts(table)}


def _benchmark_page(catalog: Catalog, urls: Urls, benchmark_id: str, number: int) -> tuple[PageMeta, dict]:
    """A benchmark's leaderboards, a page of each: one per variant, never two variants ranked together."""
    benchmark = catalog.benchmarks[benchmark_id]
    boards = tables.leaderboards(benchmark, catalog, number)
    longest = max((f"benchmarks/{board.key}" for board in boards), key=lambda key: len(catalog.listings[key]))
    pager = Pager(f"benchmarks/{benchmark_id}", number, len(catalog.listings[longest]), catalog.listing_sizes[longest],
                  catalog.site.page_size)
    meta = PageMeta(urls.benchmark(benchmark_id), f"{benchmark.name} leaderboard",
                    benchmark.description or f"Models ranked by {benchmark.name}.", "benchmark")
    return _paged_meta(meta, pager), {"benchmark": benchmark, "boards": boards, "pager": pager,
                                      "charts": [_chart(board, catalog) if number == 1 else None for board in boards]}


def _chart(board: tables.Leaderboard, catalog: Catalog) -> charts.BarChart | None:
    top = board.rows[:charts.LEADERBOARD_BARS]
    return charts.leaderboard_chart(board, {r.slug: catalog.models[r.slug].name for r in top}) if top else None


TAXONOMY_TITLES = {"modalities": "Modalities", "outputs": "Output modalities"}
"""Page titles of taxonomies whose name alone would not say what they list."""


def _taxonomy_page(catalog: Catalog, urls: Urls, taxonomy: str) -> tuple[PageMeta, dict]:
    title = TAXONOMY_TITLES.get(taxonomy, taxonomy.capitalize())
    noun = {"capabilities": "capability", "outputs": "output modality"}.get(taxonomy, taxonomy[:-1])
    meta = PageMeta(urls.taxonomy(taxonomy), title, f"Models by {noun}.", "taxonomy")
    return meta, {"taxonomy": taxonomy, "terms": catalog.taxonomies[taxonomy]}


_TERM_NOUNS = {"developers": "by", "domains": "for", "modalities": "with input:", "capabilities": "with",
               "outputs": "with output:"}


def _term_page(catalog: Catalog, urls: Urls, taxonomy: str, slug: str, number: int) -> tuple[PageMeta, dict]:
    term = catalog.taxonomies[taxonomy][slug]
    pager = _pager(catalog, f"{taxonomy}/{slug}", number)
    noun = _TERM_NOUNS[taxonomy]
    meta = PageMeta(urls.term(taxonomy, slug), f"Models {noun} {term.name}",
                    term.description or f"{len(term.slugs)} models {noun} {term.name}.", "term")
    models = [catalog.models[s] for s in catalog.listings[pager.listing][number]]
    return _paged_meta(meta, pager), {"taxonomy": taxonomy, "term": term, "listing": tables.listing(models), "pager": pager}


def _provider_page(catalog: Catalog, urls: Urls, provider_id: str, number: int) -> tuple[PageMeta, dict]:
    """Every model a provider offers, a page at a time, with its price and limits there."""
    provider = catalog.providers[provider_id]
    pager = _pager(catalog, f"providers/{provider_id}", number)
    rows = tuple(tables.offer_row(catalog.models[found.slug], found.offer)
                 for found in catalog.listings[pager.listing][number])
    meta = PageMeta(urls.provider(provider_id), f"Models on {provider.name}",
                    provider.description or f"{pager.total} models on {provider.name}, with their prices there.",
                    "provider")
    return _paged_meta(meta, pager), {"provider": provider, "rows": rows, "columns": tables.offer_columns(rows),
                                      "pager": pager}


def _free_page(catalog: Catalog, urls: Urls, slug: str) -> tuple[PageMeta, dict]:
    page = catalog.pages[slug]
    return PageMeta(urls.page(slug), page.title, page.description or "", "page"), {"content": page}


def _sitemap_index(catalog: Catalog, urls: Urls, count: int) -> tuple[PageMeta, dict]:
    return PageMeta("sitemap.xml", "", "", "xml"), {"sitemaps": [urls.sitemap(n) for n in range(1, count + 1)]}


def _sitemap(catalog: Catalog, urls: Urls, pages: tuple[tuple[str, str | None], ...]) -> tuple[PageMeta, dict]:
    """Every page's URL, and for model pages the day they were last reviewed."""
    entries = [(url, catalog.models[slug].updated if slug else None) for url, slug in pages]
    return PageMeta("sitemap.xml", "", "", "xml"), {"entries": entries}


def _feed(catalog: Catalog, urls: Urls) -> tuple[PageMeta, dict]:
    return PageMeta("feed.xml", "", "", "xml"), {"entries": [catalog.models[slug] for slug in catalog.newest]}


def _model_export(catalog: Catalog, urls: Urls, slug: str) -> bytes:
    model = catalog.models[slug]
    return exports.model_json(model, exports.referenced_names(model, catalog), urls)


FINGERPRINTED = (".css", ".js")
"""Static files also published under a name that carries their hash, which `asset()` links: a host may cache
those for a year, since an edit gives a new name."""


def plan_statics(files: Mapping[str, Path], digests: Mapping[str, str], fingerprint: bool) -> list[PagePlan]:
    """Return a plan per file of static/, copied as it is, and one per fingerprinted copy.

    `digests` holds each file's hash by its name under static/: an edited file is another plan.
    """
    plans = [PagePlan(name, "static", None, _static_file, (str(path), digests[name])) for name, path in files.items()]
    if fingerprint:
        plans += [PagePlan(fingerprinted(name, digests[name]), "static", None, _static_file, (str(path), digests[name]))
                  for name, path in files.items() if name.endswith(FINGERPRINTED)]
    return plans


def fingerprinted(name: str, file_digest: str) -> str:
    """Return the name a static file is published under with its hash: "css/site.3f9a1c2b5d.css"."""
    stem, extension = posixpath.splitext(name)
    return f"{stem}.{file_digest[:10]}{extension}"


def _static_file(catalog: Catalog, urls: Urls, path: str, file_digest: str) -> bytes:
    return Path(path).read_bytes()


class Assets:
    """`asset("css/site.css")` in a template: the URL of a file of static/, by its fingerprinted name where the
    build publishes one. The dev server does not fingerprint, so a stylesheet edit changes no page."""

    def __init__(self, urls: Urls, statics: Mapping[str, str], fingerprint: bool):
        self._urls, self._statics, self._fingerprint = urls, statics, fingerprint

    def __call__(self, name: str) -> str:
        if not (self._fingerprint and name.endswith(FINGERPRINTED)):
            return self._urls.path(name)
        if name not in self._statics:
            raise LookupError(f"asset(): there is no static/{name} to link")
        return self._urls.path(fingerprinted(name, self._statics[name]))


def collisions(site: SitePlan, statics: list[PagePlan]) -> list[Problem]:
    """Return a problem for each static file that would replace a generated file."""
    return [Problem(Code.URL_COLLISION, f"static/{plan.output}", "", f"this file would replace the generated page /{plan.output}.",
                    hint="rename or remove the static file.")
            for plan in statics if plan.output in site.outputs]


# --- Rendering ----------------------------------------------------------------------

Watch = Callable[[Callable[[Catalog, Mapping[str, str]], bytes]], tuple[bytes, tuple]]
"""Runs one page's rendering against a catalog and the static files' hashes; returns its bytes and what it
read (see `incremental`)."""


def render_pages(plans: list[PagePlan], catalog: Catalog, statics: Mapping[str, str], fingerprint: bool, urls: Urls,
                 env: jinja2.Environment, jobs: int, site_dir: Path, template_dirs: list[Path],
                 deliver: Callable[[PagePlan, bytes], Any],
                 watch: Watch | None = None) -> Iterator[list[tuple[PagePlan, Any, Problem | None, tuple]]]:
    """Render plans on every core; yield, part by part, each plan with what `deliver(plan, bytes)` made of
    its bytes (or its problem), and its reads.

    `deliver` runs where the page rendered, so a page's bytes need not travel back to
    this process: the caller passes the function that stores them.
    """
    watch = watch or (lambda make: (make(catalog, statics), ()))

    def render_one(plan: PagePlan) -> tuple[PagePlan, Any, Problem | None, tuple]:
        try:
            data, reads = watch(lambda seen, hashes: render_page(env, plan, seen, urls, Assets(urls, hashes, fingerprint)))
        except TemplateFailure as failure:
            return plan, None, template_problem(failure.__cause__, plan, template_dirs, site_dir), ()
        return plan, deliver(plan, data), None, reads

    for _, rendered in workers.run(render_one, plans, jobs, chunk=32):
        yield rendered


def make_environment(template_dirs: list[Path], urls: Urls, markdown: filters.Markdown,
                     loader: jinja2.BaseLoader | None = None) -> jinja2.Environment:
    """Return the Jinja environment: the site's templates first, then the bundled theme.

    `loader`, when given, stands between the environment and those folders (the
    incremental build passes one that notes every template a page loads).
    """
    folders = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs])
    env = jinja2.Environment(
        loader=loader or folders,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        markdown=lambda text, shift=0: markdown.block(text, shift),
        markdown_inline=markdown.inline,
        plain=lambda text: markdown.inline(text).striptags(),
        jsonld=lambda model, url: filters.json_script(exports.model_jsonld(model, url)),
        atom_date=filters.atom_date,
        count=filters.human_count,
        parameters=filters.parameters,
        tokens=filters.tokens,
        long_date=filters.long_date,
        number=filters.number,
        price=filters.price_pair,
        pricing=filters.pricing_text,
        modality=filters.modality,
        unit_prices=filters.unit_prices,
        money=filters.money,
        score_details=filters.score_details,
        score=filters.score_text,
        host=filters.host,
        json_script=filters.json_script,
        slugify=slugify,
        href=urls.href,
        url=urls.path,
        absolute=urls.absolute,
    )
    snippets = filters.Snippets(urls.href)
    env.globals.update(urls=urls, searched=SEARCHED, bar_fraction=filters.bar_fraction, unit_suffix=filters.unit_suffix,
                       score=snippets.score, source_link=snippets.source_link, status_badge=snippets.status_badge,
                       missing=snippets.missing, marks_title=filters.marks_title)
    # Format v2: prices and providers, leaderboards by variant, who measured a figure.
    env.globals.update(price_text=tables.price_text, paid_from=tables.paid_from, offer_rows=tables.offer_rows,
                       offer_columns=tables.offer_columns, price_details=tables.price_details,
                       score_columns=tables.score_columns, board_key=board_key,
                       leaderboards=tables.leaderboards, evaluators=filters.EVALUATOR_LABELS,
                       evaluator_titles=filters.EVALUATOR_TITLES)
    return env


class TemplateFailure(Exception):
    """A template failed to render: the site author's problem, not a bug in modelcat (its cause says what)."""


def render_page(env: jinja2.Environment, plan: PagePlan, catalog: Catalog, urls: Urls, asset: Assets) -> bytes:
    """Return one file of the site: a page rendered with its template, or a data file's bytes.

    Every template gets `site`, `catalog`, `page` and `asset`, besides its own context.
    A template's failure raises TemplateFailure; anything else raised is a bug.
    """
    gathered = plan.gather(catalog, urls, *plan.args)
    if plan.template is None:
        return gathered
    meta, context = gathered
    try:
        template = env.get_template(plan.template)
        return template.render(site=catalog.site, catalog=catalog, page=meta, asset=asset, **context).encode()
    except Exception as exc:  # noqa: BLE001 - whatever a template raises is reported as a template problem
        raise TemplateFailure(plan.template) from exc


def template_problem(exc: Exception, plan: PagePlan, template_dirs: list[Path], site_dir: Path) -> Problem:
    """Return a template failure as a problem naming the template file, its line and the page."""
    path, line = plan.template, None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        path, line = exc.filename, exc.lineno
    else:
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if any(Path(frame.filename).is_relative_to(d) for d in template_dirs):
                path, line = frame.filename, frame.lineno
                break
    shown, site_dir = Path(path), site_dir.resolve()
    if shown.is_absolute() and shown.is_relative_to(site_dir):
        shown = shown.relative_to(site_dir)
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    page = "/" + plan.url
    return Problem(Code.TEMPLATE_ERROR, shown.as_posix(), "", f"{type(exc).__name__}: {message} (while rendering {page}).",
                   line=line, hint="fix the template; the last good site stays as it was.")


def one_per_template(problems: list[Problem]) -> list[Problem]:
    """Keep the first failure of each template line: one broken line breaks many pages."""
    seen, kept = set(), []
    for problem in problems:
        key = (problem.path, problem.line)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept
