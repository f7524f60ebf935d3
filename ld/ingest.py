"""The ingest pipeline: read -> find entities -> map -> validate -> store, one record at a time, all or nothing.

A record that cannot be read, mapped or that violates the shapes is rejected with a one-line reason and nothing of
it reaches the store; the other records go on. Unchanged input (same source checksum, same mapper version) writes
nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Literal

from rdflib import RDFS, SKOS, Graph, URIRef
from rdflib import Literal as RdfLiteral

from ld import collector
from ld.authority import Authority, load_authority
from ld.entities import EventReference, Resolver, metadata_mentions
from ld.extract import Extraction, Extractor, join_short_forms
from ld.dump_feed import DumpFeed
from ld.errors import RecordError
from ld.freshness import EntityLabels, WriteTracker
from ld.iris import Minter, short_hash
from ld.mapper import MAPPER_VERSION, MappedRecord, Mapper, document_key
from ld.namespaces import DOCKET
from ld.readers import DEFAULT_MAX_BYTES, read_path
from ld.record import Record
from ld.store import LinesGraph, RecordState, Store, triple_lines
from ld.validate import Report, Validator
from ld.vocab import Vocabulary, load_vocabulary

Status = Literal["ingested", "unchanged", "rejected"]
RECORD_SUFFIXES = (".txt", ".json")


@dataclass
class Outcome:
    """What happened to one input file."""

    source: str
    status: Status
    iri: URIRef | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass
class Summary:
    """Counts over a run, for the CLI's closing line."""

    ingested: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)

    def line(self) -> str:
        return f"{self.ingested} ingested, {self.unchanged} unchanged, {self.rejected} rejected"


def expand_paths(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Files named, plus record files (.txt, .json) found under folders named, sorted for a stable order.

    In a folder, a ``NAME.json`` beside a ``NAME.txt`` is that record's ground truth (as in the corpus), not a second
    copy of the record, so it is left out; a JSON file named explicitly is always read.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if _is_record_file(p)))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def _is_record_file(path: Path) -> bool:
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in RECORD_SUFFIXES:
        return False
    return not (suffix == ".json" and path.with_suffix(".txt").exists())


class Pipeline:
    """Reads, maps and validates records (no store): what ``docket validate`` runs and ``Ingester`` builds on."""

    def __init__(self, base: str, *, max_bytes: int = DEFAULT_MAX_BYTES, vocab: Vocabulary | None = None,
                 authority: Authority | None = None, validator: Validator | None = None):
        self.minter = Minter(base)
        self.vocab = vocab or load_vocabulary(base)
        self.authority = authority or load_authority(base)
        self.resolver = Resolver(self.authority)
        self.validator = validator or Validator(base)
        # records mapped with another mapper or another authority file are mapped again, not skipped as unchanged
        self.version = f"{MAPPER_VERSION}+{self.authority.digest}" if self.authority.digest else MAPPER_VERSION
        self.mapper = Mapper(self.minter, self.vocab, self.version)
        self.known = {e.iri(self.minter): e.label for e in self.authority.entities}
        self.extractor = Extractor(self.authority)
        self.max_bytes = max_bytes

    def read(self, path: Path) -> Record:
        """Read one file into a Record (RecordError if it cannot be read)."""
        return read_path(path, max_bytes=self.max_bytes)

    def extract(self, record: Record) -> tuple[Extraction, str | None]:
        """What the record's text names; an extraction that fails yields nothing and a notice, never an error."""
        try:
            return self.extractor.extract(record), None
        except Exception as error:  # noqa: BLE001 - extraction must never block a record
            return Extraction(), f"text extraction failed ({type(error).__name__}: {error}); metadata only"

    def map(self, record: Record, key: str | None = None, *, extract: bool = True) -> MappedRecord:
        """Find the entities a record names (metadata, apparatus and, with ``extract``, its text) and map it under
        ``key`` (default: its own stable key)."""
        extraction, notice = self.extract(record) if extract else (Extraction(), None)
        mentions = join_short_forms(metadata_mentions(record), extraction.mentions)
        references = self.resolver.references([*mentions, *extraction.mentions])
        events = []
        for event in extraction.events:
            participants = self.resolver.references(event.participants)
            actors = self.resolver.references(event.actors)
            place = self.resolver.references([event.place]) if event.place else []
            references += [*participants, *actors, *place]
            events.append(EventReference(event, tuple(r.entity for r in participants),
                                         tuple(r.entity for r in actors), place[0].entity if place else None))
        mapped = self.mapper.map(record, key or document_key(record), references, events=events,
                                 part_of=self.resolver.parents(references))
        return replace(mapped, notices=(notice,)) if notice else mapped

    def validate(self, mapped: MappedRecord) -> Report:
        """SHACL report for the record graph together with the entity descriptions it links to."""
        return self.validator.validate(mapped.graph, mapped.entities)


class Ingester:
    """Runs the pipeline into a store, enforcing stable keys, duplicate detection and all-or-nothing writes."""

    def __init__(self, store: Store, pipeline: Pipeline, *, force: bool = False, batch_size: int = 50,
                 tracker: WriteTracker | None = None, jobs: int = 1, dump_feed: DumpFeed | None = None):
        self.store = store
        self.jobs = jobs  # processes reading, mapping and validating (ld.parallel); writes stay in this one
        self.batch_size = batch_size
        self.pipeline = pipeline
        self.force = force
        self.tracker = tracker  # the shared cache of published representations, told what each write changes
        self.dump_feed = dump_feed  # the dump cache, given each record written (ld.dump_feed)
        self._ids_this_run: dict[str, str] = {}

    def ingest(self, paths: Iterable[Path]) -> Iterator[Outcome]:
        """Ingest each path in order, yielding one Outcome per file (the vocabulary graph is refreshed first)."""
        if self.tracker:
            self.tracker.start()
        try:
            if self.dump_feed:  # with --jobs 1 a helper process makes the chunks (with more, the worker processes)
                self.dump_feed.begin(helper=self.jobs == 1)  # inside the try: the finally stops the helper
            self.store.replace_graph(self.pipeline.minter.vocab_graph, self.pipeline.vocab.graph)
            self._sync_authority_labels()
            names = list(self._published_names())
            self.pipeline.resolver.seed(names)
            paths = list(paths)
            # Records are committed in batches (one transaction each, every record whole); a crash loses at most the
            # batch being written and the one being filled, which the next run ingests again. What is loaded by now
            # lives for the whole run: the collector stops scanning it (ld.collector).
            with collector.long_run(), self.store.bulk_mode(self.batch_size):
                if self.jobs > 1 and len(paths) > 1:
                    yield from self._ingest_in_parallel(paths, names)
                else:
                    for path in paths:
                        yield self.ingest_file(path)
            if self.dump_feed:  # every write is committed now
                self.dump_feed.finish()
        finally:
            if self.tracker:  # every write is committed (or dropped with its batch) by now
                self.tracker.settle()
            if self.dump_feed:
                self.dump_feed.close()

    def _sync_authority_labels(self) -> None:
        """Give the entities the authority file defines the label it gives them now: after a rename in the file,
        the stored label becomes a variant and the new one the label (records re-ingested link by key anyway)."""
        known = self.pipeline.known
        stored = self.store.entity_labels(known)
        renamed = {iri: old for iri, old in stored.items() if old != known[iri]}
        if not renamed:
            return
        graph = self.store.graph(self.pipeline.minter.entities_graph)
        changed = Graph()
        for iri, old in renamed.items():
            graph.remove((iri, RDFS.label, None))
            graph.remove((iri, SKOS.altLabel, RdfLiteral(known[iri])))
            graph.add((iri, RDFS.label, RdfLiteral(known[iri])))
            graph.add((iri, SKOS.altLabel, RdfLiteral(old)))
            changed.add((iri, RDFS.label, RdfLiteral(known[iri])))
        if self.tracker:
            self.tracker.before_write(self.store, self.pipeline.minter.entities_graph, Graph(), changed)
        self.store.replace_graph(self.pipeline.minter.entities_graph, graph)

    def _ingest_in_parallel(self, paths: list[Path], names: list) -> Iterator[Outcome]:
        from ld.parallel import prepare_in_workers, stored_checksums

        checksums = {} if self.force else stored_checksums(self.store, self.pipeline.version)
        for prepared in prepare_in_workers(paths, jobs=self.jobs, base=self.pipeline.minter.base,
                                           max_bytes=self.pipeline.max_bytes, names=names, checksums=checksums,
                                           resolver=self.pipeline.resolver, dump_chunks=self.dump_feed is not None):
            if prepared.rejected is not None:
                yield Outcome(*prepared.rejected[:1], "rejected", reason=prepared.rejected[1])
                continue
            try:
                yield self._ingest_record(prepared.record, prepared)
            except RecordError as error:
                yield Outcome(error.source, "rejected", reason=error.reason)

    def _published_names(self) -> Iterator[tuple[str, str, str, str]]:
        """(kind, key, label, name) for every name of every entity in the store, so new variants join them."""
        minter = self.pipeline.minter
        for iri, label, name in self.store.entity_names():
            kind_key = minter.kind_and_key(str(iri))
            if kind_key:
                yield kind_key[0], kind_key[1], label, name

    def ingest_file(self, path: Path) -> Outcome:
        """Ingest one file; never raises for bad input (the Outcome says why it was rejected)."""
        try:
            record = self.pipeline.read(path)
            return self._ingest_record(record)
        except RecordError as error:
            return Outcome(error.source, "rejected", reason=error.reason)

    def _ingest_record(self, record: Record, prepared=None) -> Outcome:
        notices = list(record.notices)
        state = self._check_duplicate_id(record)  # a record with an ID: its IRI's state, read once
        doc = self._claim_key(record)
        if not record.record_id:
            state = self.store.record_state(doc)
        if (not self.force and state and state.checksum == record.checksum
                and state.mapper_version == self.pipeline.version):
            return Outcome(record.source, "unchanged", doc, notices=notices)
        key = self.pipeline.minter.kind_and_key(str(doc))[1]
        mapped, report = self._mapping(record, key, prepared)
        mapped, relabelled, labels = self._with_stored_labels(mapped)
        if relabelled or report is None:
            report = self.pipeline.validate(mapped)
        if not report.conforms:
            # what the text yielded must never block a record: publish it from its metadata alone
            plain = self.pipeline.map(record, key, extract=False)
            self._keep_stored_labels(plain.entities)
            plain_report = self.pipeline.validate(plain)
            if plain_report.conforms:
                reason = "; ".join(f.message for f in report.violations[:2])
                mapped, report = replace(plain, notices=(f"text extraction dropped: {reason}",)), plain_report
                labels = None  # of the other entities graph: the tracker reads these
        notices += mapped.notices
        if not report.conforms:
            reason = "; ".join(f.message for f in report.violations[:3])
            more = len(report.violations) - 3
            raise RecordError(record.source, f"SHACL violation: {reason}" + (f" (+{more} more)" if more > 0 else ""))
        warnings = [f.message for f in report.warnings]
        mapped = replace(mapped, graph=_with_warnings(mapped.graph, mapped.iri, warnings))
        if self.tracker:
            self.tracker.before_write(self.store, mapped.iri, mapped.graph, mapped.entities, labels)
        lines = triple_lines(mapped.graph)  # made once, for the store's request and the dump cache
        self.store.replace_record(mapped.iri, mapped.graph, mapped.entities, lines=lines)
        if self.dump_feed:
            self.dump_feed.written(mapped.iri, mapped.graph, prepared.chunk if prepared is not None else None,
                                   lines=lines)
        return Outcome(record.source, "ingested", mapped.iri, warnings=warnings, notices=notices)

    def _keep_stored_labels(self, entities: Graph) -> bool:
        """Entities keep their published label, except those the authority file names (its label wins). Returns
        whether a label changed."""
        return _keep_stored_labels(entities, self._kept_labels(EntityLabels.read(self.store, entities).stored))

    def _kept_labels(self, stored: dict[URIRef, str]) -> dict[URIRef, str]:
        """Of the labels the store gives entities, those they keep: all but the authority file's entities'."""
        known = self.pipeline.known
        return {iri: label for iri, label in stored.items() if iri not in known}

    def _with_stored_labels(self, mapped: MappedRecord) -> tuple[MappedRecord, bool, EntityLabels]:
        """``mapped`` with the entities' published labels kept (``_keep_stored_labels``), whether a label changed,
        and the entities' labels as they are then with what the store gives them (read once: the write tracker
        uses them too). A worker's read-only graphs (``LinesGraph``) become ordinary ones only when a label
        changes."""
        labels = EntityLabels.read(self.store, mapped.entities)
        stored = self._kept_labels(labels.stored)
        if not any(str(label) != stored[iri] for iri, label in labels.pairs if iri in stored):
            return mapped, False, labels
        if type(mapped.entities) is LinesGraph:
            mapped = replace(mapped, graph=mapped.graph.to_graph(), entities=mapped.entities.to_graph())
        relabelled = _keep_stored_labels(mapped.entities, stored)
        # the same entities have a label (another one): what the store gives them is as read
        return mapped, relabelled, EntityLabels.read(self.store, mapped.entities, labels.stored)

    def _mapping(self, record: Record, key: str, prepared) -> tuple[MappedRecord, Report | None]:
        """The record mapped under ``key``, with its report when a worker made both (``ld.parallel.Prepared``) under
        the same key and this process's resolver takes over the worker's answers (``Resolver.replay``): then the
        mapping is the one this process would make. Else mapped here, report None."""
        if prepared is not None and prepared.mapped is not None and prepared.key == key:
            if self.pipeline.resolver.replay(prepared.trace):
                return prepared.mapped, prepared.report
        return self.pipeline.map(record, key), None

    def _check_duplicate_id(self, record: Record) -> RecordState | None:
        """Two different files may not carry one record ID (in this run or in the store). Returns the stored state
        of the record's IRI (None without an ID, or when the IRI holds no record).

        A record ID fixes the record's IRI, so the check is whether that IRI already belongs to another file.
        """
        if not record.record_id:
            return None
        earlier = self._ids_this_run.setdefault(record.record_id, record.source)
        if earlier != record.source:
            raise RecordError(record.source, f"record ID {record.record_id} is already used by {earlier}")
        state = self.store.record_state(self.pipeline.minter.document(document_key(record)))
        if state and state.source_file != record.source:
            raise RecordError(record.source, f"record ID {record.record_id} is already used by {state.source_file}")
        return state

    def _claim_key(self, record: Record) -> URIRef:
        """The record's IRI; a date+title key already taken by another file gets a short hash of this file's name.

        A record without an ID keeps the IRI its file had before, so editing its title or date replaces its graph
        instead of publishing a second record.
        """
        minter = self.pipeline.minter
        key = document_key(record)
        doc = minter.document(key)
        if record.record_id:
            return doc
        previous = self.store.record_for_source(record.source)
        if previous is not None:
            return previous
        owner = self.store.record_state(doc)
        if owner is None or owner.source_file == record.source:
            return doc
        return minter.document(f"{key}-{short_hash(record.source)}")


def _keep_stored_labels(entities: Graph, stored: dict[URIRef, str]) -> bool:
    """An entity keeps the label it was first published with; another form this record prints becomes a variant.
    Returns whether anything changed."""
    changed = False
    for iri, label in stored.items():
        for ours in list(entities.objects(iri, RDFS.label)):
            if str(ours) != label:
                entities.remove((iri, RDFS.label, ours))
                entities.add((iri, SKOS.altLabel, ours))
                entities.add((iri, RDFS.label, RdfLiteral(label)))
                changed = True
    return changed


def _with_warnings(graph: Graph, doc: URIRef, warnings: list[str]) -> Graph:
    """``graph`` with the validation warnings stated on the record (a worker's ``LinesGraph`` is copied, as lines)."""
    if not warnings:
        return graph
    if type(graph) is LinesGraph:
        # sorted: the same lines in the same order in every process (ld.dump_feed compares a worker's by digest)
        return LinesGraph(graph.lines + sorted(triple_lines(_warnings_graph(doc, warnings))))
    graph += _warnings_graph(doc, warnings)
    return graph


def _warnings_graph(doc: URIRef, warnings: list[str]) -> Graph:
    graph = Graph()
    for message in dict.fromkeys(warnings):
        graph.add((doc, DOCKET.validationWarning, RdfLiteral(message)))
    return graph
