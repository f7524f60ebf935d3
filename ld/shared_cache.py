"""Finished representations shared by every process that serves a store, kept in a SQLite file beside it.

Server workers, ``docket publish`` and ``docket ingest --precompute`` all read and fill one file
(``{store}.cache.sqlite``, WAL mode: readers never wait for a writer), so a description rendered once is served by
every worker, and the file survives restarts and ingests. Nothing in it can be served after the data it shows has
changed, by two rules:

1. **Keys carry what the value was built from** (the caller's business, see ``server.publish``): the code and
   settings that render it, the vocabulary graph, and for a record its ``dcterms:modified`` and source checksum,
   read from the store on every request. A re-ingested record has a new key, whoever wrote it.
2. **Dependencies are invalidated by the writer, before it commits.** Each entry lists the things it shows
   (``deps``: IRIs with a kind, ``label`` for "shows the labels of" and ``listing`` for "lists the records linking
   to"). Before ``docket ingest`` writes a record it calls ``mark`` with what the write may change (the record, new
   labels, the things it links to): the dependent entries are deleted and those IRIs are *pending*; after the
   commit, ``settle`` stamps them with the store directory's time. An entry may only be stored (``put``) by a
   process whose store snapshot is strictly newer than every stamp of its dependencies and none pending, so a
   reader still holding a snapshot from before the commit cannot put an old rendering back. A writer that dies
   between ``mark`` and ``settle`` leaves its IRIs pending: never stale, only uncached until the next ingest
   (``recover``).

Why the time test is sound: ``settle`` stamps after the commit returned, with the newest modification time of the
store directory's files (``directory_stamp``); a reader's snapshot version is the same measure read *before* it
opened its handle. A stamp strictly greater than the settle stamp means some file was written after the commit,
so the reader's handle was opened after the commit and holds it.

Writes by readers are best-effort: when the file is busy for more than a moment, the entry is simply not stored.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import zlib
from collections.abc import Iterable
from pathlib import Path

from ld.sqlite_layout import adopt_layout

LABEL, LISTING = "label", "listing"  # the two kinds of dependency
Dependency = tuple[str, str]  # (IRI without its hash part, kind)

# An entry belongs to a group (the thing and page it shows: its formats and renderings share their dependencies), and
# dependencies are listed per group. Bodies are stored gzip-compressed: HTML shrinks about 7x, a smaller file stays in
# the page cache, and the stored bytes are what a client sending "Accept-Encoding: gzip" gets, as they are.
# The file's layout is versioned (``ld.sqlite_layout``): a file of another version, e.g. one an older docket left
# (whose ``entries`` had no ``grp``), is emptied and made again. Raise _VERSION with every change to _SCHEMA.
_VERSION = 2
_SCHEMA = (
    """CREATE TABLE entries (key TEXT PRIMARY KEY, grp TEXT NOT NULL, body BLOB NOT NULL, etag TEXT NOT NULL,
                             link TEXT NOT NULL, location TEXT NOT NULL) WITHOUT ROWID""",
    "CREATE INDEX entries_by_group ON entries (grp)",
    """CREATE TABLE deps (iri TEXT NOT NULL, kind TEXT NOT NULL, grp TEXT NOT NULL,
                          PRIMARY KEY (iri, kind, grp)) WITHOUT ROWID""",
    "CREATE INDEX deps_by_group ON deps (grp)",
    """CREATE TABLE touched (iri TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL,
                             pending INTEGER NOT NULL, PRIMARY KEY (iri, kind)) WITHOUT ROWID""",
)
_GET = "SELECT body, etag, link, location FROM entries WHERE key = ?"  # one text: sqlite3 reuses its statement
_CHUNK = 400  # SQLite's limit on host parameters is 32,766 (999 in old builds); stay well below


class Entry:
    """A finished representation: its bytes, strong ETag, and Link and Content-Location header values; and, when it
    came from (or went to) the cache, the same bytes gzip-compressed (``gzipped``). Either form is made from the
    other on first use, so a client taking gzip never costs a decompression."""

    __slots__ = ("_body", "_gzipped", "etag", "link", "location")

    def __init__(self, body: bytes | None, etag: str, link: str, location: str, gzipped: bytes | None = None):
        if body is None and gzipped is None:
            raise ValueError("an Entry needs its body or its gzipped body")
        self._body, self._gzipped = body, gzipped
        self.etag, self.link, self.location = etag, link, location

    @property
    def body(self) -> bytes:
        """The representation's bytes (decompressed on first use)."""
        if self._body is None:
            self._body = zlib.decompress(self._gzipped, 31)
        return self._body

    @property
    def gzipped(self) -> bytes:
        """The bytes in gzip format (compressed on first use)."""
        if self._gzipped is None:
            self._gzipped = gzip_bytes(self._body)
        return self._gzipped

    @property
    def has_gzipped(self) -> bool:
        """Whether the gzip form is at hand (no compression needed to send it)."""
        return self._gzipped is not None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return (self.body, self.etag, self.link, self.location) == (other.body, other.etag, other.link, other.location)

    def __repr__(self) -> str:
        return f"Entry(etag={self.etag!r}, location={self.location!r})"


def gzip_bytes(data: bytes) -> bytes:
    """``data`` in gzip format (RFC 1952, no file name, time 0: equal bytes compress to equal bytes). Level 1: a
    quarter of the time of level 6, about 20% larger."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def cache_path_for(store: str | os.PathLike) -> Path:
    """Where the cache of the store directory ``store`` lives: beside it, ``{store}.cache.sqlite``. Not inside it:
    a file changing in the store directory would look like a commit to every reader (``directory_stamp``)."""
    store = Path(store).resolve()
    return store.with_name(store.name + ".cache.sqlite")


def directory_stamp(path: str | os.PathLike) -> float:
    """The newest modification time (seconds) of the files in a store directory: RocksDB writes a file on every
    commit, so the stamp grows with the data. FileNotFoundError when there is no such directory."""
    newest = 0
    for entry in os.scandir(path):
        try:
            newest = max(newest, entry.stat().st_mtime_ns)
        except FileNotFoundError:  # removed by a compaction since the listing
            continue
    return newest / 1e9


def strip_hash(iri: str) -> str:
    """``iri`` without its fragment: a record's nodes (``#creation``) change with the record."""
    return iri.split("#", 1)[0]


class SharedCache:
    """One cache file; safe to use from several threads and processes (a connection per thread and process)."""

    def __init__(self, path: str | os.PathLike, *, busy_timeout: float = 0.2):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._connect()  # fail early (unwritable folder) rather than on the first request

    # -- reading and filling (any process) --

    def get(self, key: str) -> Entry | None:
        """The entry stored under ``key``, or None."""
        row = self._db().execute(_GET, (key,)).fetchone()
        if row is None:
            return None
        stored, etag, link, location = row
        return Entry(None, etag, link, location, gzipped=stored)

    def put(self, key: str, entry: Entry, deps: Iterable[Dependency], version: float, group: str = "") -> bool:
        """Store ``entry`` under ``key`` if it is still current: built from a store snapshot of ``version``
        (a ``directory_stamp`` read before the snapshot was opened) that is newer than the last change of each of
        ``deps``. Entries of one ``group`` (default: the key alone) share their dependencies. Returns whether it was
        stored; False too when the file is busy (the entry is just not cached)."""
        group = group or key
        body = entry.gzipped
        deps = sorted(set(deps))
        db = self._db(writer=False)
        try:
            with db:
                db.execute("BEGIN IMMEDIATE")  # the check and the insert see no writer in between
                if self._changed_since(db, deps, version):
                    return False
                db.execute("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                           (key, group, body, entry.etag, entry.link, entry.location))
                # The formats of a thing share its dependencies: the first put lists them. Skipping is exact, as any
                # change to what the group shows marks one of its dependencies, which deletes all of its rows.
                if db.execute("SELECT 1 FROM deps WHERE grp = ? LIMIT 1", (group,)).fetchone() is None:
                    db.executemany("INSERT OR IGNORE INTO deps VALUES (?, ?, ?)", [(i, k, group) for i, k in deps])
            return True
        except sqlite3.OperationalError:  # busy: an ingest is marking; serve without caching
            return False

    # -- invalidation (the writer of the store) --

    def mark(self, deps: Iterable[Dependency]) -> None:
        """Before a commit that may change ``deps``: delete every entry depending on them and hold them pending
        (no entry depending on them can be stored) until ``settle``. Waits for the file as long as it takes."""
        deps = sorted(set(deps))
        if not deps:
            return
        db = self._db(writer=True)
        with db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany("INSERT INTO touched VALUES (?, ?, 0, 1) ON CONFLICT (iri, kind) DO UPDATE SET pending = 1",
                           deps)
            groups = {group for iri, kind in deps
                      for (group,) in db.execute("SELECT grp FROM deps WHERE iri = ? AND kind = ?", (iri, kind))}
            self._delete(db, sorted(groups))

    def settle(self, stamp: float) -> int:
        """After the commit(s): every pending dependency changed at ``stamp`` (the store's ``directory_stamp``,
        read after the commit returned). Returns how many there were."""
        db = self._db(writer=True)
        with db:
            return db.execute("UPDATE touched SET pending = 0, at = MAX(at, ?) WHERE pending = 1", (stamp,)).rowcount

    recover = settle  # at the start of an ingest: a writer that died between mark and settle left these pending

    def retain(self, prefix: str) -> int:
        """Delete the entries whose key does not start with ``prefix`` (renderings by other code or settings, which
        nothing will ask for again); returns how many."""
        db = self._db(writer=True)
        with db:
            gone = db.execute("DELETE FROM entries WHERE substr(key, 1, ?) != ?", (len(prefix), prefix)).rowcount
            db.execute("DELETE FROM deps WHERE grp NOT IN (SELECT grp FROM entries)")
        return gone

    def clear(self) -> None:
        """Forget every entry (dependency stamps are kept: they are what keeps old snapshots out)."""
        db = self._db(writer=True)
        with db:
            db.execute("DELETE FROM entries")
            db.execute("DELETE FROM deps")

    def __len__(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM entries").fetchone()[0]

    # -- helpers --

    @staticmethod
    def _changed_since(db: sqlite3.Connection, deps: list[Dependency], version: float) -> bool:
        wanted = set(deps)
        iris = sorted({iri for iri, _ in deps})
        for start in range(0, len(iris), _CHUNK):
            chunk = iris[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = db.execute(f"SELECT iri, kind, at, pending FROM touched WHERE iri IN ({marks})", chunk)
            if any((iri, kind) in wanted and (pending or at >= version) for iri, kind, at, pending in rows):
                return True
        return False

    @staticmethod
    def _delete(db: sqlite3.Connection, groups: list[str]) -> None:
        for start in range(0, len(groups), _CHUNK):
            chunk = groups[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM entries WHERE grp IN ({marks})", chunk)
            db.execute(f"DELETE FROM deps WHERE grp IN ({marks})", chunk)

    def _db(self, writer: bool | None = None) -> sqlite3.Connection:
        """This thread's connection; ``writer`` sets how long a write waits for the file (None: reading only)."""
        db = self._local.__dict__.get("db")
        if db is None or self._local.pid != os.getpid():  # a forked worker opens its own connection
            db = self._connect()
        if writer is not None:
            # Readers give up quickly (a request must not wait for an ingest); the writer waits for readers' puts.
            db.execute(f"PRAGMA busy_timeout = {int(1000 * (60 if writer else self.busy_timeout))}")
        return db

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=60)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # a crash may lose the last entries, never corrupt the file
        adopt_layout(db, _VERSION, _SCHEMA)
        self._local.db, self._local.pid = db, os.getpid()
        return db
