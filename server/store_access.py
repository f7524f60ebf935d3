"""The web tier's view of the store. Embedded: one read-only handle per worker process, reopened when a writer
(``docket ingest``) has committed since, so new records appear without a restart. Remote (``RemoteAccess``): one
client of the SPARQL endpoint, and the store-wide change marker in the data, read at most every ``check_interval``
seconds, as the version: nothing is kept on the web server's disk, so any number of servers can stand side by side.

Oxigraph allows many read-only openers beside one writer; a read-only handle is a snapshot of the moment it was
opened, so freshness comes from reopening. Whether the writer committed is read from the store directory's file
times (RocksDB appends every commit to its write-ahead log), checked at most every ``check_interval`` seconds.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import NamedTuple

from ld.errors import StoreError
from ld.iris import Minter
from ld.shared_cache import directory_stamp
from ld.remote_store import RemoteStore
from ld.store import OxigraphStore, SparqlStore


class Snapshot(NamedTuple):
    """A read-only store handle with the version of the data it shows; take both together (``StoreAccess.snapshot``)
    so that a cache key never pairs one handle's data with another handle's version. ``version`` only grows (for the
    per-worker caches); ``stamp`` is the directory stamp read just before the handle was opened, as it was (what the
    shared cache compares with the writer's stamps, see ``ld.shared_cache``)."""

    store: SparqlStore
    version: float
    stamp: float


class StoreAccess:
    """Hands out the current read-only store; safe to share between a worker's threads."""

    remote = False  # the embedded store: freshness from the directory's file times

    def __init__(self, path: str | os.PathLike, minter: Minter, *, check_interval: float = 1.0):
        self.path = Path(path)
        self.minter = minter
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._store: OxigraphStore | None = None
        self._stamp: float | None = None  # the version handed out: never decreases
        self._seen: float | None = None  # the directory stamp last seen
        self._checked = 0.0

    def get(self) -> OxigraphStore:
        """The store as of the last commit seen (reopened if a writer committed since the last check)."""
        return self.snapshot().store

    def snapshot(self) -> Snapshot:
        """The current handle and its version, read together."""
        now = time.monotonic()
        with self._lock:
            if self._store is None or now - self._checked >= self.check_interval:
                self._checked = now
                stamp = self._directory_stamp()
                if self._store is None or stamp != self._seen:
                    self._reopen(stamp)
            return Snapshot(self._store, self._stamp, self._seen)

    @property
    def version(self) -> float | None:
        """Grows whenever the store was reopened on new data (the newest file time in the store directory, in
        seconds, so it is also the data's Last-Modified time, and all workers agree on it)."""
        return self._stamp

    def _directory_stamp(self) -> float:
        # Newest modification time of the directory's files; RocksDB appends every commit to a log file in it.
        try:
            return directory_stamp(self.path)
        except FileNotFoundError:
            raise StoreError(f"no store at {self.path}; run `docket ingest` first") from None

    def _reopen(self, stamp: float) -> None:
        # The stamp is read before opening, so the handle holds at least the data of its stamp: a commit in between
        # changes the stamp again and the next check reopens. Caches need a version that only grows, even if the
        # directory's newest file time went back (a store replaced by an older copy).
        self._store = OxigraphStore.open(self.path, minter=self.minter, read_only=True)
        self._seen = stamp
        self._stamp = stamp if self._stamp is None or stamp > self._stamp else self._stamp + 1e-6
        # The old handle is not closed: another thread may still be reading from it; it goes with its last user.

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None



class RemoteAccess:
    """The web tier over a remote store: the same interface as ``StoreAccess``. The version is the time in the change
    marker every write leaves in the store (``SparqlStore.change_marker``), looked at no more often than every
    ``check_interval`` seconds; it only grows, and all servers over one store agree on it."""

    remote = True
    path = None  # no directory: nothing beside the store to share

    def __init__(self, query_url: str, minter: Minter, *, check_interval: float = 1.0, timeout: float = 30.0):
        self.minter = minter
        self.check_interval = check_interval
        self.store = RemoteStore.open(query_url, None, minter=minter, timeout=timeout)
        self._lock = threading.Lock()
        self._marker: str | None = None
        self._version: float | None = None
        self._checked = 0.0

    def get(self) -> RemoteStore:
        return self.store

    def snapshot(self) -> Snapshot:
        """The store and the version of the data it shows (the last marker seen)."""
        now = time.monotonic()
        with self._lock:
            if self._version is None or now - self._checked >= self.check_interval:
                marker = self.store.change_marker()
                self._checked = now
                if self._version is None or marker != self._marker:
                    self._advance(marker)
            return Snapshot(self.store, self._version, self._version)

    @property
    def version(self) -> float | None:
        return self._version

    def _advance(self, marker: str | None) -> None:
        try:
            written = float(marker.split()[0]) if marker else 0.0
        except ValueError:  # a marker docket did not write: still a change
            written = 0.0
        self._marker = marker
        older = self._version is not None and written <= self._version
        self._version = self._version + 1e-6 if older else written

    def close(self) -> None:
        self.store.close()


def open_access(settings, minter: Minter):
    """The store the settings name: ``RemoteAccess`` when STORE_URL is set, else ``StoreAccess`` on STORE."""
    if settings["STORE_URL"]:
        return RemoteAccess(settings["STORE_URL"], minter, check_interval=settings["CHECK_INTERVAL"],
                            timeout=settings["STORE_TIMEOUT"])
    return StoreAccess(settings["STORE"], minter, check_interval=settings["CHECK_INTERVAL"])
