"""A corpus of hostile inputs, run through the real `check` and `build`.

Every content string, file and file name is hostile: whatever a case holds, modelcat
answers with problems in the `path:line: field: message [code]` shape (a line
wherever YAML gives one), exit status 1, and the previous output left byte for byte,
or with a site that builds and whose outputs are well formed; never a traceback.

Cases are grouped in classes. Each class is one site (the fixture site with every case
of the class written over it, each under file names of its own), checked and built once
by the real CLI; each case then asserts on the problems found in its own files. The
cases that must build are one more site, built once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import FIXTURE_SITE, run_cli, snapshot
from generator.build import Settings, check
from generator.catalog import slugify
from generator.errors import FORBIDDEN_CHARACTERS, one_line
from generator.validate import MAX_MARKDOWN_NESTING


@dataclass(frozen=True)
class Link:
    """A symbolic link; `{outside}` in the target stands for a folder beside the site."""

    target: str


@dataclass(frozen=True)
class Fifo:
    """A named pipe: opening it blocks until a writer comes."""


@dataclass(frozen=True)
class Sparse:
    """A file of `size` bytes that takes no room on disk."""

    size: int


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes | Link | Fifo | Sparse | None]
    """Relative path -> text (dedented), bytes, a link, a FIFO, or None to delete the file."""
    errors: tuple[tuple, ...] = ()
    """(path, code) or (path, code, line) that must be reported; none means the case must build."""
    output: Callable[[Path], None] | None = None
    """For a case that builds: what its pages must show."""


def model(extra: str = "", name: str = "Corpus model") -> str:
    """Return a valid model entry with `extra` lines after its required fields."""
    head = (f"name: {json.dumps(name, ensure_ascii=False)}\nsummary: A case of the hostile corpus.\ndeveloper: Corpus Labs\n"
            "release_date: 2025-01-01\nsources: ['https://example.com/corpus']\n")
    return head + textwrap.dedent(extra).lstrip("\n")


def page(front: str, body: str = "Body.\n") -> str:
    return f"---\n{front}---\n{body}"


def deep_list(depth: int, indent: str = "") -> str:
    return "".join(indent + "  " * level + f"- level {level + 1}\n" for level in range(depth))


M = "content/models/"
P = "content/pages/"
OK_BENCHMARKS = "medqa: {name: MedQA, unit: \"%\"}\narena: {name: LMArena Elo, unit: Elo}\nlatency: {name: Median latency, unit: ms, higher_is_better: false}\n"


# --- Classes that must fail ---------------------------------------------------------------

ENCODINGS = [
    Case("utf-16 with a byte order mark", {M + "enc-utf16.yaml": model().encode("utf-16")}, ((M + "enc-utf16.yaml", "MC006"),)),
    Case("utf-16 without one", {M + "enc-utf16be.yaml": model().encode("utf-16-be")}, ((M + "enc-utf16be.yaml", "MC001", 1),)),
    Case("utf-32", {M + "enc-utf32.yaml": model().encode("utf-32")}, ((M + "enc-utf32.yaml", "MC006"),)),
    Case("latin-1", {M + "enc-latin.yaml": model(name="Café").encode("latin-1")}, ((M + "enc-latin.yaml", "MC006"),)),
    Case("overlong utf-8", {M + "enc-overlong.yaml": model().encode() + b"family: \xc0\xaf\n"}, ((M + "enc-overlong.yaml", "MC006"),)),
    Case("encoded surrogate", {M + "enc-cesu.yaml": model().encode() + b"family: \xed\xa0\x80\n"}, ((M + "enc-cesu.yaml", "MC006"),)),
    Case("truncated sequence", {M + "enc-cut.yaml": model().encode() + b"family: \xe2\x82\n"}, ((M + "enc-cut.yaml", "MC006"),)),
    Case("raw NUL", {M + "enc-nul.yaml": model().encode() + b"family: a\x00b\n"}, ((M + "enc-nul.yaml", "MC001", 6),)),
    Case("raw escape", {M + "enc-esc.yaml": model().encode() + b"family: \x1b[2J\n"}, ((M + "enc-esc.yaml", "MC001", 6),)),
    Case("raw DEL", {M + "enc-del.yaml": model().encode() + b"family: a\x7fb\n"}, ((M + "enc-del.yaml", "MC001", 6),)),
    # YAML 1.1 counts U+0085 as a line break: "b: c" becomes a field of its own.
    Case("next-line character", {M + "enc-nel.yaml": model().encode() + "family: a\x85b: c\n".encode()}, ((M + "enc-nel.yaml", "MC010", 7),)),
    Case("page body with an escape", {P + "enc-body.md": page("title: T\n", "Line one.\n\nA \x1b[31mred\x1b[0m word.\n")},
         ((P + "enc-body.md", "MC013", 6),)),
    Case("page in utf-16", {P + "enc-page16.md": page("title: T\n").encode("utf-16")}, ((P + "enc-page16.md", "MC006"),)),
    Case("site.yaml in utf-16", {"site.yaml": "title: T\n".encode("utf-16")}, (("site.yaml", "MC006"),)),
]

LINE_ENDINGS = [
    Case("windows line endings keep their line numbers", {M + "le-crlf.yaml": model("colour: red\n").replace("\n", "\r\n")},
         ((M + "le-crlf.yaml", "MC010", 6),)),
    Case("old mac line endings keep their line numbers", {M + "le-cr.yaml": model("colour: red\n").replace("\n", "\r")},
         ((M + "le-cr.yaml", "MC010", 6),)),
    Case("a page with old mac line endings", {P + "le-cr-page.md": page("title: T\ncolour: red\n").replace("\n", "\r")},
         ((P + "le-cr-page.md", "MC010", 3),)),
    Case("mixed line endings", {M + "le-mixed.yaml": model().replace("\n", "\r\n", 2) + "colour: red\r"},
         ((M + "le-mixed.yaml", "MC010", 6),)),
]

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + chr(ord(c) - 1)] * 10)}]\n" for c in "bcdefghi")
YAML_FEATURES = [
    Case("merge key", {M + "y-merge.yaml": model("base: &b {family: X}\n<<: *b\n")},
         ((M + "y-merge.yaml", "MC010", 6), (M + "y-merge.yaml", "MC010", 7))),
    Case("python tag", {M + "y-python.yaml": model("family: !!python/object/apply:os.system [echo hacked]\n")},
         ((M + "y-python.yaml", "MC004", 6),)),
    Case("binary tag", {M + "y-binary.yaml": model("family: !!binary aGVsbG8=\n")}, ((M + "y-binary.yaml", "MC004", 6),)),
    Case("set tag", {M + "y-set.yaml": model("domains: !!set {a, b}\n")}, ((M + "y-set.yaml", "MC004", 6),)),
    Case("timestamp tag", {M + "y-timestamp.yaml": model("updated: !!timestamp 2025-01-01\n")}, ((M + "y-timestamp.yaml", "MC004", 6),)),
    Case("local tag", {M + "y-local.yaml": model("family: !shout loud\n")}, ((M + "y-local.yaml", "MC004", 6),)),
    Case("int tag on text", {M + "y-int.yaml": model("context_window: !!int lots\n")}, ((M + "y-int.yaml", "MC013", 6),)),
    Case("complex key", {M + "y-complex.yaml": model("? [a, b]\n: c\n")}, ((M + "y-complex.yaml", "MC012", 6),)),
    Case("two documents", {M + "y-two.yaml": model() + "---\nname: Second\n"}, ((M + "y-two.yaml", "MC001", 6),)),
    Case("alias bomb", {M + "y-bomb.yaml": ALIAS_BOMB}, ((M + "y-bomb.yaml", "MC003"),)),
    Case("alias to itself", {M + "y-self.yaml": "a: &a [*a]\n"}, ((M + "y-self.yaml", "MC003", 1),)),
    Case("huge flow collection", {M + "y-flow.yaml": model("domains: [" + ", ".join(["x"] * 120_000) + "]\n")},
         ((M + "y-flow.yaml", "MC003"),)),
    Case("key past 1024 characters", {M + "y-longkey.yaml": model("k" * 1100 + ": v\n")}, ((M + "y-longkey.yaml", "MC001", 6),)),
    Case("deep nesting", {M + "y-deep.yaml": model("facts:\n" + "".join("  " * i + "- \n" for i in range(1, 60)) + "  " * 60 + "x\n")},
         ((M + "y-deep.yaml", "MC003"),)),
    Case("very deep nesting", {M + "y-deeper.yaml": model("domains: " + "[" * 5000 + "]" * 5000 + "\n")},
         ((M + "y-deeper.yaml", "MC001", 6),)),
    Case("tab indentation", {M + "y-tab.yaml": model("benchmarks:\n\tmedqa: 50\n")}, ((M + "y-tab.yaml", "MC001", 7),)),
    Case("YAML 1.1 booleans", {M + "y-on.yaml": model("open_weights: on\n")}, ((M + "y-on.yaml", "MC012", 6),)),
    Case("null for a required field", {M + "y-null.yaml": model().replace("developer: Corpus Labs", "developer: ~")},
         ((M + "y-null.yaml", "MC012", 3),)),
    Case("duplicate key deep inside", {M + "y-dup.yaml": model("benchmarks:\n  medqa: {value: 50, value: 60}\n")},
         ((M + "y-dup.yaml", "MC002", 7),)),
    Case("top-level list", {M + "y-list.yaml": "- name: A\n- name: B\n"}, ((M + "y-list.yaml", "MC007", 1),)),
    Case("top-level text", {M + "y-text.yaml": "just some text\n"}, ((M + "y-text.yaml", "MC007", 1),)),
    Case("number of 5,000 digits", {M + "y-digits.yaml": model("parameters: " + "9" * 5000 + "\n")}, ((M + "y-digits.yaml", "MC013", 6),)),
    Case("hexadecimal of 100,000 digits", {M + "y-hex.yaml": model("parameters: 0x" + "f" * 100_000 + "\n")},
         ((M + "y-hex.yaml", "MC013", 6),)),
    Case("huge number as a fact's value", {M + "y-factnum.yaml": model("facts: [{label: Size, value: 0x" + "f" * 10_000 + "}]\n")},
         ((M + "y-factnum.yaml", "MC012", 6),)),
    Case("key with a NUL", {M + "y-keynul.yaml": model('"na\\0me": x\n')}, ((M + "y-keynul.yaml", "MC013", 6),)),
    Case("benchmarks file unreadable", {"content/benchmarks.yaml": "medqa: {name: [\n"}, (("content/benchmarks.yaml", "MC001"),)),
]

LONG = "x" * 300
NAMES = [
    Case("model named con", {M + "con.yaml": model()}, ((M + "con.yaml", "MC005"),)),
    Case("model named com1", {M + "com1.yaml": model()}, ((M + "com1.yaml", "MC005"),)),
    Case("comparison named aux", {"content/comparisons/aux.yaml": "title: T\nmodels: [alpha-4b, beta-7b]\ncolumns: [medqa]\n"},
         (("content/comparisons/aux.yaml", "MC005"),)),
    Case("page taking a reserved URL", {P + "api.md": page("title: API\n"), P + "models.md": page("title: M\n"),
                                        P + "404.md": page("title: Lost\n")},
         ((P + "api.md", "MC023"), (P + "models.md", "MC023"), (P + "404.md", "MC023"))),
    Case("file name of 120 characters", {M + "m" * 120 + ".yaml": model()}, ((M + "m" * 120 + ".yaml", "MC005"),)),
    Case("page name of 150 characters", {P + "p" * 150 + ".md": page("title: T\n")}, ((P + "p" * 150 + ".md", "MC005"),)),
    Case("upper-case file name", {M + "Alpha-Big.yaml": model()}, ((M + "Alpha-Big.yaml", "MC005"),)),
    Case("file name with a line break", {M + "two\nlines.yaml": model()}, ((M + "two\nlines.yaml", "MC005"),)),
    Case("file name with an escape", {M + "bell\x1b[2J.yaml": model()}, ((M + "bell\x1b[2J.yaml", "MC005"),)),
    Case("file name that is not UTF-8", {os.fsdecode(b"content/models/caf\xe9.yaml"): model()},
         ((os.fsdecode(b"content/models/caf\xe9.yaml"), "MC005"),)),
    Case("double suffix", {M + "double.yaml.yaml": model()}, ((M + "double.yaml.yaml", "MC005"),)),
    Case("benchmark ids taken or too long", {"content/benchmarks.yaml": OK_BENCHMARKS + f"price: {{name: P}}\ncon: {{name: C}}\n{LONG}: {{name: L}}\n"},
         (("content/benchmarks.yaml", "MC013", 4), ("content/benchmarks.yaml", "MC013", 5), ("content/benchmarks.yaml", "MC013", 6))),
    Case("reference of 300 characters", {M + "n-ref.yaml": model(f"base_model: {LONG}\nrelated: [{LONG}]\n")},
         ((M + "n-ref.yaml", "MC013", 6), (M + "n-ref.yaml", "MC013", 7))),
    Case("score under a 300-character id", {M + "n-score.yaml": model(f"benchmarks:\n  {LONG}: 5\n")}, ((M + "n-score.yaml", "MC013", 7),)),
    Case("column of 300 characters", {"content/comparisons/n-col.yaml": f"title: T\nmodels: [alpha-4b, beta-7b]\ncolumns: [{LONG}]\n"},
         (("content/comparisons/n-col.yaml", "MC013", 3),)),
]

OUTSIDE_ENTRY = model(name="Outside")
SYMLINKS = [
    Case("static file to /etc/passwd", {"static/leak.txt": Link("/etc/passwd")}, (("static/leak.txt", "MC040"),)),
    Case("static folder to /etc", {"static/etc": Link("/etc")}, (("static/etc", "MC040"),)),
    Case("static file to a file beside the site", {"static/beside.css": Link("{outside}/outside.yaml")}, (("static/beside.css", "MC040"),)),
    Case("model to /dev/zero", {M + "l-zero.yaml": Link("/dev/zero")}, ((M + "l-zero.yaml", "MC040"),)),
    Case("model to an entry outside", {M + "l-out.yaml": Link("{outside}/outside.yaml")}, ((M + "l-out.yaml", "MC040"),)),
    Case("comparisons folder outside", {"content/comparisons": Link("{outside}/comparisons")}, (("content/comparisons", "MC040"),)),
    Case("pages folder outside", {P[:-1]: Link("{outside}/pages")}, ((P[:-1], "MC040"),)),
    Case("site.yaml outside", {"site.yaml": Link("{outside}/site.yaml")}, (("site.yaml", "MC040"),)),
    Case("FIFO for a model", {M + "l-fifo.yaml": Fifo()}, ((M + "l-fifo.yaml", "MC041"),)),
    Case("FIFO in static", {"static/l-fifo.css": Fifo()}, (("static/l-fifo.css", "MC041"),)),
    Case("broken link", {M + "l-broken.yaml": Link("nowhere.yaml")}, ((M + "l-broken.yaml", "MC042"),)),
    Case("links in a ring", {M + "l-ring-a.yaml": Link("l-ring-b.yaml"), M + "l-ring-b.yaml": Link("l-ring-a.yaml")},
         ((M + "l-ring-a.yaml", "MC042"), (M + "l-ring-b.yaml", "MC042"))),
    Case("static folder linked into itself", {"static/deep/up": Link("..")}, (("static/deep/up", "MC042"),)),
    Case("a folder where a model goes", {M + "l-folder.yaml/x": "x"}, ()),  # a folder is not an entry: left alone
    Case("a model linked to a folder", {M + "l-dir.yaml": Link("../comparisons")}, ()),
]

EMPTY_AND_HUGE = [
    Case("empty file", {M + "e-empty.yaml": ""}, ((M + "e-empty.yaml", "MC007"),)),
    Case("spaces only", {M + "e-spaces.yaml": "   \n\n  \n"}, ((M + "e-spaces.yaml", "MC007"),)),
    Case("comments only", {M + "e-comments.yaml": "# nothing here\n"}, ((M + "e-comments.yaml", "MC007"),)),
    Case("a document marker only", {M + "e-marker.yaml": "---\n"}, ((M + "e-marker.yaml", "MC007"),)),
    Case("one byte", {M + "e-byte.yaml": "a"}, ((M + "e-byte.yaml", "MC007"),)),
    Case("just over the limit", {M + "e-big.yaml": model("description: " + "x" * (2 * 1024 * 1024) + "\n")}, ((M + "e-big.yaml", "MC003"),)),
    Case("64 GB, sparse", {M + "e-sparse.yaml": Sparse(64 * 1024**3)}, ((M + "e-sparse.yaml", "MC003"),)),
    Case("page without front matter", {P + "e-nofront.md": "Just text.\n"}, ((P + "e-nofront.md", "MC001", 1),)),
    Case("page with empty front matter", {P + "e-emptyfront.md": "---\n\n---\nText.\n"}, ((P + "e-emptyfront.md", "MC007"),)),
    Case("page without a title", {P + "e-notitle.md": page("description: D\n")}, ((P + "e-notitle.md", "MC011"),)),
    Case("empty page", {P + "e-emptypage.md": ""}, ((P + "e-emptypage.md", "MC001"),)),
    Case("empty benchmarks file", {"content/benchmarks.yaml": ""}, (("content/benchmarks.yaml", "MC007"),)),
]

DEEP_QUOTE = "> " * 5000 + "deep\n\nThe rest.\n"
MARKDOWN = [
    Case("list 17 deep", {M + "md-list.yaml": model("description: |\n" + textwrap.indent(deep_list(17) + "\nThe rest.\n", "  "))},
         ((M + "md-list.yaml", "MC013", 6),)),
    Case("5,000 nested quotes", {M + "md-quote.yaml": model("description: " + json.dumps(DEEP_QUOTE) + "\n")},
         ((M + "md-quote.yaml", "MC013", 6),)),
    Case("page body nested too deep", {P + "md-page.md": page("title: T\n", "Intro.\n\n" + deep_list(40))},
         ((P + "md-page.md", "MC013", 4),)),
    Case("comparison nested too deep", {"content/comparisons/md-cmp.yaml": "title: T\nmodels: [alpha-4b, beta-7b]\ncolumns: [medqa]\n"
                                        "description: " + json.dumps("- " * 40 + "x") + "\n"},
         (("content/comparisons/md-cmp.yaml", "MC013", 4),)),
]

STRINGS = [
    Case(f"{char!r} in {field_name}", {M + f"s-{index}.yaml": text}, ((M + f"s-{index}.yaml", "MC013", line),))
    for index, (char, field_name, text, line) in enumerate([
        ("\\e", "name", model().replace('name: "Corpus model"', 'name: "Bad \\e[2J name"'), 1),
        ("\\0", "summary", model().replace("summary: A case", 'summary: "NUL \\0 here" #'), 2),
        ("\\x7f", "developer", model().replace("developer: Corpus Labs", 'developer: "Del\\x7fete"'), 3),
        ("\\N", "family", model('family: "next\\Nline"\n'), 6),
        ("\\x9b", "a domain", model('domains: [ok, "csi\\x9b31m"]\n'), 6),
        ("\\uFFFE", "a fact's label", model('facts: [{label: "x\\uFFFE", value: y}]\n'), 6),
        ("\\uFDD0", "a source's title", model('sources: [{title: "x\\uFDD0", url: "https://example.com/"}]\n').replace(
            "sources: ['https://example.com/corpus']\n", ""), 5),
        ("\\a", "a score's note", model('benchmarks:\n  medqa: {value: 50, note: "bell\\a"}\n'), 7),
        ("\\b", "a pricing note", model('pricing: {input_per_mtok: 1, note: "back\\bspace"}\n'), 6),
        ("\\f", "a license name", model('license: {name: "form\\ffeed"}\n'), 6),
        ("\\U0010FFFF", "a weakness", model('weaknesses: ["\\U0010FFFF"]\n'), 6),
        ("\\v", "the description", model('description: "vertical\\vtab"\n'), 6),
    ])
] + [
    Case("a lone surrogate", {M + "s-surrogate.yaml": model('family: "\\ud800"\n')}, ((M + "s-surrogate.yaml", "MC001", 6),)),
    Case("an escape in a page title", {P + "s-title.md": page('title: "Page \\e[1m"\n')}, ((P + "s-title.md", "MC013", 2),)),
    Case("an escape in a comparison title", {"content/comparisons/s-cmp.yaml": 'title: "T\\e"\nmodels: [alpha-4b, beta-7b]\ncolumns: [medqa]\n'},
         (("content/comparisons/s-cmp.yaml", "MC013", 1),)),
    Case("an escape in a benchmark's name", {"content/benchmarks.yaml": OK_BENCHMARKS + 'bell: {name: "Bell\\a"}\n'},
         (("content/benchmarks.yaml", "MC013", 4),)),
    Case("an escape in the site's title", {"site.yaml": 'title: "Cat\\e]0;owned\\a"\n'}, (("site.yaml", "MC013", 1),)),
]

NUMBERS = [
    Case("400 digits", {M + "n-digits.yaml": model("parameters: " + "9" * 400 + "\n")}, ((M + "n-digits.yaml", "MC013", 6),)),
    Case('"1e400"', {M + "n-exp.yaml": model('parameters: "1e400"\n')}, ((M + "n-exp.yaml", "MC013", 6),)),
    Case("1e400 as a number", {M + "n-expnum.yaml": model("parameters: 1e400\n")}, ((M + "n-expnum.yaml", "MC013", 6),)),
    Case("an exponent of a billion", {M + "n-huge.yaml": model('context_window: "1e999999999"\n')}, ((M + "n-huge.yaml", "MC013", 6),)),
    Case("a score of 1.5e308", {M + "n-score.yaml": model("benchmarks:\n  arena: 1.5e308\n")}, ((M + "n-score.yaml", "MC013", 7),)),
    Case("a score of -1.5e308", {M + "n-neg.yaml": model("benchmarks:\n  latency: -1.5e308\n")}, ((M + "n-neg.yaml", "MC013", 7),)),
    Case("parameters of 1.5e308", {M + "n-params.yaml": model("parameters: {total: 1.5e308}\n")}, ((M + "n-params.yaml", "MC013", 6),)),
    Case("an infinite score", {M + "n-inf.yaml": model("benchmarks:\n  arena: .inf\n")}, ((M + "n-inf.yaml", "MC013", 7),)),
    Case("a score that is not a number", {M + "n-nan.yaml": model("benchmarks:\n  arena: .nan\n")}, ((M + "n-nan.yaml", "MC013", 7),)),
    Case("a price of 1e300", {M + "n-price.yaml": model("pricing: {output_per_mtok: 1e300}\n")}, ((M + "n-price.yaml", "MC013", 6),)),
    Case("a context of 1e10 tokens", {M + "n-context.yaml": model('context_window: "10000M"\n')}, ((M + "n-context.yaml", "MC013", 6),)),
    Case("a scale of 1e400", {"content/benchmarks.yaml": OK_BENCHMARKS + "big: {name: Big, max: 1e400}\n"},
         (("content/benchmarks.yaml", "MC013", 4),)),
    Case("spaces and a letter after a count", {M + "n-spaces.yaml": model('parameters: "4' + " " * 100_000 + 'x"\n')},
         ((M + "n-spaces.yaml", "MC013", 6),)),
]

DATES = [
    Case(f"{label} date", {M + f"d-{index}.yaml": model().replace("release_date: 2025-01-01", f"release_date: {json.dumps(text)}")},
         ((M + f"d-{index}.yaml", "MC013", 4),))
    for index, (label, text) in enumerate([
        ("full-width", "２０２５-０７-０９"), ("Arabic-Indic", "٢٠٢٥-٠٧-٠٩"), ("Devanagari", "२०२५-०७-०९"),
        ("line-break-ended", "2025-07-09\n"), ("February 30", "2025-02-30"), ("year 0", "0000-01-01"),
        ("five-digit year", "12025-01-01"), ("one-digit month", "2025-7-09"), ("spaced", " 2025-07-09"),
    ])
]

FORMAT_V2 = [
    Case("a capabilities file that cannot be read", {"content/capabilities.yaml": "reasoning: {name: [\n",
                                                      M + "v-cap.yaml": model("capabilities: [reasoning, tool_calling]\n")},
         (("content/capabilities.yaml", "MC001"),)),
    Case("provider ids taken or too long", {"content/providers.yaml": f"ok-cloud: {{name: Ok Cloud}}\ncon: {{name: C}}\n{LONG}: {{name: L}}\n"},
         (("content/providers.yaml", "MC013", 2), ("content/providers.yaml", "MC013", 3))),
    Case("an offer of an unknown provider", {M + "v-offer.yaml": model("offers:\n  - {provider: ghost-cloud}\n")},
         ((M + "v-offer.yaml", "MC026", 7),)),
    Case("an offer's model id with an escape", {M + "v-esc.yaml": model('offers:\n  - {provider: ok-cloud, model_id: "m\\e[1m"}\n')},
         ((M + "v-esc.yaml", "MC013", 7),)),
    Case("a variant id of 300 characters", {"content/benchmarks.yaml": OK_BENCHMARKS.replace(
        "arena: {name: LMArena Elo, unit: Elo}", f"arena: {{name: LMArena Elo, unit: Elo, variants: {{{LONG}: {{name: V}}}}}}")},
         (("content/benchmarks.yaml", "MC013", 2),)),
    Case("a million shots", {M + "v-shots.yaml": model("benchmarks:\n  medqa: {value: 50, shots: 1000000}\n")},
         ((M + "v-shots.yaml", "MC013", 7),)),
    Case("a tier past a billion tokens", {M + "v-tier.yaml": model('pricing:\n  tiers: [{above: "1e999999999", input_per_mtok: 1}]\n')},
         ((M + "v-tier.yaml", "MC013", 7),)),
    Case("a price per image of 1e300", {M + "v-unit.yaml": model("pricing: {per_unit: {image: 1e300}}\n")},
         ((M + "v-unit.yaml", "MC013", 6),)),
    Case("a limit of 1e400 tokens", {M + "v-limit.yaml": model('limits: {output: "1e400"}\n')}, ((M + "v-limit.yaml", "MC013", 6),)),
    Case("a second score of 1.5e308", {M + "v-list.yaml": model("benchmarks:\n  arena:\n    - 1200\n    - 1.5e308\n")},
         ((M + "v-list.yaml", "MC013", 9),)),
    Case("a capability with a NUL", {M + "v-capnul.yaml": model('capabilities: ["reason\\0ing"]\n')},
         ((M + "v-capnul.yaml", "MC013", 6),)),
]

FAILING = {
    "encodings": ENCODINGS, "line endings": LINE_ENDINGS, "YAML features": YAML_FEATURES, "names": NAMES,
    "links and special files": SYMLINKS, "empty and huge files": EMPTY_AND_HUGE, "Markdown": MARKDOWN,
    "control characters": STRINGS, "numbers": NUMBERS, "dates": DATES, "format v2": FORMAT_V2,
}


# --- Cases that must build ----------------------------------------------------------------


def shows(url: str, *texts: str) -> Callable[[Path], None]:
    def assertion(out: Path) -> None:
        html = (out / url / "index.html").read_text(encoding="utf-8")
        for text in texts:
            assert text in html, (url, text[:80])
    return assertion


def exists(*paths: str) -> Callable[[Path], None]:
    def assertion(out: Path) -> None:
        for path in paths:
            assert (out / path).is_file(), path
    return assertion


LONG_DEVELOPER = "Institute of " + "extraordinarily " * 25 + "long names"
BUILDING = [
    Case("a byte order mark", {M + "ok-bom.yaml": ("\ufeff" + model(name="Bom model")).encode()}, output=shows("models/ok-bom", "Bom model")),
    Case("windows line endings", {M + "ok-crlf.yaml": model(name="Crlf model").replace("\n", "\r\n")}, output=shows("models/ok-crlf", "Crlf model")),
    Case("a page with old mac line endings", {P + "ok-cr.md": page("title: Mac page\n", "Old *Mac* text.\n").replace("\n", "\r")},
         output=shows("ok-cr", "Mac page", "<em>Mac</em>")),
    Case("anchors and aliases used plainly", {M + "ok-alias.yaml": model("domains: &d [medical, code]\nuse_cases: *d\n")},
         output=shows("models/ok-alias", "medical")),
    Case("an explicit str tag", {M + "ok-str.yaml": model("family: !!str 2025\n")}, output=shows("models/ok-str", "2025")),
    Case("models named index, 404 and api", {M + "index.yaml": model(name="Index model"), M + "404.yaml": model(name="Model 404"),
                                             M + "api.yaml": model(name="Api model")},
         output=exists("models/index/index.html", "models/404/index.html", "models/api/index.html", "api/models/index.json",
                       "api/index.json", "404.html")),
    Case("a page named index", {P + "index.md": page("title: Index page\n")}, output=shows("index", "Index page")),
    Case("a developer of 400 characters", {M + "ok-longdev.yaml": model().replace("developer: Corpus Labs", f"developer: {LONG_DEVELOPER}")},
         output=shows("models/ok-longdev", LONG_DEVELOPER)),
    Case("a domain named con", {M + "ok-con.yaml": model("domains: [con]\n")}, output=shows("domains/" + slugify("con"), "Con")),
    Case("a developer in another script", {M + "ok-script.yaml": model().replace("developer: Corpus Labs", "developer: 深度求索")},
         output=shows("models/ok-script", "深度求索")),
    Case("a description of 1.5 MB on one line", {M + "ok-long.yaml": model("description: " + "word " * 300_000 + "\n")},
         output=shows("models/ok-long", "word word")),
    Case("a 100,000-character word", {M + "ok-word.yaml": model("summary: " + "a" * 100_000 + "\n").replace("summary: A case of the hostile corpus.\n", "")},
         output=shows("models/ok-word", "a" * 1000)),
    Case("tabs and line breaks in text", {M + "ok-tabs.yaml": model('family: "tab\\there"\ndescription: "one\\n\\ntwo\\r\\nthree"\n')},
         output=shows("models/ok-tabs", "tab\there", "three")),
    Case("bidirectional and zero-width characters", {M + "ok-bidi.yaml": model(name="\u202eevil\u202c \u200d\U0001f9ea e\u0301")},
         output=shows("models/ok-bidi", "\u202eevil")),
    Case("line and paragraph separators", {M + "ok-sep.yaml": model('family: "a\\Lb\\Pc"\n')}, output=shows("models/ok-sep", "a\u2028b")),
    Case("template and markup syntax in text", {M + "ok-syntax.yaml": model(name="{{ 7*7 }} {% raw %} </script> <b>x</b> ]]>")},
         output=shows("models/ok-syntax", "{{ 7*7 }}", "&lt;/script&gt;")),
    Case("a list 16 deep", {M + "ok-deep.yaml": model("description: |\n" + textwrap.indent(deep_list(MAX_MARKDOWN_NESTING) + "\nThe rest of it.\n", "  "))},
         output=shows("models/ok-deep", f"level {MAX_MARKDOWN_NESTING}", "The rest of it.")),
    Case("code indented 40 spaces", {M + "ok-code.yaml": model("description: |\n  ```\n" + "  " + " " * 40 + "deep code\n  ```\n  After.\n")},
         output=shows("models/ok-code", "deep code", "After.")),
    Case("10,000 emphasis markers", {M + "ok-emph.yaml": model("description: " + json.dumps("*a* " * 2500 + "_b " * 5000) + "\n")},
         output=shows("models/ok-emph", "<em>")),
    Case("a table of 2,000 columns", {M + "ok-table.yaml": model("description: |\n  |" + "a|" * 2000 + "\n  |" + "-|" * 2000 + "\n  |" + "b|" * 2000 + "\n")},
         output=shows("models/ok-table", "<th>a</th>")),
    Case("5,000 link references", {M + "ok-refs.yaml": model("description: |\n" + "".join(f"  [r{i}]: /r{i}\n" for i in range(5000))
                                                              + "  " + " ".join(f"[r{i}]" for i in range(5000)) + "\n")},
         output=shows("models/ok-refs", 'href="/r4999"')),
    Case("1,000 nested images", {M + "ok-images.yaml": model("description: " + json.dumps("![" * 1000 + "x" + "](/i.png)" * 1000) + "\n")},
         output=shows("models/ok-images")),
    Case("numbers at their bounds", {M + "ok-bounds.yaml": model("parameters: 1e15\ncontext_window: 1000000000\nbenchmarks:\n  arena: 1e15\n"
                                                                 "pricing: {input_per_mtok: 1000000}\n")},
         output=shows("models/ok-bounds", "1,000T")),
    Case("the first day of year 1", {M + "ok-year1.yaml": model().replace("release_date: 2025-01-01", "release_date: 0001-01-01")},
         output=shows("models/ok-year1")),
    Case("a link to a file inside the site", {"drafts/ok-linked.yaml": model(name="Linked model"), M + "ok-linked.yaml": Link("../../drafts/ok-linked.yaml"),
                                              "static/linked": Link("../drafts")},
         output=exists("models/ok-linked/index.html", "linked/ok-linked.yaml")),
    Case("editor leftovers", {M + ".#ok-lock.yaml": Link("user@host.1234"), M + "ok-backup.yaml~": "name: [", M + ".hidden.yaml": "name: ["}),
    Case("a hidden folder in static", {"static/.well-known/security.txt": "Contact: mailto:security@example.com\n"},
         output=exists(".well-known/security.txt")),
]


# --- Running the corpus --------------------------------------------------------------------

PROBLEM = re.compile(
    r"^(?P<path>.+?)(?::(?P<line>[0-9]+)(?::[0-9]+)?)?: (?:(?P<field>.+?): )?(?:warning: )?.+ \[(?P<code>MC[0-9]{3})\]$")
HINT = re.compile(r"^    hint: .+$")
SUMMARY = re.compile(r"^[0-9]+ errors?, [0-9]+ warnings? in [0-9]+ files?\.$")
FAILED = "Build failed; the previous output was left as it was."


def write_files(site: Path, outside: Path, files: dict) -> None:
    for relative, content in files.items():
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        if content is None:
            continue
        if isinstance(content, Link):
            path.symlink_to(content.target.replace("{outside}", str(outside)))
        elif isinstance(content, Fifo):
            os.mkfifo(path)
        elif isinstance(content, Sparse):
            with path.open("wb") as handle:
                handle.truncate(content.size)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


def make_corpus_site(root: Path, cases: list[Case]) -> Path:
    site, outside = root / "site", root / "outside"
    shutil.copytree(FIXTURE_SITE, site)
    shutil.copytree(FIXTURE_SITE / "content", outside)
    (outside / "site.yaml").write_text("title: Another site\n")
    (outside / "outside.yaml").write_text(OUTSIDE_ENTRY)
    for case in cases:
        write_files(site, outside, case.files)
    return site


def assert_clean_output(run, name: str) -> list[tuple[str, str, int | None]]:
    """Assert no traceback and that every line is a problem, a hint or a summary; return (path, code, line) found."""
    assert "Traceback" not in run.output, run.output[-3000:]
    found = []
    for line in run.stdout.splitlines() + run.stderr.splitlines():
        if line.startswith(("Built ", "  ")) and not line.startswith("    hint: ") or line.endswith("no problems.") or line == FAILED:
            continue
        match = PROBLEM.match(line)
        assert match or HINT.match(line) or SUMMARY.match(line), f"{name}: not a problem line: {line[:300]!r}"
        assert not FORBIDDEN_CHARACTERS.search(line), f"{name}: printed a control character: {line[:300]!r}"
        if match:
            found.append((match["path"], match["code"], int(match["line"]) if match["line"] else None))
    return found


@dataclass
class ClassRun:
    found: list[tuple[str, str, int | None]]
    """(path, code, line) of each problem the real `build` printed."""
    problems: list
    """The same problems, from `check` run in-process."""


@pytest.fixture(scope="module")
def failing_runs(tmp_path_factory, built_site) -> dict[str, ClassRun]:
    """Build each failing class once by the real CLI, over a copy of a good build, and check it in-process.

    The builds run two at a time: each is mostly the start of a Python process.
    """
    jobs = {}
    for name, cases in FAILING.items():
        root = tmp_path_factory.mktemp("corpus")
        site = make_corpus_site(root, cases)
        shutil.copytree(built_site, root / "out", symlinks=True)
        jobs[name] = (site, root / "out")
    with ThreadPoolExecutor(max_workers=2) as pool:
        builds = dict(zip(jobs, pool.map(lambda job: run_cli("build", job[0], "--out", job[1], "--all", timeout=120),
                                         jobs.values())))
    before = snapshot(built_site)
    runs = {}
    for name, (site, out) in jobs.items():
        built = builds[name]
        assert built.returncode == 1 and FAILED in built.stderr, built.output[-2000:]
        found = assert_clean_output(built, name)
        assert snapshot(out) == before, f"{name}: a failed build changed the previous output"
        problems = check(Settings(site)).problems
        assert sorted((p.format().split("\n")[0] for p in problems)) == sorted(
            line for line in built.stderr.splitlines() if PROBLEM.match(line)), f"{name}: check and build disagree"
        runs[name] = ClassRun(found, problems)
    return runs


FAILING_CASES = [(name, case) for name, cases in FAILING.items() for case in cases]


@pytest.mark.parametrize("name, case", FAILING_CASES, ids=[f"{name}: {case.id}" for name, case in FAILING_CASES])
def test_each_hostile_case_is_reported_in_its_own_file(failing_runs, name, case):
    found = failing_runs[name].found
    for expected in case.errors:
        path, code, *line = expected
        path = one_line(path)  # as printed: a line break or an escape in a file name shows as "\n", "\x1b"
        assert any(f[:2] == (path, code) and (not line or f[2] == line[0]) for f in found), (expected, [
            f for f in found if f[0] == path])
    if not case.errors:  # a case that is not content: nothing reported about it
        assert not [f for f in found if f[0] in case.files or any(f[0].startswith(p + "/") for p in case.files)]


@pytest.mark.parametrize("name", FAILING)
def test_every_problem_with_a_field_in_a_yaml_file_has_a_line(failing_runs, name):
    for problem in failing_runs[name].problems:
        if problem.field and problem.path.endswith((".yaml", ".md")):
            assert problem.line is not None, problem.format()


@pytest.fixture(scope="module")
def building_run(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("corpus-ok")
    site = make_corpus_site(root, BUILDING)
    checked = run_cli("check", site, timeout=120)
    assert checked.returncode == 0, checked.output[-3000:]
    assert_clean_output(checked, "building")
    out = root / "out"
    built = run_cli("build", site, "--out", out, timeout=300)
    assert built.returncode == 0, built.output[-3000:]
    assert_clean_output(built, "building")
    return site, out


@pytest.mark.parametrize("case", [c for c in BUILDING if c.output], ids=[c.id for c in BUILDING if c.output])
def test_each_odd_but_valid_case_builds_and_shows(building_run, case):
    case.output(building_run[1])


def test_the_odd_site_builds_into_well_formed_files(building_run):
    out = building_run[1]
    ET.parse(out / "feed.xml")
    ET.parse(out / "sitemap.xml")
    for export in out.glob("api/**/*.json"):
        json.loads(export.read_text(encoding="utf-8"))
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not FORBIDDEN_CHARACTERS.search(text), html
    assert all(len(p.name.encode()) <= 255 for p in out.rglob("*"))


def test_an_unreadable_definitions_file_makes_no_id_unknown(failing_runs):
    # The YAML class breaks content/benchmarks.yaml, the v2 class capabilities.yaml:
    # their own error is enough, every model's ids are not "unknown" on top of it.
    assert [f for f in failing_runs["YAML features"].found if f[1] == "MC021"] == []
    assert [f for f in failing_runs["format v2"].found if f[1] == "MC025"] == []
