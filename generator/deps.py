"""Record which parts of the catalog a page reads while it renders.

Templates may read anything from `catalog`. Instead of guessing what each page
depends on, a page renders against a `RecordingCatalog` that notes every mapping
entry it looks up (`catalog.models["x"]`) and every mapping it walks as a whole
(`catalog.models.values()`). The page's cache entry stores those reads with the
hash of what they returned; the page is fresh while every read still returns the
same. Walking a whole mapping depends on all of it, so a listing re-renders when
any of its members changes, and a model page only when what it shows does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.catalog import Catalog

WHOLE = "*"
"""The key recorded for reading a mapping as a whole."""

Read = tuple[str, ...]
"""(catalog field, key) or (catalog field, taxonomy, key); WHOLE for the whole mapping."""


class RecordingMapping(Mapping):
    """A read-only mapping that notes each lookup into `reads`."""

    def __init__(self, name: tuple[str, ...], mapping: Mapping, reads: set[Read]):
        self._name = name
        self._mapping = mapping
        self._reads = reads

    def __getitem__(self, key: Any) -> Any:
        if self._name == ("taxonomies",):  # a taxonomy is itself a mapping: record reads into it instead
            return RecordingMapping((*self._name, key), self._mapping[key], self._reads)
        if self._name == ("models",):  # a page showing a model's name depends on its name only
            return RecordingModel(key, self._mapping[key], self._reads)
        self._reads.add((*self._name, key))
        return self._mapping[key]

    def __contains__(self, key: object) -> bool:
        self._reads.add((*self._name, key))  # type: ignore[arg-type]
        return key in self._mapping

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] if key in self else default

    def __iter__(self) -> Iterator:
        self._reads.add((*self._name, WHOLE))
        return iter(self._mapping)

    def __len__(self) -> int:
        self._reads.add((*self._name, WHOLE))
        return len(self._mapping)


class RecordingModel:
    """A model looked up by slug, noting which of its fields a page reads.

    Reading a field records ("models", slug, field); anything else (a method, or
    hashing the model whole for a cached fragment) records the whole model.
    """

    def __init__(self, slug: str, model: Any, reads: set[Read]):
        self._slug = slug
        self._model = model
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._model, name)
        if name.startswith("_") or callable(value):
            self._reads.add(("models", self._slug))
        else:
            self._reads.add(("models", self._slug, name))
        return value

    @property
    def __fingerprint_target__(self) -> Any:
        """What `cache.Fingerprints` hashes in place of this wrapper; the page then depends on all of it."""
        self._reads.add(("models", self._slug))
        return self._model


_MAPPINGS = ("models", "benchmarks", "comparisons", "pages", "variants", "derivatives", "comparisons_of",
             "taxonomies", "leaderboards", "ranks", "benchmark_tops", "capabilities", "providers", "offers_by_provider")


class RecordingCatalog:
    """The catalog as templates see it, noting what they read."""

    def __init__(self, catalog: Catalog, reads: set[Read]):
        self._catalog = catalog
        self._reads = reads
        self.site = catalog.site
        for name in _MAPPINGS:
            if hasattr(catalog, name):
                setattr(self, name, RecordingMapping((name,), getattr(catalog, name), reads))

    @property
    def listed(self) -> tuple:
        self._reads.add(("models", WHOLE))
        return self._catalog.listed


def resolve(catalog: Catalog, read: Read) -> Any:
    """Return what a recorded read returns now (a missing key reads as None)."""
    if read[0] == "models" and len(read) == 3:  # one field of one model
        model = catalog.models.get(read[1])
        return None if model is None else getattr(model, read[2])
    *path, key = read
    value: Any = getattr(catalog, path[0])
    for part in path[1:]:
        value = value.get(part) if value is not None else None
    if value is None:
        return None
    return value if key == WHOLE else value.get(key)
