"""Watch the files a build reads and report each change as it happens.

The operating system reports the changes (inotify on Linux, FSEvents on macOS,
through watchdog), so a save is seen within milliseconds whatever the site's size.
livereload's own watcher polls instead, globbing and stating every watched file on
each look: 0.16 s a look for a 10,000-model site, so it either keeps a core busy or
leaves each save waiting for the next look.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileAttribEvent, FileCreatedEvent, FileDeletedEvent,
    FileModifiedEvent, FileMovedEvent, FileSystemEvent, FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from generator.load import theme_dirs

SITE_FOLDERS = ("content", "templates", "static")
POLL_SECONDS = 1.0
"""How often files are looked at where the system gives no file events."""
CHANGES = [FileCreatedEvent, FileModifiedEvent, FileAttribEvent, FileDeletedEvent, FileMovedEvent,
           DirCreatedEvent, DirDeletedEvent, DirMovedEvent]
"""The events that can change a build. Opening and reading files are left out, so
the build's own reads cost the watcher nothing."""


def watched_folders(site_dir: Path) -> list[Path]:
    """Return the folders whose files a build reads, besides site.yaml.

    That is content/, templates/ and static/ of the site, and templates/ and static/
    of the bundled theme the build falls back to. The output folder lies outside the
    site, in the user's cache folder, so it is never watched.
    """
    folders = [site_dir / name for name in SITE_FOLDERS] + theme_dirs(site_dir, "templates") + theme_dirs(site_dir, "static")
    return list(dict.fromkeys(folder.resolve() for folder in folders))


_EDITOR_TEMP = re.compile(r"""
    ^\.                     # hidden: vim .x.swp, emacs .#x locks, atomic-save temporaries
    | ~$ | ^\#.*\#$         # backups (x~) and emacs autosaves (#x#)
    | \.(swp|swo|swx|tmp|part|crdownload)$
    | ___jb_(tmp|old)___$   # JetBrains safe-write files
    | ^4913$                # vim's probe for a writable folder
""", re.VERBOSE)


def is_editor_temp_file(path: str) -> bool:
    """Return whether a file is an editor's temporary file, which never triggers a build."""
    return bool(_EDITOR_TEMP.search(Path(path).name))


class SiteWatcher(FileSystemEventHandler):
    """Call `on_change` with the paths of each change to site.yaml or a watched folder.

    `on_change` runs on the watcher's own thread. The site folder itself is watched
    without its subfolders, for site.yaml and for a site folder (say templates/) that
    is created, or removed and made again, while the server runs.
    """

    def __init__(self, site_dir: Path, on_change: Callable[[set[str]], None]):
        self.site_dir = site_dir
        self.site_file = site_dir / "site.yaml"
        self.folders = watched_folders(site_dir)
        self._on_change = on_change
        self._observer: BaseObserver = Observer()
        self._watches: dict[Path, ObservedWatch] = {}

    def start(self) -> str | None:
        """Start watching; return a notice when the system gives no file events and polling stands in."""
        try:
            self._start(Observer())
        except OSError as exc:  # inotify's limits reached, or a file system without events
            with contextlib.suppress(Exception):
                self._observer.stop()
            self._start(PollingObserver(timeout=POLL_SECONDS))
            return (f"file events are unavailable ({exc.strerror or exc}); "
                    f"looking for changes every {POLL_SECONDS:g} s instead.")
        return None

    def _start(self, observer: BaseObserver) -> None:
        self._observer, self._watches = observer, {}
        observer.schedule(self, str(self.site_dir), recursive=False, event_filter=CHANGES)
        for folder in self.folders:
            self._watch(folder)
        observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()

    def changed_since(self, seconds: float) -> set[str]:
        """Return the watched files modified at or after `seconds` (a time.time()), by looking at each."""
        return {path for path in self._files() if _mtime(path) >= seconds}

    def on_any_event(self, event: FileSystemEvent) -> None:
        source, destination = os.fsdecode(event.src_path), os.fsdecode(event.dest_path)
        paths = {source, destination} - {""}
        if event.is_directory:
            # A folder that arrives brings its files, some made before any watch saw
            # them; they are the change. A folder that leaves takes its files along.
            arrived = destination or (source if event.event_type == "created" else "")
            paths.discard(arrived)
            if Path(arrived) in self.folders:
                self._watch(Path(arrived))  # a site folder made (again): watch what goes into it
            if arrived and self._is_read_by_build(Path(arrived)):
                paths.update(self._files_in(arrived))
        paths = {path for path in paths if self._is_read_by_build(Path(path))}
        if paths:
            self._on_change(paths)

    def _watch(self, folder: Path) -> None:
        if folder in self._watches:
            with contextlib.suppress(KeyError):  # already gone with its folder
                self._observer.unschedule(self._watches.pop(folder))
        if folder.is_dir():
            self._watches[folder] = self._observer.schedule(self, str(folder), recursive=True, event_filter=CHANGES)

    def _is_read_by_build(self, path: Path) -> bool:
        return not is_editor_temp_file(str(path)) and (
            path == self.site_file or any(path.is_relative_to(folder) for folder in self.folders))

    def _files(self) -> Iterable[str]:
        yield str(self.site_file)
        for folder in self.folders:
            yield from self._files_in(folder)

    @staticmethod
    def _files_in(folder: Path | str) -> Iterable[str]:
        for parent, _, names in os.walk(folder):
            yield from (os.path.join(parent, name) for name in names if not is_editor_temp_file(name))


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0
