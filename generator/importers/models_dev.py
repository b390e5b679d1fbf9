"""Turn a checkout of the models.dev repository into catalog entries, one per distinct model.

The source (MIT licence) keeps one TOML file per provider listing,
`providers/<provider>/models/<model id>.toml`, and provider-agnostic facts in
`models/<lab>/<model>.toml`, which a listing inherits through `base_model`. This
module reads both as hostile input (see `sources`), resolves inheritance as the
source's own generator does, groups the listings that name one model (`grouping`),
and maps each group to an entry in the content format: the developer's own listing
sets `pricing`, every other listing becomes an offer, lab benchmarks become scores.
What the format cannot hold, and what is broken in the source, goes to the report.
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator import schema
from generator.importers import grouping
from generator.importers.grouping import LABS, PROVIDER_LABS, ModelId, read_id
from generator.importers.imported import Imported
from generator.importers.report import BROKEN, GUESSED, MERGED, NOT_HELD, Report
from generator.importers.sources import SourceFile, read_toml, toml_files

PLACEHOLDER_DEVELOPER = "Unknown"
"""What `modelcat new` writes where the developer is not known yet; `check` flags it."""
SOURCE = "models-dev"
"""The import's name: it names its report and state files."""
SOURCE_TITLE = "models.dev"
SOURCE_URL = "https://models.dev/"

CAPABILITIES = {
    "reasoning": ("reasoning", "Reasoning", "Thinks step by step before it answers (reasoning or thinking tokens)."),
    "tool_call": ("tool_calling", "Tool calling", "Calls functions the application declares."),
    "structured_output": ("structured_output", "Structured output", "Answers in a JSON schema the request gives."),
    "attachment": ("attachments", "Attachments", "Reads files sent with the request: images, PDFs, audio."),
    "temperature": ("temperature", "Temperature", "Takes a sampling temperature."),
}
"""models.dev flag -> (capability id, name, description)."""

COSTS = {
    "input": "input_per_mtok", "output": "output_per_mtok", "cache_read": "cached_input_per_mtok",
    "cache_write": "cache_write_per_mtok", "reasoning": "reasoning_per_mtok", "input_audio": "audio_input_per_mtok",
    "output_audio": "audio_output_per_mtok",
    # written by some listings though the source's schema does not name them
    "cache_input": "cached_input_per_mtok", "cached_input": "cached_input_per_mtok",
    "cached_write": "cache_write_per_mtok",
}
UNIT_COSTS = {"image": "image", "request": "request"}
"""Costs per unit rather than per million tokens -> the `per_unit` field."""
TIER_COSTS = {"input": "input_per_mtok", "output": "output_per_mtok", "cache_read": "cached_input_per_mtok"}
STATUSES = {"alpha": "preview", "beta": "preview", "deprecated": "deprecated"}
PLAN_PROVIDER = re.compile(r"coding-plan|token-plan|copilot|for-coding|-plan$")
"""Providers that include models in a subscription: a price of 0 there is a plan, not "free"."""
MODALITIES = set(schema.MODALITIES)
INHERITED_NOT = ("benchmarks", "license", "links", "weights")
"""Lab facts a provider listing does not inherit through `base_model` (as the source's generator does)."""
KNOWN_KEYS = {"name", "family", "attachment", "reasoning", "tool_call", "structured_output", "temperature",
              "knowledge", "release_date", "last_updated", "open_weights", "cost", "limit", "modalities", "status",
              "base_model", "base_model_omit", "reasoning_options", "interleaved", "provider", "experimental",
              "license", "links", "weights", "benchmarks", "id"}
PERCENT_METRIC = re.compile(r"percent|rate|accuracy|pass@|resolved|success|correct|score")


@dataclass(frozen=True)
class Listing:
    """One provider's listing of one model, with its lab facts inherited."""

    provider: str
    """The provider's id as the source writes it (its folder name)."""
    id: ModelId
    source: str
    data: dict[str, Any]
    lab_model: str | None = None
    """The `models/` id it inherits from (`anthropic/claude-opus-4-5`), if any."""


@dataclass
class Group:
    """The listings (and lab files) that name one model."""

    key: str
    listings: list[Listing] = field(default_factory=list)
    labs: list[SourceFile] = field(default_factory=list)
    lab_ids: list[str] = field(default_factory=list)


def import_models_dev(root: Path, report: Report) -> Imported:
    """Read the checkout at `root` and return its entries and definitions; notes go to `report`."""
    providers = _providers(root, report)
    labs = {_lab_id(f.relative): f for f in toml_files(root, "models", report)}
    listings = [listing for file in toml_files(root, "providers", report)
                if (listing := _listing(file, labs, report)) is not None]
    groups = _merge_by_name(_group(listings, labs), providers)
    result = Imported(source=SOURCE)
    result.definitions["capabilities"] = {cid: {"name": name, "description": text}
                                          for cid, name, text in CAPABILITIES.values()}
    used_providers: set[str] = set()
    benchmarks = _Benchmarks(report)
    slugs: dict[str, str] = {}
    for group in sorted(groups.values(), key=lambda g: g.key):
        mapped = _Entry(group, providers, benchmarks).build()
        if "name" not in mapped:  # not importable; the notes say why
            for kind, message, source in mapped["_notes"]:
                report.note(kind, message, source, entry=group.key)
            continue
        slug = _unique_slug(mapped.pop("_slug"), mapped["developer"], slugs)
        slugs[slug] = group.key
        for kind, message, source in mapped.pop("_notes"):
            report.note(kind, message, source, entry=slug)
        result.add(slug, group.key, mapped)
        used_providers.update(offer["provider"] for offer in mapped.get("offers", []))
        _report_merge(group, slug, report)
    result.definitions["providers"] = {pid: definition for pid, definition in sorted(
        (provider_id(raw), providers.get(raw) or {"name": raw}) for raw in {
            listing.provider for group in groups.values() for listing in group.listings})
        if pid in used_providers}
    result.definitions["benchmarks"] = benchmarks.definitions()
    result.counts["entries"] = len(result.entries)
    result.counts["offers"] = sum(len(entry.get("offers", [])) for entry in result.entries.values())
    result.counts["scores"] = sum(len(scores) for entry in result.entries.values()
                                  for scores in entry.get("benchmarks", {}).values())
    result.counts["provider listings read"] = len(listings)
    return result


def provider_id(raw: str) -> str:
    """Return a provider folder's name as an id of providers.yaml (`wafer.ai` -> `wafer-ai`)."""
    return grouping.slugify(raw) or "provider"


# --- Reading ---------------------------------------------------------------------------


def _providers(root: Path, report: Report) -> dict[str, dict]:
    """Return provider folder name -> providers.yaml definition {name, url}."""
    result: dict[str, dict] = {}
    top = root / "providers"
    if not top.is_dir():
        return result
    real_root = root.resolve()
    for folder in sorted(p for p in top.iterdir() if p.is_dir() and not p.is_symlink()):
        file = read_toml(folder / "provider.toml", root, real_root, report) if (folder / "provider.toml").exists() else None
        data = file.data if file else {}
        name = data.get("name") if isinstance(data.get("name"), str) and data["name"].strip() else None
        if name is None:
            report.note(BROKEN, "the provider has no name; its folder name is used.", f"providers/{folder.name}/provider.toml")
        definition: dict[str, Any] = {"name": name or folder.name}
        url = data.get("doc")
        if isinstance(url, str) and _is_url(url):
            definition["url"] = url
        result[folder.name] = definition
    return result


def _lab_id(relative: str) -> str:
    """`models/anthropic/claude-opus-4-5.toml` -> `anthropic/claude-opus-4-5`, as `base_model` names it."""
    return relative.removeprefix("models/").removesuffix(".toml")


def _listing(file: SourceFile, labs: dict[str, SourceFile], report: Report) -> Listing | None:
    parts = file.relative.split("/")  # providers/<provider>/models/<id...>.toml
    if parts[2:] == ["provider.toml"]:  # read by _providers
        return None
    if len(parts) < 4 or parts[2] != "models":
        report.note(BROKEN, "a TOML file outside a provider's models/ folder; it was not read.", file.relative)
        return None
    model_id = "/".join(parts[3:]).removesuffix(".toml")
    data = dict(file.data)
    lab_model = data.pop("base_model", None)
    omit = data.pop("base_model_omit", [])
    if lab_model is not None:
        lab = labs.get(lab_model) if isinstance(lab_model, str) else None
        if lab is None:
            report.note(BROKEN, f"base_model {lab_model!r} names no file under models/; the listing's own facts are used.",
                        file.relative)
            lab_model = None
        else:
            inherited = {k: v for k, v in lab.data.items() if k not in INHERITED_NOT}
            data = _merge_deep(inherited, data)
            for path in omit if isinstance(omit, list) else []:
                _omit(data, str(path).split("."))
    return Listing(parts[1], read_id(model_id), file.relative, data, lab_model)


def _merge_deep(base: dict, override: dict) -> dict:
    """Merge as the source's generator does (remeda's mergeDeep): tables merge, everything else is replaced."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge_deep(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _omit(data: dict, path: list[str]) -> None:
    node = data
    for part in path[:-1]:
        node = node.get(part)
        if not isinstance(node, dict):
            return
    node.pop(path[-1], None)


# --- Grouping --------------------------------------------------------------------------


def _group(listings: list[Listing], labs: dict[str, SourceFile]) -> dict[str, Group]:
    """Return group key -> group: listings with one base key are one model, unless they pin several
    snapshot dates; then each date is its own model, and the undated ids another."""
    by_base: dict[str, list[tuple[ModelId, Listing | str]]] = defaultdict(list)
    for listing in listings:
        key_id = read_id(listing.lab_model.split("/", 1)[-1]) if listing.lab_model else listing.id
        by_base[key_id.base].append((key_id, listing))
    for lab_id in labs:
        key_id = read_id(lab_id.split("/", 1)[-1])
        by_base[key_id.base].append((key_id, lab_id))
    groups: dict[str, Group] = {}
    for base, members in by_base.items():
        dates = {key_id.date for key_id, _ in members if key_id.date}
        for key_id, member in members:
            key = base if len(dates) <= 1 or key_id.date is None else f"{base}-{key_id.date}"
            group = groups.setdefault(key, Group(key))
            if isinstance(member, Listing):
                group.listings.append(member)
            else:
                group.lab_ids.append(member)
                group.labs.append(labs[member])
    return groups


def _merge_by_name(groups: dict[str, Group], providers: dict[str, dict]) -> dict[str, Group]:
    """Join groups whose ids differ but whose listings give one developer and one name (`claude-4-5-haiku`
    and `claude-haiku-4-5`, both "Claude Haiku 4.5"), unless each pins its own snapshot date."""
    merged: dict[str, Group] = {}
    by_name: dict[tuple, Group] = {}
    for group in sorted(groups.values(), key=lambda g: (-len(g.labs), -len(g.listings), g.key)):
        probe = _Entry(group, providers, None)
        words = _name_words(probe.name())
        target = by_name.get((probe.lab, words)) if probe.lab and words else None
        if target is not None and not (_dates(target) and _dates(group) and _dates(target) != _dates(group)):
            target.listings += group.listings
            target.labs += group.labs
            target.lab_ids += group.lab_ids
            continue
        merged[group.key] = group
        if probe.lab and words:
            by_name[(probe.lab, words)] = group
    return merged


def _name_words(name: str) -> tuple[str, ...]:
    """A name's words and numbers in sorted order: "Claude 4.5 Haiku" and "claude-haiku-4.5" give the same."""
    return tuple(sorted(re.findall(r"[a-z]+|\d+(?:\.\d+)*", _clean_name(name).lower())))


def _dates(group: Group) -> set[str]:
    return {l.id.date for l in group.listings if l.id.date} | {d for i in group.lab_ids if (d := read_id(i).date)}


def _report_merge(group: Group, slug: str, report: Report) -> None:
    ids = sorted({listing.id.raw for listing in group.listings} | set(group.lab_ids))
    if len(ids) > 1:
        shown = ", ".join(ids[:40]) + (f" and {len(ids) - 40} more" if len(ids) > 40 else "")
        report.note(MERGED, f"{len(ids)} ids: {shown}.", entry=slug)


def _unique_slug(wanted: str, developer: str, taken: dict[str, str]) -> str:
    slug = wanted or "model"
    if slug in taken:
        slug = f"{slug}-{grouping.slugify(developer)}"
    base, count = slug, 2
    while slug in taken:
        slug, count = f"{base}-{count}", count + 1
    return slug


# --- One entry -------------------------------------------------------------------------


class _Entry:
    """Maps one group to an entry; notes it makes carry the group's future slug."""

    def __init__(self, group: Group, providers: dict[str, dict], benchmarks: _Benchmarks | None):
        self.group = group
        self.providers = providers
        self.benchmarks = benchmarks
        self.notes: list[tuple[str, str, str]] = []
        self.lab, self.developer = self._developer()
        own = [l for l in group.listings if self.lab is not None and PROVIDER_LABS.get(l.provider) == self.lab]
        provider_order = list(PROVIDER_LABS)
        own.sort(key=lambda l: (provider_order.index(l.provider), l.id.region is not None, l.id.date is not None,
                                len(l.id.raw), l.id.raw))
        self.main = own[0] if own else None
        lab_files = sorted(zip(group.lab_ids, group.labs), key=lambda pair: (read_id(pair[0]).date is not None, pair[0]))
        self.lab_files = [file for _, file in lab_files]
        others = sorted((l for l in group.listings if l is not self.main),
                        key=lambda l: (-len(l.data), l.provider, l.id.raw))
        # where each entry fact is read from, first found first: lab metadata, the developer's listing, the rest
        self.records: list[tuple[str, dict]] = [(f.relative, f.data) for f in self.lab_files]
        if self.main is not None:
            self.records.insert(0 if self.main.lab_model else len(self.records), (self.main.source, self.main.data))
        self.records += [(l.source, l.data) for l in others]

    def note(self, kind: str, message: str, source: str = "") -> None:
        self.notes.append((kind, message, source))

    def first(self, key: str, check=None) -> tuple[Any, str] | tuple[None, None]:
        """Return the first valid value of a fact among the records, noting invalid ones."""
        for source, data in self.records:
            if key not in data:
                continue
            value = data[key]
            if check is None or check(value):
                return value, source
            self.note(BROKEN, f"{key} {value!r} is not valid here; another listing's value is used if there is one.", source)
        return None, None

    def build(self) -> dict:
        entry: dict[str, Any] = {}
        entry["name"] = self.name()
        entry["summary"] = ""  # set below, once the facts are known
        entry["developer"] = self.developer or PLACEHOLDER_DEVELOPER
        release, source = self.first("release_date", _is_partial_date)
        if release is None:
            release, source = self.first("last_updated", _is_partial_date)
            if release is None:
                self.note(BROKEN, f"no valid release_date or last_updated in any of its {len(self.records)} files; "
                                  f"not imported.", self.records[0][0] if self.records else "")
                return {"_notes": self.notes}
            self.note(GUESSED, f"no valid release_date: last_updated {release} is used.", source)
        entry["release_date"] = release
        family, _ = self.first("family", lambda v: isinstance(v, str) and v.strip() != "")
        if family:
            entry["family"] = family
        entry["_slug"] = self._slug()
        entry["aliases"] = [a for a in self.aliases() if a != entry["_slug"]]
        limits = self._limits()
        if limits:
            entry["limits"] = limits
        modalities = self._modalities()
        if modalities:
            entry["modalities"] = modalities
        entry["capabilities"] = self._capabilities()
        open_weights, _ = self.first("open_weights", lambda v: isinstance(v, bool))
        if open_weights is not None:
            entry["open_weights"] = open_weights
        license_ = next((f.data["license"] for f in self.lab_files if isinstance(f.data.get("license"), str)), None)
        if license_:
            entry["license"] = license_ if re.fullmatch(r"[A-Za-z0-9.+-]+", license_) else {"name": license_}
        for key, field_name in (("knowledge", "knowledge_cutoff"), ("last_updated", "last_updated")):
            value, _ = self.first(key, _is_partial_date)
            if value is not None:
                entry[field_name] = value
        if self.main is not None:
            pricing = self._pricing(self.main)
            if pricing:
                entry["pricing"] = pricing
        offers = [self._offer(l, limits) for l in sorted(self.group.listings, key=lambda l: (l.provider, l.id.raw))
                  if l is not self.main]
        if offers:
            entry["offers"] = offers
        scores = self.benchmarks.scores(self.lab_files, self.lab, self.note)
        if scores:
            entry["benchmarks"] = scores
        facts = self._facts()
        if facts:
            entry["facts"] = facts
        entry["sources"] = self._sources()
        status = next((data["status"] for _, data in self.own_records() if data.get("status") in STATUSES), None)
        if status:
            entry["status"] = STATUSES[status]
        if self.developer is None:
            entry["draft"] = True
            self.note(BROKEN, "no developer: neither its ids, its family nor its providers name one; written as a draft "
                              "with developer \"Unknown\" for an editor to fill in.", self.records[0][0])
        entry["summary"] = _summary(entry)
        self._not_held()
        entry["_notes"] = self.notes
        return entry

    def _developer(self) -> tuple[str | None, str | None]:
        """Return (lab id, developer name): from the lab files, else the organisations its ids name,
        else its name (`claude-...`), else a developer's own provider listing it alone."""
        votes: Counter = Counter()
        for lab_id in self.group.lab_ids:
            votes[lab_id.split("/")[0]] += 10
        for listing in self.group.listings:
            if listing.lab_model:
                votes[listing.lab_model.split("/")[0]] += 10
            if listing.id.org:
                votes[listing.id.org] += 1
        written = Counter(l.id.org_written for l in self.group.listings if l.id.org_written)
        if votes:
            lab = votes.most_common(1)[0][0]
        elif written and grouping.lab_of_name(self.group.key) is None:
            organisation = written.most_common(1)[0][0]
            self.note(GUESSED, f"developer {organisation!r} taken from the organisation its ids name.")
            return grouping.slugify(organisation), organisation
        else:
            lab = grouping.lab_of_name(self.group.key)
            providers = {l.provider for l in self.group.listings}
            if lab is None and len(providers) == 1 and self.group.listings:
                provider = providers.pop()
                lab = PROVIDER_LABS.get(provider)
                if lab is None:  # a provider's own product (a router, an agent) listed nowhere else
                    name = self.providers.get(provider, {}).get("name", provider)
                    self.note(GUESSED, f"developer {name!r}: the only provider that lists it.", self.group.listings[0].source)
                    return provider_id(provider), name
        if lab is None or lab in LABS:
            return lab, LABS.get(lab) if lab else None
        self.note(GUESSED, f"developer {lab!r} taken from the folder under models/ that holds it.")
        return lab, lab

    def own_records(self) -> list[tuple[str, dict]]:
        """The lab's files and the developer's own listing: what the model itself is, not how one provider serves it."""
        own = [(f.relative, f.data) for f in self.lab_files]
        return own + ([(self.main.source, self.main.data)] if self.main is not None else [])

    def name(self) -> str:
        """The model's name: its lab file's, else its developer's listing's, else the first listing's with one."""
        name, _ = self.first("name", lambda v: isinstance(v, str) and v.strip() != "")
        return _clean_name(name) if name else _plain_id(read_id(self.aliases()[0]))

    def aliases(self) -> list[str]:
        """Every id the model goes by: its listings' ids and its lab files' names."""
        return sorted({l.id.raw for l in self.group.listings} | {i.split("/", 1)[-1] for i in self.group.lab_ids})

    def _slug(self) -> str:
        if self.lab_files:
            return grouping.slugify(_lab_id(self.lab_files[0].relative).split("/", 1)[-1])
        if self.main is not None:
            return grouping.slugify(_plain_id(self.main.id))
        counts = Counter(grouping.slugify(_plain_id(l.id)) for l in self.group.listings)
        return min(counts, key=lambda slug: (-counts[slug], len(slug), slug))

    def _limits(self) -> dict:
        limit, source = self.first("limit", lambda v: isinstance(v, dict))
        return _limits_of(limit or {}, source or "", self.note)

    def _modalities(self) -> dict | None:
        value, source = self.first("modalities", lambda v: isinstance(v, dict))
        if value is None:
            return None
        result = {}
        for side in ("input", "output"):
            items = value.get(side, [])
            kept = [m for m in items if m in MODALITIES] if isinstance(items, list) else []
            if isinstance(items, list) and len(kept) != len(items):
                self.note(BROKEN, f"modalities.{side}: {sorted(set(map(str, items)) - set(kept))} are not modalities "
                                  f"the format knows; left out.", source)
            result[side] = list(dict.fromkeys(kept))
        return result

    def _capabilities(self) -> list[str]:
        result = []
        for flag, (capability, _, _) in CAPABILITIES.items():
            value, _ = self.first(flag, lambda v: isinstance(v, bool))
            if value:
                result.append(capability)
        return result

    def _pricing(self, listing: Listing) -> dict | None:
        return _pricing_of(listing, self.providers.get(listing.provider, {}).get("name", listing.provider), self.note)

    def _offer(self, listing: Listing, entry_limits: dict) -> dict:
        offer: dict[str, Any] = {"provider": provider_id(listing.provider), "model_id": listing.id.raw}
        pricing = self._pricing(listing)
        if pricing:
            offer["pricing"] = pricing
        limit = listing.data.get("limit")
        own = _limits_of(limit if isinstance(limit, dict) else {}, listing.source, self.note)
        differs = {k: v for k, v in own.items() if entry_limits.get(k) != v}
        if differs:
            offer["limits"] = differs
        status = listing.data.get("status")
        if status in STATUSES:
            offer["status"] = STATUSES[status]
        elif status is not None:
            self.note(BROKEN, f"status {status!r} is not alpha, beta or deprecated; left out.", listing.source)
        if listing.id.region:
            offer["region"] = listing.id.region
        return offer

    def _facts(self) -> list[dict]:
        facts = []
        options, _ = self.first("reasoning_options", lambda v: isinstance(v, list))
        described = [_reasoning_option(option) for option in options or []]
        if any(described):
            facts.append({"label": "Reasoning options", "value": "; ".join(d for d in described if d)})
        for file in self.lab_files:
            for weights in file.data.get("weights", []) if isinstance(file.data.get("weights"), list) else []:
                if isinstance(weights, dict) and (weights.get("format") or weights.get("quantization")):
                    detail = ", ".join(str(weights[k]) for k in ("format", "quantization") if weights.get(k))
                    facts.append({"label": str(weights.get("label") or "Weights"), "value": detail})
        unique: dict[str, dict] = {}
        for fact in facts:
            unique.setdefault(fact["label"], fact)
        return list(unique.values())

    def _sources(self) -> list[dict]:
        sources = [{"title": SOURCE_TITLE, "url": SOURCE_URL}]
        for file in self.lab_files:
            for kind in ("links", "weights"):
                items = file.data.get(kind)
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and isinstance(item.get("url"), str):
                        if _is_url(item["url"]):
                            sources.append({"title": str(item.get("label") or kind.title()), "url": item["url"]})
                        else:
                            self.note(BROKEN, f"{kind}: {item['url']!r} is not an http(s) URL; left out.", file.relative)
        unique: dict[str, dict] = {}
        for source in sources:
            unique.setdefault(source["url"], source)
        return list(unique.values())

    def _not_held(self) -> None:
        """Note what the listings say that an entry cannot hold."""
        for listing in self.group.listings:
            data = listing.data
            modes = data.get("experimental", {}).get("modes") if isinstance(data.get("experimental"), dict) else None
            if isinstance(modes, dict) and modes:
                self.note(NOT_HELD, f"{listing.provider}: modes {', '.join(map(str, modes))} "
                                    f"(another price or request shape) have no field.", listing.source)
            if isinstance(data.get("provider"), dict):
                self.note(NOT_HELD, f"{listing.provider}: the API settings under [provider] (SDK package, endpoint, "
                                    f"request shape) are not catalog content.", listing.source)
            if data.get("interleaved"):
                self.note(NOT_HELD, f"{listing.provider}: interleaved reasoning ({data['interleaved']}) has no field.",
                          listing.source)
            unknown = sorted(set(map(str, data)) - KNOWN_KEYS)
            if unknown:
                self.note(NOT_HELD, f"fields the source's schema does not define: {', '.join(unknown)}.", listing.source)
        self._differences()

    def _differences(self) -> None:
        """Note facts on which a provider's listing disagrees with the entry: an offer has no field for them."""
        entry_flags = {flag: self.first(flag, lambda v: isinstance(v, bool))[0] for flag in CAPABILITIES}
        for listing in self.group.listings:
            differing = [flag for flag, value in entry_flags.items()
                         if isinstance(listing.data.get(flag), bool) and listing.data[flag] != bool(value)]
            if differing:
                said = ", ".join(f"{flag} = {str(listing.data[flag]).lower()}" for flag in differing)
                self.note(NOT_HELD, f"{listing.provider} says {said}, unlike the entry; an offer has no capabilities.",
                          listing.source)


def _plain_id(model_id: ModelId) -> str:
    """The id without provider decoration: the last path segment, region and colon suffix removed."""
    text = model_id.raw.split("/")[-1]
    if model_id.region:
        text = text[len(model_id.region) + 1:]
    return text.split(":")[0]


def _clean_name(name: str) -> str:
    return re.sub(r"\s*\((?:latest|free)\)$", "", name.strip(), flags=re.I) or name.strip()


def _is_partial_date(value: Any) -> bool:
    try:
        schema._iso_date(value, allow_month=True)
    except Exception:  # pydantic's error type; any refusal means not a date
        return False
    return isinstance(value, str)


def _is_full_date(value: Any) -> bool:
    return _is_partial_date(value) and len(value) == 10


def _is_url(value: str) -> bool:
    try:
        schema._check_url(value)
    except Exception:  # the schema's refusal
        return False
    return value.lower().startswith(("http://", "https://"))


def _is_count(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _limits_of(limit: dict, source: str, note) -> dict:
    result = {}
    for key in ("context", "input", "output"):
        value = limit.get(key)
        if value is None:
            continue
        if not _is_count(value) or value < 0 or value != int(value):
            note(BROKEN, f"limit.{key} {value!r} is not a token count; left out.", source)
        elif value == 0:
            note(BROKEN, f"limit.{key} is 0: a limit that does not apply is left out.", source)
        else:
            result[key] = int(value)
    return result


def _pricing_of(listing: Listing, provider_name: str, note) -> dict | None:
    cost = listing.data.get("cost")
    free_id = listing.id.raw.endswith(":free")
    if not isinstance(cost, dict):
        return {"free": True} if free_id else None
    pricing: dict[str, Any] = {}
    per_unit: dict[str, float] = {}
    for key, value in cost.items():
        if key in ("tiers", "context_over_200k"):
            continue
        if not _is_count(value) or value < 0:
            note(BROKEN, f"cost.{key} {value!r} is not a price; left out.", listing.source)
        elif key in COSTS:
            pricing.setdefault(COSTS[key], value)
        elif key in UNIT_COSTS:
            per_unit[UNIT_COSTS[key]] = value
        else:
            note(NOT_HELD, f"cost.{key} = {value} has no field.", listing.source)
    tiers = _tiers(cost, listing.source, note)
    if tiers:
        pricing["tiers"] = tiers
    if per_unit:
        pricing["per_unit"] = per_unit
    charged = [v for k, v in pricing.items() if k.endswith("_per_mtok")] + list(per_unit.values())
    if free_id or (charged and not any(charged)):
        plan = PLAN_PROVIDER.search(listing.provider) and not free_id
        pricing = {"plan": provider_name} if plan else {"free": True}
    return pricing or None


def _tiers(cost: dict, source: str, note) -> list[dict]:
    raw = cost.get("tiers") if isinstance(cost.get("tiers"), list) else []
    if isinstance(cost.get("context_over_200k"), dict):
        raw = raw + [{**cost["context_over_200k"], "tier": {"type": "context", "size": 200_000}}]
    tiers: dict[int, dict] = {}
    for item in raw:
        tier = item.get("tier") if isinstance(item, dict) else None
        size = tier.get("size") if isinstance(tier, dict) else None
        if not _is_count(size) or size <= 0 or tier.get("type", "context") != "context":
            note(BROKEN if not isinstance(tier, dict) or not _is_count(size) else NOT_HELD,
                 f"a price tier {tier!r} that is not above a context length; left out.", source)
            continue
        prices = {TIER_COSTS[k]: v for k, v in item.items() if k in TIER_COSTS and _is_count(v) and v >= 0}
        extra = sorted(k for k in item if k not in TIER_COSTS and k != "tier")
        if extra:
            note(NOT_HELD, f"tier above {int(size):,} tokens: {', '.join(extra)} have no field in a tier.", source)
        if prices:
            tiers.setdefault(int(size), {"above": int(size), **prices})
    return [tiers[size] for size in sorted(tiers)]


def _reasoning_option(option: Any) -> str:
    if not isinstance(option, dict):
        return ""
    kind = option.get("type")
    if kind == "effort" and isinstance(option.get("values"), list):
        return "effort: " + ", ".join(str(v) for v in option["values"] if v is not None)
    if kind == "budget_tokens":
        bounds = [f"{label} {option[key]:,}" for key, label in (("min", "from"), ("max", "to"))
                  if _is_count(option.get(key))]
        return "thinking budget in tokens" + (f" ({' '.join(bounds)})" if bounds else "")
    if kind == "toggle":
        return "on or off"
    return ""


def _summary(entry: dict) -> str:
    """One generated sentence from the facts (listings need a summary); an editor's own replaces it."""
    modalities = entry.get("modalities") or {}
    parts = [f"{entry['name']} by {entry['developer']}" if entry["developer"] != PLACEHOLDER_DEVELOPER else entry["name"]]
    inputs, outputs = modalities.get("input"), modalities.get("output")
    if inputs and outputs:
        parts.append(f"{_words(inputs)} in, {_words(outputs)} out")
    context = entry.get("limits", {}).get("context")
    if context:
        parts.append(f"a {_tokens(context)}-token context window")
    sentence = parts[0] + (": " + ", ".join(parts[1:]) if len(parts) > 1 else "")
    return sentence + "."


def _words(items: list[str]) -> str:
    names = [{"pdf": "PDF"}.get(item, item) for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _tokens(count: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "K")):
        if count >= size and count % (size // 1000 or 1) == 0:
            value = count / size
            return f"{value:g}{suffix}"
    return f"{count:,}"


# --- Benchmarks ------------------------------------------------------------------------


class _Benchmarks:
    """Benchmark results of lab files -> scores, and the definitions they need."""

    def __init__(self, report: Report):
        self.report = report
        self.names: dict[str, str] = {}
        self.metrics: dict[str, Counter] = defaultdict(Counter)
        self.values: dict[str, list[float]] = defaultdict(list)
        self.variants: dict[str, dict[str, str]] = defaultdict(dict)

    def scores(self, lab_files: list[SourceFile], lab: str | None, note) -> dict[str, list[dict]]:
        """Return benchmark id -> scores of one entry; two results for one board get distinct variants."""
        found: dict[str, list[tuple[dict, dict]]] = defaultdict(list)
        for file in lab_files:
            results = file.data.get("benchmarks")
            for index, result in enumerate(results if isinstance(results, list) else []):
                score = self._score(result, file.relative, index, lab, note)
                if score is not None:
                    found[score.pop("_id")].append((score, result))
        scores: dict[str, list[dict]] = {}
        for benchmark_id, pairs in found.items():
            unique: list[tuple[dict, dict]] = []
            for score, result in pairs:
                if all(score != other for other, _ in unique):
                    unique.append((score, result))
            _split_variants(benchmark_id, unique)
            for score, _ in unique:
                if score.get("variant"):
                    self.variants[benchmark_id].setdefault(score["variant"], score.pop("_variant_name"))
                score.pop("_variant_name", None)
                self.values[benchmark_id].append(score["value"])
            scores[benchmark_id] = [score for score, _ in unique]
        return scores

    def _score(self, result: Any, source: str, index: int, lab: str | None, note) -> dict | None:
        where = f"benchmarks[{index}]"
        if not isinstance(result, dict) or not isinstance(result.get("name"), str) or not result["name"].strip():
            note(BROKEN, f"{where} has no name; left out.", source)
            return None
        value = result.get("score")
        if isinstance(value, str):
            match = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*%?\s*", value)
            value = float(match.group(1)) if match else None
        if not _is_count(value):
            note(BROKEN, f"{where} ({result['name']}): score {result.get('score')!r} is not a number; left out.", source)
            return None
        benchmark_id = grouping.identifier(result["name"])
        if not benchmark_id:
            note(BROKEN, f"{where}: the name {result['name']!r} makes no id; left out.", source)
            return None
        self.names.setdefault(benchmark_id, result["name"].strip())
        self.metrics[benchmark_id][str(result.get("metric") or "")] += 1
        score: dict[str, Any] = {"_id": benchmark_id, "value": value}
        parts = [str(result[k]) for k in ("dataset", "version") if result.get(k)]
        if parts:
            score["variant"] = grouping.identifier(" ".join(parts))
            score["_variant_name"] = " ".join(parts)
        url = result.get("source")
        score["evaluated_by"] = _evaluator(url, lab)
        for key in ("metric", "harness"):
            if isinstance(result.get(key), str) and result[key].strip():
                score[key] = result[key].strip()
        if isinstance(result.get("variant"), str) and result["variant"].strip():
            score["setting"] = result["variant"].strip()
        if isinstance(url, str):
            if _is_url(url):
                score["source"] = url
            else:
                note(BROKEN, f"{where} ({result['name']}): source {url!r} is not an http(s) URL; left out.", source)
        date = result.get("date")
        if _is_full_date(date):
            score["date"] = date
        elif _is_partial_date(date):
            score["note"] = f"Dated {date} in the source."
        elif date is not None:
            note(BROKEN, f"{where} ({result['name']}): date {date!r} is not a date; left out.", source)
        unknown = sorted(set(map(str, result)) - {"name", "score", "metric", "harness", "variant", "dataset", "version",
                                                  "source", "date"})
        if unknown:
            note(NOT_HELD, f"{where} ({result['name']}): {', '.join(unknown)} have no field.", source)
        return score

    def definitions(self) -> dict[str, dict]:
        result = {}
        for benchmark_id in sorted(self.names):
            metric = self.metrics[benchmark_id].most_common(1)[0][0]
            values = self.values[benchmark_id]
            percent = (not metric or PERCENT_METRIC.search(metric.lower())) and "index" not in metric.lower() \
                and all(0 <= v <= 100 for v in values)
            definition: dict[str, Any] = {"name": self.names[benchmark_id], "unit": "%" if percent else "",
                                          "higher_is_better": True}
            if metric:
                definition["description"] = f"Figures as models.dev records them: {metric}."
            if self.variants.get(benchmark_id):
                definition["variants"] = {vid: {"name": name} for vid, name in sorted(self.variants[benchmark_id].items())}
            result[benchmark_id] = definition
            self.report.note(GUESSED, f"benchmark {benchmark_id}: unit {definition['unit'] or 'none'!r} from its metric "
                                      f"({metric or 'none given'}) and figures, higher is better.")
        return result


def _split_variants(benchmark_id: str, pairs: list[tuple[dict, dict]]) -> None:
    """Give results that would share one board a variant each, from what sets them apart:
    the source's `variant` (a reasoning effort, a harness), then the harness."""
    for extra in ("variant", "harness"):
        boards = Counter(score.get("variant") for score, _ in pairs)
        clashing = [(score, result) for score, result in pairs if boards[score.get("variant")] > 1]
        if not clashing:
            return
        for score, result in clashing:
            if isinstance(result.get(extra), str) and result[extra].strip():
                name = " ".join(filter(None, [score.get("_variant_name"), result[extra].strip()]))
                score["variant"], score["_variant_name"] = grouping.identifier(name), name
    boards = Counter(score.get("variant") for score, _ in pairs)
    for number, (score, _) in enumerate(pairs, start=1):
        if boards[score.get("variant")] > 1:  # identical in every respect but the figure
            name = " ".join(filter(None, [score.get("_variant_name"), f"result {number}"]))
            score["variant"], score["_variant_name"] = grouping.identifier(name), name


def _evaluator(url: Any, lab: str | None) -> str:
    """Return who measured a figure: the developer when the source is the lab's own site, else a third party."""
    if not isinstance(url, str) or lab is None:
        return "third_party"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    domain = ".".join(host.split(".")[-2:])
    own = {".".join((urlsplit(u).hostname or "").split(".")[-2:]) for u in LAB_SITES.get(lab, ())}
    if domain in own:
        return "developer"
    if domain == "huggingface.co":
        org = parts.path.strip("/").split("/")[0].lower()
        if grouping.ORGS.get(org) == lab:
            return "developer"
    return "third_party"


LAB_SITES = {
    "openai": ("https://openai.com",), "anthropic": ("https://www.anthropic.com",), "google": ("https://deepmind.google",
    "https://blog.google"), "meta": ("https://ai.meta.com",), "alibaba": ("https://qwenlm.github.io", "https://alibabacloud.com"),
    "deepseek": ("https://deepseek.com",), "mistral": ("https://mistral.ai",), "xai": ("https://x.ai",),
    "zhipuai": ("https://z.ai",), "moonshotai": ("https://moonshot.ai",), "minimax": ("https://minimax.io",),
    "sakana": ("https://sakana.ai",), "nvidia": ("https://nvidia.com",), "cohere": ("https://cohere.com",),
    "xiaomi": ("https://xiaomimimo.com",), "deepreinforce": ("https://deep-reinforce.com",),
}
"""Each developer's own sites: a figure sourced there is the developer's own claim."""
