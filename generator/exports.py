"""The data for other programs: models as JSON (all, and one file each) and as CSV.

Exports carry the entries as validated, in the content format's own field names,
plus each model's page URL, under a schema version that changes only when a field
is removed or changes meaning.
"""

from __future__ import annotations

import csv
import io
import json

from generator.catalog import Catalog
from generator.schema import Model
from generator.urls import Urls

SCHEMA_VERSION = 1


def model_record(model: Model, urls: Urls) -> dict:
    """Return one model as plain data; `pricing` is omitted when unknown, null when unavailable."""
    record = {"slug": model.slug, "url": urls.absolute(urls.model(model.slug))}
    record.update(model.model_dump(mode="json", exclude={"slug"}))
    if not model.pricing_known:
        del record["pricing"]
    return record


def models_json(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/models.json: every model, newest first."""
    data = {
        "schema_version": SCHEMA_VERSION,
        "site": {"title": catalog.site.title, "url": urls.absolute("")},
        "benchmarks": {bid: b.model_dump(mode="json", exclude={"id"}) for bid, b in catalog.benchmarks.items()},
        "models": [model_record(m, urls) for m in catalog.models.values()],
    }
    return _json(data)


def model_json(model: Model, urls: Urls) -> bytes:
    """Return /api/models/SLUG.json."""
    return _json({"schema_version": SCHEMA_VERSION, "model": model_record(model, urls)})


def model_jsonld(model: Model, page_url: str) -> dict:
    """Return schema.org metadata for a model page."""
    data = {
        "@context": "https://schema.org",
        "@type": "SoftwareApplication",
        "applicationCategory": "Machine learning model",
        "name": model.name,
        "description": model.summary,
        "url": page_url,
        "author": {"@type": "Organization", "name": model.developer},
        "datePublished": model.release_date,
    }
    if model.updated:
        data["dateModified"] = model.updated
    if model.license and model.license.link:
        data["license"] = model.license.link
    if model.family:
        data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": model.family}
    return data


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()


_CSV_FIELDS = (
    "slug", "name", "developer", "family", "release_date", "status", "parameters", "active_parameters",
    "context_window", "modalities", "domains", "open_weights", "license", "license_url",
    "input_per_mtok", "output_per_mtok", "currency", "pricing_as_of", "updated", "url",
)


def models_csv(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/models.csv: one row a model, one column per benchmark (its value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*_CSV_FIELDS, *catalog.benchmarks])
    for model in catalog.models.values():
        row = _csv_row(model, urls)
        scores = [model.benchmarks[b].value if b in model.benchmarks else "" for b in catalog.benchmarks]
        writer.writerow([_cell(row[f]) for f in _CSV_FIELDS] + scores)
    return out.getvalue().encode()


def _csv_row(model: Model, urls: Urls) -> dict:
    params, pricing, lic = model.parameters, model.pricing, model.license
    return {
        "slug": model.slug, "name": model.name, "developer": model.developer, "family": model.family,
        "release_date": model.release_date, "status": model.status,
        "parameters": params.total if params else None,
        "active_parameters": params.active if params else None,
        "context_window": model.context_window,
        "modalities": ";".join(model.modalities), "domains": ";".join(model.domains),
        "open_weights": model.open_weights,
        "license": lic.title if lic else None, "license_url": lic.link if lic else None,
        "input_per_mtok": pricing.input_per_mtok if pricing else None,
        "output_per_mtok": pricing.output_per_mtok if pricing else None,
        "currency": pricing.currency if pricing else None,
        "pricing_as_of": pricing.as_of if pricing else None,
        "updated": model.updated, "url": urls.absolute(urls.model(model.slug)),
    }


def _cell(value: object) -> object:
    """Return a CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
