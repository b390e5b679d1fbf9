"""What a source turned into, before it meets the site: entries and definitions as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator import schema

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
        self.entries[slug] = _in_schema_order(entry, schema.Model)
        self.keys[slug] = key


def _in_schema_order(value: Any, cls: Any) -> Any:
    """Return an entry's mappings with their keys in the order of the schema's fields, as `modelcat new`
    writes them and editors expect to find them; the schema's classes say which mapping is which."""
    if not isinstance(value, dict) or cls is None:
        return value
    fields = getattr(cls, "model_fields", {})
    order = {name: index for index, name in enumerate(fields)}
    result = {}
    for key in sorted(value, key=lambda k: order.get(k, len(order))):
        result[key] = _in_schema_order_of(value[key], _CHILDREN.get((cls.__name__, key)))
    return result


def _in_schema_order_of(value: Any, cls: Any) -> Any:
    if isinstance(value, list):
        return [_in_schema_order(item, cls) for item in value]
    if isinstance(value, dict) and cls is schema.Score:  # benchmark id -> scores
        return {k: _in_schema_order_of(v, cls) for k, v in value.items()}
    return _in_schema_order(value, cls)


_CHILDREN = {
    ("Model", "limits"): schema.Limits, ("Model", "modalities"): schema.Modalities,
    ("Model", "pricing"): schema.Pricing, ("Model", "offers"): schema.Offer, ("Model", "benchmarks"): schema.Score,
    ("Model", "facts"): schema.Fact, ("Model", "sources"): schema.Source, ("Model", "license"): schema.License,
    ("Offer", "pricing"): schema.Pricing, ("Offer", "limits"): schema.Limits, ("Pricing", "tiers"): schema.PriceTier,
    ("Pricing", "batch"): schema.BatchPricing, ("Pricing", "per_unit"): schema.UnitPrices,
}
"""Which schema class describes each nested mapping of an entry."""
