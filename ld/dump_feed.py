"""The ingest side of the dump cache (``ld.chunks``): every record ``docket ingest`` writes goes into the cache in
every dump format, made from the N-Triples lines ingest holds already, so that the first dump after an ingest reads
no record quads from Oxigraph (which reads about 80,000 quads per CPU second: a 10,000-record store took ~50 s).

With ``--jobs N`` the worker processes make the chunks (``made_chunk``) along with the mapping; the writing process
only checks that the lines it writes are those the chunk was made from (a digest; it makes the chunk itself when
they differ, e.g. after it mapped the record again) and stores it.

A chunk goes into the cache only after its record's write was committed: ``DumpFeed`` holds it until the store's
``record_token`` for the record is the token the written graph carries (the write's ``dcterms:modified`` and source
checksum), then stores it under that token. A write that never commits (a crash, a failed batch) leaves no row, and
a row whose token no longer matches is never read (the dump reads that record from the store, as without a cache).

Completeness: listing the records and their tokens from the store costs a dump memory that grows with the store
(every IRI Oxigraph returns is looked up in its string index, whose index and filter blocks load as it goes: +88 MiB
at 10,000 records). So a writer that began from a cache complete as of the store's change marker, and left a row
for every record it wrote (or removed the row of the record it withdrew), says the cache is complete as of the
marker its writes left (``ChunkCache.mark_complete``); a dump then reads the rows alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import DCTERMS, Graph, URIRef

from ld.chunks import Chunk, ChunkCache
from ld.dump import cache_system_graphs, chunk_of
from ld.namespaces import DOCKET
from ld.store import Store, record_token_text, triple_lines


@dataclass(frozen=True)
class MadeChunk:
    """A record's chunk made where it was mapped, with the digest of the N-Triples it was made from."""

    digest: bytes
    chunk: Chunk


def made_chunk(doc: str, lines: Iterable[str]) -> MadeChunk:
    """Record graph ``doc``, given as its ``triple_lines``, in every dump format (what a worker sends along)."""
    lines = list(lines)
    return MadeChunk(_digest(lines), chunk_of(str(doc), _ntriples(lines)))


def _ntriples(lines: Iterable[str]) -> bytes:
    text = "\n".join(lines)
    return (text + "\n").encode() if text else b""


def _digest(lines: list[str]) -> bytes:
    # In order, not sorted (a third of the cost): a worker's lines reach the parent in their order, and the warning
    # lines both add are sorted (ld.ingest._with_warnings). Lines in another order only cost a chunk made again.
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=16).digest()


class DumpFeed:
    """Chunks of the records an ingest writes, put into ``cache`` once their writes are committed to ``store`` (an
    embedded store: its ``record_token`` reads committed data only). ``hold`` bounds the chunks waiting for their
    commit (bulk mode leaves two batches uncommitted at most); ``settle`` at the end stores the rest."""

    def __init__(self, store: Store, cache: ChunkCache, *, hold: int = 200):
        self.store, self.cache, self.hold = store, cache, hold
        self._held: dict[str, tuple[str, Chunk]] = {}  # record graph -> (the token of its write, chunk), oldest first
        self._complete = False  # the cache was complete when the writes began, and no record was left out since

    def begin(self) -> None:
        """Before the first write: whether the cache is complete as of the store's state now. A store without
        records makes it so (whatever rows there are belong to no record of it)."""
        if next(iter(self.store.records()), None) is None:
            self.cache.clear()
            self._complete = True
            return
        marker = self.store.change_marker()
        self._complete = marker is not None and self.cache.complete_at() == marker

    def finish(self) -> None:
        """After the last write was committed: the held chunks stored, and the cache said complete as of the
        store's state now if it was so when the writes began and every record written has its row."""
        self.settle()
        if self._complete and not self._held:
            self.cache.mark_complete(self.store.change_marker())
            cache_system_graphs(self.store, self.cache)  # then the next dump reads nothing from the store

    def deleted(self, doc: URIRef) -> None:
        """Record ``doc`` was withdrawn: its row goes."""
        self.cache.drop(str(doc))

    def written(self, doc: URIRef, record: Graph, made: MadeChunk | None = None, *,
                lines: list[str] | None = None) -> None:
        """Record ``doc`` was handed to the store as ``record`` (``lines``: its ``triple_lines``, when the caller
        has them); ``made`` is a chunk a worker made, used when it was made from these very triples."""
        token = _token(doc, record)
        if token is None:  # no bookkeeping: the store gives the record no token, so no dump could use the chunk
            self._complete = False
            return
        # The chunk is made here, in the ingest's thread: a thread of its own gained nothing (measured): parsing
        # and writing Turtle and JSON-LD hold the GIL, and the GIL-free compression is cut into short calls whose
        # every return waits for the ingest's thread to let go of the GIL (more CPU, the same or a longer wall).
        lines = triple_lines(record) if lines is None else lines
        if made is not None and made.digest == _digest(lines):
            chunk = made.chunk
        else:
            chunk = chunk_of(str(doc), _ntriples(lines))
        self._held.pop(str(doc), None)  # a later write of the record replaces the earlier one
        self._held[str(doc)] = (token, chunk)
        if len(self._held) >= self.hold:
            self.settle()

    def settle(self) -> int:
        """Store the held chunks whose writes are committed; returns how many. The others wait, except the oldest
        beyond ``hold``: writes that did not commit (a record written again holds its newest write only)."""
        stored = 0
        for doc, (token, chunk) in list(self._held.items()):
            if self.store.record_token(URIRef(doc)) == token:
                self.cache.put(doc, token, chunk)
                del self._held[doc]
                stored += 1
        self.cache.commit()
        for doc in list(self._held)[:max(0, len(self._held) - self.hold // 2)]:
            del self._held[doc]
            self._complete = False
        return stored


def _token(doc: URIRef, record: Graph) -> str | None:
    """The ``record_token`` the store will give record ``doc`` once ``record`` is committed."""
    modified = record.value(doc, DCTERMS.modified)
    if modified is None:
        return None
    checksum = record.value(doc, DOCKET.sourceChecksum)
    return record_token_text(str(modified), None if checksum is None else str(checksum))
