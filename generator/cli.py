"""The `modelcat` command: parse arguments, run a command, print problems, exit.

This is the only module that decides exit statuses: 0 success, 1 content problems
(or warnings under --strict), 2 usage errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import re
import sys
from pathlib import Path

from generator import __version__, schema
from generator.build import BuildResult, Settings, build, check, normalize_base_url
from generator.errors import Problem, UsageError, fails, sort_problems, summarize
from generator.serve import serve

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
    cmd.set_defaults(run=_build)

    cmd = commands.add_parser("check", parents=[site], help="validate and lint the content; write nothing")
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    cmd.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    cmd.set_defaults(run=_check)

    cmd = commands.add_parser("serve", parents=[site], help="preview the site, rebuilding and reloading the browser on every save")
    cmd.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    cmd.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    cmd.add_argument("--open", action="store_true", help="open the preview in a web browser")
    cmd.set_defaults(run=_serve)

    cmd = commands.add_parser("new", help="scaffold content/models/SLUG.yaml (never overwrites)")
    cmd.add_argument("slug", metavar="SLUG", help="the new model's slug: lowercase letters, digits, hyphens")
    cmd.add_argument("--name", help="display name (default: from the slug)")
    cmd.add_argument("--site", type=Path, default=Path("."), metavar="SITE", help="the site folder (default: .)")
    cmd.set_defaults(run=_new)

    cmd = commands.add_parser("schema", help="print the JSON Schema of a model entry")
    cmd.set_defaults(run=_schema)
    return parser


def _build(args: argparse.Namespace) -> int:
    settings = Settings(args.site, out_dir=args.out, strict=args.strict,
                        base_url=normalize_base_url(args.base_url) if args.base_url else None)
    result = build(settings)
    _print_problems(result.problems, sys.stderr)
    if not result.published:
        print("Build failed; the previous output was left as it was.", file=sys.stderr)
        return CONTENT_PROBLEMS
    print(_built_line(result, settings.output), file=sys.stderr)
    return CONTENT_PROBLEMS if fails(result.problems, args.strict) else OK


def _built_line(result: BuildResult, out: Path) -> str:
    seconds = sum(result.timings.values())
    return f"Built {result.files_written} files into {out} in {seconds:.2f} s."


def _check(args: argparse.Namespace) -> int:
    result = check(Settings(args.site, strict=args.strict))
    problems = sort_problems(result.problems)
    if args.format == "json":
        json.dump({"problems": [p.as_dict() for p in problems], "summary": summarize(problems) if problems else "no problems"},
                  sys.stdout, indent=1)
        print()
    elif problems:
        _print_problems(problems, sys.stdout)
    else:
        print(f"{args.site}: no problems.")
    return CONTENT_PROBLEMS if fails(problems, args.strict) else OK


def _print_problems(problems: list[Problem], stream) -> None:
    if not problems:
        return
    for problem in sort_problems(problems):
        print(problem.format(), file=stream)
    print(summarize(problems) + ".", file=stream)


_NEW_ENTRY = """\
# A model entry. Field reference: the README, or `modelcat schema` for editor completion.
name: {name}
summary: One sentence on what {name} is and who it is for.
developer: {developer}
release_date: {today}
# family: ...
# parameters: 4B            # or 4.3e9, or {{total: 46.7B, active: 12.9B}}
# context_window: 128K
# modalities: [text]
# domains: [general]
# open_weights: true
# license: Apache-2.0       # an SPDX id, or {{name: ..., url: ...}}
# benchmarks:
#   mmlu: {{value: 70.1, source: "https://..."}}
# strengths: []
# weaknesses: []
# use_cases: []
# description: |
#   Markdown.
# sources:
#   - {{title: Model card, url: "https://..."}}
updated: {today}
"""


def _serve(args: argparse.Namespace) -> int:
    serve(Settings(args.site), host=args.host, port=args.port, open_browser=args.open)
    return OK


def _new(args: argparse.Namespace) -> int:
    if not re.match(schema.SLUG_PATTERN, args.slug):
        raise UsageError(f'"{args.slug}" is not a valid slug: use lowercase letters, digits and hyphens.')
    target = args.site / "content" / "models" / f"{args.slug}.yaml"
    name = args.name or args.slug.replace("-", " ").title()
    text = _NEW_ENTRY.format(name=_yaml_text(name), developer="Unknown", today=_today())
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{target} already exists; modelcat new never overwrites.") from None
    print(f"Created {target}.")
    return OK


def _yaml_text(text: str) -> str:
    """Return text as a YAML double-quoted scalar, safe whatever it contains."""
    return json.dumps(text, ensure_ascii=False)


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch else dt.date.today()
    return day.isoformat()


def _schema(args: argparse.Namespace) -> int:
    json.dump(schema.model_json_schema(), sys.stdout, indent=2)
    print()
    return OK
