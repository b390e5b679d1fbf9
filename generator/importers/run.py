"""The two imports from start to end: read the source, merge into the site, write the report."""

from __future__ import annotations

import re
import time
from pathlib import Path

from generator.errors import UsageError
from generator.importers import hf, site
from generator.importers.models_dev import import_models_dev
from generator.importers.report import BROKEN, Report
from generator.load import parse_yaml
from generator.schema import SLUG_PATTERN


def models_dev(site_dir: Path, folder: Path, dry_run: bool) -> Report:
    """Import a models.dev checkout into a site (a new one when SITE does not exist); return what was done."""
    if not (folder / "providers").is_dir():
        raise UsageError(f"{folder} is not a models.dev checkout: it has no providers/ folder.")
    report = Report(f"models-dev {folder}", dry_run=dry_run)
    _require_site(site_dir, report, create=True)
    started = time.perf_counter()
    imported = import_models_dev(folder, report)
    site.apply(site_dir, imported, report, dry_run=dry_run, complete=True)
    report.counts.update(imported.counts)
    report.counts["seconds"] = round(time.perf_counter() - started, 1)
    _write_report(site_dir, imported.source, report)
    return report


def hf_card(site_dir: Path, file: Path, into: str | None, dry_run: bool, today: str) -> Report:
    """Import a model card's `model-index` into a site: scores into entry `into`, or a new draft entry."""
    _require_site(site_dir, None, create=False)
    if not file.is_file():
        raise UsageError(f"{file} is not a file: give a model card (README.md) or a YAML file holding model-index.")
    if into is not None:
        if not re.match(SLUG_PATTERN, into):
            raise UsageError(f'"{into}" is not a valid slug: use lowercase letters, digits and hyphens.')
        if not (site_dir / "content" / "models" / f"{into}.yaml").is_file():
            raise UsageError(f"content/models/{into}.yaml does not exist; leave out --into to write a new entry.")
    report = Report(f"hf {file}", dry_run=dry_run)
    started = time.perf_counter()
    card, relative = hf.read_card(file, report)
    writer_state = site.read_state(site_dir, hf.SOURCE, report)
    mapping = _read_mapping(site_dir, report)
    added_to_mapping = dict(mapping)
    imported = hf.import_card(card, relative, mapping, _site_benchmarks(site_dir, report), into is not None, today,
                                  report) \
        if card is not None else None
    if imported is not None:
        (slug, key), = imported.keys.items()
        target = into or slug
        if into is None:
            taken_by = next((s for s, record in writer_state.entries.items() if record.get("key") == key), None)
            if taken_by is None and (site_dir / "content" / "models" / f"{slug}.yaml").exists():
                raise UsageError(f"content/models/{slug}.yaml already exists; add the card's scores to it with "
                                 f"--into {slug}.")
            target = taken_by or slug
        imported.entries = {target: imported.entries[slug]}
        imported.keys = {target: key if into is None else f"hf:{into}"}
        site.apply(site_dir, imported, report, dry_run=dry_run, complete=False)
        report.counts.update(imported.counts)
        if mapping != added_to_mapping:
            site.write_mapping(site_dir, hf.DATASET_MAP, mapping, _MAPPING_HEADER, report, dry_run)
    report.counts["seconds"] = round(time.perf_counter() - started, 1)
    _write_report(site_dir, hf.SOURCE, report)
    return report


_MAPPING_HEADER = ("Hugging Face dataset ids -> benchmark ids of content/benchmarks.yaml. `modelcat import hf`\n"
                   "adds a line for each dataset it meets; change a right-hand side to file its scores elsewhere.")


NEW_SITE = "title: AI models\ndescription: Models, their prices at each provider, and their benchmarks.\n"


def _require_site(site_dir: Path, report: Report | None, create: bool) -> None:
    """Refuse a folder that is not a site; with `create`, start a site in a folder that does not exist yet."""
    if (site_dir / "site.yaml").is_file():
        return
    if create and not site_dir.exists():
        if report is not None and not report.dry_run:
            site_dir.mkdir(parents=True)
            (site_dir / "site.yaml").write_text(NEW_SITE, encoding="utf-8")
        return
    raise UsageError(f"{site_dir} is not a site: it has no site.yaml (create one with `title: My catalog`).")


def _read_mapping(site_dir: Path, report: Report) -> dict[str, str]:
    text = site.read_site_text(site_dir, hf.DATASET_MAP, report)
    if text is None:
        return {}
    parsed = parse_yaml(text, hf.DATASET_MAP)
    data = parsed.data if not parsed.problems and isinstance(parsed.data, dict) else {}
    for problem in parsed.problems:
        report.note(BROKEN, f"{problem.message} The mapping was not used.", hf.DATASET_MAP, problem.line)
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


def _site_benchmarks(site_dir: Path, report: Report) -> dict[str, dict]:
    text = site.read_site_text(site_dir, "content/benchmarks.yaml", report)
    if text is None:
        return {}
    parsed = parse_yaml(text, "content/benchmarks.yaml")
    return {k: v for k, v in parsed.data.items() if isinstance(v, dict)} if isinstance(parsed.data, dict) else {}


def _write_report(site_dir: Path, source: str, report: Report) -> None:
    if not report.dry_run:
        site.write_site_text(site_dir, site.report_path(source), report.markdown(), report)

