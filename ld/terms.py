"""Conversion of RDF terms between rdflib (which builds and validates graphs) and pyoxigraph (which stores, queries
and serializes them): the one place that knows both term models."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory

_XSD_STRING = str(XSD.string)


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


def triples_of(graph: Graph) -> list[tuple]:
    """The triples of ``graph`` as a list, read straight from the index of a ``SimpleMemory`` graph (the mapper's).

    Iterating a graph goes through two generators and makes a contexts generator per triple: about 8 us a triple,
    and a record with its evidence annotations (a few hundred triples) is iterated by validation and by the store.
    rdflib keeps SimpleMemory's subject index as a private attribute; where it is missing (another store, another
    rdflib), the graph is iterated as usual."""
    spo = getattr(graph.store, "_SimpleMemory__spo", None) if type(graph.store) is SimpleMemory else None
    if spo is None:
        return list(graph)
    return [(s, p, o) for s, by_p in spo.items() for p, objects in by_p.items() for o in objects]
