"""What docket says about one IRI, as Oxigraph triples (no rdflib on the serving path).

- A record (``id/document/{key}``): its whole named graph plus the labels of everything it links to.
- Anything else (person, group, place, archive, event, concept): its own statements (entities and vocab graphs),
  the labels of its neighbours, and its incoming links: the triples of record graphs that point at it, with each
  record's label and date. Records are sorted by date (``dcterms:date`` compared as text, so "1955" < "1955-12" <
  "1955-12-06") and paged; the paging is published with Hydra (see ``paging_triples``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import DCTERMS, RDF, RDFS, SKOS, XSD, Graph

from ld.errors import NotFound
from ld.iris import Minter
from ld.namespaces import bind_prefixes
from ld.store import Store
from ld.terms import to_rdflib

HYDRA = "http://www.w3.org/ns/hydra/core#"
_LABEL_PREDICATES = f"<{RDFS.label}> <{SKOS.prefLabel}>"


@dataclass(frozen=True)
class Paging:
    """Which slice of a thing's incoming links a description holds (pages count from 1)."""

    page: int
    size: int
    total: int  # records linking to the thing

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.last


@dataclass(frozen=True)
class Description:
    """The triples docket publishes about ``thing``; ``paging`` is None for records (they are never paged)."""

    thing: str
    kind: str
    key: str
    document: str  # the IRI of the describing document, {base}doc/{kind}/{key}
    triples: tuple[ox.Triple, ...]
    paging: Paging | None = None
    linking: tuple[str, ...] = ()  # an entity's linking records on every page (what its pages depend on)

    def graph(self) -> Graph:
        """The triples as an rdflib Graph with docket's prefixes (for the CLI and tests, not for serving)."""
        graph = bind_prefixes(Graph())
        graph.bind("hydra", HYDRA)
        for triple in self.triples:
            graph.add(tuple(to_rdflib(term) for term in (triple.subject, triple.predicate, triple.object)))
        return graph


def describe_thing(store: Store, minter: Minter, kind: str, key: str, *, page: int = 1,
                   page_size: int = 100) -> Description:
    """The description of ``{base}id/{kind}/{key}``; NotFound when docket knows nothing about it (or the page is
    past the last one). ValueError for a kind or key that cannot be an IRI."""
    thing = str(minter.thing(kind, key))
    document = str(minter.description(kind, key))
    if kind == "document":
        own = tuple(store.query(_record_query(thing)))
        if not own:
            raise NotFound(f"no record {thing}")
        neighbours = {t.object.value for t in own if isinstance(t.object, ox.NamedNode)}
        return Description(thing, kind, key, document, own + _labels(store, neighbours, thing))
    if page < 1:
        raise NotFound(f"no page {page}")
    own = tuple(store.query(_own_statements_query(thing, minter)))
    linking = linking_records(store, minter, thing)
    paging = Paging(page, page_size, len(linking))
    if not own and not linking:
        raise NotFound(f"nothing is known about {thing}")
    if page > paging.last:
        raise NotFound(f"{thing} has {paging.last} page(s) of links, not {page}")
    shown = linking[(page - 1) * page_size:page * page_size]
    incoming = tuple(store.query(_incoming_query(thing, document, shown))) if shown else ()
    triples = own + incoming + paging_triples(document, paging)
    return Description(thing, kind, key, document, triples, paging, linking)


def linking_records(store: Store, minter: Minter, thing: str) -> tuple[str, ...]:
    """Every record graph holding a triple that points at ``thing``, in page order: by date (text), then IRI; records
    without a date first, as SPARQL's ORDER BY puts unbound values. One query for the count, the paging and the
    dependencies: the former COUNT, ORDER BY/LIMIT sub-select and a separate dependency query cost three scans."""
    system = f"{minter.base}graph/"
    # The distinct graphs first, then their dates: joining the dates per triple pointing at the thing took 1.5x as long.
    query = f"""SELECT ?g ?date WHERE {{
        {{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p <{thing}> }} FILTER(!STRSTARTS(STR(?g), {_string(system)})) }} }}
        OPTIONAL {{ GRAPH ?g {{ ?g <{DCTERMS.date}> ?date }} }} }}"""
    sort: dict[str, str | None] = {}
    for row in store.query(query):
        graph, date = row["g"].value, row["date"].value if row["date"] is not None else None
        if graph not in sort or (date is not None and (sort[graph] is None or date < sort[graph])):
            sort[graph] = date  # the earliest of several dates, as MIN would
    return tuple(sorted(sort, key=lambda g: (sort[g] is not None, sort[g] or "", g)))


def describe(store: Store, iri: str, *, base: str, incoming_limit: int = 100) -> Graph:
    """The description of ``iri`` (hash part ignored) as an rdflib Graph (first page); NotFound if there is none."""
    minter = Minter(base)
    kind_key = minter.kind_and_key(iri)
    if kind_key is None:
        raise NotFound(f"{iri} is not a docket IRI under {base}")
    return describe_thing(store, minter, *kind_key, page_size=incoming_limit).graph()


# --- queries -------------------------------------------------------------------------------------------------------


def _record_query(doc: str) -> str:
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}"


def _labels(store: Store, iris: set[str], own_graph: str) -> tuple[ox.Triple, ...]:
    """The labels other graphs (entities, vocab, other records) give to ``iris``. The IRIs go in as VALUES and the
    two label properties as a UNION: on 3,000 records, joining the IRIs from the record graph took 55 ms and a
    second VALUES for the properties 300 ms, this form 4 ms."""
    if not iris:
        return ()
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    return tuple(store.query(f"""
    CONSTRUCT {{ ?n <{RDFS.label}> ?label . ?n <{SKOS.prefLabel}> ?pref }}
    WHERE {{ VALUES ?n {{ {values} }}
             {{ GRAPH ?g {{ ?n <{RDFS.label}> ?label }} }} UNION {{ GRAPH ?g {{ ?n <{SKOS.prefLabel}> ?pref }} }}
             FILTER(?g != <{own_graph}>) }}"""))


def _own_statements_query(thing: str, minter: Minter) -> str:
    # Entities live in the entities graph, local concepts in the vocab graph; neighbours' labels come from anywhere.
    graphs = f"<{minter.entities_graph}>, <{minter.vocab_graph}>"
    return f"""
    CONSTRUCT {{ <{thing}> ?p ?o . ?o ?lp ?label }}
    WHERE {{
      GRAPH ?g {{ <{thing}> ?p ?o }} FILTER(?g IN ({graphs}))
      OPTIONAL {{ ?o ?lp ?label VALUES ?lp {{ {_LABEL_PREDICATES} }} FILTER(isIRI(?o)) }}
    }}"""


def _incoming_query(thing: str, document: str, records: tuple[str, ...]) -> str:
    # One page of linking records (given in page order) with their links, label and date; each record is also a
    # hydra:member of the collection of incoming links (see paging_triples). A UNION of three lookups per record:
    # the same with the label and date as OPTIONALs took 1.4x as long.
    values = " ".join(f"<{g}>" for g in records)
    return f"""
    CONSTRUCT {{ ?s ?p <{thing}> . ?g <{RDFS.label}> ?label . ?g <{DCTERMS.date}> ?date .
                <{document}#incoming> <{HYDRA}member> ?g }}
    WHERE {{
      VALUES ?g {{ {values} }}
      {{ GRAPH ?g {{ ?s ?p <{thing}> }} }} UNION {{ GRAPH ?g {{ ?g <{RDFS.label}> ?label }} }}
      UNION {{ GRAPH ?g {{ ?g <{DCTERMS.date}> ?date }} }}
    }}"""


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- paging --------------------------------------------------------------------------------------------------------


def page_iri(document: str, page: int) -> str:
    """The IRI of one page of a description: the document itself for page 1, else ``?page=N``."""
    return document if page == 1 else f"{document}?page={page}"


def paging_triples(document: str, paging: Paging) -> tuple[ox.Triple, ...]:
    """Hydra Core's collection paging: ``<document#incoming>`` is a ``hydra:Collection`` of the records linking to
    the thing (``hydra:totalItems``; this page's ``hydra:member``s come with the incoming query); the page served is its
    ``hydra:PartialCollectionView`` with ``hydra:first/previous/next/last``. Hydra is what Linked Data Fragments
    clients and API browsers already follow."""
    collection = ox.NamedNode(f"{document}#incoming")
    view = ox.NamedNode(page_iri(document, paging.page))
    h = {name: ox.NamedNode(HYDRA + name) for name in
         ("Collection", "PartialCollectionView", "totalItems", "view", "first", "previous", "next", "last")}
    rdf_type = ox.NamedNode(str(RDF.type))
    triples = [
        ox.Triple(ox.NamedNode(document), ox.NamedNode(f"{HYDRA}collection"), collection),
        ox.Triple(collection, rdf_type, h["Collection"]),
        ox.Triple(collection, h["totalItems"], ox.Literal(str(paging.total), datatype=ox.NamedNode(str(XSD.integer)))),
    ]
    if paging.last > 1:
        links = {"first": 1, "last": paging.last}
        if paging.has_prev:
            links["previous"] = paging.page - 1
        if paging.has_next:
            links["next"] = paging.page + 1
        triples += [ox.Triple(collection, h["view"], view), ox.Triple(view, rdf_type, h["PartialCollectionView"])]
        triples += [ox.Triple(view, h[rel], ox.NamedNode(page_iri(document, n))) for rel, n in links.items()]
    return tuple(triples)
