"""Conversion of RDF terms between rdflib (which builds and validates graphs) and pyoxigraph (which stores, queries
and serializes them): the one place that knows both term models."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory

_XSD_STRING = str(XSD.string)


# rdflib's term classes derive from abc.ABC: an isinstance() that the exact type does not answer calls
# ABCMeta.__instancecheck__, a Python function (about half a microsecond), and most checks in validation and in
# writing are negative (is this literal an IRI, is this IRI a blank node). These look at the exact type first.
def is_iri(v) -> bool:
    """``isinstance(v, URIRef)``, the exact type first."""
    t = type(v)
    return t is URIRef or (t is not Literal and t is not BNode and isinstance(v, URIRef))


def is_literal(v) -> bool:
    """``isinstance(v, Literal)``, the exact type first."""
    t = type(v)
    return t is Literal or (t is not URIRef and t is not BNode and isinstance(v, Literal))


def is_bnode(v) -> bool:
    """``isinstance(v, BNode)``, the exact type first."""
    t = type(v)
    return t is BNode or (t is not URIRef and t is not Literal and isinstance(v, BNode))


def of_kind(v, kinds: tuple) -> bool:
    """``isinstance(v, kinds)`` for a tuple of rdflib term classes, the exact type first."""
    t = type(v)
    if t in kinds:
        return True
    return t is not URIRef and t is not Literal and t is not BNode and isinstance(v, kinds)


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> URIRef | BNode | Literal:
    """The rdflib term for a pyoxigraph term (plain strings stay plain, as rdflib writes them)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


@lru_cache(maxsize=1 << 16)
def to_oxigraph(term: URIRef | BNode | Literal) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term for an rdflib term (cached: records repeat the same IRIs and types)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def own_subject_index(graph: Graph) -> dict | None:
    """The ``{s: {p: {o: 1}}}`` subject index of a ``SimpleMemory`` graph (the mapper's ``LeanMemory``), or None.
    rdflib keeps it as a private attribute: where it is missing (another store, another rdflib), None."""
    return getattr(graph.store, "_SimpleMemory__spo", None) if isinstance(graph.store, SimpleMemory) else None


def subject_index(graph: Graph) -> dict:
    """``{s: {p: objects}}`` of ``graph``, to read, never to modify: a ``SimpleMemory``'s own index (no copy), or
    one built from its triples for another store."""
    spo = own_subject_index(graph)
    if spo is not None:
        return spo
    index: dict = {}
    for s, p, o in graph:
        index.setdefault(s, {}).setdefault(p, set()).add(o)
    return index


def pairs_of(graph: Graph, predicate: URIRef) -> list[tuple]:
    """(subject, object) of each triple of ``graph`` with ``predicate``, read from the subject index of a
    ``SimpleMemory`` graph: a pattern without a subject makes a ``LeanMemory`` build its predicate and object indexes
    (a whole pass over the graph, ~0.3 ms for a record's entities), which the ingest's label reads need nowhere else."""
    spo = own_subject_index(graph)
    if spo is None:
        return list(graph.subject_objects(predicate))
    return [(s, o) for s, by_p in spo.items() for o in by_p.get(predicate, ())]


def triples_of(graph: Graph) -> list[tuple]:
    """The triples of ``graph`` as a list, read straight from the subject index of a ``SimpleMemory`` graph (the
    mapper's ``LeanMemory``).

    Iterating a graph goes through two generators and makes a contexts generator per triple: about 8 us a triple,
    and a record with its evidence annotations (a few hundred triples) is iterated by validation and by the store.
    Where the index is missing, the graph is iterated as usual."""
    spo = own_subject_index(graph)
    if spo is None:
        return list(graph)
    return [(s, p, o) for s, by_p in spo.items() for p, objects in by_p.items() for o in objects]


class LeanMemory(SimpleMemory):
    """rdflib's ``SimpleMemory`` that fills only its subject index when a triple is added, and builds the predicate
    and object indexes when a pattern without a subject first needs them.

    The mapper adds a few hundred triples a record and asks only subject-bound questions while it builds; a graph
    is then read whole (``triples_of``) by validation and the store. Keeping three indexes cost a third of mapping.
    It is still a ``SimpleMemory``: every Graph operation (patterns, removal, serialization) works on it."""

    def __init__(self) -> None:
        super().__init__()
        self._indexed = True  # whether the predicate and object indexes hold every triple

    def add(self, triple, context, quoted: bool = False) -> None:
        s, p, o = triple
        spo = self._SimpleMemory__spo
        by_p = spo.get(s)
        if by_p is None:
            spo[s] = {p: {o: 1}}
        else:
            objects = by_p.get(p)
            if objects is None:
                by_p[p] = {o: 1}
            else:
                objects[o] = 1
        self._indexed = False

    def add_node(self, s, pairs) -> None:
        """Add ``(s, p, o)`` for each ``(p, o)`` of ``pairs`` in one call; a subject not yet in the graph (such as an
        evidence annotation, four triples) gets its index entry built at once."""
        spo = self._SimpleMemory__spo
        by_p = spo.get(s)
        if by_p is None:
            by_p = spo[s] = {}
        for p, o in pairs:
            objects = by_p.get(p)
            if objects is None:
                by_p[p] = {o: 1}
            else:
                objects[o] = 1
        self._indexed = False

    def triples(self, triple_pattern, context=None):
        if not self._indexed and triple_pattern[0] is None and (
                triple_pattern[1] is not None or triple_pattern[2] is not None):
            self._index()
        return super().triples(triple_pattern, context)

    def remove(self, triple_pattern, context=None) -> None:
        if not self._indexed:
            self._index()
        super().remove(triple_pattern, context)

    def __len__(self, context=None) -> int:
        return sum(len(objects) for by_p in self._SimpleMemory__spo.values() for objects in by_p.values())

    def _index(self) -> None:
        pos, osp = self._SimpleMemory__pos, self._SimpleMemory__osp
        pos.clear()
        osp.clear()
        for s, by_p in self._SimpleMemory__spo.items():
            for p, objects in by_p.items():
                for o in objects:
                    pos.setdefault(p, {}).setdefault(o, {})[s] = 1
                    osp.setdefault(o, {}).setdefault(s, {})[p] = 1
        self._indexed = True
