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

from generator import exports, filters
from generator.catalog import Catalog, Term, slugify
from generator.errors import Code, Problem
from generator.schema import BUILTIN_COLUMNS, Benchmark, Comparison, Model, Score
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


# --- Comparison tables --------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    value: float | None = None
    """The number compared for the "best" mark, when the column has a direction."""
    best: bool = False
    score: Score | None = None
    href: str | None = None
    title: str | None = None
    """Tooltip, e.g. why a value is missing."""


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    benchmark: Benchmark | None = None


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Model, tuple[Cell, ...]], ...]


_COLUMN_LABELS = {
    "parameters": "Parameters", "context_window": "Context", "price": "Price (in / out per 1M tokens)",
    "license": "License", "release_date": "Released", "developer": "Developer",
}
MISSING = "—"


def price_text(model: Model) -> str:
    """Return the price as the comparison table shows it (the seed card's rule)."""
    if model.pricing is not None:
        return filters.price_pair(model.pricing)
    if model.pricing_known and model.open_weights:
        return "Free (open weights)"
    return MISSING


def _builtin_cell(column: str, model: Model, urls: Urls) -> Cell:
    if column == "parameters":
        return Cell(filters.parameters(model.parameters)) if model.parameters else Cell(MISSING, title="Not published")
    if column == "context_window":
        if model.context_window is None:
            return Cell(MISSING, title="Not published")
        return Cell(filters.tokens(model.context_window), value=model.context_window)
    if column == "price":
        return Cell(price_text(model))
    if column == "license":
        lic = model.license
        return Cell(lic.title, href=lic.link) if lic else Cell(MISSING, title="Not published")
    if column == "release_date":
        return Cell(filters.long_date(model.release_date))
    return Cell(model.developer, href=urls.path(urls.term("developers", slugify(model.developer))))


def comparison_table(comparison: Comparison, catalog: Catalog, urls: Urls) -> Table:
    """Build a comparison's table from the entries; the best figure per column is marked."""
    models = [catalog.models[slug] for slug in comparison.models]
    columns, by_column = [], []
    for column_id in comparison.columns:
        benchmark = catalog.benchmarks.get(column_id)
        if benchmark is not None:
            columns.append(Column(column_id, benchmark.name, benchmark))
            cells = [_score_cell(m.benchmarks.get(column_id), benchmark) for m in models]
            higher = benchmark.higher_is_better
        else:
            columns.append(Column(column_id, _COLUMN_LABELS[column_id]))
            cells = [_builtin_cell(column_id, m, urls) for m in models]
            higher = True
        by_column.append(_mark_best(cells, higher))
    rows = tuple((m, tuple(column[i] for column in by_column)) for i, m in enumerate(models))
    return Table(tuple(columns), rows)


def _score_cell(score: Score | None, benchmark: Benchmark) -> Cell:
    if score is None:
        return Cell(MISSING, title="No published result")
    return Cell(filters.score_text(score, benchmark), value=score.value, score=score)


def _mark_best(cells: list[Cell], higher_is_better: bool) -> list[Cell]:
    values = [c.value for c in cells if c.value is not None]
    if len(values) < 2:
        return cells
    best = max(values) if higher_is_better else min(values)
    return [Cell(c.text, c.value, True, c.score, c.href, c.title) if c.value == best else c for c in cells]


# --- The page list ------------------------------------------------------------------


def plan_pages(catalog: Catalog, urls: Urls) -> list[PagePlan]:
    """Return every HTML and XML page of the site, in a fixed order."""
    site = catalog.site
    plans = [PagePlan(PageMeta("", site.title, site.description or "", "home"), "index.html")]
    for model in catalog.models.values():
        plans.append(PagePlan(PageMeta(urls.model(model.slug), model.name, model.summary, "model"),
                              "model.html", {"model": model}))
    plans.append(PagePlan(PageMeta("compare/", "Comparisons", "Curated comparison tables of models.", "compare"),
                          "compare.html"))
    for comparison in catalog.comparisons.values():
        description = comparison.description or comparison.title
        plans.append(PagePlan(PageMeta(urls.comparison(comparison.slug), comparison.title, description, "comparison"),
                              "comparison.html",
                              {"comparison": comparison, "table": comparison_table(comparison, catalog, urls)}))
    plans.append(PagePlan(PageMeta("benchmarks/", "Benchmarks", "Leaderboards, one per benchmark.", "benchmarks"),
                          "benchmarks.html"))
    for benchmark in catalog.benchmarks.values():
        plans.append(PagePlan(PageMeta(urls.benchmark(benchmark.id), f"{benchmark.name} leaderboard",
                                       benchmark.description or f"Models ranked by {benchmark.name}.", "benchmark"),
                              "benchmark.html", {"benchmark": benchmark, "rows": catalog.leaderboards[benchmark.id]}))
    for taxonomy, terms in catalog.taxonomies.items():
        title = taxonomy.capitalize()
        plans.append(PagePlan(PageMeta(f"{taxonomy}/", title, f"Models by {taxonomy[:-1]}.", "taxonomy"),
                              "taxonomy_index.html", {"taxonomy": taxonomy, "terms": terms}))
        for term in terms.values():
            plans.append(PagePlan(_term_meta(term, urls), "taxonomy.html", {"taxonomy": taxonomy, "term": term}))
    for page in catalog.pages.values():
        plans.append(PagePlan(PageMeta(urls.page(page.slug), page.title, page.description or "", "page"),
                              "page.html", {"content": page}))
    plans.append(PagePlan(PageMeta("404.html", "Page not found", "", "404"), "404.html"))
    plans.append(PagePlan(PageMeta("sitemap.xml", "", "", "xml"), "sitemap.xml", {"plans": tuple(plans)}))
    plans.append(PagePlan(PageMeta("feed.xml", "", "", "xml"), "feed.xml"))
    plans.append(PagePlan(PageMeta("robots.txt", "", "", "text"), "robots.txt"))
    return plans


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
    env.globals.update(urls=urls, price_text=price_text, bar_fraction=filters.bar_fraction,
                       unit_suffix=filters.unit_suffix, builtin_columns=BUILTIN_COLUMNS)
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
                    ExportPlan("api/models.csv", exports.models_csv, (catalog, urls))]
    exports_plan += [ExportPlan(urls.model_json(m.slug), exports.model_json, (m, urls)) for m in catalog.models.values()]
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
