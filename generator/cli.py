"""The `modelcat` command: parse arguments, run a command, print problems, exit.

This is the only module that decides exit statuses: 0 success, 1 content problems
(or warnings under --strict), 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from pathlib import Path

from generator import __version__, editor, lint, schema
from generator.build import build, check
from generator.errors import SHOWN_PER_CODE, Problem, UsageError, fails, plural, report, sort_problems, summarize
from generator.settings import BuildResult, CheckResult, Settings, normalize_base_url, require_site

OK, CONTENT_PROBLEMS, USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    if args.command is None:
        parser.print_help()
        return USAGE
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"modelcat {args.command}: {exc}", file=sys.stderr)
        return USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader left early (`modelcat schema | head`): stop quietly
        # Python's own advice: point stdout at devnull so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # the machine refused a file modelcat writes (`new`, `schema --out`)
        print(f"modelcat {args.command}: could not write {exc.filename or 'a file'}: {exc.strerror or exc}.",
              file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modelcat", description="Build, check and preview a catalog of AI models.")
    parser.add_argument("--version", action="version", version=f"modelcat {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="print progress messages")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    site = argparse.ArgumentParser(add_help=False)
    site.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE", help="the site folder (default: .)")

    cmd = commands.add_parser("build", parents=[site], help="build the site into SITE/_site")
    cmd.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: SITE/_site)")
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    cmd.add_argument("--base-url", metavar="URL", help="override site.yaml's base_url")
    cmd.add_argument("--jobs", type=_positive, metavar="N", help="processes that render pages (default: one per core)")
    cmd.add_argument("--cache-dir", type=Path, metavar="DIR", help="where to keep the build cache "
                     "(default: $XDG_CACHE_HOME/modelcat/...)")
    cmd.add_argument("--no-cache", action="store_true", help="build from scratch and keep no cache")
    cmd.add_argument("--drafts", action="store_true", help="build entries marked `draft: true` too")
    cmd.add_argument("--all", action="store_true", help="list every problem, even past a screenful")
    cmd.set_defaults(run=_build)

    cmd = commands.add_parser("check", parents=[site], help="validate and lint the content; write nothing")
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    cmd.add_argument("--drafts", action="store_true", help="check entries marked `draft: true` as if published")
    cmd.add_argument("--all", action="store_true", help="list every problem, even past a screenful")
    cmd.set_defaults(run=_check)

    cmd = commands.add_parser("serve", parents=[site], help="preview the site, drafts included, rebuilding and "
                              "reloading the browser on every save")
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    cmd.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    cmd.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                     help="also answer requests addressed to NAME (a host name or address; repeatable); "
                          "loopback names and --host always are")
    cmd.add_argument("--open", action="store_true", help="open the preview in a web browser")
    cmd.set_defaults(run=_serve)

    cmd = commands.add_parser("new", help="scaffold content/models/SLUG.yaml (never overwrites)")
    cmd.add_argument("slug", metavar="SLUG", help="the new model's slug: lowercase letters, digits, hyphens")
    cmd.add_argument("--name", help="display name (default: from the slug)")
    cmd.add_argument("--site", type=Path, default=Path("."), metavar="SITE", help="the site folder (default: .)")
    cmd.set_defaults(run=_new)

    cmd = commands.add_parser("schema", help="print the JSON Schema of a model entry, for validators and editors")
    cmd.add_argument("--site", type=Path, metavar="SITE", help="the schema of this site for editors: its benchmark "
                     f"ids and model slugs as choices (modelcat new writes it to {SITE_SCHEMA_FILE})")
    cmd.add_argument("--out", type=Path, metavar="PATH", help=f"write it to PATH instead, e.g. {SCHEMA_FILE}")
    cmd.set_defaults(run=_schema)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _build(args: argparse.Namespace) -> int:
    settings = Settings(args.site, out_dir=args.out, strict=args.strict,
                        base_url=normalize_base_url(args.base_url) if args.base_url else None,
                        jobs=args.jobs, cache_dir=args.cache_dir, use_cache=not args.no_cache, drafts=args.drafts)
    bar = _ProgressBar(sys.stderr)
    result = build(settings, progress=bar.update)
    bar.close()
    _print_problems(result.problems, sys.stderr, args.all,
                    "--all lists every one, `modelcat check --format json` gives them as data.")
    if not result.published:
        why = _strict_failure(result.problems) if args.strict else None
        print(f"Build {why or 'failed'}; the previous output was left as it was.", file=sys.stderr)
        return CONTENT_PROBLEMS
    print(_summary(result, settings.output), file=sys.stderr)
    return CONTENT_PROBLEMS if fails(result.problems, args.strict) else OK


def _summary(result: BuildResult, out: Path) -> str:
    """Return what a build did: pages rendered, skipped and written, and the time of each stage when it was slow."""
    seconds = sum(result.timings.values())
    line = (f"Built {out} in {seconds:.2f} s: {result.rendered} rendered, {result.skipped} unchanged, "
            f"{result.removed} removed.")
    if seconds >= 1:
        line += "\n  " + ", ".join(f"{stage} {spent:.2f} s" for stage, spent in result.timings.items())
    return line


class _ProgressBar:
    """A one-line progress bar on a terminal, for builds long enough to need one."""

    def __init__(self, stream, delay: float = 1.0):
        self.stream = stream
        self.active = stream.isatty()
        self.started = time.perf_counter()
        self.delay = delay
        self.shown = False

    def update(self, done: int, total: int) -> None:
        if not self.active or time.perf_counter() - self.started < self.delay:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\rRendering [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


def _check(args: argparse.Namespace) -> int:
    result = check(Settings(args.site, strict=args.strict, drafts=args.drafts))
    problems = sort_problems(result.problems)
    if args.format == "json":
        json.dump({"problems": [p.as_dict() for p in problems], "summary": summarize(problems) if problems else "no problems"},
                  sys.stdout, indent=1)
        print()
    elif problems:
        _print_problems(problems, sys.stdout, args.all, "--all lists every one, --format json gives them as data.")
    else:
        print(f"{args.site}: {_checked(result)}: no problems.")
    failed = fails(problems, args.strict)
    why = _strict_failure(problems) if failed and args.format == "text" else None
    if why:
        print(f"{why}.")
    return CONTENT_PROBLEMS if failed else OK


def _checked(result: CheckResult) -> str:
    """Return what a clean check looked at: "checked 4 models, 1 comparison, 5 benchmarks, 1 page"."""
    catalog = result.catalog
    counts = [plural(len(catalog.models), "model"), plural(len(catalog.comparisons), "comparison"),
              plural(len(catalog.benchmarks), "benchmark"), plural(len(catalog.pages), "page")]
    left_out = catalog.drafts_left_out
    drafts = f" ({plural(len(left_out), 'draft')} left out; --drafts checks drafts too)" if left_out else ""
    return "checked " + ", ".join(counts) + drafts


def _strict_failure(problems: list[Problem]) -> str | None:
    """Say why a run with only warnings failed: --strict; None when errors explain it themselves."""
    if any(p.is_error for p in problems) or not problems:
        return None
    return f"failed: {plural(len(problems), 'warning')} and --strict treats warnings as errors"


def _print_problems(problems: list[Problem], stream, show_all: bool, how_to_see_all: str) -> None:
    summary = f"showing the first {SHOWN_PER_CODE} of each code; {how_to_see_all}"
    for line in report(problems, show_all, summary):
        print(line, file=stream)


SCHEMA_FILE = "schemas/model.schema.json"
"""Where a site may keep the standard JSON Schema of a model entry, for validators (ajv, check-jsonschema)."""
SITE_SCHEMA_FILE = "schemas/site.schema.json"
"""Where `new` keeps the site's own schema, which its entries name for the YAML language server."""

_NEW_ENTRY = """\
# yaml-language-server: $schema=../../{schema_file}
# A model entry. Field reference: the README; the line above gives editors completion.
draft: true                 # `modelcat serve` shows a draft, `modelcat build` leaves it out: delete this line to publish
name: {name}
summary: {summary}
developer: {developer}
release_date: {today}
# family: ...
# parameters: 4B            # or 4.3e9, or {{total: 46.7B, active: 12.9B}}
# context_window: 128K      # leave out a limit that does not apply (an image model has none)
# limits: {{output: 8K}}
# modalities: {{input: [text, image], output: [text]}}
# capabilities: [tool_calling]   # ids of content/capabilities.yaml
# domains: [general]
# open_weights: true
# license: Apache-2.0       # an SPDX id, or {{name: ..., url: ...}}
# knowledge_cutoff: 2025-01
# pricing: {{input_per_mtok: 0.15, output_per_mtok: 0.6}}
# offers:                   # other providers: ids of content/providers.yaml
#   - {{provider: openrouter, model_id: ..., pricing: {{input_per_mtok: 0.15, output_per_mtok: 0.6}}}}
{benchmarks}# strengths: []
# weaknesses: []
# use_cases: []
# description: |
#   Markdown.
# sources:
#   - {{title: Model card, url: "{url}"}}
# silence:                  # a warning that does not apply here, and why
#   - {{code: MC104, reason: "..."}}
updated: {today}
"""
_NEW_BENCHMARK = """\
# benchmarks:               # ids defined in content/benchmarks.yaml
#   {benchmark}: {{value: 70.1, source: "{url}"}}
"""


def _serve(args: argparse.Namespace) -> int:
    from generator.serve import serve  # the server's libraries (Tornado, watchdog) load only when it runs

    serve(Settings(args.site, drafts=True), host=args.host, port=args.port, open_browser=args.open,
          allowed_hosts=args.allowed_host)
    return OK


def _new(args: argparse.Namespace) -> int:
    """Scaffold a draft entry, pointed at the site's own schema, which is written again to know the new slug."""
    if not re.match(schema.SLUG_PATTERN, args.slug):
        raise UsageError(f'"{args.slug}" is not a valid slug: use lowercase letters, digits and hyphens.')
    target = args.site / "content" / "models" / f"{args.slug}.yaml"
    name = args.name or args.slug.replace("-", " ").title()
    ids = editor.site_ids(args.site)
    example = next(iter(ids["benchmarks"]), None)  # the example score names a benchmark this site defines, if any
    text = _NEW_ENTRY.format(
        name=_yaml_text(name), summary=_yaml_text(lint.PLACEHOLDER_SUMMARY.format(name=name)),
        developer=lint.PLACEHOLDER_DEVELOPER, today=lint.today().isoformat(), schema_file=SITE_SCHEMA_FILE,
        url=lint.PLACEHOLDER_URL,
        benchmarks=_NEW_BENCHMARK.format(benchmark=example, url=lint.PLACEHOLDER_URL) if example else "")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{target} already exists; modelcat new never overwrites.") from None
    print(f"Created {target}, a draft: `modelcat serve` shows it, `modelcat build` publishes it once its "
          "`draft: true` line is gone.")
    ids["model"][args.slug] = ""
    _refresh_site_schema(args.site / SITE_SCHEMA_FILE, ids)
    return OK


def _refresh_site_schema(path: Path, ids: editor.Ids) -> None:
    """Write the site's schema, unless a file there was not written by modelcat (then it is left alone)."""
    if path.is_symlink() or (path.exists() and not _generated_site_schema(path)):
        print(f"Left {path} as it is: modelcat did not write it. `modelcat schema --site` prints the site's schema.")
        return
    _write_json(path, editor.site_json_schema(ids))
    print(f"Wrote {path}: editors complete this site's benchmark ids and model slugs from it.")


def _generated_site_schema(path: Path) -> bool:
    try:
        comment = json.loads(path.read_text(encoding="utf-8")).get("$comment", "")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(comment, str) and comment.startswith("Generated by `modelcat schema --site`")


def _yaml_text(text: str) -> str:
    """Return text as a YAML double-quoted scalar, safe whatever it contains."""
    return json.dumps(text, ensure_ascii=False)


def _schema(args: argparse.Namespace) -> int:
    if args.site is not None:
        require_site(args.site)
        value = editor.site_json_schema(editor.site_ids(args.site))
    else:
        value = schema.model_json_schema()
    if args.out is None:
        sys.stdout.write(_json_text(value))
    else:
        _write_json(args.out, value)
        print(f"Wrote {args.out}.")
    return OK


def _json_text(value: dict) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_json_text(value), encoding="utf-8")
