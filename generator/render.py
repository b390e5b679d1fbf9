"""Jinja environment, the list of pages, and each page rendered to bytes.

Rendering touches no disk beyond reading templates: it returns files as bytes, and
`write` publishes them. Templates run with StrictUndefined and autoescaping, so a
misspelt variable is an error and every string from content is escaped.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from generator import charts, exports, filters, tables
from generator.catalog import Catalog, Term, slugify
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
    """One page to render: where it goes, which template, and what the template reads."""

    meta: PageMeta
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return output_file(self.meta.url)


# --- The page list ------------------------------------------------------------------


def plan_pages(catalog: Catalog, urls: Urls) -> list[PagePlan]:
    """Return every HTML and XML page of the site, in a fixed order."""
    site = catalog.site
    retired = [m for m in catalog.models.values() if not m.is_listed]
    plans = [PagePlan(PageMeta("", site.title, site.description or "", "home"), "index.html",
                      {"listing": tables.listing(catalog.listed), "retired": tables.listing(retired),
                       "facets": _facets(catalog)})]
    ranks = _ranks(catalog)
    for model in catalog.models.values():
        plans.append(PagePlan(PageMeta(urls.model(model.slug), model.name, model.summary, "model"),
                              "model.html", {"model": model, "ranks": ranks.get(model.slug, {})}))
    plans.append(PagePlan(PageMeta("compare/", "Compare models", "Curated comparison tables, and any models side by side.",
                                   "compare"), "compare.html"))
    for comparison in catalog.comparisons.values():
        description = comparison.description or comparison.title
        table = tables.comparison_table(comparison, catalog)
        plans.append(PagePlan(PageMeta(urls.comparison(comparison.slug), comparison.title, description, "comparison"),
                              "comparison.html",
                              {"comparison": comparison, "table": table, "charts": charts.comparison_charts(table)}))
    plans.append(PagePlan(PageMeta("benchmarks/", "Benchmarks", "Leaderboards, one per benchmark.", "benchmarks"),
                          "benchmarks.html"))
    for benchmark in catalog.benchmarks.values():
        board = tables.leaderboard(benchmark, catalog)
        plans.append(PagePlan(PageMeta(urls.benchmark(benchmark.id), f"{benchmark.name} leaderboard",
                                       benchmark.description or f"Models ranked by {benchmark.name}.", "benchmark"),
                              "benchmark.html",
                              {"benchmark": benchmark, "board": board,
                               "chart": charts.leaderboard_chart(board) if board.rows else None}))
    for taxonomy, terms in catalog.taxonomies.items():
        title = taxonomy.capitalize()
        plans.append(PagePlan(PageMeta(f"{taxonomy}/", title, f"Models by {taxonomy[:-1]}.", "taxonomy"),
                              "taxonomy_index.html", {"taxonomy": taxonomy, "terms": terms}))
        for term in terms.values():
            plans.append(PagePlan(_term_meta(term, urls), "taxonomy.html",
                                  {"taxonomy": taxonomy, "term": term, "listing": tables.listing(term.listed),
                                   "retired": tables.listing([m for m in term.models if not m.is_listed])}))
    for page in catalog.pages.values():
        plans.append(PagePlan(PageMeta(urls.page(page.slug), page.title, page.description or "", "page"),
                              "page.html", {"content": page}))
    plans.append(PagePlan(PageMeta("404.html", "Page not found", "", "404"), "404.html"))
    plans.append(PagePlan(PageMeta("sitemap.xml", "", "", "xml"), "sitemap.xml", {"plans": tuple(plans)}))
    plans.append(PagePlan(PageMeta("feed.xml", "", "", "xml"), "feed.xml", {"entries": _feed_entries(catalog)}))
    plans.append(PagePlan(PageMeta("robots.txt", "", "", "text"), "robots.txt"))
    return plans


def _ranks(catalog: Catalog) -> dict[str, dict[str, tuple[int, int]]]:
    """Return model slug -> benchmark id -> (the model's rank on that leaderboard, its length)."""
    ranks: dict[str, dict[str, tuple[int, int]]] = {}
    for benchmark_id, rows in catalog.leaderboards.items():
        for row in rows:
            ranks.setdefault(row.model.slug, {})[benchmark_id] = (row.rank, len(rows))
    return ranks


FEED_SIZE = 50


def _feed_entries(catalog: Catalog) -> list:
    """Return the models the feed carries: the most recently released or reviewed first."""
    models = sorted(catalog.models.values(), key=lambda m: (max(m.updated or "", m.release_date), m.slug), reverse=True)
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
                       missing=snippets.missing, marks_title=filters.marks_title)
    return env


@dataclass(frozen=True)
class ExportPlan:
    """One data file of the site, made by a function of the catalog's values."""

    output: str
    make: Callable[..., bytes]
    args: tuple


def plan_outputs(catalog: Catalog, urls: Urls) -> list[PagePlan | ExportPlan]:
    """Return every file the site publishes: pages, then data exports."""
    exports_plan = [ExportPlan("api/models.json", exports.models_json, (catalog, urls)),
                    ExportPlan("api/index.json", exports.index_json, (catalog, urls)),
                    ExportPlan("api/models.csv", exports.models_csv, (catalog, urls))]
    exports_plan += [ExportPlan(urls.model_json(m.slug), exports.model_json, (m, exports.referenced_names(m, catalog), urls))
                     for m in catalog.models.values()]
    return [*plan_pages(catalog, urls), *exports_plan]


def render_output(env: jinja2.Environment, plan: PagePlan | ExportPlan, catalog: Catalog) -> bytes:
    """Return one output's bytes."""
    if isinstance(plan, ExportPlan):
        return plan.make(*plan.args)
    return render_page(env, plan, catalog).encode()


def render_page(env: jinja2.Environment, plan: PagePlan, catalog: Catalog) -> str:
    """Render one page with the context every template gets: site, catalog, page."""
    template = env.get_template(plan.template)
    return template.render(site=catalog.site, catalog=catalog, page=plan.meta, **plan.context)


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
    page = "/" + plan.meta.url
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
