"""What a source turned into, before it meets the site: entries and definitions as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFINITION_FILES = {"benchmarks": "content/benchmarks.yaml", "capabilities": "content/capabilities.yaml",
                    "providers": "content/providers.yaml"}


@dataclass
class Imported:
    """Entries keyed by slug, in the content format's own field names, and the definitions they use.

    Only the fields the source knows are present: these are the fields the import
    owns. Everything else in an entry belongs to its editor.
    """

    source: str
    """The source's name, e.g. models.dev; it names the import's state file."""
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    """slug -> the source's own key for the entry, so a later import finds the same entry again."""
    definitions: dict[str, dict[str, dict]] = field(default_factory=dict)
    """`benchmarks`, `capabilities`, `providers` -> id -> definition."""
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, slug: str, key: str, entry: dict[str, Any]) -> None:
        self.entries[slug] = entry
        self.keys[slug] = key
