"""Compact, readable JSON-LD for docket's descriptions, against the context docket publishes (``/context.jsonld``).

The context (``context()``) holds the prefixes of ``ld.namespaces`` plus short terms: every CIDOC-CRM class and
property by its local name (``E31_Document``, ``P67_refers_to``), the Dublin Core, RDFS, SKOS, Hydra and docket terms
docket uses (``title``, ``date``, ``label``, ``altLabel``, ``member`` ...), and ``id`` / ``type`` for ``@id`` /
``@type`` (as Linked Art does). Properties whose values are things (CRM properties with a non-literal range,
``creator``, ``subject`` ...) are coerced to ``@id``, so links read as plain strings.

``to_jsonld`` writes triples against that context directly, in one pass: no JSON-LD processor runs per request.
The compaction is deliberately simple and lossless: a literal keeps its datatype or language in a value object; an
IRI value of a property that is not coerced is written ``{"id": ...}``; a value under a coerced property that is not
an IRI is written as a value object, which coercion does not touch. Tests expand the output against the context with
rdflib and compare graphs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph

from ld.namespaces import CRM_URI, PREFIXES
from ld.resources import vocab_dir

HYDRA = "http://www.w3.org/ns/hydra/core#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
CONTEXT_PREFIXES = {**PREFIXES, "hydra": HYDRA}

# Short terms beyond CRM: (term, prefix, local name, values are things?).
_TERMS = [
    ("label", "rdfs", "label", False), ("comment", "rdfs", "comment", False),
    ("seeAlso", "rdfs", "seeAlso", True), ("subClassOf", "rdfs", "subClassOf", True),
    ("prefLabel", "skos", "prefLabel", False), ("altLabel", "skos", "altLabel", False),
    ("inScheme", "skos", "inScheme", True), ("broader", "skos", "broader", True),
    ("narrower", "skos", "narrower", True), ("Concept", "skos", "Concept", None),
    ("ConceptScheme", "skos", "ConceptScheme", None),
    ("title", "dcterms", "title", False), ("date", "dcterms", "date", False),
    ("description", "dcterms", "description", False), ("creator", "dcterms", "creator", True),
    ("contributor", "dcterms", "contributor", True), ("subject", "dcterms", "subject", True),
    ("spatial", "dcterms", "spatial", True), ("language", "dcterms", "language", True),
    ("identifier", "dcterms", "identifier", False), ("source", "dcterms", "source", False),
    ("rights", "dcterms", "rights", False), ("isPartOf", "dcterms", "isPartOf", True),
    ("modified", "dcterms", "modified", False), ("license", "dcterms", "license", True),
    ("sourceFile", "docket", "sourceFile", False), ("sourceChecksum", "docket", "sourceChecksum", False),
    ("mapperVersion", "docket", "mapperVersion", False), ("validationWarning", "docket", "validationWarning", False),
    ("Collection", "hydra", "Collection", None), ("PartialCollectionView", "hydra", "PartialCollectionView", None),
    ("collection", "hydra", "collection", True), ("member", "hydra", "member", True),
    ("totalItems", "hydra", "totalItems", False), ("view", "hydra", "view", True),
    ("first", "hydra", "first", True), ("previous", "hydra", "previous", True), ("next", "hydra", "next", True),
    ("last", "hydra", "last", True),
]


class _Terms:
    """IRI -> (term, coerced to @id) for properties and IRI -> term for classes, read once from vocab/crm.ttl."""

    def __init__(self) -> None:
        self.properties: dict[str, tuple[str, bool]] = {}
        self.classes: dict[str, str] = {}
        self.definitions: dict[str, object] = {"id": "@id", "type": "@type", **CONTEXT_PREFIXES}
        self._add_crm()
        for term, prefix, local, things in _TERMS:
            self._add(term, CONTEXT_PREFIXES[prefix] + local, f"{prefix}:{local}", things)

    def _add_crm(self) -> None:
        graph = Graph()
        with (vocab_dir() / "crm.ttl").open("rb") as f:
            graph.parse(f, format="turtle")
        for subject in sorted(set(graph.subjects())):
            iri = str(subject)
            if not iri.startswith(CRM_URI):
                continue
            local = iri[len(CRM_URI):]
            if (subject, RDF.type, RDFS.Class) in graph or local.startswith("E"):
                self._add(local, iri, f"crm:{local}", None)
            else:
                ranges = {str(r) for r in graph.objects(subject, RDFS.range)}
                literal = any(r == str(RDFS.Literal) or r.startswith(PREFIXES["xsd"]) for r in ranges)
                self._add(local, iri, f"crm:{local}", not literal)

    def _add(self, term: str, iri: str, compact: str, things: bool | None) -> None:
        if things is None:  # a class: only used as a value of type
            self.classes[iri] = term
            self.definitions[term] = compact
            return
        self.properties[iri] = (term, things)
        self.definitions[term] = {"@id": compact, "@type": "@id"} if things else compact


@lru_cache(maxsize=1)
def _terms() -> _Terms:
    return _Terms()


def context() -> dict:
    """The JSON-LD context document docket publishes at ``{base}context.jsonld``."""
    return {"@context": dict(_terms().definitions)}


def compact_iri(iri: str) -> str:
    """``prefix:local`` for an IRI under one of the context's prefixes (longest namespace first), else the IRI."""
    for prefix, namespace in _PREFIXES_LONGEST_FIRST:
        if iri.startswith(namespace) and len(iri) > len(namespace) and not iri[len(namespace):].startswith("//"):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


_PREFIXES_LONGEST_FIRST = sorted(CONTEXT_PREFIXES.items(), key=lambda item: -len(item[1]))


def to_jsonld(triples, *, context_url: str, first: str | None = None) -> bytes:
    """Triples as a compact JSON-LD document (``@graph`` of node objects, ``first``'s node first), UTF-8 bytes."""
    terms = _terms()
    nodes: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        node = nodes[_node_id(triple.subject)]
        if triple.predicate.value == str(RDF.type) and isinstance(triple.object, ox.NamedNode):
            iri = triple.object.value
            node["type"].append(terms.classes.get(iri) or compact_iri(iri))
            continue
        key, coerced = _key(triple.predicate.value, terms)
        node[key].append(_value(triple.object, coerced))
    order = sorted(nodes, key=lambda n: (n != first, n))
    graph = [_node_object(node_id, nodes[node_id]) for node_id in order]
    document = {"@context": context_url, "@graph": graph}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _key(predicate: str, terms: _Terms) -> tuple[str, bool]:
    found = terms.properties.get(predicate)
    if found is not None:
        return found
    return compact_iri(predicate), False


def _node_id(term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _value(term, coerced: bool):
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        node_id = _node_id(term) if isinstance(term, ox.BlankNode) else compact_iri(term.value)
        return node_id if coerced else {"id": node_id}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value} if coerced else term.value
    return {"@value": term.value, "@type": compact_iri(term.datatype.value)}


def _node_object(node_id: str, properties: dict[str, list]) -> dict:
    obj: dict[str, object] = {"id": node_id}
    if "type" in properties:
        types = sorted(set(properties.pop("type")))
        obj["type"] = types[0] if len(types) == 1 else types
    for key in sorted(properties):
        values = properties[key]
        obj[key] = values[0] if len(values) == 1 else values
    return obj
