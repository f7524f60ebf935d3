"""The web tier's view of the embedded store: one read-only handle per worker process, reopened when a writer
(``docket ingest``) has committed since, so new records appear without a restart.

Oxigraph allows many read-only openers beside one writer; a read-only handle is a snapshot of the moment it was
opened, so freshness comes from reopening. Whether the writer committed is read from the store directory's file
times (RocksDB appends every commit to its write-ahead log), checked at most every ``check_interval`` seconds.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from ld.errors import NotFound
from ld.iris import Minter
from ld.store import OxigraphStore


class StoreAccess:
    """Hands out the current read-only store; safe to share between a worker's threads."""

    def __init__(self, path: str | os.PathLike, minter: Minter, *, check_interval: float = 1.0):
        self.path = Path(path)
        self.minter = minter
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._store: OxigraphStore | None = None
        self._stamp: float | None = None
        self._checked = 0.0

    def get(self) -> OxigraphStore:
        """The store as of the last commit seen (reopened if a writer committed since the last check)."""
        now = time.monotonic()
        with self._lock:
            if self._store is None or now - self._checked >= self.check_interval:
                self._checked = now
                stamp = self._directory_stamp()
                if self._store is None or stamp != self._stamp:
                    self._reopen(stamp)
            return self._store

    @property
    def version(self) -> float | None:
        """Changes whenever the store was reopened on new data: part of every cache key and ETag."""
        return self._stamp

    def _directory_stamp(self) -> float:
        try:
            return max((entry.stat().st_mtime_ns for entry in os.scandir(self.path)), default=0) / 1e9
        except FileNotFoundError:
            raise NotFound(f"no store at {self.path}; run `docket ingest` first") from None

    def _reopen(self, stamp: float) -> None:
        # The old handle is not closed here: another thread may still be reading from it; it goes with its last user.
        self._store = OxigraphStore.open(self.path, minter=self.minter, read_only=True)
        self._stamp = stamp

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None

