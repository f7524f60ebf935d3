"""The dump cache: each record graph's N-Triples, kept in a SQLite file in the dumps folder with the record's token
(its ``dcterms:modified``, source checksum and mapper version), so a dump reads from the store only the records
written since the last dump. Reading a quad from Oxigraph's disk store costs ~10 us (its strings are looked up one
by one); copying cached bytes costs well under 1 us a triple.

A token changes with every write of a record (the mapper stamps ``dcterms:modified`` at each write and the change
log is written with it), so a cached chunk whose token matches is exactly the stored graph. Chunks are
zlib-compressed (level 1); rows of records no longer in the store are dropped after each dump.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable
from pathlib import Path

_SCHEMA = "CREATE TABLE IF NOT EXISTS chunks (graph TEXT PRIMARY KEY, token TEXT NOT NULL, body BLOB NOT NULL) " \
          "WITHOUT ROWID"
_COMMIT_EVERY = 500


class ChunkCache:
    """Record graph -> (token, N-Triples bytes), in one SQLite file (WAL mode: readers never wait for a writer)."""

    def __init__(self, path: str | Path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._tokens = dict(self._db.execute("SELECT graph, token FROM chunks"))
        self._pending = 0

    def get(self, graph: str, token: str) -> bytes | None:
        """The cached N-Triples of ``graph`` if they were made from ``token``, else None."""
        if self._tokens.get(graph) != token:
            return None
        row = self._db.execute("SELECT body FROM chunks WHERE graph = ? AND token = ?", (graph, token)).fetchone()
        return zlib.decompress(row[0]) if row else None

    def put(self, graph: str, token: str, body: bytes) -> None:
        """Keep ``body`` as the N-Triples of ``graph`` at ``token``."""
        if not self._pending:
            self._db.execute("BEGIN")
        self._db.execute("INSERT OR REPLACE INTO chunks VALUES (?, ?, ?)", (graph, token, zlib.compress(body, 1)))
        self._tokens[graph] = token
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self.commit()

    def keep_only(self, graphs: Iterable[str]) -> None:
        """Drop the chunks of every graph but ``graphs`` (records deleted since)."""
        wanted = set(graphs)
        gone = [g for g in self._tokens if g not in wanted]
        if gone:
            if not self._pending:
                self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM chunks WHERE graph = ?", [(g,) for g in gone])
            self._pending += 1
            for g in gone:
                del self._tokens[g]
        self.commit()

    def commit(self) -> None:
        if self._pending:
            self._db.execute("COMMIT")
            self._pending = 0

    def close(self) -> None:
        self.commit()
        self._db.close()

    def __enter__(self) -> ChunkCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
