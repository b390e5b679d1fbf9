"""Jinja environment, the list of pages, and each page rendered to bytes.

Rendering touches no disk beyond reading templates: it returns files as bytes, and
`write` publishes them. Templates run with StrictUndefined and autoescaping, so a
misspelt variable is an error and every string from content is escaped.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from generator import charts, exports, filters, tables
from generator.cache import DIRECT, Memo
from generator.catalog import Catalog, Term, slugify
from generator.schema import Model
from generator.errors import Code, Problem
from generator.urls import Urls, output_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageMeta:
    """What base.html needs to know about the page it wraps."""

    url: str
    """Relative URL, e.g. "models/x/"; "" for the home page."""
    title: str
    description: str = ""
    kind: str = "page"


@dataclass(frozen=True)
class PagePlan:
    """One file of the site: where it goes, its template (None for a data file), and how its content is gathered.

    `make` is given the catalog (and a `Memo` for parts worth keeping between
    builds) and returns (PageMeta, context) for a page, or the
    bytes of a data file. It runs only when the file must be rendered, against a
    catalog that records what it reads (see `deps`): what a page gathers counts among
    its dependencies exactly like what its template reads.
    """

    output: str
    kind: str
    template: str | None
    make: Callable[..., Any]

    @property
    def url(self) -> str:
        """The page's relative URL: "models/x/" for "models/x/index.html"."""
        return self.output.removesuffix("index.html")


# --- The page list ------------------------------------------------------------------


def plan_outputs(catalog: Catalog, urls: Urls) -> list[PagePlan]:
    """Return every file the site publishes, in a fixed order: pages, then data exports.

    Only which files exist is decided here; what each shows is gathered when it renders.
    """
    plans = [_page("", "home", "index.html", _home_page)]
    plans += [_page(urls.model(slug), "model", "model.html", partial(_model_page, slug=slug, urls=urls))
              for slug in catalog.models]
    plans.append(_page("compare/", "compare", "compare.html", partial(
        _fixed_page, meta=PageMeta("compare/", "Compare models", "Curated comparison tables, and any models side by side.",
                                   "compare"))))
    plans += [_page(urls.comparison(slug), "comparison", "comparison.html", partial(_comparison_page, slug=slug, urls=urls))
              for slug in catalog.comparisons]
    plans.append(_page("benchmarks/", "benchmarks", "benchmarks.html", partial(
        _fixed_page, meta=PageMeta("benchmarks/", "Benchmarks", "Leaderboards, one per benchmark.", "benchmarks"))))
    plans += [_page(urls.benchmark(bid), "benchmark", "benchmark.html", partial(_benchmark_page, benchmark_id=bid, urls=urls))
              for bid in catalog.benchmarks]
    for taxonomy, terms in catalog.taxonomies.items():
        plans.append(_page(f"{taxonomy}/", "taxonomy", "taxonomy_index.html", partial(_taxonomy_page, taxonomy=taxonomy)))
        plans += [_page(urls.term(taxonomy, slug), "term", "taxonomy.html",
                        partial(_term_page, taxonomy=taxonomy, slug=slug, urls=urls)) for slug in terms]
    plans += [_page(urls.page(slug), "page", "page.html", partial(_free_page, slug=slug, urls=urls))
              for slug in catalog.pages]
    plans.append(_page("404.html", "404", "404.html", partial(_fixed_page, meta=PageMeta("404.html", "Page not found", "", "404"))))
    listed = tuple((plan.url, plan.make.keywords.get("slug") if plan.kind == "model" else None) for plan in plans
                   if plan.kind != "404")
    plans.append(_page("sitemap.xml", "xml", "sitemap.xml", partial(_sitemap, pages=listed)))
    plans.append(_page("feed.xml", "xml", "feed.xml", _feed))
    plans.append(_page("robots.txt", "text", "robots.txt", partial(_fixed_page, meta=PageMeta("robots.txt", "", "", "text"))))
    plans += [PagePlan("api/models.json", "export", None, partial(exports.models_json, urls=urls)),
              PagePlan("api/index.json", "export", None, partial(exports.index_json, urls=urls)),
              PagePlan("api/models.csv", "export", None, partial(exports.models_csv, urls=urls))]
    plans += [PagePlan(urls.model_json(slug), "export", None, partial(_model_export, slug=slug, urls=urls))
              for slug in catalog.models]
    return plans


def _page(url: str, kind: str, template: str, make: Callable) -> PagePlan:
    return PagePlan(output_file(url), kind, template, make)


def _fixed_page(catalog: Catalog, memo: Memo, meta: PageMeta) -> tuple[PageMeta, dict]:
    return meta, {}


def _home_page(catalog: Catalog, memo: Memo) -> tuple[PageMeta, dict]:
    site = catalog.site
    retired = [m for m in catalog.models.values() if not m.is_listed]
    return PageMeta("", site.title, site.description or "", "home"), {
        "listing": tables.listing(catalog.listed), "retired": tables.listing(retired), "facets": _facets(catalog)}


def _model_page(catalog: Catalog, memo: Memo, slug: str, urls: Urls) -> tuple[PageMeta, dict]:
    model = catalog.models[slug]
    return PageMeta(urls.model(slug), model.name, model.summary, "model"), {
        "model": model, "ranks": catalog.ranks.get(slug, {})}


def _comparison_page(catalog: Catalog, memo: Memo, slug: str, urls: Urls) -> tuple[PageMeta, dict]:
    comparison = catalog.comparisons[slug]
    table = tables.comparison_table(comparison, catalog)
    meta = PageMeta(urls.comparison(slug), comparison.title, comparison.description or comparison.title, "comparison")
    return meta, {"comparison": comparison, "table": table, "charts": charts.comparison_charts(table)}


def _benchmark_page(catalog: Catalog, memo: Memo, benchmark_id: str, urls: Urls) -> tuple[PageMeta, dict]:
    benchmark = catalog.benchmarks[benchmark_id]
    board = tables.leaderboard(benchmark, catalog)
    meta = PageMeta(urls.benchmark(benchmark_id), f"{benchmark.name} leaderboard",
                    benchmark.description or f"Models ranked by {benchmark.name}.", "benchmark")
    return meta, {"benchmark": benchmark, "board": board, "chart": charts.leaderboard_chart(board) if board.rows else None}


def _taxonomy_page(catalog: Catalog, memo: Memo, taxonomy: str) -> tuple[PageMeta, dict]:
    meta = PageMeta(f"{taxonomy}/", taxonomy.capitalize(), f"Models by {taxonomy[:-1]}.", "taxonomy")
    return meta, {"taxonomy": taxonomy, "terms": catalog.taxonomies[taxonomy]}


def _term_page(catalog: Catalog, memo: Memo, taxonomy: str, slug: str, urls: Urls) -> tuple[PageMeta, dict]:
    term = catalog.taxonomies[taxonomy][slug]
    return _term_meta(term, urls), {
        "taxonomy": taxonomy, "term": term, "listing": tables.listing(term.listed),
        "retired": tables.listing([m for m in term.models if not m.is_listed])}


def _free_page(catalog: Catalog, memo: Memo, slug: str, urls: Urls) -> tuple[PageMeta, dict]:
    page = catalog.pages[slug]
    return PageMeta(urls.page(slug), page.title, page.description or "", "page"), {"content": page}


def _sitemap(catalog: Catalog, memo: Memo, pages: tuple[tuple[str, str | None], ...]) -> tuple[PageMeta, dict]:
    """Every page's URL, and for model pages the day they were last reviewed."""
    entries = [(url, catalog.models[slug].updated if slug else None) for url, slug in pages]
    return PageMeta("sitemap.xml", "", "", "xml"), {"entries": entries}


def _feed(catalog: Catalog, memo: Memo) -> tuple[PageMeta, dict]:
    return PageMeta("feed.xml", "", "", "xml"), {"entries": _feed_entries(catalog)}


def _model_export(catalog: Catalog, memo: Memo, slug: str, urls: Urls) -> bytes:
    model = catalog.models[slug]
    return exports.model_json(model, exports.referenced_names(model, catalog), urls)


FEED_SIZE = 50


def _feed_entries(catalog: Catalog) -> list:
    """Return the models the feed carries: the most recently released or reviewed first."""
    def newest(model: Model) -> tuple:
        released = model.release_date if len(model.release_date) == 10 else model.release_date + "-01"
        return max(model.updated or "", released), model.release_date, model.slug

    models = sorted(catalog.models.values(), key=newest, reverse=True)
    return models[:FEED_SIZE]


@dataclass(frozen=True)
class Facet:
    """One choice of a listing filter, with how many listed models it keeps."""

    value: str
    label: str
    count: int


def _facets(catalog: Catalog) -> dict[str, list[Facet]]:
    """Return the filter choices of the catalog page: terms of listed models, benchmarks with results."""
    listed = set(m.slug for m in catalog.listed)
    facets = {}
    for taxonomy, terms in catalog.taxonomies.items():
        choices = [Facet(t.slug, t.name, sum(m.slug in listed for m in t.models)) for t in terms.values()]
        facets[taxonomy] = sorted((f for f in choices if f.count), key=lambda f: f.label.lower())
    facets["benchmarks"] = [Facet(b.id, b.name, sum(r.model.slug in listed for r in catalog.leaderboards[b.id]))
                            for b in catalog.benchmarks.values()]
    return facets


def _term_meta(term: Term, urls: Urls) -> PageMeta:
    noun = {"developers": "by", "domains": "for", "modalities": "with input:"}[term.taxonomy]
    return PageMeta(urls.term(term.taxonomy, term.slug), f"Models {noun} {term.name}",
                    f"{len(term.models)} models {noun} {term.name}.", "term")


# --- Rendering ----------------------------------------------------------------------


def make_environment(template_dirs: list[Path], urls: Urls, markdown: filters.Markdown) -> jinja2.Environment:
    """Return the Jinja environment: the site's templates first, then the bundled theme."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in template_dirs]),
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
        score=filters.score_text,
        host=filters.host,
        json_script=filters.json_script,
        slugify=slugify,
        href=urls.href,
        url=urls.path,
        absolute=urls.absolute,
    )
    snippets = filters.Snippets(urls.href)
    env.globals.update(urls=urls, bar_fraction=filters.bar_fraction, unit_suffix=filters.unit_suffix,
                       score=snippets.score, source_link=snippets.source_link, status_badge=snippets.status_badge,
                       missing=snippets.missing, marks_title=filters.marks_title, price_text=tables.price_text)
    return env


def gather(plan: PagePlan, catalog: Catalog, memo: Memo = DIRECT) -> Any:
    """Return what a plan needs to render: (PageMeta, context) for a page, the bytes of a data file."""
    return plan.make(catalog, memo=memo)


def render_page(env: jinja2.Environment, plan: PagePlan, gathered: tuple[PageMeta, dict], catalog: Catalog) -> bytes:
    """Render one page with the context every template gets: site, catalog, page."""
    meta, context = gathered
    template = env.get_template(plan.template)
    return template.render(site=catalog.site, catalog=catalog, page=meta, **context).encode()


def template_closure(env: jinja2.Environment, name: str) -> list[str]:
    """Return a template and every template it extends, includes or imports, sorted."""
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = env.loader.get_source(env, current)[0]
            pending.extend(n for n in jinja2.meta.find_referenced_templates(env.parse(source)) if n)
        except jinja2.TemplateError:
            continue  # rendering reports it, with its file and line
    return sorted(seen)


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
