"""Run independent tasks on every core.

Workers are forked, so they share everything built so far (the catalog, the
compiled templates) without copying it; only the tasks' results travel back.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")

PARALLEL_MIN = 256
"""Fewer tasks than this run in this process: starting workers would cost more."""

_TASK: Callable[[Any], Any] | None = None


def run(task: Callable[[Item], Any], items: Sequence[Item], jobs: int, chunk: int) -> Iterator[tuple[Sequence[Item], list]]:
    """Yield (part, [task(item) for item in part]) for consecutive parts of `items`, in order.

    Parts go to forked processes when there are enough items and more than one job.
    Forking is skipped in a process running other threads (the dev server), where it
    is unsafe; such a process runs the tasks itself.
    """
    global _TASK
    parts = [items[start:start + chunk] for start in range(0, len(items), chunk)]
    if jobs <= 1 or len(items) < PARALLEL_MIN or threading.active_count() > 1 or \
            "fork" not in multiprocessing.get_all_start_methods():
        for part in parts:
            yield part, [task(item) for item in part]
        return
    _TASK = task
    gc.freeze()  # workers would otherwise copy every page of memory the collector touches
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from zip(parts, pool.imap(_run_part, parts))
    finally:
        _TASK = None
        gc.unfreeze()


def _run_part(part: Sequence[Any]) -> list[Any]:
    assert _TASK is not None
    return [_TASK(item) for item in part]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a build makes millions of long-lived objects.

    A build creates no garbage cycles worth collecting, but the collector would scan
    the growing heap again and again: at 10,000 models it doubled the time to load.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
