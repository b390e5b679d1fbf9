"""Incremental rebuilds: what the last build read and made, so the next one redoes only what changed.

Nothing here guesses what a page depends on. Every page renders against a view of
its inputs that notes each read: a catalog field or mapping entry (down to one field
of one model), a template the Jinja environment loads (by extends, include, import or
by name: the loader sees them all), a static file. A page is rendered again exactly
when one of its reads now returns something else, and the comparison is cheap
because an incremental catalog keeps every unchanged part as the very same object
(see `catalog`). This is the scheme of rust-analyzer's Salsa and Hugo's dependency
tracking: record at the boundary, never in the callers.

No stage, gatherer or template imports this module: `build` hands its views to
them. Without it (`--no-cache`) a build reads, renders and writes everything, and
gives the same bytes. The state lives in memory in the dev server and in the user's
cache folder between `modelcat build` runs; a state written by another version of
modelcat, or one that cannot be read, is discarded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel

from generator import __version__
from generator.catalog import Catalog
from generator.errors import Problem
from generator.load import keeps_listing
from generator.search import IndexUpdate

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent
RACY_NS = 2_000_000_000
"""A file modified this close to when it was last hashed is hashed again, whatever its stamp says."""


def _code_version() -> str:
    """Return a hash of modelcat's own code and theme: a new version builds differently."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for source in sorted(_PACKAGE.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def digest_bytes(data: bytes) -> str:
    """Return a short, stable hash of some bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# --- What a page reads ------------------------------------------------------------

Read = tuple
"""A path into the world: ("models", "x", "name"), ("listings", "current", 2), ("templates", "base.html").
The last part may be KEYS, for the keys of a mapping in order."""
KEYS = "*keys"
ALL = "*all"
"""Reading every value of a mapping at once (`values()`, `items()`): cheaper to note than each key."""
MISSING = object()
"""What a read of an absent key returns."""


@dataclass(frozen=True)
class World:
    """Everything a page can read: the catalog, and the theme's files by their hashes."""

    catalog: Catalog
    templates: Mapping[str, str]
    """Template name -> hash of the file that name loads."""
    statics: Mapping[str, str]
    """Path under static/ -> hash of the file."""


def resolve(world: World, read: Read) -> Any:
    """Return what a recorded read returns in `world` (MISSING for an absent key)."""
    first, *rest = read
    value: Any = world.templates if first == "templates" else world.statics if first == "statics" else \
        getattr(world.catalog, first)
    if first in ("templates", "statics"):
        return value.get(rest[0], MISSING)
    for part in rest:
        if part == KEYS:
            return tuple(value)
        if part == ALL:
            return value
        if isinstance(value, Mapping):
            value = value.get(part, MISSING)
            if value is MISSING:
                return MISSING
        else:
            value = getattr(value, part)
    return value


class _Sink:
    """The reads of the page being rendered, interned so that equal reads share one tuple."""

    def __init__(self) -> None:
        self.reads: set[Read] | None = None
        self._interned: dict[Read, Read] = {}

    def add(self, read: Read) -> None:
        if self.reads is not None:
            self.reads.add(self._interned.setdefault(read, read))

    @contextlib.contextmanager
    def apart(self) -> Iterator[set[Read]]:
        """Collect the reads made meanwhile on their own as well (they still count for the page)."""
        outer, inner = self.reads, set()
        self.reads = inner
        try:
            yield inner
        finally:
            self.reads = outer
            if outer is not None:
                outer |= inner


class _MappingView(Mapping):
    """A read-only mapping that notes each lookup, and its keys when walked."""

    __slots__ = ("_path", "_mapping", "_sink")

    def __init__(self, path: Read, mapping: Mapping, sink: _Sink):
        self._path, self._mapping, self._sink = path, mapping, sink

    def __getitem__(self, key: Any) -> Any:
        path = (*self._path, key)
        try:
            value = self._mapping[key]
        except KeyError:
            self._sink.add(path)
            raise
        return _view(path, value, self._sink)

    def __contains__(self, key: object) -> bool:
        self._sink.add((*self._path, key))
        return key in self._mapping

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default

    def __iter__(self) -> Iterator:
        self._sink.add((*self._path, KEYS))
        return iter(self._mapping)

    def values(self) -> Any:
        self._sink.add((*self._path, ALL))
        return self._mapping.values()

    def items(self) -> Any:
        self._sink.add((*self._path, ALL))
        return self._mapping.items()

    def __len__(self) -> int:
        self._sink.add((*self._path, KEYS))
        return len(self._mapping)


class _ObjectView:
    """An entry (a model, the site) whose fields are noted one by one as they are read.

    A property is evaluated against the view, so the fields it reads are noted; a
    method (say, `model_dump`) reads the whole entry.
    """

    __slots__ = ("_path", "_value", "_sink")

    def __init__(self, path: Read, value: Any, sink: _Sink):
        self._path, self._value, self._sink = path, value, sink

    def __getattr__(self, name: str) -> Any:
        if name in _properties(type(self._value)):
            return getattr(type(self._value), name).fget(self)
        value = getattr(self._value, name)
        if callable(value) or name.startswith("__"):
            self._sink.add(self._path)
        else:
            self._sink.add((*self._path, name))
        return value

    def __eq__(self, other: object) -> bool:
        self._sink.add(self._path)
        return self._value == (other._value if isinstance(other, _ObjectView) else other)

    def __hash__(self) -> int:
        return hash(self._path)


def _view(path: Read, value: Any, sink: _Sink) -> Any:
    if isinstance(value, Mapping):
        return _MappingView(path, value, sink)
    if isinstance(value, BaseModel):
        return _ObjectView(path, value, sink)
    sink.add(path)
    return value


class _CatalogView:
    """The catalog as gatherers and templates see it, noting what they read."""

    def __init__(self, catalog: Catalog, sink: _Sink):
        self._catalog, self._sink = catalog, sink

    def __getattr__(self, name: str) -> Any:
        value = _view((name,), getattr(self._catalog, name), self._sink)
        if isinstance(value, (_MappingView, _ObjectView)):
            setattr(self, name, value)  # the view notes each read itself; keep it for the next lookup
        return value


class _RecordingLoader(jinja2.BaseLoader):
    """Loads templates from the theme folders and notes every template a page loads.

    Jinja asks the loader for a template's source when it first compiles it, and
    asks the `uptodate` function it returned each time a page loads the compiled
    template again (by extends, include, import or by name), so both note the read.
    """

    def __init__(self, folders: jinja2.BaseLoader, sink: _Sink):
        self._folders, self._sink = folders, sink

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str | None, Callable[[], bool]]:
        self._sink.add(("templates", template))
        source, filename, uptodate = self._folders.get_source(environment, template)

        def noted() -> bool:
            self._sink.add(("templates", template))
            return uptodate() if uptodate is not None else True

        return source, filename, noted


def _template_class(sink: _Sink) -> type[jinja2.Template]:
    """Return a Template class whose imported modules note, on every page, the templates they load.

    Jinja makes a template's module (running its imports) once and keeps it; a page
    that imports it later would not load what the module loaded. So the loads made
    while the module is made are kept with it and noted again for each page that
    imports it. (A changed template gets a new environment, so no module outlives
    the templates it was made from.)
    """

    class NotedTemplate(jinja2.Template):
        _loads: tuple[Read, ...] = ()

        def _get_default_module(self, ctx: Any = None) -> Any:
            if self._module is not None and (ctx is None or not ctx.globals_keys - self.globals.keys()):
                for read in self._loads:
                    sink.add(read)
                return self._module
            with sink.apart() as loads:
                module = super()._get_default_module(ctx)
            self._loads = tuple(loads)
            return module

    return NotedTemplate


# --- The state kept between builds ------------------------------------------------


@dataclass
class FileStamp:
    """What a file looked like when it was last hashed."""

    size: int
    mtime_ns: int
    digest: str
    checked_ns: int
    """When the file was hashed; a stamp is trusted only for files older than that."""


@dataclass
class Output:
    """A file the last build published, and what it read to make it."""

    plan: Any
    """The PagePlan it was made from."""
    reads: tuple[Read, ...]
    digest: str
    """Hash of its bytes: a page rendered again to the same bytes is not written again."""


@dataclass
class _Manifest:
    """The small part of the state, read on every `modelcat build`."""

    version: str = CODE_VERSION
    settings: str = ""
    """What the build was asked for (settings, the day)."""
    stamps: dict[str, FileStamp] = field(default_factory=dict)
    """Input file path -> stamp."""
    inputs: dict[str, str] = field(default_factory=dict)
    """Input file path -> hash, as the last successful build read them."""
    outputs: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Output path -> (size, mtime_ns) as published."""
    problems: list[Problem] = field(default_factory=list)
    """The warnings of the last build, reported again when nothing changed."""
    search: dict[str, str] = field(default_factory=dict)
    """File of the search index -> hash of its bytes, as published."""
    search_stale: bool = False
    """Searched pages changed since the index was made (the dev server makes it in the background)."""


@dataclass
class _Bulk:
    """The large part: parsed entries, the catalog, and what every output read."""

    version: str = CODE_VERSION
    loaded: Any = None
    """What the last build made of every content file; kept even when that build failed."""
    world: World | None = None
    """What the published outputs were made from."""
    plan: list | None = None
    plan_reads: tuple[Read, ...] = ()
    outputs: dict[str, Output] = field(default_factory=dict)


class Tracker:
    """What the last successful build read and made; `build` asks it what to redo.

    The dev server keeps one in memory for the whole session; `modelcat build` opens
    the one saved in the cache folder and saves it back.
    """

    def __init__(self, folder: Path | None = None, autosave: bool = True):
        self.folder = folder
        self.autosave = autosave
        self.manifest = _Manifest()
        self._bulk: _Bulk | None = None
        self._readers: dict[Read, set[str]] | None = None
        self._sink = _Sink()
        self._verified = False
        """Set once this process has published (or checked) the output: it then trusts it."""
        self._damaged: set[str] = set()
        """Published files found deleted or edited since: made again, whatever they render to."""
        self.runtime: dict[str, Any] = {}
        """Reused within one process only (compiled templates, rendered Markdown)."""

    @classmethod
    def open(cls, folder: Path | None) -> Tracker:
        """Return the state saved in `folder` (its manifest now, the rest when first needed)."""
        tracker = cls(folder)
        if folder is not None:
            manifest = _read(folder / "manifest.pickle")
            if isinstance(manifest, _Manifest) and manifest.version == CODE_VERSION:
                tracker.manifest = manifest
            else:
                tracker._bulk = _Bulk()
        return tracker

    @property
    def bulk(self) -> _Bulk:
        if self._bulk is None:
            bulk = _read(self.folder / "bulk.pickle") if self.folder is not None else None
            if isinstance(bulk, _Bulk) and bulk.version == CODE_VERSION:
                self._bulk = bulk
            else:
                self._bulk = _Bulk()
                self.manifest.outputs = {}  # without their reads, no output can be shown to be fresh
        return self._bulk

    # Inputs -----------------------------------------------------------------------

    def sources(self, site_dir: Path, changed: set[str] | None, find: Callable[[Path], tuple[list, list]]) -> tuple[list, list]:
        """Return the site's content files (and the problems of listing them), listed again only when needed.

        The watcher names every file that appeared, changed or went; when each of them
        leaves the listing as it was (see `load.keeps_listing`), the folders hold the
        same files as last time.
        """
        last = self.runtime.get("sources")
        content, site_file = os.path.join(site_dir, "content", ""), os.path.join(site_dir, "site.yaml")
        if last is not None and changed is not None and all(
                keeps_listing(site_dir, path, path in last[2]) for path in changed
                if path.startswith(content) or path == site_file):
            return last[0], list(last[1])
        sources, problems = find(site_dir)
        listed = {str(source.file) for source in sources}
        self.runtime["sources"] = (sources, problems, listed)
        return sources, list(problems)

    def digests(self, files: Iterable[Path], changed: set[str] | None) -> tuple[dict[str, str], dict[str, bytes]]:
        """Return the hash of each file, and the bytes of those read to hash them.

        A file is read when the watcher named it (`changed`), or, without a watcher,
        when its size or modification time differ from the last look.
        """
        stamps, fresh = self.manifest.stamps, {}
        digests: dict[str, str] = {}
        data: dict[str, bytes] = {}
        for file in files:
            key = str(file)
            old = stamps.get(key)
            if old is not None and changed is not None and key not in changed:
                fresh[key], digests[key] = old, old.digest
                continue
            stat = file.stat()
            if old is not None and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns) \
                    and stat.st_mtime_ns < old.checked_ns - RACY_NS:
                fresh[key], digests[key] = old, old.digest
                continue
            data[key] = file.read_bytes()
            digests[key] = digest_bytes(data[key])
            fresh[key] = FileStamp(stat.st_size, stat.st_mtime_ns, digests[key], time.time_ns())
        self.manifest.stamps = fresh
        return digests, data

    def unchanged(self, settings_key: str, digests: dict[str, str], out: Path) -> bool:
        """Whether nothing was asked or read differently since the last build, and its output is still there."""
        manifest = self.manifest
        return settings_key == manifest.settings and digests == manifest.inputs and bool(manifest.outputs) and \
            not manifest.search_stale and self._verify(out, manifest.outputs)

    def _verify(self, out: Path, outputs: Iterable[str]) -> bool:
        """Whether these published files are still as written; checked once per process, which then owns them."""
        if self._verified:
            return True
        stamps, folder = self.manifest.outputs, os.path.join(out, "")
        return all(path in stamps and _stat_matches(folder + path, *stamps[path]) for path in outputs)

    @property
    def loaded(self) -> Any:
        """What the last build's load step made of every file (see `build`)."""
        return self.bulk.loaded

    @loaded.setter
    def loaded(self, loaded: Any) -> None:
        self.bulk.loaded = loaded

    @property
    def catalog(self) -> Catalog | None:
        """The catalog of the last successful build."""
        world = self.bulk.world
        return world.catalog if world is not None else None

    # Planning -----------------------------------------------------------------------

    def plan(self, world: World, make: Callable[[Catalog], list]) -> list:
        """Return the site's plan, made again only when something it read differs."""
        bulk = self.bulk
        if bulk.plan is not None and bulk.world is not None and not self._differs(bulk.world, world, bulk.plan_reads):
            return bulk.plan
        reads = self._sink.reads = set()
        try:
            plans = make(_CatalogView(world.catalog, self._sink))
        finally:
            self._sink.reads = None
        bulk.plan, bulk.plan_reads = plans, tuple(reads)
        return plans

    def stale(self, site: Any, statics: list, world: World, out: Path) -> tuple[list, list[str], bool]:
        """Return the plans to render (of the site's generated files, a `render.SitePlan`, and of its
        static files), the outputs to remove, and whether the output must be made whole."""
        bulk = self.bulk
        outputs, plans = bulk.outputs, site + statics
        if not outputs or bulk.world is None or not self.manifest.outputs or not out.is_dir():
            return plans, [], True
        changed = self._changed_reads(bulk.world, world)
        stale: set[str] = set()
        for read in changed:
            stale |= self.readers.get(read, set())
        planned = site.outputs | {plan.output for plan in statics}
        if not self._verified:  # files deleted or edited in the output since it was published are made again
            self._damaged = {path for path in outputs if not self._verify(out, [path])}
            stale |= self._damaged
        todo = []
        for plan in plans:
            record = outputs.get(plan.output)
            if record is None or plan.output in stale or (record.plan is not plan and record.plan != plan):
                todo.append(plan)
            elif record.plan is not plan:
                record.plan = plan  # an equal plan made again: kept, so that the next build compares by identity
        return todo, sorted(outputs.keys() - planned), False

    def holds(self, output: str, file_digest: str) -> bool:
        """Whether the published output already holds these very bytes (and is intact)."""
        record = self.bulk.outputs.get(output)
        return record is not None and record.digest == file_digest and output not in self._damaged

    @property
    def readers(self) -> dict[Read, set[str]]:
        """Read -> the outputs that made it, built from the outputs' reads when first needed."""
        if self._readers is None:
            readers: dict[Read, set[str]] = {}
            for output, record in self.bulk.outputs.items():
                for read in record.reads:
                    readers.setdefault(read, set()).add(output)
            self._readers = readers
        return self._readers

    def _differs(self, before: World, after: World, reads: Iterable[Read]) -> bool:
        return any(_differ(resolve(before, read), resolve(after, read)) for read in reads)

    def _changed_reads(self, before: World, after: World) -> set[Read]:
        """Return the recorded reads that return something else in `after` than in `before`.

        The two worlds are compared part by part, skipping parts that are the very same
        object; only the reads under a part that differs are resolved and compared.
        """
        candidates: set[Read] = set()
        readers = self.readers
        for name in ("templates", "statics"):
            old, new = getattr(before, name), getattr(after, name)
            candidates.update((name, key) for key in old.keys() | new.keys() if old.get(key) != new.get(key))
        for item in dataclasses.fields(Catalog):
            old, new = getattr(before.catalog, item.name), getattr(after.catalog, item.name)
            if old is not new:
                _differing_parts((item.name,), old, new, candidates, readers)
        return {read for read in candidates if read in readers and _differ(resolve(before, read), resolve(after, read))}

    # Rendering ----------------------------------------------------------------------

    def environment(self, make: Callable[[jinja2.BaseLoader, dict], jinja2.Environment], key: tuple,
                    templates: Mapping[str, str]) -> jinja2.Environment:
        """Return a Jinja environment, made by `make(loader, markdown memo)`, that notes every template a page loads.

        It is kept between builds while `key` (the template folders first, then what else
        the environment holds) and the templates' hashes hold; any change to a template
        starts a new one, so no compiled template or imported module outlives what it
        was made from. Rendered Markdown is kept too, within a bound: texts edited away
        pile up in a long session.
        """
        key = (key, tuple(sorted(templates.items())))
        markdown = self.runtime.setdefault("markdown", {})
        if len(markdown) > 100_000:
            markdown.clear()
        if self.runtime.get("environment_key") != key:
            folders = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in key[0][0]])
            environment = make(_RecordingLoader(folders, self._sink), markdown)
            environment.template_class = _template_class(self._sink)
            self.runtime["environment_key"], self.runtime["environment"] = key, environment
        return self.runtime["environment"]

    def watching(self, world: World) -> Callable[[Callable[[Any, Any], Any]], tuple[Any, tuple[Read, ...]]]:
        """Return a function that runs `render(catalog view, static files' hashes view)` for one page and
        returns its result and its reads."""
        sink = self._sink

        def watch(render: Callable[[Any, Any], Any]) -> tuple[Any, tuple[Read, ...]]:
            reads = sink.reads = set()
            try:
                return render(_CatalogView(world.catalog, sink), _MappingView(("statics",), world.statics, sink)), \
                    tuple(reads)
            finally:
                sink.reads = None

        return watch

    # After publishing ---------------------------------------------------------------

    def commit(self, world: World, settings_key: str, inputs: dict[str, str], made: dict[str, Output],
               removed: list[str], whole: bool, problems: list[Problem], out: Path, search: IndexUpdate) -> None:
        """Remember a published build: its world, what each new output read, and the warnings."""
        bulk = self.bulk
        if whole:
            bulk.outputs, self._readers = {}, None
        readers = self._readers
        for output in removed:
            old = bulk.outputs.pop(output, None)
            if old is not None and readers is not None:
                _forget(readers, output, old.reads)
        for output, record in made.items():
            old = bulk.outputs.get(output)
            if readers is not None:
                if old is not None:
                    _forget(readers, output, old.reads)
                for read in record.reads:
                    readers.setdefault(read, set()).add(output)
            bulk.outputs[output] = record
        bulk.world = world
        manifest = self.manifest
        manifest.settings, manifest.inputs, manifest.problems = settings_key, inputs, problems
        manifest.search, manifest.search_stale = search.hashes, search.stale
        stamps = dict(manifest.outputs) if not whole else {}
        for output in removed:
            stamps.pop(output, None)
        for output in made:
            stat = (out / output).stat()
            stamps[output] = (stat.st_size, stat.st_mtime_ns)
        manifest.outputs = stamps
        self._verified = True
        if self.autosave:
            self.save()

    def save(self) -> None:
        """Write the state to its folder; a state that cannot be written only costs time next build."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._bulk is not None:
                _write(self.folder / "bulk.pickle", self._bulk)
            _write(self.folder / "manifest.pickle", self.manifest)
        except OSError as exc:
            log.warning("Could not write the build cache in %s (%s); the next build starts from scratch.",
                        self.folder, exc.strerror or exc)


def _differ(a: Any, b: Any) -> bool:
    """Whether two values a read returned differ; mappings (at any depth) also when their order differs."""
    if a is b:
        return False
    if a is MISSING or b is MISSING:
        return True
    if isinstance(a, Mapping) and isinstance(b, Mapping):  # what reading every value (ALL) returns
        return len(a) != len(b) or any(key_a != key_b or _differ(value_a, value_b)
                                       for (key_a, value_a), (key_b, value_b) in zip(a.items(), b.items()))
    return a != b


def _differing_parts(path: Read, old: Any, new: Any, found: set[Read], readers: Mapping[Read, Any]) -> None:
    """Add to `found` every read under `path` that may return something else, descending
    only into parts that are not the very same object."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found.add((*path, ALL))
        if list(old) != list(new):
            found.add((*path, KEYS))
        for key in old.keys() | new.keys():
            before, after = old.get(key, MISSING), new.get(key, MISSING)
            if before is not after:
                _differing_parts((*path, key), before, after, found, readers)
        return
    found.add(path)
    for value in (old, new):
        if isinstance(value, BaseModel):  # one field of an entry is read on its own
            found.update((*path, name) for name in (*type(value).model_fields, "model_fields_set",
                                                    *_properties(type(value))))


@functools.cache
def _properties(cls: type) -> frozenset[str]:
    """Return the properties a content class defines itself (pydantic's own are read as fields)."""
    return frozenset(name for klass in cls.__mro__ if klass not in BaseModel.__mro__
                     for name, value in vars(klass).items() if isinstance(value, property))


def _forget(readers: dict[Read, set[str]], output: str, reads: Iterable[Read]) -> None:
    for read in reads:
        outputs = readers.get(read)
        if outputs is not None:
            outputs.discard(output)
            if not outputs:
                del readers[read]


def _stat_matches(path: str, size: int, mtime_ns: int) -> bool:
    """Whether a file has this size and time; a plain string path, as paths objects cost more than the stat."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (size, mtime_ns)


def _read(path: Path) -> Any:
    """Return what a cache file holds, or None if it is missing, damaged or foreign."""
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - any unreadable cache is discarded, whatever broke it
        log.info("discarding unreadable cache %s: %s", path, exc)
        return None


def _write(path: Path, value: Any) -> None:
    """Write a cache file atomically: a reader sees the old file or the new one."""
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, suffix=".tmp", delete=False)
    try:
        with handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
