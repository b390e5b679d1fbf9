"""Shared fixtures: real site folders on disk, the real CLI in a subprocess, and real Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SITE = Path(__file__).resolve().parent / "fixtures" / "site"
V2_SITE = Path(__file__).resolve().parent / "fixtures" / "catalog-v2"
"""A catalog shaped like real ones (format v2): providers and their prices, variants, who measured each figure."""
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict | None = None, timeout: float = 120) -> Run:
    """Run `python -m generator ARGS` as a user would, and return what it printed."""
    full_env = {**os.environ, "PYTHONWARNINGS": "error::DeprecationWarning", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Keep build caches of the tests out of the user's own cache folder."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def fixture_site() -> Path:
    return FIXTURE_SITE


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture site."""
    target = tmp_path / "site"
    shutil.copytree(FIXTURE_SITE, target)
    return target


@pytest.fixture
def make_site(tmp_path: Path):
    """Return a factory that writes {relative path: dedented text} over a copy of the fixture site."""

    def make(files: dict[str, str | bytes], base: Path = FIXTURE_SITE) -> Path:
        site = tmp_path / "made"
        if not site.exists():
            shutil.copytree(base, site)
        for relative, text in files.items():
            path = site / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            elif text is None:
                path.unlink()
            else:
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return site

    return make


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """One full build of the fixture site, by the real CLI."""
    out = tmp_path_factory.mktemp("built") / "out"
    result = run_cli("build", FIXTURE_SITE, "--out", out)
    assert result.returncode == 0, result.output
    return out


@pytest.fixture(scope="session")
def built_v2_site(tmp_path_factory) -> Path:
    """One full build of the v2 fixture site, by the real CLI, with `--strict` (it must lint clean)."""
    out = tmp_path_factory.mktemp("built-v2") / "out"
    result = run_cli("build", V2_SITE, "--out", out, "--strict")
    assert result.returncode == 0, result.output
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under a folder with its bytes, to compare two states exactly."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium (Playwright's own browser download cannot work here).

    Without it, browser tests skip on a developer's machine but fail under CI=true.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install it with apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}
