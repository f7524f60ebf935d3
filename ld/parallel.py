"""Parallel ingest (``docket ingest --jobs N``): reading, finding entities, mapping and validating in N worker
processes, while the parent decides and writes exactly as a single-process ingest does.

The parent keeps every decision that depends on the store or on the order of the files: duplicate IDs, which IRI a
record claims, whether it is unchanged, how entity names resolve (the first form met fixes an unknown entity's key),
labels already published, and the batched writes. Workers do the costly part under the parent's most likely
decision: the record's own key, the store's names as the parent saw them at the start, and the checksums of the
records already stored (an unchanged file is only read). The parent checks each guess (``Ingester`` compares the
key and the entity references it would use) and redoes the work itself when it differs, so the result is the
same as ``--jobs 1`` whatever the workers guessed; only the time differs. Results come back in input order.

What crosses the process boundary is kept cheap for the parent, whose single thread is the narrow part: graphs
travel as their N-Triples lines (``ld.store.LinesGraph``, which the store writes as they are), never as pickled
rdflib graphs (rebuilding one cost the parent more than mapping it had cost the worker).

Workers are started with ``spawn``: the parent holds the store open (RocksDB threads, locks), which a fork would
copy in an unknown state.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import Literal

from ld.dump_feed import MadeChunk, made_chunk
from ld.entities import Resolver
from ld.errors import RecordError
from ld.mapper import MappedRecord, document_key
from ld.namespaces import DOCKET
from ld.record import Record
from ld.store import LinesGraph, term_text, triple_lines
from ld.validate import Report


@dataclass
class Prepared:
    """What a worker made of one file: the record (or why it could not be read) and, unless the record looked
    unchanged, its mapping under ``key`` (its graphs as ``LinesGraph``: cheap to send), the resolver's answers
    it used and the SHACL report."""

    path: Path
    record: Record | None = None
    rejected: tuple[str, str] | None = None  # (source, reason): exceptions with own arguments do not unpickle
    key: str | None = None
    trace: list | None = None  # the resolver's answers while mapping (``Resolver.tracing``)
    mapped: MappedRecord | None = None
    report: Report | None = None
    chunk: MadeChunk | None = None  # the graph as stored (with the report's warnings) in every dump format


def stored_checksums(store, version: str) -> dict[str, str]:
    """Source file -> checksum of every stored record mapped by mapper ``version`` (one query)."""
    query = (f"SELECT ?source ?sum WHERE {{ GRAPH ?g {{ ?g <{DOCKET.sourceFile}> ?source ; "
             f"<{DOCKET.sourceChecksum}> ?sum ; <{DOCKET.mapperVersion}> {term_text(Literal(version))} }} }}")
    return {row["source"].value: row["sum"].value for row in store.query(query)}


# --- the worker side ------------------------------------------------------------------------------------------------

_worker: dict = {}


def _start_worker(base: str, max_bytes: int, names: list, checksums: dict[str, str], chunks: bool = False) -> None:
    from ld.ingest import Pipeline

    pipeline = Pipeline(base, max_bytes=max_bytes)
    pipeline.resolver.seed(names)
    _worker.update(pipeline=pipeline, checksums=checksums, chunks=chunks)


def _prepare(path: Path) -> Prepared:
    pipeline = _worker["pipeline"]
    try:
        record = pipeline.read(path)
    except RecordError as error:
        return Prepared(path, rejected=(error.source, error.reason))
    if _worker["checksums"].get(record.source) == record.checksum:
        return Prepared(path, record)  # most likely unchanged: the parent will check
    try:
        key = document_key(record)
        with pipeline.resolver.tracing() as trace:
            mapped = pipeline.map(record, key)
        report = pipeline.validate(mapped)
        mapped = replace(mapped, graph=LinesGraph(triple_lines(mapped.graph)),
                         entities=LinesGraph(triple_lines(mapped.entities)))
        return Prepared(path, record, key=key, trace=trace, mapped=mapped, report=report,
                        chunk=_dump_chunk(mapped, report) if _worker["chunks"] else None)
    except RecordError:
        return Prepared(path, record)  # the parent maps it again and reports the error in order
    except ValueError:  # e.g. a key that cannot make an IRI: the parent meets it again, in its place
        return Prepared(path, record)


def _dump_chunk(mapped: MappedRecord, report: Report) -> MadeChunk | None:
    """The record graph the parent will write (with the report's warnings, as ``ld.ingest`` adds them) in every dump
    format, made here so that the parent's serial path only stores it (``ld.dump_feed``)."""
    from ld.ingest import _with_warnings

    if not report.conforms:  # the parent maps it again without its text
        return None
    graph = _with_warnings(mapped.graph, mapped.iri, [f.message for f in report.warnings])
    return made_chunk(str(mapped.iri), graph.lines)


# --- the parent side ------------------------------------------------------------------------------------------------


def _prepare_chunk(paths: list[Path], learned: list) -> list[Prepared]:
    _worker["pipeline"].resolver.adopt(learned)
    return [_prepare(path) for path in paths]


def prepare_in_workers(paths: Iterable[Path], *, jobs: int, base: str, max_bytes: int, names: list,
                       checksums: dict[str, str], resolver: Resolver, chunk: int = 4,
                       dump_chunks: bool = False) -> Iterator[Prepared]:
    """Each of ``paths`` prepared by one of ``jobs`` worker processes, in input order. ``names`` seeds the workers'
    entity resolvers (the rows ``Resolver.seed`` takes) and ``checksums`` is ``stored_checksums``. Each chunk also
    carries what the deciding process's ``resolver`` learned lately (the first form of a new name fixes its entity),
    so that workers guess as it decides. With ``dump_chunks`` workers also make each record's dump-cache chunk.

    At most ``4 * jobs`` chunks of ``chunk`` files are in flight, so prepared records never pile up in memory when
    the writes are the slower side. A worker that dies stops the run (BrokenProcessPool), never hangs it."""
    paths = list(paths)
    chunks = [paths[i:i + chunk] for i in range(0, len(paths), chunk)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(base, max_bytes, names, checksums, dump_chunks)) as pool:
        window: deque = deque()
        marks = deque([0], maxlen=8 * jobs)  # len(resolver.learned) at recent submits: any worker saw one of them
        for part in chunks:
            window.append(pool.submit(_prepare_chunk, part, resolver.learned[marks[0]:]))
            marks.append(len(resolver.learned))
            if len(window) >= 4 * jobs:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()
