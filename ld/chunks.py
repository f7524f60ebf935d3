"""The dump cache: each record graph ready in every dump format, kept in a SQLite file in the dumps folder with the
record's token (``Store.record_token``: its ``dcterms:modified`` and source checksum), so a dump reads from the store
only the records written since the last dump. Reading a quad from Oxigraph's disk store costs ~10 us of CPU (its
strings are looked up one by one); copying a cached chunk costs well under 1 us a triple.

Each chunk is one gzip member (RFC 1952) of the record's N-Quads, N-Triples, Turtle body (no ``@prefix`` lines) and
JSON-LD graph object: a gzip dump is then the cached members written one after the other (a file of several members
is one valid gzip stream, as ``bgzip`` files are), with nothing compressed at dump time but the small system
graphs; an uncompressed dump inflates them.

A token changes with every write of a record (the mapper stamps ``dcterms:modified`` at each write, the checksum
differs when the source did), so a cached chunk whose token matches is exactly the stored graph. Rows of records no
longer in the store are dropped after each full dump. ``docket ingest`` fills the cache for every record it writes
(``ld.dump_feed``), so that the first dump after an ingest reads no record from the store either.

The file carries its layout in SQLite's ``user_version``: the table's form and whatever else the pieces depend on
(the caller's ``layout``, e.g. the Turtle prefixes the bodies are written against). A file of another layout, left
by another docket version, is emptied and filled again: it is only a cache.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ld.sqlite_layout import adopt_layout

FORMATS = ("nq", "nt", "ttl", "jsonld")  # the columns of a chunk, by dump format suffix
# Level 1: several times faster than the default 6 and within ~15% of its size on N-Quads (bench/harvest.py); the
# members are made once per record write, so the level bounds only the first dump.
LEVEL = 1
_TABLE = "record_chunks"  # v2: gzip members per format (v1, ``chunks``, held zlib N-Triples only)
# The system graphs (entities, vocab) a dump holds are kept apart, keyed by the store's change marker instead of a
# record token: every write replaces the marker, so a row of the current marker is the graph as stored.
_SYSTEM_TABLE = "system_chunks"
_COLUMNS = (f"(graph TEXT PRIMARY KEY, token TEXT NOT NULL, triples INTEGER NOT NULL, "
            f"{', '.join(f'{f} BLOB NOT NULL' for f in FORMATS)}) WITHOUT ROWID")
_SCHEMA = f"CREATE TABLE {_TABLE} {_COLUMNS}"
_SYSTEM_SCHEMA = f"CREATE TABLE {_SYSTEM_TABLE} {_COLUMNS}"
# Whether the rows are every record of the store and only those, each at its current token: true as of the store's
# change marker (``Store.change_marker``) kept here, which every write to the store replaces.
_META = "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"
_COMMIT_EVERY = 200
_SCHEMA_VERSION = 5  # with the caller's layout, in PRAGMA user_version


def gzip_member(data: bytes, level: int = LEVEL) -> bytes:
    """``data`` as one gzip member (header with no name and mtime 0: the same data gives the same bytes)."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def gunzip(member: bytes) -> bytes:
    """The data of one gzip member."""
    return zlib.decompress(member, 31)


@dataclass(frozen=True)
class Chunk:
    """One record graph in every dump format, each a gzip member (``members[suffix]``)."""

    triples: int
    members: dict[str, bytes]


class ChunkCache:
    """Record graph -> (token, Chunk), in one SQLite file (WAL mode: readers never wait for a writer)."""

    def __init__(self, path: str | Path, layout: str = ""):
        """Open (creating it if needed) the cache file ``path``; ``layout`` names what the cached pieces depend on
        besides this module (a file made under another layout is emptied)."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        adopt_layout(self._db, layout_version(layout), [_SCHEMA, _SYSTEM_SCHEMA, _META])
        self._pending = 0

    def get(self, graph: str, token: str, fmt: str, *, system: bool = False) -> tuple[int, bytes] | None:
        """(triples, the gzip member in format ``fmt``) of ``graph`` if cached from ``token``, else None;
        ``system``: of a system graph, whose token is the store's change marker."""
        table = _SYSTEM_TABLE if system else _TABLE
        row = self._db.execute(f"SELECT triples, {_column(fmt)} FROM {table} WHERE graph = ? AND token = ?",
                               (graph, token)).fetchone()
        return (row[0], row[1]) if row else None

    def put(self, graph: str, token: str, chunk: Chunk, *, system: bool = False) -> None:
        """Keep ``chunk`` as ``graph`` at ``token`` (``system``: a system graph, at the store's change marker)."""
        if not self._pending:
            self._db.execute("BEGIN")
        table = _SYSTEM_TABLE if system else _TABLE
        self._db.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, {', '.join('?' for _ in FORMATS)})",
                         (graph, token, chunk.triples, *(chunk.members[f] for f in FORMATS)))
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self.commit()

    def rows(self, fmt: str) -> Iterator[tuple[str, int, bytes]]:
        """(graph, triples, gzip member in ``fmt``) of every cached graph, streamed in the order of their names."""
        yield from self._db.execute(f"SELECT graph, triples, {_column(fmt)} FROM {_TABLE} ORDER BY graph")

    def complete_at(self) -> str | None:
        """The store change marker as of which the rows are exactly the store's records at their current tokens
        (``mark_complete``), or None."""
        row = self._db.execute("SELECT value FROM meta WHERE name = 'complete_at'").fetchone()
        return row[0] if row else None

    def mark_complete(self, marker: str | None) -> None:
        """Say that the rows are exactly the store's records at their current tokens as of change marker ``marker``
        (None: say nothing). Only a process that knows it (an ingest that began from a complete cache and put a row
        for every record it wrote, a dump that read every record) may say it."""
        self.commit()
        if marker is None:
            self._db.execute("DELETE FROM meta WHERE name = 'complete_at'")
        else:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('complete_at', ?)", (marker,))

    def clear(self) -> None:
        """Forget every chunk."""
        self.commit()
        self._db.execute(f"DELETE FROM {_TABLE}")

    def drop(self, graph: str) -> None:
        """Forget the chunk of ``graph`` (a withdrawn record)."""
        self.commit()
        self._db.execute(f"DELETE FROM {_TABLE} WHERE graph = ?", (graph,))

    def graphs(self) -> set[str]:
        """The graphs cached."""
        return {g for (g,) in self._db.execute(f"SELECT graph FROM {_TABLE}")}

    def keep_only(self, graphs: Iterable[str], among: Iterable[str] | None = None) -> None:
        """Drop the chunks of every graph but ``graphs`` (records deleted since); of ``among`` only when given (the
        graphs cached when a dump began: rows an ingest added meanwhile are of records the dump did not list)."""
        wanted = set(graphs)
        candidates = self.graphs() if among is None else among
        gone = [(g,) for g in candidates if g not in wanted]
        if gone:
            if not self._pending:
                self._db.execute("BEGIN")
            self._db.executemany(f"DELETE FROM {_TABLE} WHERE graph = ?", gone)
            self._pending += 1
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


def layout_version(layout: str) -> int:
    """The ``user_version`` of a cache file of this module's schema holding pieces made under ``layout``: a
    positive 31-bit number (0 is a new file's)."""
    digest = hashlib.blake2b(f"{_SCHEMA_VERSION}\n{_SCHEMA}\n{_SYSTEM_SCHEMA}\n{_META}\n{LEVEL}\n{layout}".encode(),
                             digest_size=4).digest()
    return int.from_bytes(digest, "big") % (2**31 - 1) + 1


def _column(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"no cached chunks in {fmt!r}; the formats are {', '.join(FORMATS)}")
    return fmt
