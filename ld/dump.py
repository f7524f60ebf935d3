"""Dumps of the whole published dataset: every record graph, the entities graph and the vocab graph (not the change
log), streamed from the store to a file without holding the data in memory.

``write_dump`` streams one format (N-Quads, N-Triples, Turtle, JSON-LD; gzip when asked) and counts the triples on
the way. Record graphs are written as pieces of the dump made once per record write and kept in the dump cache
(``ld.chunks``): N-Quads and N-Triples lines, a Turtle body under one ``@prefix`` header, a JSON-LD named-graph
object in one top-level array. A gzip dump is their gzip members one after the other. ``DumpFolder`` keeps gzip dumps of every format in a folder beside the store (``{store}.dumps``), with an
``index.json`` listing each file's size, triple count, SHA-256 and modification time, and the data version it was
made from (``data_version``: the change log's length and newest time, and the vocabulary's digest), so a dump is
made again only when the data changed. Several processes may share the folder: regeneration holds a lock file, and a
file is replaced by an atomic rename, so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
import time
import hashlib
import json
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ld import changes
from ld.chunks import FORMATS as CHUNK_FORMATS, Chunk, ChunkCache, gunzip, gzip_member
from ld.formats import JSONLD, NQUADS, NTRIPLES, TURTLE, RdfFormat
from ld.iris import Minter
from ld.jsonld import CONTEXT_PREFIXES

# The dump formats, in the order listed; JSON-LD dumps are expanded JSON-LD (one top-level array of named-graph
# objects, each written by Oxigraph), not the compacted form of single descriptions (which needs the whole graph in
# memory to frame it).
DUMP_FORMATS: tuple[RdfFormat, ...] = (NQUADS, NTRIPLES, TURTLE, JSONLD)
DUMP_NAME = "docket"


def dump_format(name: str) -> RdfFormat:
    """The dump format named by a suffix, media type or alias; ValueError naming the choices."""
    from ld.formats import lookup

    fmt = lookup(name)
    if fmt not in DUMP_FORMATS:
        raise ValueError(f"no dumps in {fmt.label}; choose one of {', '.join(f.suffix for f in DUMP_FORMATS)}")
    return fmt


def graph_quads(store, graph: str) -> Iterator[ox.Quad]:
    """The quads of one graph, streamed from the store (the embedded store reads its indexes directly)."""
    quads_of = getattr(store, "quads_of", None)
    return quads_of(graph) if quads_of is not None else _selected_quads(store, graph)


def graph_ntriples(store, graph: str) -> bytes:
    """The triples of one graph as N-Triples: written by Oxigraph without the GIL where the store can, so that
    several threads read at once (``OxigraphStore.graph_ntriples``)."""
    written = getattr(store, "graph_ntriples", None)
    if written is not None:
        return written(graph)
    return ox.serialize((q.triple for q in graph_quads(store, graph)), format=ox.RdfFormat.N_TRIPLES)


def _selected_quads(store, graph: str) -> Iterator[ox.Quad]:
    name = ox.NamedNode(graph)
    for row in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        yield ox.Quad(row["s"], row["p"], row["o"], name)


# --- one graph in every format: the pieces a dump is concatenated from ------------------------------------------

_TURTLE_HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(CONTEXT_PREFIXES.items())).encode()
_JSONLD_SEPARATOR = b",\n"  # JSON-LD pieces are objects of one top-level array: each starts with this but the first


def graph_pieces(graph: str, ntriples: bytes) -> dict[str, bytes]:
    """Graph ``graph`` (its ``ntriples``) as a piece of a dump in each format: N-Quads lines, N-Triples lines, Turtle
    without ``@prefix`` lines (the dump writes them once, ``_TURTLE_HEADER``), and one JSON-LD named-graph object
    ``{"@id": graph, "@graph": [...]}`` preceded by ``_JSONLD_SEPARATOR`` (the dump drops it from its first one)."""
    # N-Triples escape line breaks in literals, so " .\n" only ends a line.
    nquads = ntriples.replace(b" .\n", f" <{graph}> .\n".encode())
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))  # parsed once (~3 us a triple), written twice
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=CONTEXT_PREFIXES)
    nodes = ox.serialize(triples, format=ox.RdfFormat.JSON_LD).strip()  # [node objects], as Oxigraph writes a graph
    jsonld = b'{"@id":' + json.dumps(graph).encode() + b',"@graph":' + nodes + b"}" if triples else b""
    if jsonld:
        jsonld = _JSONLD_SEPARATOR + jsonld
    return {NQUADS.suffix: nquads, NTRIPLES.suffix: ntriples, TURTLE.suffix: _without_prefixes(turtle),
            JSONLD.suffix: jsonld}


def _without_prefixes(turtle: bytes) -> bytes:
    # Oxigraph writes the prefixes given (in no fixed order) first, one a line.
    start = 0
    while turtle.startswith(b"@prefix ", start):
        start = turtle.index(b"\n", start) + 1
    return turtle[start:]


# What the cached pieces depend on besides ld.chunks: a cache file made under another layout is emptied.
CHUNK_LAYOUT = f"{_TURTLE_HEADER!r} {_JSONLD_SEPARATOR!r}"


def record_chunk(store, graph: str) -> Chunk:
    """Record graph ``graph`` read from the store, in every dump format (gzip members, ``ld.chunks``)."""
    return chunk_of(graph, graph_ntriples(store, graph))


def chunk_of(graph: str, ntriples: bytes) -> Chunk:
    """Graph ``graph``, given as ``ntriples``, in every dump format (gzip members, ``ld.chunks``)."""
    pieces = graph_pieces(graph, ntriples)
    return Chunk(ntriples.count(b"\n"), {suffix: gzip_member(pieces[suffix]) for suffix in CHUNK_FORMATS})


# --- writing a dump -------------------------------------------------------------------------------------------------

READERS = max(2, os.cpu_count() or 1)  # threads reading record graphs from the store (the read holds no GIL)


def record_members(store, cache: ChunkCache | None, fmt: RdfFormat, *,
                   readers: int = READERS) -> Iterator[tuple[str, int, bytes]]:
    """(record graph, triples, its gzip member in ``fmt``) of every record, in the store's order: from ``cache``
    where it holds the record's current token, else read from the store by ``readers`` threads (and cached).
    At most a few records per thread are held at once, whatever the store's size. When the cache is complete as
    of the store's change marker (``ChunkCache.complete_at``), the rows alone, in their order: no store read."""
    marker = store.change_marker() if cache is not None else None
    if marker is not None and cache.complete_at() == marker:
        # The cache holds every record at its current token (an ingest or a dump said so as of this very state of
        # the store): no listing from the store, whose every IRI read loads more of Oxigraph's string index.
        yield from cache.rows(fmt.suffix)
        return
    pending: deque = deque()  # (graph, token, Future or None, cached row or None), in the store's order
    seen = set()
    every_token = True  # a record without one has no row
    cached_before = cache.graphs() if cache is not None else set()
    with ThreadPoolExecutor(readers) as pool:
        for graph in map(str, store.records()):
            token = store.record_token(graph)
            seen.add(graph)
            every_token = every_token and bool(token)
            row = cache.get(graph, token, fmt.suffix) if cache is not None and token else None
            pending.append((graph, token, None if row else pool.submit(record_chunk, store, graph), row))
            while len(pending) > 4 * readers:
                yield _taken(pending.popleft(), cache, fmt)
        while pending:
            yield _taken(pending.popleft(), cache, fmt)
    if cache is not None:
        cache.keep_only(seen, among=cached_before)
        if marker is not None and every_token and store.change_marker() == marker:
            cache.mark_complete(marker)  # the listing and the rows were of one state of the store


def _taken(entry, cache: ChunkCache | None, fmt: RdfFormat) -> tuple[str, int, bytes]:
    graph, token, future, row = entry
    if row is not None:
        return graph, row[0], row[1]
    chunk = future.result()
    if cache is not None and token:
        cache.put(graph, token, chunk)
    return graph, chunk.triples, chunk.members[fmt.suffix]


class _Output:
    """Where a dump goes: pieces of plain bytes and gzip members, written as gzip members when ``compress`` (a
    multi-member gzip file), else as plain bytes. Feeds a SHA-256 and counts bytes written."""

    def __init__(self, raw: BinaryIO, compress: bool):
        self.raw, self.compress = raw, compress
        self.sha256, self.size = hashlib.sha256(), 0

    def plain(self, data: bytes) -> None:
        if data:
            self._write(gzip_member(data) if self.compress else data)

    def member(self, member: bytes) -> None:
        self._write(member if self.compress else gunzip(member))

    def _write(self, data: bytes) -> None:
        self.sha256.update(data)
        self.size += len(data)
        self.raw.write(data)


def write_dump(store, out: BinaryIO, fmt: RdfFormat, *, compress: bool = False,
               cache: ChunkCache | None = None) -> int:
    """Stream the dataset in ``fmt`` to ``out`` (gzip when ``compress``); returns the triple count. Record graphs
    come from ``cache`` where it holds them unchanged (``ld.chunks``), else from the store (and are cached)."""
    return _write(store, _Output(out, compress), fmt, cache)


def _write(store, out: _Output, fmt: RdfFormat, cache: ChunkCache | None) -> int:
    triples = 0
    out.plain({TURTLE.suffix: _TURTLE_HEADER, JSONLD.suffix: b"[\n"}.get(fmt.suffix, b""))
    for _, count, member in record_members(store, cache, fmt):
        _put_member(out, fmt, member, first=triples == 0)
        triples += count
    marker = store.change_marker() if cache is not None else None
    for graph in _system_graphs(store):
        count, member = _system_member(store, cache, marker, graph, fmt)
        _put_member(out, fmt, member, first=triples == 0)
        triples += count
    out.plain(b"\n]\n" if fmt.suffix == JSONLD.suffix else b"")
    return triples


def _put_member(out: _Output, fmt: RdfFormat, member: bytes, *, first: bool) -> None:
    if fmt.suffix == JSONLD.suffix and first and member:
        # the first object of the array goes without its separator (rare: one member a dump is inflated)
        out.plain(gunzip(member).removeprefix(_JSONLD_SEPARATOR))
    else:
        out.member(member)


def _system_member(store, cache: ChunkCache | None, marker: str | None, graph: str,
                   fmt: RdfFormat) -> tuple[int, bytes]:
    """(triples, gzip member in ``fmt``) of system graph ``graph``: from ``cache`` when it holds the graph as of the
    store's change marker ``marker`` (every write replaces it), else read from the store (and cached). Reading the
    entities graph loads Oxigraph's string index for every entity: memory that grows with the store."""
    if cache is not None and marker is not None:
        row = cache.get(graph, marker, fmt.suffix, system=True)
        if row is not None:
            return row
    chunk = record_chunk(store, graph)
    if cache is not None and marker is not None:
        cache.put(graph, marker, chunk, system=True)
        cache.commit()
    return chunk.triples, chunk.members[fmt.suffix]


def cache_system_graphs(store, cache: ChunkCache) -> None:
    """Put the system graphs (entities, vocab) into ``cache`` as of the store's change marker, unless they are there
    already. ``docket ingest`` and ``docket delete`` call it at their end, when the cache is complete, so that the
    next dump reads nothing from the store: reading the entities graph loads Oxigraph's string index for every
    entity, memory that grows with the store, which the writing process holds anyway."""
    marker = store.change_marker()
    if marker is None:
        return
    for graph in _system_graphs(store):
        _system_member(store, cache, marker, graph, NQUADS)


def _system_graphs(store) -> list[str]:
    """The system graphs a dump holds: entities and vocab (never the change log or the ingest state)."""
    return [str(store.entities_graph), str(Minter(_base_of(store)).vocab_graph)]


def data_version(store) -> str:
    """What changes whenever the dumped data does: the change log's length and newest time (every record write and
    deletion adds to it, in the same transaction) and the vocabulary graph's digest."""
    from ld.freshness import vocabulary_digest

    base = _base_of(store)
    count, newest = changes.log_state(store, str(changes.changes_graph_of(base + "graph/")))
    return f"{count}/{newest.isoformat() if newest else '-'}/{vocabulary_digest(store, Minter(base))}"


@dataclass(frozen=True)
class DumpFile:
    """One dump file as ``index.json`` lists it."""

    format: str  # suffix: nq, nt, ttl, jsonld
    file: str
    media_type: str
    size: int
    triples: int
    sha256: str
    modified: str  # ISO 8601, UTC
    version: str  # the data_version it was made from


def dumps_path_for(store: str | os.PathLike) -> Path:
    """Where the dumps of store directory ``store`` live: beside it, ``{store}.dumps`` (not inside: a file written
    in the store directory would look like a commit to every reader)."""
    store = Path(store).resolve()
    return store.with_name(store.name + ".dumps")


class DumpFolder:
    """A folder of gzip dumps, one per format, made again only when the data changed."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    def index(self) -> dict[str, DumpFile]:
        """The dumps made so far, by format suffix (empty when none)."""
        try:
            entries = json.loads((self.path / "index.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {e["format"]: DumpFile(**e) for e in entries}

    def file(self, name: str) -> Path:
        """The path of a dump file by its listed name."""
        return self.path / name

    def fresh(self, store, formats: tuple[RdfFormat, ...] = DUMP_FORMATS, *,
              version: str | None = None) -> dict[str, DumpFile]:
        """The index, after making again every dump of ``formats`` that is missing or older than the data, and the
        dataset statistics (``statistics``) with them."""
        version = version or data_version(store)
        if self.current(version, formats):
            return self.index()
        self.path.mkdir(parents=True, exist_ok=True)
        with self._locked():
            # The small, quick ones first: the sitemap and the statistics are waited for by their own routes.
            if (self.sitemap() or {}).get("version") != version:
                self._write_sitemap(store, version)
            if (self.statistics() or {}).get("version") != version:
                self._write_statistics(store, version)
            index = self.index()  # another process may have made them while this one waited
            for fmt in formats:
                if fmt.suffix not in index or index[fmt.suffix].version != version:
                    index[fmt.suffix] = self._make(store, fmt, version)
                    self._write_index(index)
        return index

    def current(self, version: str, formats: tuple[RdfFormat, ...] = DUMP_FORMATS) -> bool:
        """Whether every dump of ``formats``, and the statistics, were made from data version ``version``."""
        index = self.index()
        return all(f.suffix in index and index[f.suffix].version == version for f in formats) \
            and (self.statistics() or {}).get("version") == version and (self.sitemap() or {}).get("version") == version

    def sitemap(self) -> dict | None:
        """The sitemap's pages made with the dumps (``pages``: [loc, lastmod] pairs, and ``version``), or None."""
        return self._read_json("sitemap.json")

    def _write_sitemap(self, store, version: str) -> None:
        # Every entity's lastmod is an aggregate over the records linking to it: ~17 s at 10,000 records.
        from ld import sitemap

        base = _base_of(store)
        _, newest = changes.log_state(store, str(changes.changes_graph_of(base + "graph/")))
        fallback = newest.strftime("%Y-%m-%dT%H:%M:%SZ") if newest else None
        pages = [[p.loc, p.lastmod] for p in sitemap.pages(store, Minter(base), fallback)]
        self._write_json("sitemap.json", {"version": version, "pages": pages})

    def statistics(self) -> dict | None:
        """The VoID statistics made with the dumps (``ld.void.Statistics`` fields and ``version``), or None."""
        return self._read_json("statistics.json")

    def _write_statistics(self, store, version: str) -> None:
        # SPARQL aggregates over every quad: ~30 s at 10,000 records, too long for a web request, so they are made
        # here, with the dumps, by the process that makes those.
        from ld.void import statistics

        base = _base_of(store)
        self._write_json("statistics.json", {**asdict(statistics(store, Minter(base))), "version": version})

    def _read_json(self, name: str) -> dict | None:
        try:
            return json.loads((self.path / name).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):  # not made yet, or cut short
            return None

    def _write_json(self, name: str, value) -> None:
        temporary = self.path / f".{name}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(value), encoding="utf-8")
        os.replace(temporary, self.path / name)

    def busy(self) -> bool:
        """Whether some process is making dumps right now (holds the folder's lock)."""
        if not (self.path / ".lock").exists():
            return False
        with (self.path / ".lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
        return False

    def refresh_in_background(self, arguments: list[str], env: dict[str, str], version: str, *,
                              wait: float, ready=None) -> dict[str, DumpFile]:
        """Start ``docket dump --refresh`` with ``arguments`` (the store options) in a process of its own, unless one
        is at work, and wait at most ``wait`` seconds for dumps of ``version``; the index as it is then (entries of
        an older version stay listed and served until the new ones replace them). A web request cannot make the
        dumps of a large store itself: it would outlive the server's worker timeout."""
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.busy():
            command = [sys.executable, "-m", "ld.cli", "dump", "--refresh", *arguments]
            # Started through a shell that backgrounds it and exits: the refresh is adopted by init (no zombie in
            # a long-lived server process) and outlives a worker that gunicorn restarts.
            subprocess.run(["/bin/sh", "-c", '"$@" </dev/null >/dev/null 2>>"$0" &', str(self.path / ".refresh.log"),
                            *command], env=env, start_new_session=True, check=False)
        deadline = time.monotonic() + wait
        ready = ready or (lambda: self.current(version))
        while time.monotonic() < deadline and not ready():
            time.sleep(0.1)
        return self.index()

    def _make(self, store, fmt: RdfFormat, version: str) -> DumpFile:
        name = f"{DUMP_NAME}.{fmt.suffix}.gz"
        temporary = self.path / f".{name}.{os.getpid()}.tmp"
        try:
            with temporary.open("wb") as raw, self.chunks() as cache:
                out = _Output(raw, compress=True)
                triples = _write(store, out, fmt, cache)
            os.replace(temporary, self.path / name)
        finally:
            temporary.unlink(missing_ok=True)
        modified = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        return DumpFile(fmt.suffix, name, fmt.media_type, out.size, triples, out.sha256.hexdigest(), modified,
                        version)

    def chunks(self) -> ChunkCache:
        """The dump cache in this folder: record graphs in every dump format (``ld.chunks``)."""
        return ChunkCache(self.path / "chunks.sqlite", CHUNK_LAYOUT)

    def _write_index(self, index: dict[str, DumpFile]) -> None:
        entries = [asdict(index[f.suffix]) for f in DUMP_FORMATS if f.suffix in index]
        temporary = self.path / f".index.json.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(entries, indent=2), encoding="utf-8")
        os.replace(temporary, self.path / "index.json")

    def _locked(self):
        return _FileLock(self.path / ".lock")


class _FileLock:
    """An exclusive ``flock`` on a file, held by one process at a time (waits for the holder)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.handle = self.path.open("a")
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()


def _base_of(store) -> str:
    # The base URI the store was written under: its entities graph is {base}graph/entities.
    return str(store.entities_graph).rsplit("/", 2)[0] + "/"
