"""Opening an Oxigraph directory read-only, with the retry it needs. Imports pyoxigraph only, so that query worker
processes (ld.query) that use it start fast, without rdflib."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox


def open_read_only(path: Path, attempts: int = 3) -> ox.Store:
    """A read-only handle on the store at ``path`` (a snapshot of what was committed when it opened).

    A read-only open reads RocksDB's file list while a writer may be compacting; pyoxigraph documents this as
    undefined behaviour and it can fail with a transient "Corruption: ... No such file" error: retry a few times.
    Raises OSError / RuntimeError as pyoxigraph does once the attempts are used up.
    """
    if not Path(path).is_dir():
        raise OSError(f"no store directory at {path}")
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
