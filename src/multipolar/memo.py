"""Results kept per immutable object (a scenario, a deal space): the newest few, by identity.

Scenarios are immutable, so what is computed from one scenario object (its state after the
events, its models' inputs, what it would take to open a deal) can be kept and shared by every
analysis of that object. ``ObjectMemo`` keys an entry by the object's ``id`` (and an optional
hashable ``extra``) and holds the object in the entry: while the entry is kept the object stays
alive, so its id cannot be reused by another object. Thread-safe; the value is computed outside
the lock (two threads may compute the same value once each; the later one is kept).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ObjectMemo(Generic[V]):
    """The values of the newest ``size`` (object, extra) keys, the least recently used dropped."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[int, Hashable], tuple[object, V]] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, obj: object, extra: Hashable = None) -> tuple[V] | None:
        """``(value,)`` if kept for ``obj`` and ``extra`` (a value may be None), else None."""
        key = (id(obj), extra)
        with self._lock:
            hit = self._entries.get(key)
            if hit is None or hit[0] is not obj:
                return None
            self._entries.move_to_end(key)
            return (hit[1],)

    def put(self, obj: object, value: V, extra: Hashable = None) -> None:
        """Keep ``value`` for ``obj`` and ``extra`` (dropping the least recently used)."""
        with self._lock:
            self._entries[(id(obj), extra)] = (obj, value)
            self._entries.move_to_end((id(obj), extra))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def take(self, obj: object, extra: Hashable = None) -> tuple[V] | None:
        """As ``find``, and the entry removed (a value kept for one later use)."""
        key = (id(obj), extra)
        with self._lock:
            hit = self._entries.pop(key, None)
        return (hit[1],) if hit is not None and hit[0] is obj else None

    def get_or(
        self, obj: object, compute: Callable[[], V], extra: Hashable = None, *, keep: bool = True
    ) -> V:
        """The value kept for ``obj`` and ``extra``, else ``compute()`` (kept if ``keep``)."""
        found = self.find(obj, extra)
        if found is not None:
            return found[0]
        value = compute()
        if keep:
            self.put(obj, value, extra)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
