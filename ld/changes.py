"""The change log and the tombstones, kept in the store itself (the system graph ``{base}graph/changes``).

Every write of a record adds an Activity Streams activity (``as:Create`` or ``as:Update``) to the changes graph in
the same SPARQL Update request as the record's triples, and a deletion adds ``as:Delete`` activities and
``as:Tombstone`` descriptions in the same request that removes the record: the log can never disagree with the
data, and a remote SPARQL store behind the same ``Store`` interface keeps it by posting the same text. Harvest
surfaces (the change feed, OAI-PMH, sitemap, dumps, VoID) read it back with SPARQL through ``Store.query``.

In the changes graph::

    <{base}graph/changes#a-{nanoseconds}-{hash}> a as:Create ; as:object <record> ;
        as:endTime "2026-11-28T04:30:00"^^xsd:dateTime .           # the record's dcterms:modified
    <record> a as:Tombstone ; as:formerType crm:E31_Document ; as:deleted "..."^^xsd:dateTime ;
        as:name "its title" ; docket:setSpec "genre:cable", "decade:1960" .

Tombstones use ``as:name`` (not ``dcterms:title``) so that SPARQL queries for titles over the union graph do not
find withdrawn records. Times are UTC without a zone, as ``dcterms:modified`` is written (second precision).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from rdflib import DCTERMS, RDF, Graph, Literal, Namespace, URIRef, XSD

from ld.errors import NotFound
from ld.iris import short_hash

AS = Namespace("https://www.w3.org/ns/activitystreams#")
_SET_SPEC = "https://w3id.org/docket/ns#setSpec"
CREATE, UPDATE, DELETE = "Create", "Update", "Delete"
_GENRE_PREFIX = "concept/genre-"


def changes_graph_of(system_prefix: str) -> URIRef:
    """The changes graph beside the other system graphs (``{base}graph/`` + ``changes``)."""
    return URIRef(system_prefix + "changes")


def utc_now() -> datetime:
    """Now, UTC, to the second, without a zone (the form of ``dcterms:modified``)."""
    return datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)


def _time_literal(when: datetime) -> str:
    return f'"{when.replace(microsecond=0, tzinfo=None).isoformat()}"^^<{XSD.dateTime}>'


def _activity_iri(graph: URIRef, thing: str) -> str:
    # Nanoseconds first, zero-padded: ordering by IRI within one second is ordering by write.
    return f"<{graph}#a-{time.time_ns():020d}-{short_hash(thing)}>"


def activity_lines(graph: URIRef, kind: str, thing: str, when: datetime) -> list[str]:
    """N-Triples lines of one activity (``kind`` Create, Update or Delete) on ``thing`` at ``when``."""
    a = _activity_iri(graph, thing)
    return [f"{a} <{RDF.type}> <{AS[kind]}> .", f"{a} <{AS.object}> <{thing}> .",
            f"{a} <{AS.endTime}> {_time_literal(when)} ."]


def record_time(doc: URIRef, record: Graph) -> datetime:
    """The record's ``dcterms:modified`` (the time it was mapped), or now when it has none."""
    value = record.value(doc, DCTERMS.modified)
    try:
        return datetime.fromisoformat(str(value)).replace(tzinfo=None) if value is not None else utc_now()
    except ValueError:
        return utc_now()


# --- deletion ---------------------------------------------------------------------------------------------------


def record_sets(store, doc: str) -> list[str]:
    """OAI-PMH set specs of a stored record: ``genre:{key}`` for each genre concept, ``decade:{1960}`` from its date."""
    query = (f"SELECT ?t ?d WHERE {{ GRAPH <{doc}> {{ OPTIONAL {{ <{doc}> <{DCTERMS.type}> ?t }} "
             f"OPTIONAL {{ <{doc}> <{DCTERMS.date}> ?d }} }} }}")
    specs: dict[str, None] = {}
    for row in store.query(query):
        for spec in (genre_spec(row["t"].value if row["t"] else None),
                     decade_spec(row["d"].value if row["d"] else None)):
            if spec:
                specs[spec] = None
    return list(specs)


def genre_spec(concept: str | None) -> str | None:
    """``genre:cable`` for a genre concept IRI ``.../id/concept/genre-cable``, else None."""
    if concept and _GENRE_PREFIX in concept:
        key = concept.rsplit(_GENRE_PREFIX, 1)[1]
        return f"genre:{key}" if key else None
    return None


def decade_spec(date: str | None) -> str | None:
    """``decade:1960`` for a date (``1962-10-31``, ``1962-10``, ``1962``), else None."""
    if date and len(date) >= 4 and date[:4].isdigit():
        return f"decade:{date[:3]}0"
    return None


def orphaned_entities(store, doc: str, entities_graph: str, system_prefix: str) -> list[str]:
    """The subjects of the entities graph that only record ``doc`` mentions: no other record graph, and no entity
    that stays, points at them (hash parts count as their entity). Deleting ``doc`` removes these."""
    records = system_prefix.removesuffix("graph/") + "id/document/"
    query = f"""SELECT DISTINCT ?e WHERE {{
      GRAPH <{doc}> {{ ?s ?p ?e }} FILTER(isIRI(?e))
      GRAPH <{entities_graph}> {{ ?e ?p2 ?o2 }}
      FILTER NOT EXISTS {{ GRAPH ?g {{ ?s3 ?p3 ?e }}
                          FILTER(?g != <{doc}> && STRSTARTS(STR(?g), "{records}")) }}
    }}"""
    candidates = {row["e"].value for row in store.query(query)}
    if not candidates:
        return []
    # An entity kept (not a candidate) that links to a candidate keeps it too; one pass suffices for the shallow
    # links the entities graph holds (a person's group, a place's region).
    values = " ".join(f"<{e}>" for e in sorted(candidates))
    kept_query = (f"SELECT DISTINCT ?e ?s WHERE {{ VALUES ?e {{ {values} }} "
                  f"GRAPH <{entities_graph}> {{ ?s ?p ?e }} }}")
    linked = {}
    for row in store.query(kept_query):
        linked.setdefault(row["e"].value, set()).add(row["s"].value.split("#", 1)[0])
    return sorted(e for e in candidates if not (linked.get(e, set()) - candidates - {e}))


def subject_lines(store, graph: str, subjects: Iterable[str]) -> list[str]:
    """N-Triples lines of every triple in ``graph`` whose subject is one of ``subjects`` or a hash IRI on one."""
    wanted = sorted(set(subjects))
    if not wanted:
        return []
    values = " ".join(f"<{s}>" for s in wanted)
    query = (f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
             f"VALUES ?e {{ {values} }} FILTER(?s = ?e || STRSTARTS(STR(?s), CONCAT(STR(?e), \"#\"))) }}")
    return [f"{row['s']} {row['p']} {row['o']} ." for row in store.query(query)]


def tombstone_lines(thing: str, former_types: Iterable[str], when: datetime, name: str | None = None,
                    sets: Iterable[str] = ()) -> list[str]:
    """N-Triples lines of the tombstone of ``thing``."""
    from ld.store import term_text

    lines = [f"<{thing}> <{RDF.type}> <{AS.Tombstone}> .", f"<{thing}> <{AS.deleted}> {_time_literal(when)} ."]
    lines += [f"<{thing}> <{AS.formerType}> <{t}> ." for t in sorted(set(former_types))]
    if name:
        lines.append(f"<{thing}> <{AS.name}> {term_text(Literal(name))} .")
    lines += [f"<{thing}> <{_SET_SPEC}> {term_text(Literal(s))} ." for s in sets]
    return lines


@dataclass(frozen=True)
class Deletion:
    """What deleting one record takes, as the parts of one SPARQL Update request (``ld.store.update_request``):
    graphs to drop, ``DELETE DATA`` and ``INSERT DATA`` blocks; and what it removes."""

    drops: list[URIRef]
    deletes: list[str]
    inserts: list[str]
    record: str
    entities: list[str]  # entity IRIs removed with it
    entity_lines: list[str]  # their triples (N-Triples lines) in the entities graph


def deletion(store, doc: str, *, entities_graph: str, system_prefix: str, when: datetime | None = None) -> Deletion:
    """What the one SPARQL Update request that withdraws record ``doc`` holds: drop its graph, remove the entities
    only it mentioned, tombstone both and log a Delete for each. Raises NotFound when there is no such record."""
    from ld.store import graph_block

    when = when or utc_now()
    info = list(store.query(
        f"SELECT ?type ?title WHERE {{ GRAPH <{doc}> {{ <{doc}> ?any ?x "
        f"OPTIONAL {{ <{doc}> <{RDF.type}> ?type }} OPTIONAL {{ <{doc}> <{DCTERMS.title}> ?title }} }} }} LIMIT 50"))
    if not info:
        raise NotFound(f"no record {doc} to delete")
    types = {row["type"].value for row in info if row["type"]}
    title = next((row["title"].value for row in info if row["title"]), None)
    removed = orphaned_entities(store, doc, entities_graph, system_prefix)
    entity_lines = subject_lines(store, entities_graph, removed)
    entity_types = _types(store, entities_graph, removed)
    changes = changes_graph_of(system_prefix)
    inserts = tombstone_lines(doc, types, when, title, record_sets(store, doc))
    inserts += activity_lines(changes, DELETE, doc, when)
    for entity in removed:
        inserts += tombstone_lines(entity, entity_types.get(entity, ()), when, _label(entity_lines, entity))
        inserts += activity_lines(changes, DELETE, entity, when)
    deletes = [graph_block(URIRef(entities_graph), entity_lines)] if entity_lines else []
    return Deletion([URIRef(doc)], deletes, [graph_block(changes, inserts)], doc, removed, entity_lines)


def _types(store, graph: str, things: list[str]) -> dict[str, set[str]]:
    if not things:
        return {}
    values = " ".join(f"<{t}>" for t in things)
    found: dict[str, set[str]] = {}
    for row in store.query(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }} GRAPH <{graph}> {{ ?s <{RDF.type}> ?t }} }}"):
        found.setdefault(row["s"].value, set()).add(row["t"].value)
    return found


def _label(lines: list[str], entity: str) -> str | None:
    prefix = f"<{entity}> <http://www.w3.org/2000/01/rdf-schema#label> "
    for line in lines:
        if line.startswith(prefix):
            from rdflib.util import from_n3

            return str(from_n3(line[len(prefix):-2]))
    return None


def tombstone_cleanup_lines(store, changes: URIRef, things: Iterable[str]) -> list[str]:
    """The tombstone triples of ``things`` (for a write that brings a withdrawn record or entity back)."""
    things = list(things)
    if not things:
        return []
    values = " ".join(f"<{t}>" for t in things)
    query = (f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} GRAPH <{changes}> {{ ?s ?p ?o }} }}")
    return [f"{row['s']} {row['p']} {row['o']} ." for row in store.query(query)]


# --- reading the log ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity:
    """One entry of the change log."""

    iri: str
    kind: str  # Create, Update, Delete
    object: str
    time: datetime


@dataclass(frozen=True)
class Tombstone:
    """What is left of a withdrawn record or entity."""

    iri: str
    deleted: datetime
    former_types: tuple[str, ...]
    name: str | None
    sets: tuple[str, ...]


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=None)


def log_state(store, changes: str) -> tuple[int, datetime | None]:
    """(number of activities, time of the newest): changes whenever the data does, so it versions derived files."""
    rows = list(store.query(f"SELECT (COUNT(?a) AS ?n) (MAX(?t) AS ?m) WHERE {{ GRAPH <{changes}> "
                            f"{{ ?a <{AS.endTime}> ?t }} }}"))
    if not rows or rows[0]["n"] is None:
        return 0, None
    return int(rows[0]["n"].value), _time(rows[0]["m"].value) if rows[0]["m"] else None


def activities(store, changes: str, *, offset: int = 0, limit: int = 100) -> list[Activity]:
    """Activities in the order they were written (oldest first; their IRIs carry the write time in nanoseconds, which
    also orders a record re-created with an older ``dcterms:modified`` after its deletion), from ``offset``."""
    return all_activities(store, changes)[offset:offset + limit]


def all_activities(store, changes: str) -> list[Activity]:
    """Every activity in the order written, from one query without ORDER BY (sorted here: Oxigraph sorts by
    decoding every IRI, which made each page of the feed cost ~2 s at 10,000 records)."""
    query = f"SELECT ?a ?k ?o ?t WHERE {{ GRAPH <{changes}> {{ ?a <{AS.endTime}> ?t ; a ?k ; <{AS.object}> ?o }} }}"
    found = [Activity(row["a"].value, row["k"].value.rsplit("#", 1)[1], row["o"].value, _time(row["t"].value))
             for row in store.query(query)]
    return sorted(found, key=lambda activity: activity.iri)


def tombstone(store, changes: str, thing: str) -> Tombstone | None:
    """The tombstone of ``thing`` (hash part dropped), or None when it was never withdrawn (or came back)."""
    thing = thing.split("#", 1)[0]
    rows = list(store.query(f"SELECT ?p ?o WHERE {{ GRAPH <{changes}> {{ <{thing}> ?p ?o }} }}"))
    values: dict[str, list[str]] = {}
    for row in rows:
        values.setdefault(row["p"].value, []).append(row["o"].value)
    if str(AS.Tombstone) not in values.get(str(RDF.type), ()):
        return None
    return Tombstone(thing, _time(values[str(AS.deleted)][0]), tuple(sorted(values.get(str(AS.formerType), ()))),
                     (values.get(str(AS.name)) or [None])[0], tuple(sorted(values.get(_SET_SPEC, ()))))


def tombstones(store, changes: str, *, kind_prefix: str = "") -> list[Tombstone]:
    """Every tombstone whose IRI starts with ``kind_prefix`` (e.g. ``{base}id/document/``)."""
    query = (f"SELECT ?s ?d ?n (GROUP_CONCAT(?set; separator=\" \") AS ?sets) WHERE {{ GRAPH <{changes}> {{ "
             f"?s a <{AS.Tombstone}> ; <{AS.deleted}> ?d OPTIONAL {{ ?s <{AS.name}> ?n }} "
             f"OPTIONAL {{ ?s <{_SET_SPEC}> ?set }} }} FILTER(STRSTARTS(STR(?s), \"{kind_prefix}\")) }} "
             f"GROUP BY ?s ?d ?n")
    return [Tombstone(row["s"].value, _time(row["d"].value), (), row["n"].value if row["n"] else None,
                      tuple(sorted(row["sets"].value.split())) if row["sets"] and row["sets"].value else ())
            for row in store.query(query)]
