"""The dataset description: VoID statistics and DCAT distributions of what docket publishes.

The statistics count exactly what a dump holds (every record graph, the entities graph, the vocab graph; never the
change log), so ``void:triples`` equals the triple count listed for each dump. They are SPARQL aggregates over the
whole store (seconds at 10,000 records): callers cache them per data version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rdflib import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from ld.dump import DUMP_FORMATS, DumpFile
from ld.iris import Minter
from ld.namespaces import PREFIXES

VOID = Namespace("http://rdfs.org/ns/void#")
SPDX = Namespace("http://spdx.org/rdf/terms#")


@dataclass(frozen=True)
class Statistics:
    """Counts over the published dataset."""

    triples: int
    subjects: int
    objects: int
    records: int
    classes: dict[str, int]  # class IRI -> distinct instances
    properties: dict[str, int]  # property IRI -> triples


def _dataset_filter(minter: Minter) -> str:
    # What a dump holds: the record graphs, the entities and vocab graphs (not the change log, not the state graph).
    return (f"FILTER(STRSTARTS(STR(?g), \"{minter.base}id/document/\") || ?g = <{minter.entities_graph}> "
            f"|| ?g = <{minter.vocab_graph}>)")


def statistics(store, minter: Minter) -> Statistics:
    """Triples, distinct subjects and objects, records, and class and property partitions of the dataset."""
    where = f"GRAPH ?g {{ ?s ?p ?o }} {_dataset_filter(minter)}"

    def number(query: str) -> int:
        rows = list(store.query(query))
        return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0

    triples = number(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")
    subjects = number(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}")
    objects = number(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ {where} }}")
    classes = {row["c"].value: int(row["n"].value) for row in store.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH ?g {{ ?s a ?c }} {_dataset_filter(minter)} }} "
        f"GROUP BY ?c ORDER BY ?c")}
    properties = {row["p"].value: int(row["n"].value) for row in store.query(
        f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?p ORDER BY ?p")}
    return Statistics(triples, subjects, objects, store.count_records(), classes, properties)


def void_graph(stats: Statistics, minter: Minter, *, modified: datetime | None, license: str, publisher: str,
               dumps: dict[str, DumpFile]) -> Graph:
    """The VoID + DCAT description at ``{base}void``; ``dumps`` are the listed dump files (their size and checksum
    are given when they were made from the current data)."""
    base = minter.base
    g = Graph()
    for prefix, namespace in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF),
                              ("spdx", SPDX), ("xsd", XSD)):
        g.bind(prefix, namespace)
    doc, ds = URIRef(f"{base}void"), URIRef(f"{base}void#dataset")
    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, DCTERMS.title, Literal("Description of the docket dataset", lang="en")))
    g.add((doc, FOAF.primaryTopic, ds))
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("docket: declassified diplomatic records as linked data", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Archival records with their people, groups, places, dates and apparatus, in CIDOC-CRM and Dublin Core; "
        "one named graph per record.", lang="en")))
    g.add((ds, DCTERMS.license, URIRef(license)))
    publisher_node = URIRef(f"{base}void#publisher")
    g.add((ds, DCTERMS.publisher, publisher_node))
    g.add((publisher_node, RDF.type, FOAF.Agent))
    g.add((publisher_node, FOAF.name, Literal(publisher)))
    if modified is not None:
        g.add((ds, DCTERMS.modified, Literal(modified.replace(microsecond=0, tzinfo=None), datatype=XSD.dateTime)))
    g.add((ds, FOAF.homepage, URIRef(base)))
    g.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, VOID.rootResource, URIRef(f"{base}browse/document")))
    g.add((ds, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")))
    for prefix in ("crm", "dcterms", "rdfs", "skos", "docket"):
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[prefix])))
    g.add((ds, VOID.triples, Literal(stats.triples)))
    g.add((ds, VOID.distinctSubjects, Literal(stats.subjects)))
    g.add((ds, VOID.distinctObjects, Literal(stats.objects)))
    g.add((ds, VOID.classes, Literal(len(stats.classes))))
    g.add((ds, VOID.properties, Literal(len(stats.properties))))
    g.add((ds, VOID.documents, Literal(stats.records)))
    for i, (cls, count) in enumerate(stats.classes.items(), 1):
        part = URIRef(f"{base}void#class-{i}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    for i, (prop, count) in enumerate(stats.properties.items(), 1):
        part = URIRef(f"{base}void#property-{i}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))
    _distributions(g, ds, base, dumps)
    service = URIRef(f"{base}void#sparql")
    g.add((ds, DCAT.accessService if hasattr(DCAT, "accessService") else DCAT.service, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, URIRef(f"{base}sparql")))
    g.add((service, DCAT.endpointDescription, URIRef(f"{base}sparql")))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}changes")))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}oai?verb=Identify")))
    g.add((ds, RDFS.seeAlso, URIRef(f"{base}sitemap.xml")))
    return g


def _distributions(g: Graph, ds: URIRef, base: str, dumps: dict[str, DumpFile]) -> None:
    for fmt in DUMP_FORMATS:
        url = URIRef(f"{base}dumps/docket.{fmt.suffix}.gz")
        g.add((ds, VOID.dataDump, url))
        dist = URIRef(f"{base}void#dump-{fmt.suffix}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"The whole dataset in {fmt.label}, gzip-compressed", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, URIRef(f"{base}dumps/")))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}")))
        g.add((dist, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
        entry = dumps.get(fmt.suffix)
        if entry is not None:
            g.add((dist, DCAT.byteSize, Literal(entry.size, datatype=XSD.nonNegativeInteger)))
            g.add((dist, DCTERMS.modified, Literal(entry.modified.replace("+00:00", ""), datatype=XSD.dateTime)))
            checksum = URIRef(f"{base}void#dump-{fmt.suffix}-sha256")
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((checksum, SPDX.checksumValue, Literal(entry.sha256, datatype=XSD.hexBinary)))
