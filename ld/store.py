"""docket's triple store: one named graph per record, plus the entities and vocab graphs.

``Store`` is the interface the rest of docket uses. ``SparqlStore`` holds what every implementation shares, in SPARQL
text: writes are SPARQL 1.1 Update requests (``DROP SILENT GRAPH``, ``DELETE DATA``, ``INSERT DATA``, built by the
module-level functions below), one request per batch of records, buffering (``bulk_mode``) and the reads that are
plain SPARQL queries. ``OxigraphStore`` runs them on an embedded pyoxigraph (RocksDB) directory (with faster
quad-pattern reads where it has them); ``ld.remote_store.RemoteStore`` posts the same text to a SPARQL 1.1 endpoint.

Every write also replaces the store-wide change marker (one triple in the system graph ``{base}graph/state``, in the
same request): a reader that cannot watch files (a web server over a remote store) learns that the data changed from
one small query (``change_marker``).

Atomicity: pyoxigraph runs one ``update()`` request, all its operations together, as one RocksDB transaction, so
replacing a record (drop its graph, insert its triples, add its entity triples) is all-or-nothing, even when the
process is killed mid-write (tests/test_store.py kills a writer with SIGKILL to check). Committed writes are in the
RocksDB write-ahead log, which survives a process crash; it is not fsynced per commit, so an OS crash or power loss
can lose the last commits (never leaving a half record).

Literals: Oxigraph stores valid typed literals in canonical form ("007"^^xsd:integer reads back as "7",
"...T00:00:00.000" as "...T00:00:00") and lower-cases language tags ("en-GB" reads back as "en-gb").
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import DCTERMS, RDFS, XSD, BNode, Graph, Literal, URIRef

from ld import changes as change_log
from ld.errors import NotFound, QueryRejected, StoreError
from ld.iris import Minter
from ld.oxopen import open_read_only
from ld.terms import is_iri, is_literal, own_subject_index, pairs_of, to_rdflib, triples_of
from ld.namespaces import DOCKET

# One record as the store takes it: (record IRI, the record's own triples, its entity-description triples).
RecordWrite = tuple[URIRef, Graph, Graph]


@dataclass(frozen=True)
class RecordState:
    """Ingest bookkeeping of a stored record, read from its own graph (see docs/MAPPING.md)."""

    source_file: str | None
    checksum: str | None
    mapper_version: str | None
    modified: datetime | None


def record_token_text(modified: str, checksum: str | None) -> str:
    """A record's token (``Store.record_token``) from its ``dcterms:modified`` and source checksum, as text."""
    return f"{modified}/{checksum or ''}"


class Store(ABC):
    """What docket needs from a quad store. Writes replace whole graphs; reads see only committed data."""

    entities_graph: URIRef

    @abstractmethod
    def record_state(self, doc: URIRef) -> RecordState | None:
        """The bookkeeping of record ``doc``, or None when the store has no graph ``doc``."""

    def record_token(self, doc: URIRef) -> str | None:
        """What changes with every write of record ``doc`` (its ``dcterms:modified`` and source checksum), for
        cache keys; None when there is no such record. Read on every request for a record, so stores override it
        with their cheapest lookup."""
        state = self.record_state(doc)
        if state is None or state.modified is None:
            return None
        return record_token_text(state.modified.isoformat(), state.checksum)

    @abstractmethod
    def record_for_source(self, source_file: str) -> URIRef | None:
        """The record whose ``docket:sourceFile`` is ``source_file``, if any."""

    @abstractmethod
    def entity_labels(self, entities: Iterable[URIRef]) -> dict[URIRef, str]:
        """The ``rdfs:label`` the entities graph already gives each of ``entities`` (absent ones left out)."""

    @abstractmethod
    def entity_names(self) -> Iterator[tuple[URIRef, str, str]]:
        """(entity, its rdfs:label, one of its names) for every label and variant in the entities graph."""

    @abstractmethod
    def replace_record(self, doc: URIRef, record: Graph, entities: Graph, *, lines: list[str] | None = None) -> None:
        """Atomically make graph ``doc`` hold exactly ``record`` and add ``entities`` to the entities graph.
        ``lines``: the record's ``triple_lines`` when the caller has them already (not made again)."""

    @abstractmethod
    def replace_records(self, writes: Iterable[RecordWrite]) -> None:
        """``replace_record`` for many records in one atomic write."""

    @abstractmethod
    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Atomically make graph ``name`` hold exactly ``graph`` (used for the vocab graph)."""

    @abstractmethod
    def record_graph(self, doc: URIRef) -> Graph:
        """The triples of record ``doc``; raises NotFound when there are none."""

    @abstractmethod
    def graph(self, name: URIRef) -> Graph:
        """The triples of any named graph (e.g. the entities graph); empty when there are none."""

    @abstractmethod
    def records(self) -> Iterator[URIRef]:
        """The names of all record graphs (the named graphs under ``{base}id/document/``)."""

    @abstractmethod
    def count_records(self) -> int:
        """How many record graphs the store holds."""

    @abstractmethod
    def delete_record(self, doc: URIRef) -> list[URIRef]:
        """Atomically withdraw record ``doc``: its graph, the entities only it mentioned, with tombstones and Delete
        activities in the changes graph (``ld.changes``). Returns the entities removed; NotFound if no such record."""

    @abstractmethod
    def query(self, sparql: str, *, use_default_graph_as_union: bool = True):
        """Run a SPARQL 1.1 query (never an update); the default graph is the union of all graphs unless told."""

    @abstractmethod
    def change_marker(self) -> str | None:
        """A text that changes with every write to the store (None before the first): ``"{time} {random}"``."""

    @abstractmethod
    def close(self) -> None:
        """Commit anything pending and release the store."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


# --- rdflib -> SPARQL Update text -----------------------------------------------------------------------------------

# Characters an IRIREF may not contain (SPARQL 1.1 grammar); checking them also keeps an IRI from ending the term early.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*")
_XSD_STRING = str(XSD.string)


# IRI -> checked "<IRI>" text. Subjects, predicates and classes repeat across triples and records, so caching the
# check roughly halves the cost of converting a record. Cleared when large, to bound memory: most entries are a
# record's own node IRIs (annotations, spans, copies), used in that record only, so a long ingest fills any bound;
# 500,000 entries held about 120 MiB in every ingest process, 50,000 hold about 12, and refilling costs a regex
# search per IRI after each clearing (every few hundred records).
_IRI_TEXT: dict[str, str] = {}
_MAX_IRI_CACHE = 50_000


def _iri(term: str) -> str:
    text = _IRI_TEXT.get(term)
    if text is None:
        if _BAD_IRI.search(term):
            raise ValueError(f"not a valid IRI: {term!r}")
        if len(_IRI_TEXT) >= _MAX_IRI_CACHE:
            _IRI_TEXT.clear()
        text = _IRI_TEXT[term] = f"<{term}>"
    return text


# Escapes exactly as Oxigraph prints literals, so that a triple read back from the store and the same triple built
# here are the same text (replace_records diffs on that text).
_ESCAPES = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_ESCAPES.update({ord("\b"): "\\b", ord("\t"): "\\t", ord("\n"): "\\n", ord("\f"): "\\f", ord("\r"): "\\r",
                 ord('"'): '\\"', ord("\\"): "\\\\"})


# str.translate looks every character up in _ESCAPES (~30 ns a character): a record's text, thousands of characters
# with a few dozen line breaks, cost 0.1 ms a record. Most literals need no escape at all; the others get the common
# escapes by str.replace (each a pass in C) and the table only for the rare other control characters.
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_COMMON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"),
                   ("\f", "\\f"))  # the backslash first: the others add backslashes that must stay single
_CONTROL_ESCAPES = {c: text for c, text in _ESCAPES.items() if c < 0x20 and chr(c) not in "\b\t\n\f\r" or c == 0x7F}
_OTHER_CONTROLS = re.compile("[" + "".join(f"\\x{c:02x}" for c in _CONTROL_ESCAPES) + "]")


def _quoted(text: str) -> str:
    if _NEEDS_ESCAPE.search(text) is not None:
        for char, escaped in _COMMON_ESCAPES:
            if char in text:
                text = text.replace(char, escaped)
        if _OTHER_CONTROLS.search(text) is not None:
            text = text.translate(_CONTROL_ESCAPES)
    return f'"{text}"'


def term_text(term) -> str:
    """``term`` as SPARQL/N-Triples text. Raises ValueError for blank nodes and invalid IRIs or language tags."""
    if is_iri(term):
        return _iri(term)
    if is_literal(term):
        if term.language:
            if not _LANGUAGE_TAG.fullmatch(term.language):
                raise ValueError(f"not a valid language tag: {term.language!r}")
            # Language tags are case-insensitive; Oxigraph keeps them lower-cased, so write them that way.
            return f"{_quoted(str(term))}@{term.language.lower()}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{_quoted(str(term))}^^{_iri(term.datatype)}"
        return _quoted(str(term))
    if isinstance(term, BNode):
        raise ValueError(f"blank node {term.n3()} in data for the store; docket publishes no blank nodes")
    raise ValueError(f"unsupported RDF term {term!r}")


def triple_lines(graph: Graph) -> list[str]:
    """One N-Triples line (no newline) per triple of ``graph`` (a ``LinesGraph`` has them already), in the order
    ``triples_of`` gives the triples."""
    if type(graph) is LinesGraph:
        return graph.lines
    spo = own_subject_index(graph)
    if spo is None:
        return [f"{term_text(s)} {term_text(p)} {term_text(o)} ." for s, p, o in triples_of(graph)]
    # Read from the subject index (as triples_of does): the text of a subject and of a predicate is made once for
    # all their triples, and an IRI object is looked up in the cache directly (a record's triples are mostly
    # IRIs: a call less each).
    lines: list[str] = []
    append, cached = lines.append, _IRI_TEXT.get
    for s, by_p in spo.items():
        subject = term_text(s) + " "
        for p, objects in by_p.items():
            head = subject + term_text(p) + " "
            for o in objects:
                text = cached(o) if type(o) is URIRef else None
                append(f"{head}{term_text(o) if text is None else text} .")
    return lines


class LinesGraph(Graph):
    """A read-only graph held as its ``triple_lines``: what a parallel ingest's worker sends its parent.

    Unpickling a record's rdflib graph (a few hundred triples) costs the parent more than the worker took to map it
    (~6-15 ms: every term is built and validated again, every index filled); these lines unpickle in ~0.2 ms, and
    the store writes them as they are. The few lookups the parent makes (labels, bookkeeping values, linked IRIs)
    read the lines, building rdflib terms only for the triples that match. ``to_graph`` gives an ordinary graph
    when one is to be changed or validated. Changing a LinesGraph raises TypeError."""

    def __init__(self, lines: Iterable[str], index: dict[str, list[tuple[str, str]]] | None = None):
        super().__init__()
        self.lines = list(lines)
        self._index = index  # predicate -> (subject, object), as text: built on first use, or sent along

    def __reduce__(self):
        # the index goes along: splitting a record's lines costs the receiver ~1 ms, unpickling it ~0.2 ms
        return LinesGraph, (self.lines, self._rows())

    def __len__(self) -> int:
        return len(self.lines)

    def _rows(self) -> dict[str, list[tuple[str, str]]]:
        if self._index is None:
            self._index = {}
            for line in self.lines:
                # term_text writes IRIs without spaces and no blank nodes: subject and predicate end at the first spaces
                subject, predicate, obj = line[:-2].split(" ", 2)
                self._index.setdefault(predicate, []).append((subject, obj))
        return self._index

    def _matching(self, s, p, o) -> Iterator[tuple[str, str, str]]:
        """The lines matching the ``(s, p, o)`` pattern (rdflib terms, None for any) as (subject, predicate,
        object) text."""
        s, p, o = (None if term is None else term_text(term) for term in (s, p, o))
        index = self._rows()
        for predicate in index if p is None else (p,):
            for subject, obj in index.get(predicate, ()):
                if (s is None or subject == s) and (o is None or obj == o):
                    yield subject, predicate, obj

    def triples(self, triple):
        """The triples matching the ``(s, p, o)`` pattern (None for any), as rdflib terms."""
        for subject, predicate, obj in self._matching(*triple):
            yield text_term(subject), text_term(predicate), text_term(obj)

    # rdflib's subjects/objects/subject_objects go through ``triples``, building all three terms of every match: a
    # record's literals cost the parent more than all else it does with the record (building a Literal is ~10 us).
    # These build only the terms asked for, and keep rdflib's signatures (lists and paths go the generic way).

    def subjects(self, predicate=None, object=None, unique=False):
        if not (_plain(predicate) and _plain(object)):
            yield from super().subjects(predicate, object, unique)
            return
        yield from self._terms(0, (None, predicate, object), unique)

    def objects(self, subject=None, predicate=None, unique=False):
        if not (_plain(subject) and _plain(predicate)):
            yield from super().objects(subject, predicate, unique)
            return
        yield from self._terms(2, (subject, predicate, None), unique)

    def subject_objects(self, predicate=None, unique=False):
        if not _plain(predicate):
            yield from super().subject_objects(predicate, unique)
            return
        seen = set()
        for subject, _, obj in self._matching(None, predicate, None):
            if unique:
                if (subject, obj) in seen:
                    continue
                seen.add((subject, obj))
            yield text_term(subject), text_term(obj)

    def _terms(self, position: int, pattern, unique: bool):
        seen = set()
        for match in self._matching(*pattern):
            text = match[position]
            if unique:
                if text in seen:
                    continue
                seen.add(text)
            yield text_term(text)

    def iri_objects(self) -> set[str]:
        """The IRIs in object position (what the record links to), without building terms."""
        return {obj[1:-1] for rows in self._rows().values() for _, obj in rows if obj[0] == "<"}

    def to_graph(self) -> Graph:
        """An ordinary (changeable) rdflib graph with the same triples."""
        graph = Graph()
        for triple in self.triples((None, None, None)):
            graph.add(triple)
        return graph

    def add(self, triple):
        raise TypeError("a LinesGraph is read-only (to_graph gives a copy to change)")

    addN = remove = add  # noqa: N815 - rdflib's names


def _plain(term) -> bool:
    """Whether ``term`` is a pattern position LinesGraph matches as text: None or an RDF term (not a path, a list)."""
    return term is None or isinstance(term, (URIRef, Literal, BNode))


_UNESCAPE = re.compile(r'\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[btnfr"\\])')
_UNESCAPED = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


def _unescape(match: re.Match) -> str:
    code = match.group(1)
    return chr(int(code[1:], 16)) if len(code) > 1 else _UNESCAPED[code]


# term text -> rdflib term, for text_term: the same IRIs (predicates, classes, entities) recur in every record, and
# so do the entity labels a parallel ingest's parent reads (LinesGraph builds only the terms a lookup asks for, so
# the one-off literals of record texts rarely come here). Cleared when large, to bound memory.
_TERMS: dict[str, URIRef | Literal] = {}
_MAX_TERMS = 200_000


def text_term(text: str) -> URIRef | Literal:
    """The rdflib term for one term of a ``triple_lines`` line (the inverse of ``term_text``)."""
    term = _TERMS.get(text)
    if term is None:
        if len(_TERMS) >= _MAX_TERMS:
            _TERMS.clear()
        term = _TERMS[text] = URIRef(text[1:-1]) if text[0] == "<" else _literal(text)
    return term


def _literal(text: str) -> Literal:
    end = text.rindex('"')
    lexical = text[1:end]
    if "\\" in lexical:
        lexical = _UNESCAPE.sub(_unescape, lexical)
    suffix = text[end + 1:]
    if suffix.startswith("@"):
        return Literal(lexical, lang=suffix[1:])
    if suffix.startswith("^^"):
        return Literal(lexical, datatype=URIRef(suffix[3:-1]))
    return Literal(lexical)


def linked_iris(graph: Graph) -> set[str]:
    """The IRIs ``graph`` has in object position."""
    if type(graph) is LinesGraph:
        return graph.iri_objects()
    # graph.objects(): ~4x dearer
    spo = own_subject_index(graph)
    objects = (o for _, _, o in triples_of(graph)) if spo is None else \
        (o for by_p in spo.values() for os in by_p.values() for o in os)
    return {str(o) for o in objects if is_iri(o)}


def graph_block(name: URIRef, lines: Iterable[str]) -> str:
    """A ``GRAPH <name> { ... }`` block for ``INSERT DATA``."""
    return f"GRAPH {_iri(name)} {{\n" + "\n".join(lines) + "\n}"


def update_request(*, drops: Iterable[URIRef] = (), empties: Iterable[URIRef] = (), deletes: Iterable[str] = (),
                   inserts: Iterable[str] = ()) -> str:
    """One SPARQL Update request: ``DROP SILENT GRAPH`` each of ``drops``, then empty each of ``empties`` (its
    triples deleted, its name possibly left), then ``DELETE DATA`` the ``deletes`` blocks, then ``INSERT DATA`` the
    ``inserts`` blocks (``graph_block`` text). Oxigraph runs it as one transaction.

    Prefer ``empties`` for a graph the request fills again: a DROP anywhere in a request makes Oxigraph 0.5 insert
    every quad of the request about half as dear again (measured: ~45 against ~30 us a quad), a DELETE WHERE not."""
    parts = [f"DROP SILENT GRAPH {_iri(name)} ;" for name in drops]
    parts += [f"DELETE WHERE {{ GRAPH {_iri(name)} {{ ?s ?p ?o }} }} ;" for name in empties]
    for operation, blocks in (("DELETE DATA", list(deletes)), ("INSERT DATA", list(inserts))):
        if blocks:
            parts.append(f"{operation} {{\n" + "\n".join(blocks) + "\n} ;")
    return "\n".join(parts).removesuffix(" ;")


# --- Oxigraph -> rdflib ----------------------------------------------------------------------------------------------


def _parse_datetime(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


# --- what both stores share --------------------------------------------------------------------------------------


class _Pending:
    """Record writes buffered by ``SparqlStore.bulk_mode``, indexed so duplicate checks can see them."""

    def __init__(self) -> None:
        self.writes: dict[URIRef, tuple[Graph, Graph]] = {}
        self.by_source: dict[str, URIRef] = {}
        self.labels: dict[URIRef, str] = {}  # entity -> the first rdfs:label buffered for it
        self.lines: dict[URIRef, list[str]] = {}  # record -> its triple_lines, where the writer gave them

    def add(self, doc: URIRef, record: Graph, entities: Graph, lines: list[str] | None = None) -> None:
        self.writes[doc] = (record, entities)  # a later write of the same record replaces the earlier one
        if lines is None:
            self.lines.pop(doc, None)
        else:
            self.lines[doc] = lines
        for entity, label in pairs_of(entities, _LABEL):
            self.labels.setdefault(entity if type(entity) is URIRef else URIRef(entity), str(label))
        for source in record.objects(doc, _SOURCE_FILE):
            self.by_source[str(source)] = doc

    def take(self) -> list[RecordWrite]:
        writes = [(doc, record, entities) for doc, (record, entities) in self.writes.items()]
        self.__init__()
        return writes


class SparqlStore(Store):
    """The logic every store shares, written once in SPARQL: writes as one SPARQL Update request per batch, bulk
    buffering, the change marker, and reads as SPARQL queries over named graphs (never the default graph, whose
    meaning differs between stores). Subclasses supply ``_select`` (a SELECT or CONSTRUCT, answered as pyoxigraph
    terms), ``_update`` (one request, run atomically) and ``_stored_lines``, and may override reads they can answer
    faster."""

    # Entity triples already committed by this instance, as N-Triples lines: re-sending them costs a store lookup per
    # triple for nothing, and the same people recur across thousands of records. Bounded so memory stays small.
    _MAX_KNOWN_ENTITY_LINES = 2_000_000
    # Bulk mode: entity labels already asked of the store this run (a label is one entry, not one line per triple).
    _MAX_STORED_LABELS = 200_000

    def __init__(self, *, entities_graph: URIRef, read_only: bool = False, system_graph_prefix: str | None = None):
        """Graphs named under ``system_graph_prefix`` (by default the entities graph's parent, ``{base}graph/``) are
        system graphs (entities, vocab, state); record graphs are those named under ``{base}id/document/``. Other
        graphs (a shared endpoint holds other data too) are not docket's."""
        self.entities_graph = URIRef(entities_graph)
        self.read_only = read_only
        self._system_prefix = system_graph_prefix or str(entities_graph).rsplit("/", 1)[0] + "/"
        self._record_prefix = self._system_prefix.removesuffix("graph/") + "id/document/"
        self.state_graph = URIRef(self._system_prefix + "state")
        self.changes_graph = change_log.changes_graph_of(self._system_prefix)
        self._known_entity_lines: set[str] = set()
        # bulk mode: entity -> the rdfs:label the store gave it when asked. This process is the only writer and entity
        # labels are kept once published (ld.ingest), so an answer holds for the run: an ingest asks about the same
        # people for thousands of records (two queries a record). Dropped by writes that replace or remove labels.
        # None: the store had no label for it; that holds until a batch giving it one commits (``_labels_committed``),
        # and meanwhile the buffered batches answer (most entities of a fresh ingest are new: without this, every
        # record asked the store about them twice, for nothing).
        self._stored_labels: dict[URIRef, str | None] | None = None
        self._pending: _Pending | None = None
        self._bulk_size = 0
        # bulk mode: the batch being written by a background thread (its write releases the GIL, so the next batch
        # is prepared meanwhile); lookups see it until it is committed, every other read waits for it
        self._in_flight: tuple[_Pending, Future, list[str]] | None = None
        self._writer: ThreadPoolExecutor | None = None
        self._write_lock = threading.RLock()

    # -- what a subclass supplies --

    @abstractmethod
    def _select(self, sparql: str):
        """Run a query of docket's own (named graphs only); pyoxigraph solutions or triples."""

    @abstractmethod
    def _update(self, text: str) -> None:
        """Run one SPARQL Update request, all of it or nothing."""

    @abstractmethod
    def _stored_lines(self, doc: URIRef) -> set[str] | None:
        """The stored triples of graph ``doc`` as N-Triples lines exactly as ``triple_lines`` writes them (empty for
        no graph), or None when the store cannot promise that form: the graph is then replaced whole."""

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")

    # -- reads --

    def record_state(self, doc: URIRef) -> RecordState | None:
        """The bookkeeping of record ``doc`` (pending bulk writes included), or None when there is no such record."""
        buffered = self._buffered(lambda batch: batch.writes.get(doc))
        if buffered is not None:
            record = buffered[0]
            if not record:  # a buffered removal
                return None
            values = {p: record.value(doc, p) for p in _STATE_PREDICATES}
        else:
            values = self._stored_state(URIRef(_checked_iri(doc)))
            if values is None:
                return None
        text = {p: None if v is None else str(v) for p, v in values.items()}
        return RecordState(
            source_file=text.get(DOCKET.sourceFile),
            checksum=text.get(DOCKET.sourceChecksum),
            mapper_version=text.get(DOCKET.mapperVersion),
            modified=_parse_datetime(text.get(DCTERMS.modified)),
        )

    def _stored_state(self, doc: URIRef) -> dict | None:
        # One row per value; OPTIONALs so a graph without bookkeeping still says it exists (a row of unbound values).
        names = {f"v{i}": p for i, p in enumerate(_STATE_PREDICATES)}
        optionals = " ".join(f"OPTIONAL {{ {_iri(doc)} {_iri(p)} ?{v} }}" for v, p in names.items())
        query = f"SELECT * WHERE {{ GRAPH {_iri(doc)} {{ {{ SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 }} {optionals} }} }}"
        rows = list(self._select(query))
        if not rows:
            return None
        values: dict = {}
        for row in rows:
            for v, p in names.items():
                if row[v] is not None:
                    values.setdefault(p, row[v].value)
        return values

    def record_for_source(self, source_file: str) -> URIRef | None:
        """The record whose ``docket:sourceFile`` is ``source_file`` (pending bulk writes first), if any."""
        buffered = self._buffered(lambda batch: batch.by_source.get(source_file))
        return buffered if buffered is not None else self._record_with(DOCKET.sourceFile, source_file)

    def _record_with(self, predicate: URIRef, value: str) -> URIRef | None:
        # A record states its bookkeeping on its own IRI in its own graph: subject == graph name.
        query = (f"SELECT ?g WHERE {{ GRAPH ?g {{ ?g {_iri(predicate)} {_quoted(value)} }} "
                 f"FILTER(STRSTARTS(STR(?g), {_quoted(self._record_prefix)})) }} LIMIT 1")
        for row in self._select(query):
            return URIRef(row["g"].value)
        return None

    def entity_names(self) -> Iterator[tuple[URIRef, str, str]]:
        """(entity, its rdfs:label, one of its names) for every label and variant in the entities graph."""
        self._flush_pending()
        query = (f"SELECT ?e ?label ?name WHERE {{ GRAPH <{self.entities_graph}> {{ ?e <{RDFS.label}> ?label . "
                 f"{{ ?e <{RDFS.label}> ?name }} UNION {{ ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?name }} }} }}")
        for solution in self._select(query):
            yield URIRef(solution["e"].value), solution["label"].value, solution["name"].value

    def entity_labels(self, entities: Iterable[URIRef]) -> dict[URIRef, str]:
        """The ``rdfs:label`` the entities graph already gives each of ``entities`` (pending bulk writes included)."""
        # URIRef() of a URIRef checks its every character again (~2 us): the ingest asks about dozens a record
        wanted = [e if type(e) is URIRef else URIRef(e) for e in entities]
        if not wanted:
            return {}
        found: dict[URIRef, str] = {}
        asked: dict[URIRef, None] = {}  # an ordered set: what neither the buffers nor the memo answer
        memo = self._stored_labels if self._stored_labels is not None else {}
        batches = [batch.labels for batch in self._live_batches()]
        for iri in wanted:
            label = None
            for labels in batches:  # the buffered batch, then the one being written
                label = labels.get(iri)
                if label is not None:
                    break
            if label is None and iri in memo:
                label = memo[iri]
                if label is None:  # the store had none when asked, and no committed write gave it one since
                    continue
            if label is not None:
                found[iri] = label
            else:
                asked[iri] = None
        if asked:
            for iri, label in self._stored_entity_labels(list(asked)).items():
                found.setdefault(iri, label)
            if self._stored_labels is not None:
                if len(self._stored_labels) > self._MAX_STORED_LABELS:
                    self._stored_labels.clear()
                for iri in asked:
                    self._stored_labels.setdefault(iri, found.get(iri))
        return found

    def _stored_entity_labels(self, entities: list[URIRef]) -> dict[URIRef, str]:
        """The ``rdfs:label`` the committed entities graph gives each of ``entities`` (the first listed, where it
        gives several; absent ones left out)."""
        values = " ".join(f"<{_checked_iri(e)}>" for e in entities)
        query = (f"SELECT ?e ?label WHERE {{ VALUES ?e {{ {values} }} "
                 f"GRAPH <{self.entities_graph}> {{ ?e <{RDFS.label}> ?label }} }}")
        found: dict[URIRef, str] = {}
        for solution in self._select(query):
            found.setdefault(URIRef(solution["e"].value), solution["label"].value)
        return found

    def record_graph(self, doc: URIRef) -> Graph:
        """The triples of record ``doc`` as a new rdflib Graph; raises NotFound when the store has none."""
        graph = self.graph(doc)
        if not graph:
            raise NotFound(f"no record graph {doc}")
        return graph

    def graph(self, name: URIRef) -> Graph:
        """The triples of named graph ``name`` as a new rdflib Graph (empty when there are none)."""
        self._flush_pending()
        graph = Graph()
        add = graph.add
        for triple in self._select(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_iri(name)} {{ ?s ?p ?o }} }}"):
            add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def records(self) -> Iterator[URIRef]:
        """The names of all record graphs (a record graph describes the record it is named after)."""
        self._flush_pending()
        query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g ?p ?o }} "
                 f"FILTER(STRSTARTS(STR(?g), {_quoted(self._record_prefix)})) }}")
        for row in self._select(query):
            yield URIRef(row["g"].value)

    def count_records(self) -> int:
        """How many record graphs the store holds."""
        return sum(1 for _ in self.records())

    def change_marker(self) -> str | None:
        """The change marker the last write left (None before the first write)."""
        self._flush_pending()
        query = f"SELECT ?m WHERE {{ GRAPH {_iri(self.state_graph)} {{ {_iri(self.state_graph)} {_iri(_CHANGED)} ?m }} }}"
        for row in self._select(query):
            return row["m"].value
        return None

    # -- writes --

    def replace_record(self, doc: URIRef, record: Graph, entities: Graph, *, lines: list[str] | None = None) -> None:
        """Replace graph ``doc`` with ``record`` and add ``entities`` to the entities graph, all in one transaction.
        In bulk mode the write is buffered and committed with its batch (still all-or-nothing per record).
        ``lines``: the record's ``triple_lines`` when the caller has them already (ingest shares them with the dump
        cache, ``ld.dump_feed``: ~0.6 ms a record not spent twice). Raises ValueError for blank nodes or invalid
        IRIs, StoreError when the store fails."""
        self._check_writable()
        if self._pending is not None:
            _checked_iri(doc)
            self._pending.add(URIRef(doc), record, entities, lines)
            if len(self._pending.writes) >= self._bulk_size:
                self._flush_pending(wait=False)
            return
        self._replace_records([(doc, record, entities)], {URIRef(doc): lines} if lines is not None else {})

    def replace_records(self, writes: Iterable[RecordWrite]) -> None:
        """Replace many records in one update request: either all of them are written or none.

        Where the store can list a graph as ``triple_lines`` writes it (``_stored_lines``), only the difference is
        sent: the request deletes the stored triples a record no longer has and inserts the new ones (removing and
        inserting a quad costs about 25 us each in Oxigraph, and a re-ingested record mostly repeats itself).
        Otherwise the record's graph is dropped and inserted whole, in the same request. A thread lock guards
        read-diff-write; one writer per store is docket's rule (``docket ingest``)."""
        self._replace_records(list(writes), {})

    def _replace_records(self, writes: list[RecordWrite], lines: dict[URIRef, list[str]]) -> None:
        self._check_writable()
        with self._write_lock:
            text, entity_lines = self._records_request(writes, lines)
            if text:
                self._update(text)
            self._remember_entity_lines(entity_lines)
            self._labels_committed(entity for _, _, entities in writes for entity in entities.subjects(RDFS.label))

    def _records_request(self, writes: Iterable[RecordWrite],
                         lines: dict[URIRef, list[str]]) -> tuple[str | None, list[str]]:
        """The update request replacing ``writes`` (None when nothing changes) and the entity lines it inserts;
        ``lines`` holds the ``triple_lines`` of the records whose writer gave them (of their last write)."""
        records, entity_graphs = _merge_writes(writes)
        if not records:
            return None, []
        drops, deletes, inserts, logged = [], [], [], []
        for doc, record in records.items():
            given = lines.get(doc)
            new = dict.fromkeys(triple_lines(record) if given is None else given)
            if not new:  # DELETE DATA would leave an empty named graph behind; DROP removes the name too
                drops.append(doc)
                continue
            old = self._stored_lines(doc)  # a set; empty (and cheap) for a new record
            if old is None:
                drops.append(doc)
                inserts.append(graph_block(doc, new))
                logged += self._logged(doc, record, None)
                continue
            if removed := [line for line in old if line not in new]:
                deletes.append(graph_block(doc, removed))
            if added := [line for line in new if line not in old]:
                inserts.append(graph_block(doc, added))
            if removed or added:
                logged += self._logged(doc, record, bool(old))
        entity_lines = self._new_entity_lines(entity_graphs)
        if entity_lines:
            inserts.append(graph_block(self.entities_graph, entity_lines))
        # The change log goes in the same request as the data (ld.changes); a record or entity written again
        # after its withdrawal loses its tombstone.
        deletes += self._tombstones_undone(records, entity_lines)
        if logged:
            inserts.append(graph_block(self.changes_graph, logged))
        if drops or deletes or inserts:
            return self._request(drops, deletes, inserts), entity_lines
        return None, entity_lines

    def delete_record(self, doc: URIRef) -> list[URIRef]:
        """Withdraw record ``doc`` in one update request (``ld.changes.deletion`` plans it)."""
        self._check_writable()
        self._flush_pending()
        with self._write_lock:
            plan = change_log.deletion(self, _checked_iri(doc), entities_graph=str(self.entities_graph),
                                       system_prefix=self._system_prefix)
            self._write(plan.drops, plan.deletes, plan.inserts)
            self._known_entity_lines.difference_update(plan.entity_lines)  # so they are written if they come back
            if self._stored_labels is not None:
                self._stored_labels.clear()
        return [URIRef(e) for e in plan.entities]

    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Replace graph ``name`` with ``graph`` in one transaction (the vocab graph, or the entities graph)."""
        self._check_writable()
        self._flush_pending()
        lines = triple_lines(graph)
        with self._write_lock:
            # Every ingest run refreshes the vocab graph; when it is unchanged, writing it again would be a commit
            # (and every serving worker would reopen its store for nothing).
            stored = self._stored_lines(URIRef(name))
            if stored is None:
                stored = {f"{term_text(s)} {term_text(p)} {term_text(o)} ." for s, p, o in self.graph(URIRef(name))}
            if stored == set(lines):
                return
            self._update(self._request([name], [], [graph_block(name, lines)] if lines else []))
            if URIRef(name) == self.entities_graph:
                self._known_entity_lines = set(lines)
                if self._stored_labels is not None:
                    self._stored_labels.clear()

    def _write(self, drops: list, deletes: list[str], inserts: list[str]) -> None:
        self._update(self._request(drops, deletes, inserts))

    def _request(self, drops: list, deletes: list[str], inserts: list[str]) -> str:
        # Every write replaces the change marker, in the same request as the data it marks.
        marker = f"{time.time():.6f} {secrets.token_hex(4)}"
        block = graph_block(self.state_graph, [f"{_iri(self.state_graph)} {_iri(_CHANGED)} {_quoted(marker)} ."])
        return update_request(drops=drops, empties=[self.state_graph], deletes=deletes, inserts=[*inserts, block])

    @contextmanager
    def bulk_mode(self, batch_size: int = 100) -> Iterator[SparqlStore]:
        """Buffer ``replace_record`` calls and commit them ``batch_size`` at a time, one transaction per batch.

        A full batch is written by a background thread while the next one fills (the write releases the GIL); one
        batch is in flight at most, and batches commit in order. Each record is still all-or-nothing; a crash loses
        at most the batch being written and the one being filled. Duplicate lookups (``record_for_source``,
        ``record_state``, ``entity_labels``) see buffered and in-flight records; other reads wait for them to be
        committed. On a normal exit the rest is committed; when an exception escapes, the batch in flight is let
        finish (it is complete) and the buffer is dropped.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._check_writable()
        if self._pending is not None:
            raise StoreError("bulk mode is already on")
        self._pending, self._bulk_size, self._stored_labels = _Pending(), batch_size, {}
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="docket-store-writer")
        try:
            yield self
            self._flush_pending()
        finally:
            try:
                self._wait_in_flight()  # a batch handed to the writer is complete: let it commit
            finally:
                self._pending = self._stored_labels = None
                self._writer.shutdown()
                self._writer = None

    # -- helpers --

    def _flush_pending(self, *, wait: bool = True) -> None:
        """Write the buffered batch: in the background when ``wait`` is False (one batch in flight at most, in
        order), else before returning, so that a read sees everything written so far."""
        if self._pending is not None and self._pending.writes:
            self._wait_in_flight()  # the diff below reads the stored graphs: the batch before must be in
            batch = _Pending()
            batch.writes, batch.by_source, batch.labels = (self._pending.writes, self._pending.by_source,
                                                           self._pending.labels)
            lines = self._pending.lines
            writes = self._pending.take()
            with self._write_lock:
                text, entity_lines = self._records_request(writes, lines)
            if text:
                self._in_flight = (batch, self._writer.submit(self._update, text), entity_lines)
            else:
                self._remember_entity_lines(entity_lines)
                self._labels_committed(batch.labels)
        if wait:
            self._wait_in_flight()

    def _wait_in_flight(self) -> None:
        if self._in_flight is None:
            return
        batch, future, entity_lines = self._in_flight
        try:
            future.result()  # a failed write raises here, in the caller's thread
            self._remember_entity_lines(entity_lines)
            self._labels_committed(batch.labels)
        finally:
            self._in_flight = None

    def _labels_committed(self, entities: Iterable[URIRef]) -> None:
        """``entities`` have a label in the store now (a committed write gave them one): the bulk-mode memo's
        "none" no longer holds for them (the next lookup asks the store, once)."""
        memo = self._stored_labels
        if memo:
            for iri in entities:
                if iri in memo and memo[iri] is None:
                    del memo[iri]

    def _live_batches(self) -> list[_Pending]:
        """Bulk mode's batches not yet committed: the one being filled, then the one being written."""
        return [batch for batch in (self._pending, self._in_flight[0] if self._in_flight else None) if batch]

    def _buffered(self, lookup):
        """``lookup`` in the buffered batch, then in the batch being written; None when neither has it."""
        for batch in self._live_batches():
            found = lookup(batch)
            if found is not None:
                return found
        return None

    def _logged(self, doc: URIRef, record: Graph, existed: bool | None) -> list[str]:
        # existed is None when the store cannot diff: it is then asked whether the record was there.
        if existed is None:
            existed = self.record_state(doc) is not None
        kind = change_log.UPDATE if existed else change_log.CREATE
        return change_log.activity_lines(self.changes_graph, kind, doc, change_log.record_time(doc, record))

    def _tombstones_undone(self, records: dict[URIRef, Graph], entity_lines: list[str]) -> list[str]:
        things = {str(doc) for doc in records} | {line.split(" ", 1)[0][1:-1] for line in entity_lines}
        lines = change_log.tombstone_cleanup_lines(self, self.changes_graph, sorted(things))
        return [graph_block(self.changes_graph, lines)] if lines else []

    def _new_entity_lines(self, graphs: Iterable[Graph]) -> list[str]:
        seen = self._known_entity_lines
        fresh: dict[str, None] = {}  # ordered set: also removes repeats across the records of one batch
        for graph in graphs:
            for line in triple_lines(graph):
                if line not in seen:
                    fresh[line] = None
        return list(fresh)

    def _remember_entity_lines(self, lines: list[str]) -> None:
        if len(self._known_entity_lines) + len(lines) > self._MAX_KNOWN_ENTITY_LINES:
            self._known_entity_lines.clear()
        self._known_entity_lines.update(lines)


# --- the embedded store ----------------------------------------------------------------------------------------------


class OxigraphStore(SparqlStore):
    """The embedded store: a pyoxigraph directory, one writer process, any number of read-only readers."""

    def __init__(self, db: ox.Store, *, entities_graph: URIRef, read_only: bool = False,
                 system_graph_prefix: str | None = None):
        """Wrap an open pyoxigraph store (see ``SparqlStore`` for the system graphs)."""
        super().__init__(entities_graph=entities_graph, read_only=read_only, system_graph_prefix=system_graph_prefix)
        self._db: ox.Store | None = db
        self._written_since_flush = 0  # characters of update text since RocksDB last flushed

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, base: str | None = None,
             minter: Minter | None = None, entities_graph: URIRef | None = None) -> OxigraphStore:
        """Open (creating it if needed) the store in directory ``path``. Raises StoreError when it cannot be opened,
        e.g. because another process holds it open for writing. The entities graph is ``entities_graph``, else
        that of ``minter``, else that of a Minter for ``base`` (default: the default base URI)."""
        graph = entities_graph or (minter or (Minter(base) if base else Minter())).entities_graph
        path = Path(path)
        try:
            if read_only:
                db = open_read_only(path)
            else:
                path.mkdir(parents=True, exist_ok=True)
                db = ox.Store(str(path))
        except (OSError, RuntimeError) as e:
            mode = "read-only" if read_only else "for writing (is another process writing to it?)"
            raise StoreError(f"cannot open the store at {path} {mode}: {e}") from e
        return cls(db, entities_graph=graph, read_only=read_only)

    # -- reads (quad patterns where they beat a query) --

    def _stored_state(self, doc: URIRef) -> dict | None:
        node = ox.NamedNode(doc)
        values = {}
        for quad in self._quads(node, None, None, node):
            values.setdefault(URIRef(quad.predicate.value), quad.object.value)
        if not values and not self._db.contains_named_graph(node):
            return None
        return {p: values.get(p) for p in _STATE_PREDICATES}

    def _stored_entity_labels(self, entities: list[URIRef]) -> dict[URIRef, str]:
        """``SparqlStore._stored_entity_labels`` from one index lookup per entity: an ingest asks about the new
        entities (~5) of every record, and the query, parsed and planned each time, cost the ingest's thread
        0.30-0.37 ms a record, the lookups 0.14-0.19 (1,000 synthetic records with extraction, alternated runs).
        The same first label: a query with the subject bound reads the same index."""
        graph = ox.NamedNode(self.entities_graph)
        found: dict[URIRef, str] = {}
        for iri in entities:
            for quad in self._quads(ox.NamedNode(_checked_iri(iri)), _LABEL_NODE, None, graph):
                found[iri] = quad.object.value
                break
        return found

    def record_token(self, doc: URIRef) -> str | None:
        """``Store.record_token`` from two index lookups (a third of the cost of a SPARQL query: it runs on every
        request for a record). Committed data only: the web tier has no pending writes."""
        node = ox.NamedNode(_checked_iri(doc))
        modified = next(self._quads(node, _MODIFIED_NODE, None, node), None)
        if modified is None:
            return None
        checksum = next(self._quads(node, _CHECKSUM_NODE, None, node), None)
        return record_token_text(modified.object.value, checksum.object.value if checksum else None)

    def graph(self, name: URIRef) -> Graph:
        """The triples of named graph ``name`` as a new rdflib Graph (empty when there are none)."""
        self._flush_pending()
        node = ox.NamedNode(_checked_iri(name))
        graph = Graph()
        add = graph.add
        for quad in self._quads(None, None, None, node):
            add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return graph

    def quads_of(self, name: str) -> Iterator[ox.Quad]:
        """The quads of graph ``name``, streamed from the store's index (for dumps: no rdflib, no query engine)."""
        self._flush_pending()
        return self._quads(None, None, None, ox.NamedNode(_checked_iri(name)))

    def graph_ntriples(self, name: str) -> bytes:
        """The triples of graph ``name`` as N-Triples, written by Oxigraph without holding the GIL (for dumps: the
        read costs ~10 us a quad, so threads read several graphs at once)."""
        self._flush_pending()
        graph = ox.NamedNode(_checked_iri(name))
        return self._call(self._open_db().dump, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)

    def records(self) -> Iterator[URIRef]:
        """The names of all record graphs, in the store's order."""
        self._flush_pending()
        for graph in self._call(self._db.named_graphs):
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(self._record_prefix):
                yield URIRef(graph.value)

    def query(self, sparql: str, *, use_default_graph_as_union: bool = True):
        """Run a SPARQL query; returns pyoxigraph's QuerySolutions, QueryBoolean or QueryTriples.
        Raises QueryRejected for a syntax error (an update is one)."""
        self._flush_pending()
        try:
            return self._open_db().query(sparql, use_default_graph_as_union=use_default_graph_as_union)
        except SyntaxError as e:
            raise QueryRejected(f"invalid SPARQL query: {e}") from e
        except (OSError, RuntimeError) as e:
            raise StoreError(f"query failed: {e}") from e

    def _select(self, sparql: str):
        return self._call(self._open_db().query, sparql)

    def close(self) -> None:
        """Commit pending writes, flush memtables to disk (a quicker next open) and release the directory lock.
        The lock is freed when pyoxigraph drops the store, so do not keep query results past ``close``."""
        if self._db is None:
            return
        try:
            self._flush_pending()
            if not self.read_only:
                self._call(self._db.flush)
        finally:
            self._pending = None
            self._db = None

    # -- helpers --

    def _open_db(self) -> ox.Store:
        if self._db is None:
            raise StoreError("the store is closed")
        return self._db

    def _call(self, method, *args, **kwargs):
        self._open_db()
        try:
            return method(*args, **kwargs)
        except (OSError, RuntimeError) as e:
            raise StoreError(f"store operation failed: {e}") from e

    def _quads(self, *pattern) -> Iterator[ox.Quad]:
        return self._call(self._open_db().quads_for_pattern, *pattern)

    # RocksDB keeps every write in in-memory tables (one per index) until it flushes them, and pyoxigraph sets no
    # small limit: a 10,000-record ingest grew to 1.2 GB. Flushing after so much written keeps memory flat in the
    # store's size (measured: ~0.5 s a flush, ~10 MB growth per 1,000 records instead of ~125 MB). Counted in bytes
    # of update text, which grow with the quads written: a count of updates let memory grow fivefold when records
    # gained their evidence annotations (76 -> ~390 quads a record; 616 MiB peak at 1,000 records).
    FLUSH_EVERY_BYTES = 12 * 1024 * 1024

    def _update(self, text: str) -> None:
        try:
            self._open_db().update(text)
        except SyntaxError as e:  # term_text validates terms, so this is a bug, not bad input
            raise StoreError(f"docket built an invalid SPARQL update: {e}") from e
        except (OSError, RuntimeError) as e:
            raise StoreError(f"write failed: {e}") from e
        self._written_since_flush += len(text)
        if self._written_since_flush >= self.FLUSH_EVERY_BYTES:
            self._written_since_flush = 0
            self._call(self._db.flush)

    def _check_writable(self) -> None:
        self._open_db()
        super()._check_writable()

    def _stored_lines(self, doc: URIRef) -> set[str]:
        # pyoxigraph prints terms as N-Triples, escaped as term_text escapes them, so lines compare as text.
        # Reading costs about 8 us a quad; skipped for a new record.
        node = ox.NamedNode(doc)
        if not self._call(self._open_db().contains_named_graph, node):
            return set()
        return {f"{q.subject} {q.predicate} {q.object} ." for q in self._quads(None, None, None, node)}

    def _record_with(self, predicate: URIRef, value: str) -> URIRef | None:
        for quad in self._quads(None, ox.NamedNode(predicate), ox.Literal(value), None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and quad.subject == graph \
                    and graph.value.startswith(self._record_prefix):
                return URIRef(graph.value)
        return None


_STATE_PREDICATES = (DOCKET.sourceFile, DOCKET.sourceChecksum, DOCKET.mapperVersion, DCTERMS.modified)
_CHANGED = DOCKET.changed
_LABEL, _SOURCE_FILE = RDFS.label, DOCKET.sourceFile  # an rdflib namespace attribute costs ~1.5 us: looked up once
_MODIFIED_NODE = ox.NamedNode(str(DCTERMS.modified))
_LABEL_NODE = ox.NamedNode(str(RDFS.label))
_CHECKSUM_NODE = ox.NamedNode(str(DOCKET.sourceChecksum))


def _merge_writes(writes: Iterable[RecordWrite]) -> tuple[dict[URIRef, Graph], list[Graph]]:
    # The last write of a record wins; entity triples of every write are kept (the entities graph only grows here).
    records: dict[URIRef, Graph] = {}
    entities: list[Graph] = []
    for doc, record, entity_graph in writes:
        records[URIRef(_checked_iri(doc))] = record
        entities.append(entity_graph)
    return records, entities


def _checked_iri(iri: str) -> str:
    _iri(iri)
    return str(iri)
