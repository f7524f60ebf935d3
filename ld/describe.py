"""What docket says about one IRI: a record's whole graph with the labels of what it links to, or an entity's
description with the records that link to it.
"""

from __future__ import annotations

import pyoxigraph
from rdflib import Graph, URIRef

from ld.errors import NotFound
from ld.iris import Minter
from ld.namespaces import bind_prefixes
from ld.store import Store

_LABELS = "<http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>"


def describe(store: Store, iri: str, *, base: str, incoming_limit: int = 100) -> Graph:
    """The description of ``iri`` (hash part ignored) as an rdflib Graph; NotFound if docket has none."""
    minter = Minter(base)
    kind_key = minter.kind_and_key(iri)
    if kind_key is None:
        raise NotFound(f"{iri} is not a docket IRI under {base}")
    thing = minter.thing(*kind_key)
    if kind_key[0] == "document":
        query = _record_query(thing)
    else:
        query = _entity_query(thing, minter, incoming_limit)
    graph = _construct(store, query)
    if len(graph) == 0:
        raise NotFound(f"nothing is known about {thing}")
    return bind_prefixes(graph)


def _record_query(doc: URIRef) -> str:
    return f"""
    CONSTRUCT {{ ?s ?p ?o . ?o ?lp ?label }}
    WHERE {{
      {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}
      UNION
      {{ GRAPH <{doc}> {{ ?s ?p ?o }} FILTER(isIRI(?o))
         GRAPH ?g {{ ?o ?lp ?label }} FILTER(?g != <{doc}>) VALUES ?lp {{ {_LABELS.replace('|', ' ')} }} }}
    }}"""


def _entity_query(thing: URIRef, minter: Minter, limit: int) -> str:
    return f"""
    CONSTRUCT {{ <{thing}> ?p ?o . ?s ?ip <{thing}> . ?s ?lp ?label }}
    WHERE {{
      {{ GRAPH <{minter.entities_graph}> {{ <{thing}> ?p ?o }} }}
      UNION
      {{ SELECT ?s ?ip ?lp ?label WHERE {{
           GRAPH ?g {{ ?s ?ip <{thing}> }} FILTER(?g != <{minter.entities_graph}>)
           OPTIONAL {{ GRAPH ?g {{ ?s ?lp ?label }} VALUES ?lp {{ {_LABELS.replace('|', ' ')} }} }}
         }} LIMIT {int(limit)} }}
    }}"""


def _construct(store: Store, query: str) -> Graph:
    triples = store.query(query)
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = Graph()
    if data:
        graph.parse(data=data.decode("utf-8"), format="nt")
    return graph
