"""Pure display formatting: counts, dates, prices, scores and Markdown.

Every function here turns a typed value into text for a page and has no other
effect, so templates stay declarative and the rules live in one tested place.
Markdown is rendered with raw HTML off and with the same URL policy as the schema:
a `javascript:` or `data:` link in a description renders as plain text.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from generator.native_markdown import render_block
from generator.schema import Benchmark, Model, Parameters, Pricing, Score, Source
from generator.validate import RENDER_NESTING

_UNITS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K"))


def human_count(value: float) -> str:
    """Return 4.3e9 as "4.3B", 46.7e9 as "46.7B", 135e6 as "135M" (three significant digits; 1,000T and up in full)."""
    size, suffix = next(((size, suffix) for size, suffix in _UNITS if value >= size), (1, ""))
    text = f"{value / size:.3g}"
    return (f"{value / size:,.0f}" if "e+" in text else text) + suffix  # "1,000T", not "1e+03T"


def parameters(value: Parameters) -> str:
    """Return "4B", or "46.7B (12.9B active)" for a mixture of experts."""
    text = human_count(value.total)
    return f"{text} ({human_count(value.active)} active)" if value.active else text


def tokens(value: int) -> str:
    """Return a token count as "128K" or "1M": 128000 and 131072 both read "128K", as model cards write them.

    The unit goes by size first, so 1,050,000 reads "1.05M" (never "1050K"); a round
    multiple of a thousand or of 1,024 is then printed whole.
    """
    for decimal, binary, suffix in ((10**6, 1 << 20, "M"), (10**3, 1 << 10, "K")):
        if value >= decimal:
            for size in (decimal, binary):
                if value % size == 0:
                    return f"{value // size}{suffix}"
            return f"{value / decimal:.3g}{suffix}"
    return str(value)


def long_date(iso: str) -> str:
    """Return "2025-07-09" as "9 July 2025" and "2025-07" as "July 2025"."""
    parts = [int(p) for p in iso.split("-")]
    day = dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
    return f"{day.day} {day:%B %Y}" if len(parts) == 3 else f"{day:%B %Y}"


def number(value: float) -> str:
    """Return a figure without a trailing ".0": 81.0 -> "81", 64.4 -> "64.4"."""
    return f"{value:,.10g}" if abs(value) >= 10000 else f"{value:.10g}"


_CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "¥"}


def money(value: float, currency: str) -> str:
    """Return a price as "$0.15", "$0.625", "$0.075", "$0.00002" or "0.15 CHF" (never in e-notation).

    Cents are shown always; smaller fractions only where a price has them (a cache
    price of $0.625 must not read "$0.62").
    """
    if value == 0 or (value >= 0.1 and abs(round(value, 2) - value) < 1e-9):
        amount = f"{value:.2f}"
    elif value >= 0.1:
        amount = f"{value:.4f}".rstrip("0")
    else:  # four significant digits, written out: 2e-05 reads "0.00002"
        amount = f"{float(f'{value:.4g}'):.12f}".rstrip("0")
    sign = _CURRENCY_SIGNS.get(currency)
    return f"{sign}{amount}" if sign else f"{amount} {currency}"


def price_pair(pricing: Pricing) -> str:
    """Return "$0.15 / $0.60" for input / output per million tokens; "—" for an unknown side."""
    sides = [money(v, pricing.currency) if v is not None else "—" for v in (pricing.input_per_mtok, pricing.output_per_mtok)]
    return " / ".join(sides)


def modality(name: str) -> str:
    """Return a modality as pages name it: "Text", "PDF"."""
    return "PDF" if name == "pdf" else name.capitalize()


UNIT_LABELS = {"image": "image", "second": "second", "minute": "minute", "request": "request", "page": "page",
               "million_characters": "1M characters"}


def unit_prices(pricing: Pricing) -> str:
    """Return per-unit prices as "$0.04 / image" (several joined by " · "); "" when there are none."""
    charged = pricing.per_unit.charged() if pricing.per_unit else []
    return " · ".join(f"{money(price, pricing.currency)} / {UNIT_LABELS[unit]}" for unit, price in charged)


def pricing_text(pricing: Pricing) -> str:
    """Return a price in one line: "Free", "$0.15 / $0.60" (per 1M tokens in / out), "$0.04 / image",
    or the plan ("Subscription"); a free or plan price never reads "$0.00"."""
    if pricing.free:
        return "Free"
    if pricing.token_priced:
        return price_pair(pricing)
    if pricing.per_unit and pricing.per_unit.charged():
        return unit_prices(pricing)
    if pricing.plan:
        return pricing.plan[:1].upper() + pricing.plan[1:]
    return price_pair(pricing)


def unit_suffix(benchmark: Benchmark) -> str:
    """Return how a unit follows a number: "%" sticks, other units follow a space."""
    if not benchmark.unit:
        return ""
    return benchmark.unit if benchmark.unit in ("%",) or benchmark.unit.startswith("/") else f"\u00a0{benchmark.unit}"


def shown(value: float, benchmark: Benchmark) -> float:
    """Return a figure as pages print it: a fraction-scale percentage (0.93) as 93."""
    return value * 100 if benchmark.is_fraction else value


def score_text(score: Score, benchmark: Benchmark) -> str:
    """Return "~64.4%" or "45% est.": the figure with its unit and its approximate and estimated marks."""
    text = ("~" if score.approx else "") + number(shown(score.value, benchmark)) + unit_suffix(benchmark)
    return text + " est." if score.estimated else text


def bar_fraction(value: float, benchmark: Benchmark, top: float) -> float:
    """Return where a score sits on its scale (0..1), for inline bars.

    Percentages sit on 0..100, others on the benchmark's `max` or, failing that,
    the best score on the board. Lower-is-better figures are not drawn inverted:
    the bar shows the magnitude and the ranking says which way is better.
    """
    scale = benchmark.scale_max or top
    return max(0.0, min(1.0, value / scale)) if scale > 0 else 0.0


def atom_date(iso: str) -> str:
    """Return a day or month as an Atom timestamp: "2025-07" -> "2025-07-01T00:00:00Z"."""
    return (iso + "-01" if len(iso) == 7 else iso) + "T00:00:00Z"


# --- Small pieces of HTML ----------------------------------------------------------
# Listings and leaderboards print these thousands of times per page; as Python they
# cost a fraction of the equivalent Jinja macros, and escaping stays explicit.


EVALUATOR_LABELS = {"developer": "Developer", "third_party": "Third party", "platform": "Platform (verified)"}
EVALUATOR_TITLES = {
    "developer": "Self-reported by the developer, not independently measured",
    "third_party": "Measured by an independent party",
    "platform": "Measured by the platform that hosts the results (a verified evaluation)",
}


def marks_title(score: Score) -> str:
    """Return the tooltip naming a figure's marks: approximate, estimated, self-reported, measured on another model."""
    marks = (("Approximate figure", score.approx), ("Estimate, not a measurement", score.estimated),
             ("Self-reported by the developer", score.self_reported),
             ("Measured on another model", score.measured_on is not None))
    return "; ".join(text for text, on in marks if on)


def score_details(score: Score) -> str:
    """Return how a figure was measured, beyond its setting: "accuracy · test split · 5-shot · v2"."""
    parts = [score.metric, f"{score.split} split" if score.split else None,
             f"{score.shots}-shot" if score.shots is not None and score.setting is not None else None,
             f"version {score.version}" if score.version else None]
    return " · ".join(part for part in parts if part)


class Snippets:
    """HTML fragments templates share, with links under the site's base path."""

    def __init__(self, href: Callable[[str], str]):
        self._href = href

    def score(self, score: Score, benchmark: Benchmark, link: bool = False) -> Markup:
        """A score with its ~ and est. marks, a self-reported label, and (with `link`) its source one click away."""
        why = marks_title(score)
        text = escape(score_text(score, benchmark))
        if link and score.source:
            source = score.source
            title = (why + ". " if why else "") + "Source: " + (source.title or host(source.url))
            html = f'<a class="score" href="{escape(self._href(source.url))}" rel="noopener" title="{escape(title)}">{text}</a>'
        else:
            html = f'<span class="score" title="{escape(why)}">{text}</span>' if why else f'<span class="score">{text}</span>'
        if score.self_reported:
            html += ' <span class="mark" title="Self-reported by the developer, not independently measured">self-reported</span>'
        if score.measured_on is not None:
            html += ' <span class="mark mark-base" title="Measured on another model, not this one">base model</span>'
        return Markup(html)

    def source_link(self, source: Source) -> Markup:
        return Markup(f'<a class="source-link" href="{escape(self._href(source.url))}" rel="noopener">'
                      f'{escape(source.title or host(source.url))}</a>')

    @staticmethod
    def status_badge(model: Model) -> Markup:
        """The marks a listing row carries beside a model's name (see `status_marks`)."""
        html = ""
        for kind, text, title in status_marks(model):
            space = " " if kind == "draft" else ""
            title_attr = f' title="{escape(title)}"' if title else ""
            html += f'{space}<span class="badge badge-{escape(kind)}"{title_attr}>{escape(text)}</span>'
        return Markup(html)

    @staticmethod
    def missing(reason: str = "Not published") -> Markup:
        return Markup(f'<span class="missing" title="{escape(reason)}">—<span class="visually-hidden"> ({escape(reason.lower())})</span></span>')


DRAFT_TITLE = "Not published: a build leaves drafts out"


def status_marks(model: Model) -> list[tuple[str, str, str | None]]:
    """Return the badges beside a model's name in a listing, as (kind, text, tooltip): draft (only a
    preview shows drafts), preview, deprecated, retired ("Retired 1 January 2024")."""
    marks: list[tuple[str, str, str | None]] = [("draft", "Draft", DRAFT_TITLE)] if model.draft else []
    if model.status == "preview":
        marks.append(("preview", "Preview", None))
    elif model.status != "active":
        since = f" {long_date(model.status_date)}" if model.status_date else ""
        marks.append((model.status, model.status.capitalize() + since, None))
    return marks


def host(url: str) -> str:
    """Return the host of a URL for link text, without "www."; the URL itself for site paths."""
    name = urlsplit(url).hostname or url
    return name.removeprefix("www.")


def json_script(value: object) -> Markup:
    """Return JSON safe inside a <script> element: no "</script>", no HTML comment openers."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- Markdown ----------------------------------------------------------------------

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def safe_link(url: str) -> bool:
    """Allow http, https and mailto links and relative links; refuse every other scheme."""
    match = _SCHEME.match(url.strip())
    return match is None or match.group(1).lower() in ("http", "https", "mailto")


_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]!<>&~\n\r\t\x00]|^\s|\s$")
"""Characters that may start inline Markdown (escapes, code, emphasis, links, images,
autolinks, entities, strikethrough, line breaks); text without them renders as itself."""


def _escape_like_markdown_it(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class Markdown:
    """markdown-it-py with raw HTML off, safe links, site paths under the base path.

    Block texts go through markdown-it-pyrs where it provably gives the same HTML
    (see `native_markdown`), twenty times faster; markdown-it-py renders the rest and
    stays the reference, and the only place a plugin or rule is added.

    Each distinct text is rendered once: results go into `store` (the build cache
    keeps it between builds), and those made since the last `take_fresh` are
    handed back, so work done in a worker process reaches the cache.
    """

    def __init__(self, base_path: str, store: dict | None = None, keep_blocks: bool = True, native: bool = True):
        self.base_path = base_path
        self._native = native
        """False renders every text with markdown-it-py, the reference."""
        # The nesting limit is raised to what validation allows: at CommonMark's 20 a list nine
        # deep would silently lose the rest of the text.
        self._md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False,
                                             "maxNesting": RENDER_NESTING})
        self._md.enable(["table", "strikethrough"])
        self._md.validateLink = safe_link
        self._md.core.ruler.push("modelcat_site", self._rewrite)
        self._store = store if store is not None else {}
        self._keep_blocks = keep_blocks
        """A build that keeps no cache renders each description once anyway: keeping them costs memory only."""
        self._fresh: dict = {}

    def block(self, text: str, heading_shift: int = 0) -> Markup:
        """Return block Markdown as HTML, its headings moved down by `heading_shift` levels."""
        return self._cached(text, heading_shift)

    def inline(self, text: str) -> Markup:
        """Return inline Markdown (no paragraphs) as HTML."""
        return self._cached(text, -1)

    def take_fresh(self) -> dict:
        """Return, and forget, the results rendered since the last call."""
        fresh, self._fresh = self._fresh, {}
        return fresh

    def _cached(self, text: str, mode: int) -> Markup:
        key = (self.base_path, mode, text)
        html = self._store.get(key)
        if html is None and mode >= 0 and not self._keep_blocks:
            return Markup(self._block(text, mode))
        if html is None:
            if mode < 0 and not _INLINE_SYNTAX.search(text):
                html = _escape_like_markdown_it(text)  # no Markdown syntax: the text itself, escaped
            elif mode < 0:
                html = self._md.renderInline(text)
            else:
                html = self._block(text, mode)
            self._store[key] = self._fresh[key] = html
        return Markup(html)

    def _block(self, text: str, heading_shift: int) -> str:
        html = render_block(text, heading_shift, self.base_path, safe_link) if self._native else None
        return html if html is not None else self._md.render(text, {"heading_shift": heading_shift})

    def _rewrite(self, state) -> None:
        """Demote headings below the page's own, and put site paths under the base path.

        The text's highest heading counts as level 1 before the shift, so a description
        that starts at "##" nests under its section as one that starts at "#" does,
        without skipping a level.
        """
        shift = state.env.get("heading_shift", 0)
        if shift:
            shift -= min((int(t.tag[1]) for t in state.tokens if t.type == "heading_open"), default=1) - 1
        for token in state.tokens:
            if shift and token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
            for child in token.children or ():
                for attr in ("href", "src"):
                    value = child.attrs.get(attr)
                    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
                        child.attrs[attr] = self.base_path + value[1:]
