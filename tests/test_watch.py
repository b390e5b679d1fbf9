"""The dev server's file watcher, on real folders, with real file events."""

from __future__ import annotations

import errno
import os
import queue
import shutil
import time
from pathlib import Path

import pytest

from conftest import ROOT
from generator import watch
from generator.watch import SiteWatcher, is_editor_temp_file, watched_folders

QUIET = 0.5
"""How long a test waits to be sure that no event is coming."""


class Recorder:
    """A running SiteWatcher whose reports can be awaited."""

    def __init__(self, site: Path):
        self.reports: queue.Queue[set[str]] = queue.Queue()
        self.watcher = SiteWatcher(site, self.reports.put)
        self.notice = self.watcher.start()

    def changes(self, wait: float = 10.0) -> set[str]:
        """Return every path reported until the events stop coming; wait for the first."""
        seen = set(self.reports.get(timeout=wait))
        while True:
            try:
                seen |= self.reports.get(timeout=QUIET)
            except queue.Empty:
                return seen

    def nothing(self) -> bool:
        try:
            self.reports.get(timeout=QUIET)
        except queue.Empty:
            return True
        return False


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    (site / "content" / "models").mkdir(parents=True)
    (site / "site.yaml").write_text("title: Test\n")
    (site / "content" / "models" / "a.yaml").write_text("name: A\n")
    return site.resolve()


@pytest.fixture
def recorder(site):
    recorder = Recorder(site)
    yield recorder
    recorder.watcher.stop()


def test_watched_folders_cover_what_the_build_reads(tmp_path):
    # The site's own folders count before they exist; the bundled theme is what it falls back to.
    assert watched_folders(tmp_path) == [tmp_path / "content", tmp_path / "templates", tmp_path / "static",
                                         ROOT / "templates", ROOT / "static"]


@pytest.mark.parametrize("name, ignored", [
    (".alpha-4b.yaml.swp", True), (".#alpha-4b.yaml", True), ("#alpha-4b.yaml#", True),
    ("alpha-4b.yaml~", True), ("alpha-4b.yaml.tmp", True), ("site.css___jb_tmp___", True),
    ("4913", True), ("alpha-4b.yaml", False), ("site.css", False), ("model.html", False), ("2024.yaml", False),
])
def test_editor_temp_files_never_trigger_a_build(name, ignored):
    assert is_editor_temp_file(f"/site/content/models/{name}") is ignored


def test_a_save_by_rename_is_reported_as_the_entry_not_its_temporary_file(site, recorder):
    entry = site / "content" / "models" / "a.yaml"
    temporary = entry.with_name(".a.yaml.tmp")
    temporary.write_text("name: A2\n")
    os.replace(temporary, entry)
    assert recorder.changes() == {str(entry)}


def test_edits_removals_and_site_yaml_are_reported_and_reading_is_not(site, recorder):
    (site / "site.yaml").write_text("title: Changed\n")
    assert recorder.changes() == {str(site / "site.yaml")}
    (site / "content" / "models" / "a.yaml").read_text()
    assert recorder.nothing()
    (site / "content" / "models" / "a.yaml").unlink()
    assert recorder.changes() == {str(site / "content" / "models" / "a.yaml")}
    (site / "content" / "models" / "b" ).mkdir()
    (site / "content" / "models" / "b" / "c.yaml").write_text("name: C\n")
    assert str(site / "content" / "models" / "b" / "c.yaml") in recorder.changes()


def test_files_the_build_never_reads_are_not_reported(site, recorder):
    (site / "README.md").write_text("notes\n")
    (site / "_site").mkdir()
    (site / "_site" / "index.html").write_text("<p>output</p>")
    (site / "content" / "models" / ".a.yaml.swp").write_text("swap")
    assert recorder.nothing()


def test_a_site_folder_made_while_watching_is_watched_too(site, recorder):
    (site / "templates").mkdir()
    assert recorder.nothing()  # an empty folder changes no page
    (site / "templates" / "model.html").write_text("{{ model.name }}")
    assert recorder.changes() == {str(site / "templates" / "model.html")}


def test_a_folder_moved_in_brings_its_files_and_one_moved_out_takes_them(site, tmp_path, recorder):
    made_aside = tmp_path / "static-draft"
    (made_aside / "css").mkdir(parents=True)
    (made_aside / "css" / "extra.css").write_text("h1 { color: red }")
    os.rename(made_aside, site / "static")
    assert recorder.changes() == {str(site / "static" / "css" / "extra.css")}
    (site / "static" / "css" / "extra.css").write_text("h1 { color: blue }")
    assert recorder.changes() == {str(site / "static" / "css" / "extra.css")}
    os.rename(site / "static", made_aside)
    assert recorder.changes() == {str(site / "static")}


def test_content_removed_and_made_again_is_still_watched(site, recorder):
    shutil.rmtree(site / "content")
    assert str(site / "content") in recorder.changes()
    (site / "content" / "models").mkdir(parents=True)
    assert recorder.nothing()
    (site / "content" / "models" / "z.yaml").write_text("name: Z\n")
    assert recorder.changes() == {str(site / "content" / "models" / "z.yaml")}


def test_changed_since_finds_saves_made_before_watching(site):
    started = time.time()
    entry = site / "content" / "models" / "a.yaml"
    os.utime(entry, (started - 60, started - 60))
    os.utime(site / "site.yaml", (started - 60, started - 60))
    (site / "content" / "models" / "new.yaml").write_text("name: New\n")
    (site / "content" / "models" / ".new.yaml.swp").write_text("swap")
    watcher = SiteWatcher(site, lambda paths: None)
    assert watcher.changed_since(started - 1) == {str(site / "content" / "models" / "new.yaml")}


def test_without_file_events_the_watcher_polls_and_says_so(site, monkeypatch):
    class NoFileEvents(watch.Observer):
        def start(self):
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watch, "Observer", NoFileEvents)
    recorder = Recorder(site)
    try:
        assert "file events are unavailable (inotify watch limit reached)" in recorder.notice
        time.sleep(0.2)  # the first look is the baseline: a change after it is one
        (site / "content" / "models" / "a.yaml").write_text("name: A, polled\n")
        assert recorder.changes() == {str(site / "content" / "models" / "a.yaml")}
    finally:
        recorder.watcher.stop()


def test_with_file_events_the_watcher_says_nothing(recorder):
    assert recorder.notice is None
