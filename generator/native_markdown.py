"""Block Markdown through markdown-it-pyrs, for the texts it renders exactly as markdown-it-py does.

markdown-it-py (see `filters.Markdown`) is the reference renderer; rendering a long
description with it costs most of a model page. markdown-it-pyrs, the Rust port of
markdown-it, renders the same text some twenty times faster, but it is not the same
program: it differs on a known set of constructs, found by rendering the CommonMark
spec examples, markdown-it's own fixtures, every text of the bench and bundled
catalogs and hundreds of thousands of generated texts with both (tests/test_native_markdown.py
keeps that comparison). `render_block` returns None for any text that could reach one
of them, and the caller renders it with markdown-it-py instead:

- reference definitions (`]:`): markdown-it-py checks their URLs with our link
  policy and keeps a refused one as text; markdown-it-pyrs drops them unseen;
- code spans and fences (a backtick, `~~~`): whitespace-only spans, unclosed fences,
  and a crash on `[a `b` c``;
- images (`![`): alt text loses escapes, entities and code;
- tables and blockquotes (`|`, `>`): a table without a pipe in its header, lazy
  continuation lines;
- autolinks (`<scheme:...>`, `<a@b>`): the link text is not percent-decoded nor
  its host shown in Unicode;
- Unicode whitespace and NUL (which becomes U+FFFD), and any non-ASCII character
  next to `*`, `_` or `~`: markdown-it-py counts Unicode symbols as punctuation and
  trims Unicode spaces;
- emphasis: markdown-it-pyrs keeps a lower bound per marker for openers it has
  searched in vain, and a later match that shrinks its list makes that bound skip
  valid openers. A search fails only for a closer that finds no opener; a closer that
  cannot also open then stays in the output as a literal `*`, `_` or `~`, so a text
  is refused if any delimiter run can both open and close, or if its output shows
  any of those characters as text;
- nesting: markdown-it-py stops at 20 levels (it drops the rest of the text), so
  containers nested 16 deep and texts with 16 or more `[` are refused;
- links: hosts outside ASCII (punycode in markdown-it-py), `[` and `]` in URLs,
  and every URL our policy refuses (`filters.safe_link`).

What remains is rewritten on the HTML: with raw HTML off, every `<` in the output
starts a tag the renderer wrote (text and attribute values are escaped), so
`<h2>`, `<a href="` and `<img src="` there are headings, links and images and
nothing else.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import markdown_it_pyrs

_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
          "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "strikethrough", "table"]
"""CommonMark without raw HTML, plus tables and strikethrough: the reference renderer's rules."""
_RENDERER = markdown_it_pyrs.MarkdownIt("zero").enable_many(_RULES)

_REFUSED_SUBSTRINGS = ("]:", "`", "~~~", "![", "|", ">", "\x00")
_REFUSED_CONTROL = re.compile(r"[\x0b\x0c\x1c-\x1f]")
_AUTOLINK = re.compile(r"<[^\s<>]*[:@]")
_REFUSED_UNICODE = re.compile(r"[*_~][^\x00-\x7f]|[^\x00-\x7f][*_~]|[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_DELIMITER_RUN = re.compile(r"[*_~]+(?=[^\s*_~])")
"""Runs of `*`, `_` or `~` followed by a character other than a space (the regular expression
starts with the run so that it is found by a fast scan; the character before is checked after)."""
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
MAX_DEPTH = 16
"""Containers nested this deep, or this many `[`, send a text to markdown-it-py (which stops at 20)."""

_URL = re.compile(r'<(?:a href|img src)="([^"]*)"')
_FOREIGN_HOST = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/?#]*%")
_TAG = re.compile(r"<[^>]*>")
_EMPTY_CONTAINER = re.compile(r"<(\w+)[^>]*>\n</\1>")
_CONTAINER = re.compile(r"<(/?)(?:blockquote|ul|ol|li)\b")
_HEADING = re.compile(r"<(/?)h([1-6])>")
_SITE_PATH = re.compile(r'<(a href|img src)="/(?!/)')


def render_block(text: str, heading_shift: int, base_path: str, safe_link: Callable[[str], bool]) -> str | None:
    """Return block Markdown as HTML exactly as `filters.Markdown` renders it, or None if only it can."""
    if _refused(text):
        return None
    try:
        out = _RENDERER.render(text)
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        return None
    if not _same_as_reference(out, safe_link):
        return None
    if heading_shift:
        out = _shift_headings(out, heading_shift)
    if base_path != "/":
        prefix = base_path.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
        out = _SITE_PATH.sub(lambda m: f'<{m.group(1)}="{prefix}', out)
    return out


def _refused(text: str) -> bool:
    if any(part in text for part in _REFUSED_SUBSTRINGS) or text.count("[") >= MAX_DEPTH:
        return True
    if not text.isascii() and _REFUSED_UNICODE.search(text):
        return True
    if "<" in text and _AUTOLINK.search(text):
        return True
    return bool(_REFUSED_CONTROL.search(text)) or _opens_and_closes(text)


def _opens_and_closes(text: str) -> bool:
    """Whether a delimiter run may both open and close emphasis (CommonMark's flanking rules, ASCII neighbours)."""
    for match in _DELIMITER_RUN.finditer(text):
        start = match.start()
        if start == 0 or text[start - 1].isspace():
            continue  # a space before it: it cannot close
        run = match.group()
        if run.count(run[0]) != len(run) or text[start - 1] in "*_~":
            return True  # mixed markers such as `*_`: judged conservatively
        before, after = text[start - 1] in _PUNCTUATION, text[match.end()] in _PUNCTUATION
        if before == after and (run[0] != "_" or before):  # `_` between letters is inert
            return True
    return False


def _same_as_reference(out: str, safe_link: Callable[[str], bool]) -> bool:
    """Whether nothing in the output marks a construct the two renderers treat differently."""
    for match in _URL.finditer(out):
        url = match.group(1)
        url = html.unescape(url) if "&" in url else url
        if not safe_link(url) or "%5B" in url or "%5D" in url or _FOREIGN_HOST.match(url):
            return False
    if "<table" in out or (">\n</" in out and _EMPTY_CONTAINER.search(out)) or _too_deep(out):
        return False
    if "*" not in out and "_" not in out and "~" not in out:
        return True
    text = _TAG.sub("", out)  # the characters may stand in URLs, inside tags
    return "*" not in text and "_" not in text and "~" not in text


def _too_deep(out: str) -> bool:
    if sum(out.count(tag) for tag in ("<blockquote", "<ul", "<ol", "<li")) < MAX_DEPTH:
        return False
    depth = deepest = 0
    for match in _CONTAINER.finditer(out):
        depth += -1 if match.group(1) else 1
        deepest = max(deepest, depth)
    return deepest >= MAX_DEPTH


def _shift_headings(out: str, shift: int) -> str:
    """Move headings down as `filters.Markdown` does: the text's highest heading becomes level 1 + shift."""
    top = next((level for level in range(1, 7) if f"<h{level}>" in out), None)
    if top is None:
        return out
    shift -= top - 1
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>", out) if shift else out
