"""The data for other programs: models as JSON (all, and one file each) and as CSV.

Exports carry the entries as validated, in the content format's own field names,
plus each model's page URL, under a schema version that changes only when a field
is removed or changes meaning. Shorthands are written out: `benchmarks` maps each
id to a list of scores, `modalities` is {input, output}, and `context_window` and
`limits.context` both hold the context window. References are resolved: a
`variant_of`, `base_model` or a score's `measured_on` slug comes with the name and
page of the model it names. Every score keeps its provenance (approx, estimated,
self_reported, evaluated_by, measured_on, setting, metric, split, shots, harness,
version, source, date), in the JSON as in the CSV, so a program can mark or leave
out hedged figures as the site does. `/api/offers.csv` has one row per provider
offer. `/api/index.json` is the catalog's directory (names and benchmarks only),
small enough for a page's script to load at 10,000 models.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from generator import filters, tables
from generator.catalog import Catalog, slugify
from generator.schema import Model, board_key, whole
from generator.urls import Urls

SCHEMA_VERSION = 2
"""2: `benchmarks` maps an id to a list of scores, `modalities` is {input, output} (format v2)."""


def model_record(model: Model, names: Mapping[str, str], urls: Urls) -> dict:
    """Return one model as plain data; `pricing` is omitted when unknown, null when unavailable.

    `names` maps the slugs the entry refers to onto those models' names (see `referenced_names`).
    """
    record = {"slug": model.slug, "url": urls.absolute(urls.model(model.slug))}
    record.update(model.model_dump(mode="json", exclude={"slug"}))
    if not model.pricing_known:
        del record["pricing"]
    if model.draft:  # only a preview or a --drafts build holds drafts; published entries carry no mark
        record["draft"] = True
    record["developer_url"] = urls.absolute(urls.term("developers", slugify(model.developer)))
    for name in ("variant_of", "base_model"):
        ref = getattr(model, name)
        if ref is not None and ref.slug is not None:
            record[name] = _resolved(ref.slug, names, urls)
    for benchmark_id, scores in model.benchmarks.items():
        for written, score in zip(record["benchmarks"][benchmark_id], scores):
            if score.measured_on is not None and score.measured_on.slug is not None:
                written["measured_on"] = _resolved(score.measured_on.slug, names, urls)
    cheapest = model.cheapest
    record["price_from"] = None if cheapest is None else {
        "provider": cheapest.provider, **cheapest.pricing.model_dump(mode="json")}
    return record


def record_json(model: Model, names: Mapping[str, str], urls: Urls) -> str:
    """Return `model_record` as JSON text, made once per entry, names and base URL (see `Model.derived`)."""
    return model.derived(("json", urls.base_url, *names.items()), lambda: _encode(model_record(model, names, urls)))


def _resolved(slug: str, names: Mapping[str, str], urls: Urls) -> dict:
    return {"slug": slug, "name": names[slug], "url": urls.absolute(urls.model(slug))}


def referenced_names(model: Model, catalog: Catalog) -> dict[str, str]:
    """Return the names of the catalog models an entry refers to, by slug.

    A model's export takes these rather than the whole catalog, so it depends only on
    what it shows (an incremental build re-makes it when one of these names changes).
    """
    refs = [ref.slug for ref in (model.variant_of, model.base_model) if ref is not None and ref.slug is not None]
    refs += [s.measured_on.slug for _, s in model.scores if s.measured_on is not None and s.measured_on.slug is not None]
    return {slug: catalog.models[slug].name for slug in refs}


def _definitions(catalog: Catalog) -> dict:
    """Return what the entries' ids refer to: benchmarks, capabilities and providers."""
    return {kind: {key: value.model_dump(mode="json", exclude={"id"}) for key, value in getattr(catalog, kind).items()}
            for kind in ("benchmarks", "capabilities", "providers")}


def models_json(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/models.json: every model, newest first, written record by record."""
    head = _encode({"schema_version": SCHEMA_VERSION, "site": {"title": catalog.site.title, "url": urls.absolute("")},
                    **_definitions(catalog)})
    records = []
    for model in catalog.models.values():
        names = referenced_names(model, catalog)
        records.append(record_json(model, names, urls))
    return (head[:-1] + ',"models":[' + ",".join(records) + "]}\n").encode()


def model_json(model: Model, names: Mapping[str, str], urls: Urls) -> bytes:
    """Return /api/models/SLUG.json; `names` as for `model_record`."""
    return f'{{"schema_version":{SCHEMA_VERSION},"model":{record_json(model, names, urls)}}}\n'.encode()


def index_json(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/index.json: every model's name and where its data is, and the benchmarks."""
    def entry(m: Model) -> str:
        return _encode({"slug": m.slug, "name": m.name, "developer": m.developer, "release_date": m.release_date,
                        "status": m.status, "json": urls.absolute(urls.model_json(m.slug))})

    head = _encode({"schema_version": SCHEMA_VERSION, **_definitions(catalog)})
    entries = [m.derived(("index", urls.base_url), lambda m=m: entry(m)) for m in catalog.models.values()]
    return (head[:-1] + ',"models":[' + ",".join(entries) + "]}\n").encode()


LISTING_FIELDS = ("slug", "name", "developer", "domains", "modalities", "outputs", "capabilities", "aliases", "open",
                  "listed", "badges", "released", "params", "params_text", "context", "context_text", "price",
                  "price_text", "scores")
"""The order of each model's array in /api/listing.json (see `listing_json`)."""


def listing_json(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/listing.json: every model, as the listing pages' script shows, filters and sorts it.

    A listing page (the catalog, a taxonomy term) holds one page of rows; its script
    (static/js/catalog.js) loads this file the first time a visitor filters, sorts or
    searches, and from then on shows rows made from it. It is built to be small, since
    it carries the whole catalog: one array per model, terms and settings written once
    and referred to by number, and display text only where the script could not make
    it from a number exactly as the generator does.

        {"version": 1,
         "model_url": "/models/",          a model's page is model_url + slug + "/"
         "developers": [[slug, name], ...],    terms, numbered from 0
         "domains": [[slug, name], ...],
         "modalities": [[slug, name], ...],    input modalities
         "settings": ["5-shot", ...],          score settings, numbered from 0
         "fields": [...LISTING_FIELDS],
         "models": [[slug, name, developer, [domain, ...], [modality, ...], [output, ...],
                     [capability, ...], [alias, ...], open, listed, [[kind, text, title], ...],
                     released, params, params_text, context, context_text, price, price_text,
                     scores], ...]}

    Per model: `developer`, `domains` and `modalities` are numbers into the term lists;
    `outputs` lists the output modalities when one is not text (["text", "image"]),
    else nothing; `capabilities` are capability ids and `aliases` API ids; `open` is 1
    for open weights, else 0; `listed` is 1 for a model in default listings (the
    catalog page shows only these, a term page the others after them); `badges` are
    the marks beside its name (`filters.status_marks`: ["retired", "Retired 1 January
    2024", null]); `released` is the release date as written ("2025-07-09" or
    "2025-07"); `params` (total parameters, in billions), `context` (tokens) and `price`
    (the cheapest input price per million tokens, 0 when free) are the sort keys, null
    when unknown, and `params_text`, `context_text`, `price_text` how the page prints
    them ("46.7B (12.9B active)", "128K", "from $0.15 / $0.60"), null or "—" when
    unknown; `scores` is `tables.score_codes` ("medqa:64.4::0 swe_pro.public:23.3:s").
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
        params, context, price, outputs = m.parameters, m.context_window, tables.price_key(m), m.modalities.output
        rows.append([
            m.slug, m.name, numbers("developers", [m.developer])[0], numbers("domains", m.domains),
            numbers("modalities", m.modalities.input), list(outputs) if set(outputs) - {"text"} else [],
            list(m.capabilities), list(m.aliases), int(bool(m.open_weights)), int(m.is_listed),
            [list(mark) for mark in filters.status_marks(m)], m.release_date,
            _short(params.total / 1e9) if params else None, filters.parameters(params) if params else None,
            context, filters.tokens(context) if context else None,
            _short(price), tables.price_text(m), tables.score_codes(m, settings)])
    data = {"version": 1, "model_url": urls.path("models/"),
            **{taxonomy: [[slug, catalog.taxonomies[taxonomy][slug].name] for slug in found]
               for taxonomy, found in numbered.items()},
            "settings": list(settings), "fields": list(LISTING_FIELDS), "models": rows}
    return (_encode(data) + "\n").encode()


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
    if model.last_updated or model.updated:
        data["dateModified"] = model.last_updated or model.updated
    if model.license and model.license.link:
        data["license"] = model.license.link
    if model.family:
        data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": model.family}
    return data



def _encode(data: object) -> str:
    """Return compact JSON: without `indent` the json module runs its C encoder, several times
    faster on a 10,000-model export, and browsers and `jq` lay it out for reading anyway."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_CSV_FIELDS = (
    "slug", "name", "developer", "family", "release_date", "status", "parameters", "active_parameters",
    "context_window", "modalities", "domains", "open_weights", "license", "license_url",
    "input_per_mtok", "output_per_mtok", "currency", "pricing_as_of", "updated", "url",
    # format v2
    "aliases", "input_modalities", "output_modalities", "capabilities", "input_limit", "output_limit",
    "knowledge_cutoff", "last_updated", "cached_input_per_mtok", "cache_write_per_mtok", "reasoning_per_mtok",
    "audio_input_per_mtok", "audio_output_per_mtok", "batch_input_per_mtok", "batch_output_per_mtok", "free", "plan",
    "providers", "from_provider", "from_input_per_mtok", "from_output_per_mtok",
)


_SCORE_FIELDS = ("", "_marks", "_setting", "_source", "_evaluated_by", "_measured_on", "_details")
"""Columns per leaderboard (a benchmark, or `benchmark.variant`): the value, then its provenance.
`_details` holds metric, split, shots, harness and version as `key=value` pairs joined by ";"."""


def models_csv(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/models.csv: one row a model; per leaderboard its value, marks, setting, source and provenance.

    Marks are the score's flags joined by ";" (approx, estimated, self_reported), so a
    spreadsheet can filter hedged figures out as easily as the site marks them.
    """
    boards = tuple(catalog.leaderboards)
    header = _csv_line([*_CSV_FIELDS, *(b + suffix for b in boards for suffix in _SCORE_FIELDS)])
    rows = [model.derived(("csv", urls.base_url, boards), lambda model=model: _csv_model_line(model, boards, urls))
            for model in catalog.models.values()]
    return (header + "".join(rows)).encode()


def _csv_model_line(model: Model, boards: tuple[str, ...], urls: Urls) -> str:
    row = _csv_row(model, urls)
    by_board = {board_key(benchmark_id, score.variant): score for benchmark_id, score in model.scores}
    scores: list[object] = []
    for key in boards:
        score = by_board.get(key)
        if score is None:
            scores.extend([""] * len(_SCORE_FIELDS))
            continue
        marks = [name for name in ("approx", "estimated", "self_reported") if getattr(score, name)]
        measured_on = score.measured_on.slug or score.measured_on.name if score.measured_on else None
        details = ";".join(f"{name}={value}" for name in ("metric", "split", "shots", "harness", "version")
                           if (value := getattr(score, name)) is not None)
        scores.extend([score.value, ";".join(marks), score.setting, score.source.url if score.source else None,
                       score.evaluated_by, measured_on, details])
    return _csv_line([_cell(value) for value in [*(row[f] for f in _CSV_FIELDS), *scores]])


def _csv_line(cells: list) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def _csv_row(model: Model, urls: Urls) -> dict:
    params, pricing, lic, cheapest = model.parameters, model.pricing, model.license, model.cheapest
    return {
        "slug": model.slug, "name": model.name, "developer": model.developer, "family": model.family,
        "release_date": model.release_date, "status": model.status,
        "parameters": params.total if params else None,
        "active_parameters": params.active if params else None,
        "context_window": model.context_window,
        "modalities": ";".join(model.modalities.input), "domains": ";".join(model.domains),
        "open_weights": model.open_weights,
        "license": lic.title if lic else None, "license_url": lic.link if lic else None,
        "input_per_mtok": pricing.input_per_mtok if pricing else None,
        "output_per_mtok": pricing.output_per_mtok if pricing else None,
        "currency": pricing.currency if pricing else None,
        "pricing_as_of": pricing.as_of if pricing else None,
        "updated": model.updated, "url": urls.absolute(urls.model(model.slug)),
        "aliases": ";".join(model.aliases), "input_modalities": ";".join(model.modalities.input),
        "output_modalities": ";".join(model.modalities.output), "capabilities": ";".join(model.capabilities),
        "input_limit": model.limits.input, "output_limit": model.limits.output,
        "knowledge_cutoff": model.knowledge_cutoff, "last_updated": model.last_updated,
        **{name: getattr(pricing, name) if pricing else None for name in _EXTRA_PRICES},
        "batch_input_per_mtok": pricing.batch.input_per_mtok if pricing and pricing.batch else None,
        "batch_output_per_mtok": pricing.batch.output_per_mtok if pricing and pricing.batch else None,
        "free": pricing.free if pricing else None, "plan": pricing.plan if pricing else None,
        "providers": ";".join(dict.fromkeys(offer.provider for offer in model.offers)),
        "from_provider": cheapest.provider if cheapest else None,
        "from_input_per_mtok": cheapest.pricing.input_per_mtok if cheapest else None,
        "from_output_per_mtok": cheapest.pricing.output_per_mtok if cheapest else None,
    }


_EXTRA_PRICES = ("cached_input_per_mtok", "cache_write_per_mtok", "reasoning_per_mtok", "audio_input_per_mtok",
                 "audio_output_per_mtok")


_OFFER_FIELDS = (
    "slug", "name", "provider", "provider_name", "model_id", "status", "region", "context", "input_limit", "output_limit",
    "input_per_mtok", "output_per_mtok", *_EXTRA_PRICES, "batch_input_per_mtok", "batch_output_per_mtok",
    "per_unit", "free", "plan", "currency", "pricing_as_of", "tiers", "url",
)


def offers_csv(catalog: Catalog, urls: Urls) -> bytes:
    """Return /api/offers.csv: one row per provider offer, in model order (newest first), then as written.

    `per_unit` holds `unit=price` pairs and `tiers` holds `above:input/output/cached`
    groups, each joined by ";". An offer's `context` falls back to the model's.
    """
    lines = [_csv_line(list(_OFFER_FIELDS))]
    for model in catalog.models.values():
        for offer in model.offers:
            pricing = offer.pricing
            extra = {name: getattr(pricing, name) if pricing else None for name in _EXTRA_PRICES}
            row = {
                "slug": model.slug, "name": model.name, "provider": offer.provider,
                "provider_name": catalog.providers[offer.provider].name, "model_id": offer.model_id,
                "status": offer.status, "region": offer.region,
                "context": offer.limits.context or model.limits.context,
                "input_limit": offer.limits.input, "output_limit": offer.limits.output,
                "input_per_mtok": pricing.input_per_mtok if pricing else None,
                "output_per_mtok": pricing.output_per_mtok if pricing else None, **extra,
                "batch_input_per_mtok": pricing.batch.input_per_mtok if pricing and pricing.batch else None,
                "batch_output_per_mtok": pricing.batch.output_per_mtok if pricing and pricing.batch else None,
                "per_unit": ";".join(f"{unit}={price:g}" for unit, price in pricing.per_unit.charged())
                if pricing and pricing.per_unit else None,
                "free": pricing.free if pricing else None, "plan": pricing.plan if pricing else None,
                "currency": pricing.currency if pricing else None, "pricing_as_of": pricing.as_of if pricing else None,
                "tiers": ";".join(f"{t.above}:{_blank(t.input_per_mtok)}/{_blank(t.output_per_mtok)}/"
                                  f"{_blank(t.cached_input_per_mtok)}" for t in pricing.tiers) if pricing else None,
                "url": offer.url,
            }
            lines.append(_csv_line([_cell(row[name]) for name in _OFFER_FIELDS]))
    return "".join(lines).encode()


def _blank(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cell(value: object) -> object:
    """Return a CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return whole(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
