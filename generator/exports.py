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

from pydantic_core import PydanticSerializationError

from generator.cache import DIRECT, Memo
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


def models_json(catalog: Catalog, urls: Urls, memo: Memo = DIRECT) -> bytes:
    """Return /api/models.json: every model, newest first.

    Written record by record, each record kept in `memo`, so a dev server re-encodes
    only the entries that changed.
    """
    head = _encode({"schema_version": SCHEMA_VERSION, "site": {"title": catalog.site.title, "url": urls.absolute("")},
                    "benchmarks": _benchmarks(catalog)})
    records = []
    for model in catalog.models.values():
        names = referenced_names(model, catalog)
        records.append(memo("json-record", lambda: record_json(model, names, urls), model, names, urls))
    return (head[:-1] + ',"models":[' + ",".join(records) + "]}\n").encode()


def model_json(model: Model, names: Mapping[str, str], urls: Urls) -> bytes:
    """Return /api/models/SLUG.json; `names` as for `model_record`."""
    return (f'{{"schema_version":{SCHEMA_VERSION},"model":' + record_json(model, names, urls) + "}\n").encode()


def record_json(model: Model, names: Mapping[str, str], urls: Urls) -> str:
    """Return `model_record` as compact JSON text, exactly as `json.dumps` writes it.

    pydantic writes the entry's fields in Rust, several times faster than building the
    dict and encoding it; the references and URLs the record adds are spliced in at
    their place. Its output equals `json.dumps`'s except for numbers below 1e-4, which
    it writes without an exponent (0.00001 for 1e-05): a record with one is encoded
    the slow way.
    """
    if _tiny_number(model):
        return _encode(model_record(model, names, urls))
    exclude = {"slug", "variant_of", "base_model"} if model.pricing_known else {"slug", "variant_of", "base_model", "pricing"}
    try:
        fields = model.model_dump_json(exclude=exclude)
    except PydanticSerializationError:  # text json.dumps writes and pydantic refuses (a lone surrogate)
        return _encode(model_record(model, names, urls))
    cut = fields.index(',"related":')  # after `family`: where the references stand in the record
    refs = {}
    for name in ("variant_of", "base_model"):
        ref = getattr(model, name)
        if ref is not None and ref.slug is not None:
            refs[name] = {"slug": ref.slug, "name": names[ref.slug], "url": urls.absolute(urls.model(ref.slug))}
        else:
            refs[name] = ref.model_dump(mode="json") if ref is not None else None
    head = _encode({"slug": model.slug, "url": urls.absolute(urls.model(model.slug))})[:-1]
    developer = _encode(urls.absolute(urls.term("developers", slugify(model.developer))))
    return f'{head},{fields[1:cut]},{_encode(refs)[1:-1]}{fields[cut:-1]},"developer_url":{developer}}}'


def _tiny_number(model: Model) -> bool:
    """Whether a float of the entry is below 1e-4 (json.dumps writes those with an exponent)."""
    numbers = [score.value for score in model.benchmarks.values()]
    if model.parameters is not None:
        numbers += [model.parameters.total, model.parameters.active or 0]
    if model.pricing is not None:
        numbers += [model.pricing.input_per_mtok or 0, model.pricing.output_per_mtok or 0]
    return any(0 < abs(number) < 1e-4 for number in numbers)


def index_json(catalog: Catalog, urls: Urls, memo: Memo = DIRECT) -> bytes:
    """Return /api/index.json: every model's name and where its data is, and the benchmarks."""
    def entry(m: Model) -> str:
        return _encode({"slug": m.slug, "name": m.name, "developer": m.developer, "release_date": m.release_date,
                        "status": m.status, "json": urls.absolute(urls.model_json(m.slug))})

    head = _encode({"schema_version": SCHEMA_VERSION, "benchmarks": _benchmarks(catalog)})
    entries = [memo("index-entry", lambda: entry(m), m, urls) for m in catalog.models.values()]
    return (head[:-1] + ',"models":[' + ",".join(entries) + "]}\n").encode()


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


def models_csv(catalog: Catalog, urls: Urls, memo: Memo = DIRECT) -> bytes:
    """Return /api/models.csv: one row a model; per benchmark its value, marks, setting and source.

    Marks are the score's flags joined by ";" (approx, estimated, self_reported), so a
    spreadsheet can filter hedged figures out as easily as the site marks them.
    """
    benchmark_ids = tuple(catalog.benchmarks)
    header = _csv_line([*_CSV_FIELDS, *(b + suffix for b in benchmark_ids for suffix in _SCORE_FIELDS)])
    rows = [memo("csv-row", lambda: _csv_model_line(model, benchmark_ids, urls), model, benchmark_ids, urls)
            for model in catalog.models.values()]
    return (header + "".join(rows)).encode()


def _csv_model_line(model: Model, benchmark_ids: tuple[str, ...], urls: Urls) -> str:
    row = _csv_row(model, urls)
    cells = [_cell(row[f]) for f in _CSV_FIELDS]
    for benchmark_id in benchmark_ids:
        score = model.benchmarks.get(benchmark_id)
        if score is None:
            cells += _NO_SCORE
            continue
        marks = ";".join(name for name in ("approx", "estimated", "self_reported") if getattr(score, name))
        # a value is a number, marks are names and a source is a checked URL: only the setting is free text
        cells += (score.value, marks, _cell(score.setting), score.source.url if score.source else "")
    return _csv_line(cells)


_NO_SCORE = ("",) * len(_SCORE_FIELDS)


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
