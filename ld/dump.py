"""Dumps of the whole published dataset: every record graph, the entities graph and the vocab graph (not the change
log), streamed from the store to a file without holding the data in memory.

``write_dump`` streams one format (N-Quads, N-Triples, Turtle, JSON-LD; gzip when asked) and counts the triples on
the way. ``DumpFolder`` keeps gzip dumps of every format in a folder beside the store (``{store}.dumps``), with an
``index.json`` listing each file's size, triple count, SHA-256 and modification time, and the data version it was
made from (``data_version``: the change log's length and newest time, and the vocabulary's digest), so a dump is
made again only when the data changed. Several processes may share the folder: regeneration holds a lock file, and a
file is replaced by an atomic rename, so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import fcntl
import gzip
import subprocess
import sys
import time
import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ld import changes
from ld.chunks import ChunkCache
from ld.formats import JSONLD, NQUADS, NTRIPLES, TURTLE, RdfFormat
from ld.jsonld import CONTEXT_PREFIXES

# The dump formats, in the order listed; JSON-LD dumps are expanded JSON-LD written by Oxigraph (streamed), not the
# compacted form of single descriptions (which needs the whole graph in memory to frame it).
DUMP_FORMATS: tuple[RdfFormat, ...] = (NQUADS, NTRIPLES, TURTLE, JSONLD)
_OXIGRAPH = {NQUADS.suffix: ox.RdfFormat.N_QUADS, NTRIPLES.suffix: ox.RdfFormat.N_TRIPLES,
             TURTLE.suffix: ox.RdfFormat.TURTLE, JSONLD.suffix: ox.RdfFormat.JSON_LD}
_QUAD_FORMATS = {NQUADS.suffix, JSONLD.suffix}  # the others hold triples: graph names are dropped
GZIP_LEVEL = 1  # level 1 compresses N-Quads about 12x and is several times faster than the default 6
DUMP_NAME = "docket"


def dump_format(name: str) -> RdfFormat:
    """The dump format named by a suffix, media type or alias; ValueError naming the choices."""
    from ld.formats import lookup

    fmt = lookup(name)
    if fmt.suffix not in _OXIGRAPH:
        raise ValueError(f"no dumps in {fmt.label}; choose one of {', '.join(f.suffix for f in DUMP_FORMATS)}")
    return fmt


def dataset_graphs(store) -> list[str]:
    """The graphs a dump holds: every record graph, then the entities and vocab graphs (never the change log)."""
    system = str(store.entities_graph).rsplit("/", 1)[0] + "/"
    return [*sorted(str(g) for g in store.records()), str(store.entities_graph), system + "vocab"]


def graph_quads(store, graph: str) -> Iterator[ox.Quad]:
    """The quads of one graph, streamed from the store (the embedded store reads its indexes directly)."""
    quads_of = getattr(store, "quads_of", None)
    return quads_of(graph) if quads_of is not None else _selected_quads(store, graph)


def record_tokens(store) -> dict[str, str]:
    """Every record graph with its ``Store.record_token`` (``dcterms:modified`` and source checksum: both change with
    every write of the record, see ``ld.chunks``)."""
    tokens: dict[str, str] = {}
    for graph in store.records():
        token = store.record_token(graph)
        if token is not None:
            tokens[str(graph)] = token
    return tokens


def record_chunks(store, cache: ChunkCache | None) -> Iterator[tuple[str, bytes]]:
    """(record graph, its N-Triples) for every record, in IRI order: from ``cache`` when its token still matches,
    else read from the store (and cached)."""
    tokens = record_tokens(store)
    for graph in sorted(tokens):
        body = cache.get(graph, tokens[graph]) if cache is not None else None
        if body is None:
            body = ox.serialize((q.triple for q in graph_quads(store, graph)), format=ox.RdfFormat.N_TRIPLES)
            if cache is not None:
                cache.put(graph, tokens[graph], body)
        yield graph, body
    if cache is not None:
        cache.keep_only(tokens)


def _selected_quads(store, graph: str) -> Iterator[ox.Quad]:
    name = ox.NamedNode(graph)
    for row in store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
        yield ox.Quad(row["s"], row["p"], row["o"], name)


class _Counter:
    """Counts what passes through an iterator (without a Python frame per item beyond the generator's)."""

    def __init__(self) -> None:
        self.count = 0

    def wrap(self, items):
        for self.count, item in enumerate(items, 1):
            yield item


class _HashingWriter:
    """A binary file that also feeds a SHA-256 and counts bytes."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def write_dump(store, out: BinaryIO, fmt: RdfFormat, *, compress: bool = False,
               cache: ChunkCache | None = None) -> int:
    """Stream the dataset in ``fmt`` to ``out`` (gzip-compressed when ``compress``); returns the triple count.
    Record graphs come from ``cache`` where it holds them unchanged (``ld.chunks``), else from the store."""
    if compress:
        # mtime=0: the same data gives the same bytes, hence the same SHA-256 and ETag.
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=GZIP_LEVEL, mtime=0) as packed:
            return _write(store, packed, fmt, cache)
    return _write(store, out, fmt, cache)


def _write(store, out: BinaryIO, fmt: RdfFormat, cache: ChunkCache | None) -> int:
    system = [str(store.entities_graph), str(store.entities_graph).rsplit("/", 1)[0] + "/vocab"]
    counter = _Counter()
    system_quads = counter.wrap(itertools.chain.from_iterable(graph_quads(store, g) for g in system))
    records = 0
    if fmt.suffix in (NQUADS.suffix, NTRIPLES.suffix):
        # N-Triples and N-Quads are line formats: cached bytes are copied (a graph name appended for N-Quads).
        for graph, body in record_chunks(store, cache):
            records += body.count(b"\n")
            out.write(body.replace(b" .\n", f" <{graph}> .\n".encode()) if fmt.suffix == NQUADS.suffix else body)
        items = system_quads if fmt.suffix == NQUADS.suffix else (q.triple for q in system_quads)
        ox.serialize(items, out, _OXIGRAPH[fmt.suffix])
        return records + counter.count
    # Turtle and JSON-LD: one serializer over the parsed chunks and the system graphs.
    lines = _Counter()

    def record_quads():
        for graph, body in record_chunks(store, cache):
            lines.count += body.count(b"\n")
            if fmt.suffix == JSONLD.suffix:
                yield from ox.parse(body.replace(b" .\n", f" <{graph}> .\n".encode()), format=ox.RdfFormat.N_QUADS)
            else:
                yield from ox.parse(body, format=ox.RdfFormat.N_TRIPLES)

    items = itertools.chain(record_quads(), system_quads if fmt.suffix == JSONLD.suffix
                            else (q.triple for q in system_quads))
    prefixes = CONTEXT_PREFIXES if fmt.suffix == TURTLE.suffix else None
    ox.serialize(items, out, _OXIGRAPH[fmt.suffix], prefixes=prefixes)
    return lines.count + counter.count


def data_version(store) -> str:
    """What changes whenever the dumped data does: the change log's length and newest time (every record write and
    deletion adds to it, in the same transaction) and the vocabulary graph's digest."""
    from ld.freshness import vocabulary_digest
    from ld.iris import Minter

    system = str(store.entities_graph).rsplit("/", 1)[0] + "/"
    count, newest = changes.log_state(store, str(changes.changes_graph_of(system)))
    base = system.removesuffix("graph/")
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
        from ld.iris import Minter

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
        from ld.iris import Minter
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
                out = _HashingWriter(raw)
                triples = write_dump(store, out, fmt, compress=True, cache=cache)
            os.replace(temporary, self.path / name)
        finally:
            temporary.unlink(missing_ok=True)
        modified = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        return DumpFile(fmt.suffix, name, fmt.media_type, out.size, triples, out.sha256.hexdigest(), modified,
                        version)

    def chunks(self) -> ChunkCache:
        """The cache of record graphs' N-Triples in this folder (``ld.chunks``)."""
        return ChunkCache(self.path / "chunks.sqlite")

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
