"""Values computed once per key and shared by rules that may run on several threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class Memo:
    """A per-run cache whose entries are computed once, even when two threads ask at the same time.

    Each key has its own lock: a rule waiting for the consent index does not hold up another
    rule computing time zones, and the costly value is built once instead of once per thread.
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def lock(self, key: Hashable) -> threading.Lock:
        """The lock of one key (for entries that are refined after their first computation)."""
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key``, computed by ``compute`` on first use."""
        if key in self._values:
            return cast(T, self._values[key])
        with self.lock(key):
            if key not in self._values:
                self._values[key] = compute()
            return cast(T, self._values[key])

    def peek(self, key: Hashable) -> Any:
        """The value of ``key`` or ``None``; hold :meth:`lock` when refining it."""
        return self._values.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        """Store a value; hold :meth:`lock` of the key."""
        self._values[key] = value
