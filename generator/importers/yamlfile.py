"""Read and write an editor's YAML file without losing what the editor wrote around the data.

ruamel.yaml's round-trip mode keeps comments, key order and quoting of the parts of
a file the import does not change, which PyYAML (the loader of `load`) cannot: it
forgets comments on parse. Two adjustments make its output read like the files
`modelcat new` writes and load the same in `load`: strings that PyYAML (YAML 1.1)
would read as something else (`yes`, `on`, `1_000`) are quoted, and quotes are
double, as in the bundled catalog.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import YAMLError as RuamelError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import LiteralScalarString

_STR_TAG = "tag:yaml.org,2002:str"
_PYYAML = yaml.resolver.Resolver()
FLOW_WIDTH = 110
"""A mapping or list whose one-line form is shorter than this is written on one line: `{input: [text], output: [text]}`."""


class _DoubleQuotes(Emitter):
    """Quote with double quotes where quotes are needed, unless the editor wrote single ones."""

    def choose_scalar_style(self) -> Any:
        style = super().choose_scalar_style()
        return '"' if style == "'" and self.event.style != "'" else style


class _Representer(RoundTripRepresenter):
    """Quote strings PyYAML would not read back as strings."""


def _represent_str(representer: RoundTripRepresenter, value: str) -> Any:
    """Quote what PyYAML would read as another type, and URLs: a `?` or `#` in a plain URL inside
    `{...}` trips some YAML parsers (PyYAML's pure-Python one among them), and the bundled files quote URLs."""
    plain_is_text = _PYYAML.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
    quoted = not plain_is_text or "://" in value
    return representer.represent_scalar(_STR_TAG, value, style='"' if quoted else None)


_Representer.add_representer(str, _represent_str)


def _yaml() -> YAML:
    handler = YAML()
    handler.Emitter = _DoubleQuotes
    handler.Representer = _Representer
    handler.indent(mapping=2, sequence=4, offset=2)
    handler.width = 4096  # never fold a long line: a folded URL or summary is harder to edit
    handler.preserve_quotes = True
    return handler


def read(text: str) -> Any:
    """Return the round-trip tree of a YAML text; raises ValueError when ruamel cannot read it."""
    try:
        return _yaml().load(text)
    except RuamelError as exc:
        raise ValueError(str(exc).splitlines()[0] if str(exc) else "YAML error") from None


def dump(tree: Any) -> str:
    out = io.StringIO()
    _yaml().dump(tree, out)
    return out.getvalue()


def node(value: Any) -> Any:
    """Return plain data as round-trip nodes: short mappings and lists on one line, long ones as blocks,
    text with line breaks as a literal block, full dates as dates."""
    if isinstance(value, dict):
        result = CommentedMap((key, node(item)) for key, item in value.items())
        if _short(value):
            result.fa.set_flow_style()
        return result
    if isinstance(value, list):
        result = CommentedSeq(node(item) for item in value)
        if _short(value):
            result.fa.set_flow_style()
        return result
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
    return value


def _short(value: Any) -> bool:
    """Whether a mapping or list reads well on one line: only scalars and short lists inside, and short."""
    items = value.values() if isinstance(value, dict) else value
    flat = all(not isinstance(item, (dict, list)) or (isinstance(item, list) and all(
        not isinstance(i, (dict, list)) for i in item)) or (isinstance(item, dict) and _short(item)) for item in items)
    return flat and len(json.dumps(value, default=str).replace('"', "")) < FLOW_WIDTH


def plain(value: Any) -> Any:
    """Return round-trip nodes as plain data (dicts, lists, str, numbers, ISO dates), to compare values."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if not isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def insert_in_order(tree: CommentedMap, key: str, value: Any, order: list[str]) -> None:
    """Set `key` in a mapping; a new key goes after the last key that comes before it in `order`."""
    if key in tree:
        tree[key] = value
        return
    rank = {name: index for index, name in enumerate(order)}
    position = len(tree)
    if key in rank:
        later = [i for i, existing in enumerate(tree) if rank.get(existing, len(order)) > rank[key]]
        position = later[0] if later else len(tree)
    tree.insert(position, key, value)
