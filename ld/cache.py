"""A small thread-safe LRU cache tied to a store version.

Every entry belongs to the store version it was built from. When a caller presents a newer version the whole cache is
dropped, so an entry can never outlive the data it came from (a record re-ingested at version N+1 is rebuilt on the
first request that sees N+1). Building happens outside the lock: two threads missing the same key may both build it,
which costs a little work but never blocks readers behind a slow build.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class VersionedCache:
    """Up to ``max_entries`` values, keyed by any hashable key, valid for one store version at a time.
    Versions must be comparable and grow with the data (StoreAccess versions are)."""

    def __init__(self, max_entries: int = 2000):
        self.max_entries = max(0, int(max_entries))
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._version: Hashable = None
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, version: Hashable, key: Hashable, build: Callable[[], Any]) -> Any:
        """The value cached for ``key`` at ``version``, else ``build()`` (cached unless it raises)."""
        with self._lock:
            if not self._switch(version):  # an older snapshot than the cache's: build, do not cache
                self.misses += 1
                stale = True
            elif key in self._entries:
                self._entries.move_to_end(key)
                self.hits += 1
                return self._entries[key]
            else:
                self.misses += 1
                stale = False
        value = build()
        if stale:
            return value
        with self._lock:
            if self._version == version and self.max_entries:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _switch(self, version) -> bool:
        # Called with the lock held. A newer version empties the cache; an older one (a request still holding the
        # previous store snapshot) must neither read nor fill it. Versions only grow (see server.store_access).
        if self._version is None or version > self._version:
            self._entries.clear()
            self._version = version
        return version == self._version
