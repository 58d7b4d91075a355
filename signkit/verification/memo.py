"""A bounded memory for the verifier's per-batch caches, least recently used out first, and
the switch that makes a cache the one pyHanko's wrapped functions consult.

A batch may hold documents from thousands of signers; each cache keeps the answers for the
most recent few hundred, so memory stays flat however long the batch, and a batch from a
few signers (the common case) keeps all of its answers.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class Lru(Generic[K, V]):
    """At most ``size`` entries; ``get`` refreshes one, ``put`` drops the stalest when full."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        value = self._items.pop(key, None)
        if value is not None:
            self._items[key] = value  # now the most recent
        return value

    def put(self, key: K, value: V) -> None:
        self._items.pop(key, None)
        if len(self._items) >= self.size:
            del self._items[next(iter(self._items))]
        self._items[key] = value

    def __len__(self) -> int:
        return len(self._items)


@contextlib.contextmanager
def activated(var: contextvars.ContextVar[T | None], value: T) -> Iterator[None]:
    """``var`` is ``value`` inside the block: in this context and the tasks it starts."""
    token = var.set(value)
    try:
        yield
    finally:
        var.reset(token)
