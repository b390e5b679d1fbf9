"""Block Markdown through markdown-it-pyrs is byte for byte what markdown-it-py renders.

The corpus: the CommonMark spec examples and markdown-it's fixtures (tests/vendor),
every text of the bundled catalog, the test fixtures and a synthetic catalog, hostile
inputs, and generated texts dense in Markdown syntax. Each is rendered by the site's
renderer and by markdown-it-py alone, under two base paths and two heading shifts.
"""

from __future__ import annotations

import importlib.util
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from generator import native_markdown
from generator.filters import Markdown, safe_link
from generator.load import parse_yaml

ROOT = Path(__file__).resolve().parent.parent
VENDOR = Path(__file__).resolve().parent / "vendor" / "markdown-it-py"
SETTINGS = (("/", 0), ("/cat&log/", 2))
"""(base path, heading shift) pairs every text is rendered under."""


def strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def site_texts(folder: Path) -> Iterator[str]:
    """Every string of every YAML file under `folder`, and the bodies of its pages."""
    for path in sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".md":
            front = re.match(r"^---[ \t]*\r?\n(.*?)(?:^|\n)---[ \t]*(?:\r?\n|$)", text, re.S)
            yield text[front.end():] if front else text
            text = front.group(1) if front else ""
        yield from strings(parse_yaml(text, str(path)).data)


def synthetic_texts(models: int) -> Iterator[str]:
    spec = importlib.util.spec_from_file_location("make_catalog", ROOT / "bench" / "make_catalog.py")
    make_catalog = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_catalog)
    for part in make_catalog.generate(models):
        yield from strings(part)


HOSTILE = [
    "[x](javascript:alert(1)) ![y](data:image/png;base64,AAAA) <javascript:alert(1)> [z](JaVaScRiPt:x) [v](vbscript:x)",
    "[a]\n\n[a]: javascript:alert(1)\n", "[a]: ftp://x\n", "[a](ftp://x)\n\n[a]: /ok\n",
    "<script>alert(1)</script>\n\n<div onclick=x>hi</div> <b>b</b> <!-- c --> <?php ?> <img src=x onerror=y>",
    "[a](/x \"t\\\"<>&\") ![a<b>\"&](/y \"q\") [b](/p?a=1&b=<2>) [c](/x&y\"z) [d](</sp ace>) [e](//evil) [f](/ok)",
    "[ü](/ü?q=ü#ü) <http://ü.example/ä> [x](http://ex.com/%zz) [y](http://☃.net/) [z](https://[::1]/a)",
    "### a\n\n#### b\n\n###### c\n\nsetext\n---\n\n# top", "&amp; &#0; &#x110000; &nbsp; &bogus; &#X41; &#65;",
    "a\x00b\r\nc\rd\u2028e\u00a0f\x0bg\x1ch", "| a | b |\n|:-|-:|\n| `|` | \\| |\n| x |", "x\n:---", "\t- a\n\t\t- b\n>\t\tcode",
    "[foo `bar` baz`\n", "![alt `code` x`\n", "`   `", "**a*\x00'", "*€*x *£*y", "snake_case_name and a ~5% gain",
    ">" * 200 + " x", "\n".join("  " * i + "- x" for i in range(60)), "*" * 5000 + "x" + "*" * 5000,
    "[" * 5000 + "x" + "]" * 5000, "[a](" * 3000, "`" * 10000, "Some *text* with [links](/a) and **bold**.\n\n" * 2000,
    "a" * 200_000,
    *("[" * k + "foo]()" for k in range(14, 24)), *("[" * k + "foo" + "]" * k + "(/u)" for k in range(14, 24)),
    *("> " * k + "x" for k in range(14, 24)), *("\n".join("   " * i + "1. > x" for i in range(k)) for k in range(6, 14)),
    *("[a](" + "(" * k + "x" + ")" * k + ")" for k in range(28, 36)),
]

_FRAGMENTS = ["*", "_", "**", "__", "~~", "~", "`", "[", "]", "(", ")", "/x", "//h", "http://a.b/c", "mailto:a@b",
              "javascript:x", "ftp://q", "!", "<", ">", "\n", "\n\n", "- ", "1. ", "2) ", "  ", "    ", "\t", "# ", "|",
              "---", "===", "\\", "&amp;", "&#1;", "&nbsp;", "&", "é", "€", "\u00a0", "😀", " ", "a", "foo", "bar baz",
              ":", "\"", "'", "]:", "](", "![", "[a]", "[a]: /u", "```", "~~~", "> ", "| a |", "%20", "\r\n", "\x00",
              ".", "-", "<a@b.c>", "<http://x>", "<b>"]
_PREFIXES = ["", "", "", " ", "   ", "    ", "\t", "- ", "* ", "+ ", "1. ", "2. ", "10) ", "  - ", "    - ", "# ",
             "## ", "####### ", "---", "***", "===", "- [ ] "]
_INLINE = ["a", "word", "two words", " ", "*", "**", "_", "__", "~~", "~", "[", "]", "(", ")", "[x](/u)",
           "[x](http://e.x/a b)", "[x](<a b>)", "[x](/u \"t\")", "[x][y]", "[y]", "\\*", "\\", "&amp;", "&copy;", "é",
           "*a*", "**b**", "_c_", "__d__", "~~e~~", "a*b", "a_b", ".", ",", "'", "\"", "#", "-", "1.", ":", "/", "  ",
           "&", "%", "http://x.y", "[a\nb](/c)", "*a\nb*", "\\\n"]


def generated_texts(count: int, seed: int) -> Iterator[str]:
    """Texts dense in Markdown syntax: runs of fragments, and lines of block prefixes with inline runs."""
    rnd = random.Random(seed)
    for _ in range(count):
        yield "".join(rnd.choice(_FRAGMENTS) for _ in range(rnd.randint(1, 30)))
        lines = ["" if rnd.random() < 0.2 else rnd.choice(_PREFIXES) + "".join(
            rnd.choice(_INLINE) for _ in range(rnd.randint(0, 8))) for _ in range(rnd.randint(1, 8))]
        yield rnd.choice(["\n", "\r\n", "\r"]).join(lines) + rnd.choice(["", "\n"])


def corpus() -> dict[str, list[str]]:
    fixtures = [case[2] for path in sorted((VENDOR / "fixtures").glob("*.md")) for case in read_fixture_file(path)]
    return {
        "spec": [example["markdown"] for example in json.loads((VENDOR / "commonmark.json").read_text())],
        "fixtures": fixtures,
        "bundled catalog": list(site_texts(ROOT / "content")),
        "test fixtures": list(site_texts(Path(__file__).resolve().parent / "fixtures")),
        "synthetic catalog": list(synthetic_texts(300)),
        "hostile": HOSTILE,
        "generated": list(generated_texts(3000, seed=15)),
    }


@pytest.fixture(scope="module")
def texts() -> dict[str, list[str]]:
    return {name: list(dict.fromkeys(found)) for name, found in corpus().items()}


@pytest.mark.parametrize("part", ["spec", "fixtures", "bundled catalog", "test fixtures", "synthetic catalog", "hostile",
                                  "generated"])
def test_native_block_markdown_renders_as_markdown_it_py_does(texts, part):
    for base_path, shift in SETTINGS:
        site = Markdown(base_path, keep_blocks=False)
        reference = Markdown(base_path, keep_blocks=False, native=False)
        differing = [text for text in texts[part] if site.block(text, shift) != reference.block(text, shift)]
        assert differing == [], f"{len(differing)} texts render differently, e.g. {differing[0]!r}"


def test_native_renderer_takes_most_catalog_descriptions(texts):
    descriptions = [t for t in texts["synthetic catalog"] + texts["bundled catalog"] if "\n\n" in t]
    taken = [t for t in descriptions if native_markdown.render_block(t, 2, "/", safe_link) is not None]
    assert len(descriptions) > 300 and len(taken) >= 0.95 * len(descriptions)


@pytest.mark.parametrize("text", [
    "[x](ftp://host/file)", "[a]\n\n[a]: /u", "![i](/i.png)", "`code`", "> quote", "| a |\n|---|\n| 1 |",
    "<http://x.y>", "*€*", "a\u00a0b", "[foo `bar` baz`", "a*b*c", "x ~5%", "snake_case", "[x](http://☃.net/)",
])
def test_native_renderer_leaves_the_constructs_it_differs_on_to_markdown_it_py(text):
    assert native_markdown.render_block(text, 0, "/", safe_link) is None


def test_native_renderer_moves_headings_and_site_paths_as_the_reference_does():
    html = native_markdown.render_block("## Top\n\n### Sub [a](/x) [b](//h/y) [c](https://e.org/z)", 2, "/b&c/", safe_link)
    assert html == ('<h3>Top</h3>\n<h4>Sub <a href="/b&amp;c/x">a</a> <a href="//h/y">b</a> '
                    '<a href="https://e.org/z">c</a></h4>\n')
