"""Merge imported entries and definitions into a site, keeping every value an editor wrote.

The import owns the values it wrote last time and nothing else. A state file per
source (`content/import/<source>.json`) records, for each entry and each value the
import wrote, the entry's source key and a digest of the value. On the next import
a value still equal to its digest is the import's to update (or remove, when the
source dropped it); a value that differs was edited, and stays, with a note; a value
the import never wrote (a hand-made entry's, an editor's strengths or notes) is not
touched. Values are compared item by item: one offer, one score, one alias, one
definition, so an editor's change to one offer does not freeze the others.

Every file is checked before it is written, by the same loader and validator as
`modelcat check`; a file that would not pass is not written and the report says why.
Nothing is written outside the site, nor through a link, and `dry_run` writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import schema
from generator.importers import yamlfile
from generator.importers.imported import DEFINITION_FILES, Imported
from generator.importers.report import ADDED, BROKEN, GONE, KEPT, UNCHANGED, UPDATED, Change, Report
from generator.load import MAX_FILE_BYTES, Source, parse_source, parse_yaml
from generator.validate import validate_entry

IMPORT_FOLDER = "content/import"
STATE_FORMAT = 1
FIELD_ORDER = [name for name in schema.Model.model_fields if name not in schema.INTERNAL_FIELDS]
"""Fields in the order `modelcat new` writes them, which is the order of the schema."""

Key = tuple[str, ...]


def apply(site: Path, imported: Imported, report: Report, *, dry_run: bool, complete: bool) -> None:
    """Write `imported` into the site: entries, definitions, state, and the report file.

    `complete` says the source is a whole catalog: an entry it imported before and
    no longer holds is then noted (never deleted).
    """
    writer = _Writer(site, dry_run, report)
    state = State.read(writer, imported.source)
    slugs = _assign_slugs(imported, state, site)
    for kind, definitions in imported.definitions.items():
        writer.merge_definitions(kind, definitions, state)
    for slug, entry in imported.entries.items():
        target = slugs[slug]
        writer.merge_entry(target, entry, state, imported.keys[slug])
    if complete:
        current = {slugs[slug] for slug in imported.entries}
        for gone in sorted(set(state.entries) - current):
            report.note(GONE, "no longer in the source; the entry was left as it is (set its status if the model "
                              "is gone).", entry=gone)
    state.write(writer)


def report_path(source: str) -> str:
    return f"{IMPORT_FOLDER}/{source}-report.md"


def read_state(site: Path, source: str, report: Report) -> State:
    """Return what the last import of `source` wrote into the site."""
    return State.read(_Writer(site, True, report), source)


def read_site_text(site: Path, relative: str, report: Report) -> str | None:
    """Return a site file's text, None when it does not exist or cannot be read (with a note)."""
    try:
        return _Writer(site, True, report).read_text(relative)
    except _Unreadable:
        return None


def write_site_text(site: Path, relative: str, text: str, report: Report) -> None:
    """Write a file of the import's own (its report) inside the site."""
    _Writer(site, False, report).write(relative, text, quiet=True)


def write_mapping(site: Path, relative: str, mapping: dict[str, str], header: str, report: Report,
                  dry_run: bool) -> None:
    """Add new keys to a mapping file (`hf-datasets.yaml`), keeping its comments and the editor's values."""
    writer = _Writer(site, dry_run, report)
    tree = writer.edit_mapping(relative, header)
    if tree is None:
        return
    for key, value in mapping.items():
        if key not in tree:
            tree[key] = value
    writer.write(relative, yamlfile.dump(tree))


def _assign_slugs(imported: Imported, state: State, site: Path) -> dict[str, str]:
    """Return imported slug -> the slug to write: the one a key had at the last import, else the
    import's own (made unique against the slugs the state gives other keys)."""
    by_key = {record["key"]: slug for slug, record in state.entries.items() if "key" in record}
    taken = set(by_key.values())
    result: dict[str, str] = {}
    for slug in imported.entries:
        key = imported.keys[slug]
        if key in by_key:
            result[slug] = by_key[key]
            continue
        chosen, count = slug, 2
        while chosen in taken:
            chosen, count = f"{slug}-{count}", count + 1
        taken.add(chosen)
        result[slug] = chosen
    return result


# --- Items: the units of ownership -----------------------------------------------------


@dataclass(frozen=True)
class _Items:
    """How one field splits into items: a function from an element to its key, for lists of things."""

    element_key: Callable[[Any], str] | None = None


def _offer_key(offer: Any) -> str:
    return "|".join(str(offer.get(k) or "") for k in ("provider", "model_id", "region")) if isinstance(offer, dict) else ""


_KEYED = {
    "offers": _Items(_offer_key),
    "aliases": _Items(str),
    "capabilities": _Items(str),
    "facts": _Items(lambda fact: str(fact.get("label")) if isinstance(fact, dict) else ""),
    "sources": _Items(lambda source: str(source.get("url") if isinstance(source, dict) else source)),
}
"""Entry fields kept item by item; `benchmarks` is kept score by score; every other field whole."""


def entry_items(entry: dict) -> Iterator[tuple[Key, Any]]:
    """Yield (item key, value) for every owned value of an entry in import form (plain data)."""
    for name, value in entry.items():
        if name == "benchmarks":
            for benchmark_id, scores in value.items():
                for score in _scores(scores):
                    yield ("benchmarks", benchmark_id, _variant(score)), score
        elif name in _KEYED:
            for element in value:
                yield (name, _KEYED[name].element_key(element)), element
        else:
            yield (name,), value


def _scores(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _variant(score: Any) -> str:
    return str(score.get("variant") or "") if isinstance(score, dict) else ""


def _get(tree: Any, key: Key) -> Any:
    """Return the value of an item in a file's tree (plain data), or None when it has none."""
    name = key[0]
    value = tree.get(name) if isinstance(tree, dict) else None
    if len(key) == 1 or value is None:
        return yamlfile.plain(value) if len(key) == 1 else None
    if name == "benchmarks":
        scores = value.get(key[1]) if isinstance(value, dict) else None
        found = [s for s in _scores(scores) if scores is not None and _variant(s if isinstance(s, dict) else {}) == key[2]]
        return yamlfile.plain(found[0]) if found else None
    elements = value if isinstance(value, list) else []
    found = [e for e in elements if _KEYED[name].element_key(yamlfile.plain(e)) == key[1]]
    return yamlfile.plain(found[0]) if found else None


def _set(tree: Any, key: Key, value: Any, order: list[str]) -> None:
    """Set (or, with value None, remove) one item in a file's tree, in the field order of `order`."""
    name = key[0]
    if len(key) == 1:
        if value is None:
            tree.pop(name, None)
        else:
            yamlfile.insert_in_order(tree, name, yamlfile.node(value), order)
        return
    if name == "benchmarks":
        _set_score(tree, key, value, order)
        return
    elements = tree.get(name)
    if not isinstance(elements, list):
        if value is None:
            return
        yamlfile.insert_in_order(tree, name, yamlfile.node([value]), order)
        return
    index = next((i for i, e in enumerate(elements) if _KEYED[name].element_key(yamlfile.plain(e)) == key[1]), None)
    if value is None:
        if index is not None:
            del elements[index]
            if not elements:
                del tree[name]
    elif index is None:
        elements.append(yamlfile.node(value))
    else:
        elements[index] = yamlfile.node(value)
    if name in tree:
        _restyle(tree, name)


def _set_score(tree: Any, key: Key, value: Any, order: list[str]) -> None:
    _, benchmark_id, variant = key
    benchmarks = tree.get("benchmarks")
    if not isinstance(benchmarks, dict):
        if value is None:
            return
        yamlfile.insert_in_order(tree, "benchmarks", yamlfile.node({benchmark_id: value}), order)
        tree["benchmarks"].fa.set_block_style()
        return
    scores = [s for s in _scores(benchmarks.get(benchmark_id)) if benchmark_id in benchmarks]
    index = next((i for i, s in enumerate(scores) if _variant(s if isinstance(s, dict) else {}) == variant), None)
    if value is None:
        if index is not None:
            del scores[index]
    elif index is None:
        scores.append(value)
    else:
        scores[index] = value
    if not scores:
        benchmarks.pop(benchmark_id, None)
        if not benchmarks:
            del tree["benchmarks"]
        return
    benchmarks[benchmark_id] = yamlfile.node(scores[0]) if len(scores) == 1 and not variant \
        else yamlfile.node([yamlfile.plain(s) for s in scores])
    benchmarks.fa.set_block_style()


def _restyle(tree: Any, name: str) -> None:
    """Write a list of mappings (offers, facts) as a block, one element a line or a few."""
    elements = tree[name]
    if any(isinstance(e, dict) for e in elements):
        elements.fa.set_block_style()


def digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _merge(tree: Any, owned: dict[Key, Any], last: dict[str, str], order: list[str],
           kept: Callable[[Key, Any, Any], None], setter: Callable = None) -> tuple[dict[str, str], list[str]]:
    """Apply owned items to a tree; return the new state digests and the fields changed.

    `last` maps item keys (as JSON) to the digest of the value the import wrote last
    time; an item it does not hold was never the import's.
    """
    new_state: dict[str, str] = {}
    changed: list[str] = []
    keys = list(owned) + [tuple(json.loads(k)) for k in last if tuple(json.loads(k)) not in owned]
    for key in keys:
        text = json.dumps(list(key))
        current, wanted = _get(tree, key), owned.get(key)
        previous = last.get(text)
        if previous is None and current is not None:  # the editor's, or hand-made
            if current == wanted:  # it says what the source says: the import's from now on
                new_state[text] = digest(wanted)
            elif wanted is not None:
                kept(key, current, wanted)
            continue
        if previous is not None and digest(current) != previous:  # edited since the last import
            if current != wanted:
                if wanted is not None:
                    kept(key, current, wanted)
                new_state[text] = previous
                continue
        if current != wanted:
            (setter or _set)(tree, key, wanted, order)
            if key[0] not in changed:
                changed.append(key[0])
        if wanted is not None:
            new_state[text] = digest(wanted)
    return new_state, changed


# --- State -----------------------------------------------------------------------------


@dataclass
class State:
    """What one source's last import wrote: per entry its key and item digests; per definitions file, item digests."""

    path: str
    entries: dict[str, dict] = field(default_factory=dict)
    definitions: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def read(cls, writer: _Writer, source: str) -> State:
        path = f"{IMPORT_FOLDER}/{source}.json"
        state = cls(path)
        try:
            text = writer.read_text(path)
        except _Unreadable:
            return state
        if text is None:
            return state
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            writer.report.note(BROKEN, f"the import's state cannot be read ({exc.msg}); every existing value is taken "
                                       f"as an editor's.", path, exc.lineno)
            return state
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            writer.report.note(BROKEN, "the import's state is not in a format this version reads; every existing "
                                       "value is taken as an editor's.", path)
            return state
        entries, definitions = data.get("entries"), data.get("definitions")
        state.entries = {k: v for k, v in (entries or {}).items() if isinstance(v, dict)} if isinstance(entries, dict) else {}
        state.definitions = definitions if isinstance(definitions, dict) else {}
        return state

    def write(self, writer: _Writer) -> None:
        data = {"format": STATE_FORMAT, "entries": dict(sorted(self.entries.items())),
                "definitions": self.definitions}
        writer.write(self.path, json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n", quiet=True)


# --- Writing ---------------------------------------------------------------------------


class _Writer:
    """Reads and writes files of one site, refusing anything outside it; counts its changes in the report."""

    def __init__(self, site: Path, dry_run: bool, report: Report):
        self.site = site
        self.real_site = site.resolve()
        self.dry_run = dry_run
        self.report = report

    def _inside(self, relative: str) -> Path | None:
        path = self.site / relative
        parent = path.parent.resolve()
        if parent != self.real_site and self.real_site not in parent.parents:
            self.report.note(BROKEN, "its folder leads out of the site (a link); nothing was written there.", relative)
            return None
        if path.is_symlink():
            self.report.note(BROKEN, "a link; the import does not write through links.", relative)
            return None
        return path

    def read_text(self, relative: str) -> str | None:
        path = self._inside(relative)
        if path is None or not path.is_file():
            return None
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise OSError(f"larger than {MAX_FILE_BYTES:,} bytes")
            return path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.report.note(BROKEN, f"cannot be read ({exc}); it was left as it is.", relative)
            raise _Unreadable from None

    def write(self, relative: str, text: str, quiet: bool = False, fields: tuple[str, ...] = ()) -> None:
        path = self._inside(relative)
        if path is None:
            return
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        action = ADDED if old is None else UNCHANGED if old == text else UPDATED
        if not quiet:
            self.report.changes.append(Change(relative, action, fields if action == UPDATED else ()))
        if self.dry_run or action == UNCHANGED:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if self._inside(relative) is None:  # a link made between the check and the write
            return
        # written aside and renamed over the file, so a reader (the dev server) never sees half a file;
        # mkstemp makes it private (0600), so it gets the file's old mode, or the usual 0644 for a new one
        mode = path.stat().st_mode & 0o777 if old is not None else 0o644
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load_tree(self, relative: str) -> tuple[Any, str | None, Any]:
        """Return (round-trip tree or None, text, plain data) of a site file: (a new tree, None, {}) for a file
        that does not exist; raise _Unreadable when the file cannot be merged into (modelcat's own loader refuses
        it). The round-trip tree is read only where asked for (`round_trip`), as it is slow."""
        text = self.read_text(relative)
        if text is None:
            return _new_map(), None, {}
        parsed = parse_yaml(text, relative)
        if parsed.problems or not isinstance(parsed.data, dict):
            first = parsed.problems[0].format() if parsed.problems else "not a mapping of fields"
            self.report.note(BROKEN, f"not merged into, left as it is: {first}", relative)
            raise _Unreadable
        return None, text, parsed.data

    def round_trip(self, relative: str, text: str) -> Any:
        try:
            return yamlfile.read(text)
        except ValueError as exc:
            self.report.note(BROKEN, f"not merged into, left as it is: {exc}", relative)
            raise _Unreadable from None

    def edit_mapping(self, relative: str, header: str) -> Any:
        """Return the round-trip tree of a mapping file to add to (a new one headed by `header`), or None when
        the file cannot be merged into (reported)."""
        try:
            tree, text, _ = self.load_tree(relative)
            tree = tree if text is None else self.round_trip(relative, text)
        except _Unreadable:
            return None
        if text is None:
            tree.yaml_set_start_comment(header)
        return tree

    def merge_entry(self, slug: str, entry: dict, state: State, key: str) -> None:
        relative = f"content/models/{slug}.yaml"
        record = state.entries.get(slug, {})
        owned = dict(entry_items(entry))

        def kept(item: Key, current: Any, wanted: Any) -> None:
            self.report.note(KEPT, f"{_item_name(item)}: kept the editor's value; the source says {_short(wanted)}.",
                             relative, entry=slug)

        try:
            tree, text, data = self.load_tree(relative)
            if text is not None:  # most entries of a re-import do not change: that is found on plain data, fast
                items, changed = _merge(yamlfile.plain(data), owned, record.get("items", {}), FIELD_ORDER, kept,
                                        setter=_ignore)
                if not changed:
                    self.report.changes.append(Change(relative, UNCHANGED))
                    state.entries[slug] = {"key": key, "items": items}
                    return
                tree, kept = self.round_trip(relative, text), _ignore  # kept values were noted above
        except _Unreadable:
            return
        items, changed = _merge(tree, owned, record.get("items", {}), FIELD_ORDER, kept)
        text = yamlfile.dump(tree)
        problems = _problems("model", relative, slug, text)
        if problems:
            self.report.note(BROKEN, f"not written: it would not pass check: {problems[0]}", relative, entry=slug)
            return
        self.write(relative, text, fields=tuple(changed))
        state.entries[slug] = {"key": key, "items": items}

    def merge_definitions(self, kind: str, definitions: dict[str, dict], state: State) -> None:
        relative = DEFINITION_FILES[kind]
        tree = self.edit_mapping(relative, _DEFINITION_HEADERS[kind])
        if tree is None:
            return
        owned: dict[Key, Any] = {}
        for definition_id, definition in definitions.items():
            owned[(definition_id,)] = {k: v for k, v in definition.items() if k != "variants"}
            for variant_id, variant in definition.get("variants", {}).items():
                owned[(definition_id, "variants", variant_id)] = variant

        def kept(item: Key, current: Any, wanted: Any) -> None:
            self.report.note(KEPT, f"{'.'.join(item)}: kept the editor's definition; the source says {_short(wanted)}.",
                             relative)

        items, changed = _merge_definitions(tree, owned, state.definitions.get(kind, {}), kept)
        problems = _problems(kind, relative, "", yamlfile.dump(tree))
        if problems:
            self.report.note(BROKEN, f"not written: it would not pass check: {problems[0]}", relative)
            return
        self.write(relative, yamlfile.dump(tree), fields=tuple(changed[:10]))
        state.definitions[kind] = items


_DEFINITION_HEADERS = {
    "benchmarks": "Benchmark definitions, keyed by the id that model entries and comparisons use.",
    "capabilities": "The capability vocabulary: what models can support, keyed by id.",
    "providers": "Where models can be used: the providers of content/models/*.yaml `offers`.",
}


def _merge_definitions(tree: Any, owned: dict[Key, Any], last: dict[str, str],
                       kept: Callable[[Key, Any, Any], None]) -> tuple[dict[str, str], list[str]]:
    """As `_merge`, for a definitions file: one item per definition (its variants aside) and per variant.

    A definition is never removed: entries the import did not write this time (another card's, an
    editor's) may use it.
    """
    new_state = {text: value for text, value in last.items() if tuple(json.loads(text)) not in owned}
    changed: list[str] = []
    for key in owned:
        text = json.dumps(list(key))
        current, wanted, previous = _get_definition(tree, key), owned.get(key), last.get(text)
        if previous is None and current is not None or previous is not None and digest(current) != previous:
            if current != wanted and wanted is not None:
                kept(key, current, wanted)
            if previous is not None:
                new_state[text] = previous
            continue
        if current != wanted:
            _set_definition(tree, key, wanted)
            if key[0] not in changed:
                changed.append(key[0])
        if wanted is not None:
            new_state[text] = digest(wanted)
    return new_state, changed


def _get_definition(tree: Any, key: Key) -> Any:
    definition = tree.get(key[0])
    if not isinstance(definition, dict):
        return yamlfile.plain(definition) if len(key) == 1 else None
    if len(key) == 1:
        return {k: v for k, v in yamlfile.plain(definition).items() if k != "variants"}
    variants = definition.get("variants")
    return yamlfile.plain(variants.get(key[2])) if isinstance(variants, dict) and key[2] in variants else None


def _set_definition(tree: Any, key: Key, value: Any) -> None:
    definition = tree.get(key[0])
    if len(key) == 1:
        if value is None:
            tree.pop(key[0], None)
            return
        variants = definition.get("variants") if isinstance(definition, dict) else None
        new = yamlfile.node(value)
        if variants is not None:
            new["variants"] = variants
            new.fa.set_block_style()
        tree[key[0]] = new
        return
    if not isinstance(definition, dict):
        return
    variants = definition.get("variants")
    if value is None:
        if isinstance(variants, dict):
            variants.pop(key[2], None)
        return
    if not isinstance(variants, dict):
        definition["variants"] = variants = yamlfile.node({})
        variants.fa.set_block_style()
        definition.fa.set_block_style()
    variants[key[2]] = yamlfile.node(value)


def _problems(kind: str, relative: str, slug: str, text: str) -> list[str]:
    """Return what `check` would say about one file on its own (its fields, not references)."""
    source = Source(kind, Path(relative), relative, slug)
    entry, problems = parse_source(source, text.encode("utf-8"))
    if entry is not None:
        problems = validate_entry(entry).problems
    return [p.format().splitlines()[0] for p in problems if p.is_error]


def _ignore(*args: Any) -> None:
    return None


def _item_name(key: Key) -> str:
    if key[0] == "benchmarks":
        return f"benchmarks.{key[1]}" + (f" (variant {key[2]})" if key[2] else "")
    return key[0] if len(key) == 1 else f"{key[0]} {key[1]!r}"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _new_map() -> Any:
    tree = yamlfile.node({})
    tree.fa.set_block_style()
    return tree


class _Unreadable(Exception):
    """A site file the import must leave alone; the note is already in the report."""
