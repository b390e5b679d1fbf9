"""The data for other programs: models as JSON (all, and one file each) and as CSV.

Exports carry the entries as validated, in the content format's own field names,
plus each model's page URL, under a schema version that changes only when a field
is removed or changes meaning. References are resolved: a `variant_of` or
`base_model` slug comes with the name and page of the model it names. Every score
keeps its provenance (approx, estimated, self_reported, setting, source, date), in
the JSON as in the CSV, so a program can mark or leave out hedged figures as the
site does. `/api/index.json` is the catalog's directory (names and benchmarks
only), small enough for a page's script to load at 10,000 models.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from generator import filters, tables
from generator.catalog import Catalog, slugify
from generator.schema import Model
from generator.urls import Urls

SCHEMA_VERSION = 1


def model_record(model: Model, names: Mapping[str, str], urls: Urls) -> dict:
    """Return one model as plain data; `pricing` is omitted when unknown, null when unavailable.

    `names` maps the slugs the entry refers to onto those models' names (see `referenced_names`).
    """
    record = {"slug": model.slug, "url": urls.absolute(urls.model(model.slug))}
    record.update(model.model_dump(mode="json", exclude={"slug"}))
    if not model.pricing_known:
        del record["pricing"]
    record["developer_url"] = urls.absolute(urls.term("developers", slugify(model.developer)))
    for name in ("variant_of", "base_model"):
        ref = getattr(model, name)
        if ref is not None and ref.slug is not None:
            record[name] = {"slug": ref.slug, "name": names[ref.slug], "url": urls.absolute(urls.model(ref.slug))}
    return record


def referenced_names(model: Model, catalog: Catalog) -> dict[str, str]:
    """Return the names of the catalog models an entry refers to, by slug.

    A model's export takes these rather than the whole catalog, so it depends only on
    what it shows (an incremental build re-makes it when one of these names changes).
    """
    refs = [ref.slug for ref in (model.variant_of, model.base_model) if ref is not None and ref.slug is not None]
    return {slug: catalog.models[slug].name for slug in refs}


def _benchmarks(catalog: Catalog) -> dict:
    return {bid: b.model_dump(mode="json", exclude={"id"}) for bid, b in catalog.benchmarks.items()}


def models_json(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/models.json: every model, newest first, written record by record."""
    head = _encode({"schema_version": SCHEMA_VERSION, "site": {"title": catalog.site.title, "url": urls.absolute("")},
                    "benchmarks": _benchmarks(catalog)})
    records = []
    for model in catalog.models.values():
        names = referenced_names(model, catalog)
        records.append(_encode(model_record(model, names, urls)))
    return (head[:-1] + ',"models":[' + ",".join(records) + "]}\n").encode()


def model_json(model: Model, names: Mapping[str, str], urls: Urls) -> bytes:
    """Return /api/models/SLUG.json; `names` as for `model_record`."""
    return _json({"schema_version": SCHEMA_VERSION, "model": model_record(model, names, urls)})


def index_json(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/index.json: every model's name and where its data is, and the benchmarks."""
    def entry(m: Model) -> str:
        return _encode({"slug": m.slug, "name": m.name, "developer": m.developer, "release_date": m.release_date,
                        "status": m.status, "json": urls.absolute(urls.model_json(m.slug))})

    head = _encode({"schema_version": SCHEMA_VERSION, "benchmarks": _benchmarks(catalog)})
    entries = [entry(m) for m in catalog.models.values()]
    return (head[:-1] + ',"models":[' + ",".join(entries) + "]}\n").encode()


LISTING_FIELDS = ("slug", "name", "developer", "domains", "modalities", "open", "status", "released",
                  "params", "params_text", "context", "context_text", "price", "price_text", "scores")
"""The order of each model's array in /api/listing.json (see `listing_json`)."""


def listing_json(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/listing.json: every model, as the listing pages' script shows, filters and sorts it.

    A listing page (the catalog, a taxonomy term) holds one page of rows; its script
    (static/js/catalog.js) loads this file the first time a visitor filters, sorts or
    searches, and from then on shows rows made from it. It is built to be small, since it carries the whole
    catalog: one array per model, terms and settings written once and referred to by
    number, and display text only where the script could not make it from a number
    exactly as the generator does.

        {"version": 1,
         "model_url": "/models/",          a model's page is model_url + slug + "/"
         "developers": [[slug, name], ...],    terms, numbered from 0
         "domains": [[slug, name], ...],
         "modalities": [[slug, name], ...],
         "settings": ["5-shot", ...],          score settings, numbered from 0
         "fields": [...LISTING_FIELDS],
         "models": [[slug, name, developer, [domain, ...], [modality, ...], open, status,
                     released, params, params_text, context, context_text,
                     price, price_text, scores], ...]}

    Per model: `developer`, `domains` and `modalities` are numbers into the term lists;
    `open` is 1 for open weights, else 0; `status` is null for a model in default
    listings, else [status, label] ("retired", "Retired 1 January 2024"): the catalog
    page lists only the first kind, a term page the others after them; `released` is
    the release date as written
    ("2025-07-09" or "2025-07"); `params` (total parameters, in billions), `context`
    (tokens) and `price` (input per million tokens, 0 for free open weights) are the sort keys,
    null when unknown, and `params_text`, `context_text`, `price_text` how the page
    prints them ("46.7B (12.9B active)", "128K", "$0.15 / $0.60"), null or "—" when
    unknown; `scores` is `tables.score_codes` ("medqa:64.4::0 arena:1200:s").
    Models come newest first, as the catalog lists them.
    """
    models = tuple(catalog.models.values())
    numbered: dict[str, dict[str, int]] = {taxonomy: {} for taxonomy in ("developers", "domains", "modalities")}

    def numbers(taxonomy: str, names) -> list[int]:
        """Number each term on first appearance; spellings that share a slug share a term, as on the site."""
        found = numbered[taxonomy]
        return list(dict.fromkeys(found.setdefault(slugify(name), len(found)) for name in names))

    settings = tables.settings_of(models)
    rows = []
    for m in models:
        params, context, price = m.parameters, m.context_window, tables.price_key(m)
        rows.append([
            m.slug, m.name, numbers("developers", [m.developer])[0], numbers("domains", m.domains),
            numbers("modalities", m.modalities), int(bool(m.open_weights)),
            None if m.is_listed else [m.status, filters.status_label(m)], m.release_date,
            _short(params.total / 1e9) if params else None, filters.parameters(params) if params else None,
            context, filters.tokens(context) if context else None,
            _short(price), tables.price_text(m), tables.score_codes(m, settings)])
    data = {"version": 1, "model_url": urls.path("models/"),
            **{taxonomy: [[slug, catalog.taxonomies[taxonomy][slug].name] for slug in found]
               for taxonomy, found in numbered.items()},
            "settings": list(settings), "fields": list(LISTING_FIELDS), "models": rows}
    return _json(data)


def _short(value: float | None) -> float | int | None:
    """Return a number as JSON writes it shortest: 4 rather than 4.0, 0.135 rather than 0.13500000000000001."""
    if value is None:
        return None
    value = float(f"{value:.6g}")
    return int(value) if value.is_integer() else value


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
    return (_encode(data) + "\n").encode()


def _encode(data: object) -> str:
    """Return compact JSON: without `indent` the json module runs its C encoder, several times
    faster on a 10,000-model export, and browsers and `jq` lay it out for reading anyway."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_CSV_FIELDS = (
    "slug", "name", "developer", "family", "release_date", "status", "parameters", "active_parameters",
    "context_window", "modalities", "domains", "open_weights", "license", "license_url",
    "input_per_mtok", "output_per_mtok", "currency", "pricing_as_of", "updated", "url",
)


_SCORE_FIELDS = ("", "_marks", "_setting", "_source")
"""Columns per benchmark: the value, then its provenance."""


def models_csv(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/models.csv: one row a model; per benchmark its value, marks, setting and source.

    Marks are the score's flags joined by ";" (approx, estimated, self_reported), so a
    spreadsheet can filter hedged figures out as easily as the site marks them.
    """
    benchmark_ids = tuple(catalog.benchmarks)
    header = _csv_line([*_CSV_FIELDS, *(b + suffix for b in benchmark_ids for suffix in _SCORE_FIELDS)])
    rows = [_csv_model_line(model, benchmark_ids, urls) for model in catalog.models.values()]
    return (header + "".join(rows)).encode()


def _csv_model_line(model: Model, benchmark_ids: tuple[str, ...], urls: Urls) -> str:
    row = _csv_row(model, urls)
    scores: list[object] = []
    for benchmark_id in benchmark_ids:
        score = model.benchmarks.get(benchmark_id)
        if score is None:
            scores.extend([""] * len(_SCORE_FIELDS))
            continue
        marks = [name for name in ("approx", "estimated", "self_reported") if getattr(score, name)]
        scores.extend([score.value, ";".join(marks), score.setting, score.source.url if score.source else None])
    return _csv_line([_cell(value) for value in [*(row[f] for f in _CSV_FIELDS), *scores]])


def _csv_line(cells: list) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


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
