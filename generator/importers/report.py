"""What an import did and what it could not do, for the terminal and for a file in the site.

An import never fails a whole catalog over one bad file and never drops a fact in
silence: whatever it skipped, guessed or could not hold is a `Note`, and every entry
it touched is a `Change`. The report file is Markdown (not JSON) because its reader is
the catalog's editor: it opens in any editor or code review, lists each note with the
source file and line to look at, and a diff of it between two imports reads as
"what changed upstream".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# Note kinds, in the order the report lists them.
BROKEN = "broken"
"""Something in the source is wrong (a bad date, a context of 0, a malformed file); what was done instead is said."""
NOT_HELD = "not-held"
"""A fact the content format has no field for; it is named here so an editor can put it in prose."""
MERGED = "merged"
"""Ids that became one entry."""
KEPT = "kept"
"""An editor's value that the import left in place although the source says otherwise."""
GUESSED = "guessed"
"""Something the source does not say that the import inferred (a developer, a unit, who measured a score)."""
GONE = "gone"
"""An entry an earlier import wrote that the source no longer holds; it is left as it is."""

KIND_TITLES = {
    BROKEN: "Broken in the source",
    NOT_HELD: "Not held by the content format",
    KEPT: "Editors' values kept",
    GONE: "No longer in the source",
    GUESSED: "Guessed",
    MERGED: "Ids merged into one entry",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Return text with control and bidirectional-override characters shown as escapes.

    Notes quote hostile input; a raw escape sequence would drive the reader's
    terminal, and a bidi override would make the report say something it does not.
    """
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class Note:
    """One thing an editor should know about the import."""

    kind: str
    message: str
    source: str = ""
    """The source file, relative to the imported folder (or the card's path)."""
    line: int | None = None
    entry: str = ""
    """The slug of the entry it concerns, if any."""

    def where(self) -> str:
        place = f"{self.source}:{self.line}" if self.line else self.source
        return printable(place)


SHOWN_CHANGES = 40
"""Changed files the printed summary names; the report file names every one."""

# What happened to one entry or definitions file.
ADDED, UPDATED, UNCHANGED = "added", "updated", "unchanged"


@dataclass(frozen=True)
class Change:
    """What the import did to one file of the site."""

    path: str
    """Relative to the site, forward slashes."""
    action: str
    fields: tuple[str, ...] = ()
    """The fields it added or changed."""


@dataclass
class Report:
    """Everything one import run did and noticed."""

    command: str
    """What was imported, e.g. `models-dev /path/to/models.dev`."""
    notes: list[Note] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    """Totals worth a line: entries, offers, scores, seconds ..."""
    dry_run: bool = False

    def note(self, kind: str, message: str, source: str = "", line: int | None = None, entry: str = "") -> None:
        self.notes.append(Note(kind, message, source, line, entry))

    def actions(self) -> Counter:
        return Counter(change.action for change in self.changes)

    def summary(self, report_path: str | None) -> str:
        """Return the lines printed at the end of an import."""
        actions = self.actions()
        lead = "Files that would change" if self.dry_run else "Files"
        lines = [f"{lead}: {actions[ADDED]} added, {actions[UPDATED]} updated, {actions[UNCHANGED]} unchanged."]
        if self.counts:
            lines.append(", ".join(f"{value:,} {name}" for name, value in self.counts.items()) + ".")
        kinds = Counter(note.kind for note in self.notes)
        if kinds:
            lines.append("Notes: " + ", ".join(f"{kinds[kind]} {KIND_TITLES[kind].lower()}" for kind in KIND_TITLES
                                               if kinds[kind]) + ".")
        changed = [change for change in self.changes if change.action != UNCHANGED]
        for change in changed[:SHOWN_CHANGES]:
            detail = f" ({', '.join(change.fields)})" if change.fields and change.action == UPDATED else ""
            lines.append(f"  {change.action:9} {printable(change.path)}{detail}")
        if len(changed) > SHOWN_CHANGES:
            lines.append(f"  ... and {len(changed) - SHOWN_CHANGES:,} more files (the report lists them all).")
        if report_path:
            lines.append(f"The full report is in {report_path}.")
        elif self.dry_run:
            lines.append("Nothing was written (--dry-run).")
        return "\n".join(lines)

    def markdown(self) -> str:
        """Return the report file: totals, changes, then every note grouped by kind and by source."""
        actions = self.actions()
        out = [f"# Import report: {_md(self.command)}", "",
               "Written by `modelcat import`; the next import replaces it.", "",
               f"- Files: {actions[ADDED]} added, {actions[UPDATED]} updated, {actions[UNCHANGED]} unchanged."]
        out += [f"- {name.capitalize()}: {value:,}" for name, value in self.counts.items()]
        changed = [c for c in self.changes if c.action != UNCHANGED]
        if changed:
            out += ["", "## Changes", ""]
            out += [f"- {c.action}: `{_md(c.path)}`" + (f" ({', '.join(c.fields)})" if c.fields else "") for c in changed]
        by_kind: dict[str, list[Note]] = defaultdict(list)
        for note in self.notes:
            by_kind[note.kind].append(note)
        for kind, title in KIND_TITLES.items():
            notes = by_kind.get(kind)
            if not notes:
                continue
            out += ["", f"## {title} ({len(notes)})", ""]
            for note in sorted(notes, key=lambda n: (n.entry, n.source, n.line or 0, n.message)):
                where = f"`{_md(note.where())}`" if note.source else ""
                entry = f"**{_md(note.entry)}**" if note.entry else ""
                lead = ", ".join(part for part in (entry, where) if part)
                out.append(f"- {lead + ': ' if lead else ''}{_md(note.message)}")
        return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Return text safe inside a Markdown list item or code span: escapes shown, backticks and newlines made plain."""
    return printable(text).replace("`", "'").replace("\n", " ")
