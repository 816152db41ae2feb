"""Running independent pieces of a lint on a few threads.

The pieces (rules, per-calling-code number checks) spend their time inside Polars, which
releases the GIL, and many Polars string kernels use one core per column: two pieces side by
side use a second core that would otherwise idle.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """One thread per core, at most 4 (beyond that they wait on Polars' own pool)."""
    return max(1, min(4, os.cpu_count() or 1))


def thread_map(call: Callable[[T], R], items: Iterable[T], workers: int | None = None) -> list[R]:
    """``[call(item) for item in items]``, run on up to ``workers`` threads, results in input order."""
    todo = list(items)
    count = min(workers or default_workers(), len(todo))
    if count <= 1:
        return [call(item) for item in todo]
    with ThreadPoolExecutor(count, thread_name_prefix="lint") as pool:
        return list(pool.map(call, todo))


def side_by_side(*jobs: Callable[[], R]) -> list[R]:
    """Run independent jobs at once; their results in the order given."""
    return thread_map(_call, jobs)


def _call(job: Callable[[], R]) -> R:
    return job()
