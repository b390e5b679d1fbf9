"""What earlier builds computed, keyed by content hashes, kept in memory and on disk.

Every cached value is the result of a pure step, stored under a hash of exactly
what the step read, so a stale result cannot be returned by construction: a file's
validated entry under the hash of its bytes, rendered Markdown under its text, a
page under a hash of its render context and its templates' sources, the whole
page plan under the hash of every input. Like Hugo's own cache it lives in the
user's cache folder (`$XDG_CACHE_HOME/modelcat/`, one folder per site and output),
never inside the site or its output. A cache from another modelcat version, or one
that cannot be read, is discarded, never trusted.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator import __version__

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent


def _code_version() -> str:
    """Return a hash of modelcat's own code: a new version renders differently."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for source in sorted(_PACKAGE.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def digest(*parts: str) -> str:
    """Return a short, stable hash of some texts."""
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def digest_bytes(data: bytes) -> str:
    """Return a short, stable hash of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def default_cache_dir(site_dir: Path, out_dir: Path) -> Path:
    """Return this site's cache folder under $XDG_CACHE_HOME/modelcat (or ~/.cache/modelcat)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "modelcat"
    site, out = site_dir.resolve(), out_dir.resolve()
    return root / f"{site.name or 'site'}-{digest(str(site), str(out))[:12]}"


@dataclass
class FileStamp:
    """What a file looked like when it was last hashed: size and modification time."""

    size: int
    mtime_ns: int
    digest: str
    checked_ns: int
    """When the file was hashed; a stamp is trusted only for files older than that."""


@dataclass
class Manifest:
    """The small part of the cache, read on every build: stamps, page keys, the last plan."""

    version: str = CODE_VERSION
    stamps: dict[str, FileStamp] = field(default_factory=dict)
    """Input file path -> stamp, so unchanged files are not read again."""
    outputs: dict[str, tuple[str, str, int, int]] = field(default_factory=dict)
    """Output path -> (render key, digest of its catalog reads, size, mtime_ns) of the file as last written."""
    plan_key: str = ""
    """Hash of every input of the last successful build."""
    plan_problems: list = field(default_factory=list)
    """Warnings of that build, reported again when nothing changed."""


@dataclass
class BuildCache:
    """Everything kept between builds; `serve` keeps one in memory, `build` loads and saves it."""

    manifest: Manifest = field(default_factory=Manifest)
    entries: dict[tuple[str, str], Any] = field(default_factory=dict)
    """(file path, digest of its bytes) -> the file's validated result."""
    markdown: dict[tuple[str, int, str], str] = field(default_factory=dict)
    """(base path, heading shift, text) -> HTML."""
    lints: dict[tuple[str, str], tuple[str, list]] = field(default_factory=dict)
    """(file path, digest) -> (hash of the benchmark definitions and the day, the model's own warnings)."""
    reads: dict[str, tuple] = field(default_factory=dict)
    """Output path -> what its page read from the catalog when it last rendered (see `deps`)."""
    folder: Path | None = None
    """Where the cache is saved; None keeps it in memory only."""
    autosave: bool = True
    """Save after each build; the dev server saves once, when it stops."""
    runtime: dict[str, Any] = field(default_factory=dict, repr=False)
    """What only a long-lived process reuses between builds (the compiled templates); never saved."""
    _bulk_loaded: bool = False
    _bulk_dirty: bool = False

    @classmethod
    def open(cls, folder: Path | None) -> BuildCache:
        """Return the cache saved in `folder` (its manifest now, the rest when first needed)."""
        cache = cls(folder=folder)
        if folder is not None:
            manifest = _read(folder / "manifest.pickle")
            if isinstance(manifest, Manifest) and manifest.version == CODE_VERSION:
                cache.manifest = manifest
            else:
                cache._bulk_loaded = True  # nothing usable on disk: start empty
        return cache

    def load_bulk(self) -> None:
        """Read the large part of the cache (entries, Markdown) once a build needs it."""
        if self._bulk_loaded or self.folder is None:
            return
        self._bulk_loaded = True
        bulk = _read(self.folder / "bulk.pickle")
        if isinstance(bulk, tuple) and len(bulk) == 5 and bulk[0] == CODE_VERSION:
            self.entries, self.markdown, self.reads, self.lints = bulk[1:]
        else:
            self.manifest.outputs = {}  # without the reads, no page can be shown to be fresh

    def after_build(self, bulk_changed: bool) -> None:
        """Save now, or, for the dev server, note that there is something to save when it stops."""
        self._bulk_dirty = self._bulk_dirty or bulk_changed
        if self.autosave:
            self.save()

    def save(self) -> None:
        """Write the cache back; the large part only when it changed."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._bulk_dirty and self._bulk_loaded:
                _write(self.folder / "bulk.pickle", (CODE_VERSION, self.entries, self.markdown, self.reads, self.lints))
                self._bulk_dirty = False
            _write(self.folder / "manifest.pickle", self.manifest)
        except OSError as exc:  # the cache only saves time: the site is built all the same
            log.warning("Could not write the build cache in %s (%s); the next build starts from scratch.",
                        self.folder, exc.strerror or exc)


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


class Fingerprints:
    """Content hashes of the values pages are rendered from, memoised for one build.

    Entries are seeded with the hash of the file they came from; anything built from
    them (terms, leaderboard rows, tables) is hashed from its parts. A value of a
    kind this does not know is a bug and raises, rather than hashing to something
    that might miss a change.
    """

    def __init__(self) -> None:
        self._known: dict[int, str] = {}
        self._alive: list[Any] = []  # keeps memoised objects alive so their ids are not reused

    def seed(self, value: Any, value_digest: str) -> None:
        self._known[id(value)] = value_digest
        self._alive.append(value)

    def of(self, value: Any) -> str:
        """Return the hash of a value (for plain data, its text, which is as good and cheaper)."""
        kind = type(value)
        if kind in _PLAIN:
            return f"{kind.__name__}:{value!r}"
        if (kind is tuple or kind is list) and all(type(item) in _PLAIN for item in value):
            return f"{kind.__name__}:{value!r}"
        known = self._known.get(id(value))
        if known is not None:
            return known
        target = getattr(type(value), "__fingerprint_target__", None)
        if target is not None:  # a wrapper that stands for another value (see `deps.RecordingModel`)
            return self.of(value.__fingerprint_target__)
        result = self._compute(value)
        self.seed(value, result)
        return result

    def _compute(self, value: Any) -> str:
        if isinstance(value, BaseModel):
            return digest(type(value).__name__, value.model_dump_json())
        names = _field_names(type(value))
        if names is not None:  # joined, not hashed: a list of records is hashed once, as a whole
            return f"{type(value).__name__}({','.join([self.of(getattr(value, name)) for name in names])})"
        if isinstance(value, (list, tuple)):
            return digest("seq", *map(self.of, value))
        if hasattr(value, "items"):
            return digest("map", *[self.of(k) + self.of(v) for k, v in value.items()])
        if isinstance(value, (set, frozenset)):
            return digest("set", *sorted(map(self.of, value)))
        raise TypeError(f"cannot fingerprint a {type(value).__name__}")


_PLAIN = frozenset({str, int, float, bool, type(None)})


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...] | None:
    """Return a dataclass's field names (looked up once per class), or None for other classes."""
    return tuple(f.name for f in fields(cls)) if is_dataclass(cls) else None


class Memo:
    """Results of pure functions, kept in a long-lived process, keyed by what they read.

    Listing rows, leaderboard rows and export records repeat on many pages and stay
    the same from one save to the next; the dev server keeps them here, so a page
    listing 10,000 models re-renders only the rows that changed. The key is a label
    (which includes the template's hash for template fragments) and the fingerprints
    of the inputs the computation reads, nothing else.
    """

    def __init__(self, store: dict | None, prints: Fingerprints | None):
        self._store = store
        self._prints = prints
        self.fresh: dict = {}
        self.used: set = set()
        """Keys looked up in this process during this build."""

    def __call__(self, label: str, compute: Callable[[], Any], *inputs: Any) -> Any:
        if self._store is None or self._prints is None:
            return compute()
        key = (label, *map(self._prints.of, inputs))
        self.used.add(key)
        value = self._store.get(key)
        if value is None:
            value = self._store[key] = self.fresh[key] = compute()
        return value

    def take_fresh(self) -> dict:
        """Return, and forget, the results computed since the last call."""
        fresh, self.fresh = self.fresh, {}
        return fresh


DIRECT = Memo(None, None)
"""Computes everything, keeps nothing: for builds that keep no cache."""
