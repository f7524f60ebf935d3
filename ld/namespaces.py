"""RDF namespaces docket writes.

``CRM`` is closed over the terms in ``vocab/crm.ttl`` (the subset generated from the official CIDOC-CRM RDFS), so a
misspelt term raises at import or first use instead of minting a new IRI in published data. Note that the official
7.1.3 RDFS implements E55 Type as ``skos:Concept``; there is no ``crm:E55_Type`` to use.
"""

from rdflib import DC, DCTERMS, OWL, RDF, RDFS, SKOS, XSD, Graph, Namespace, URIRef
from rdflib.namespace import ClosedNamespace

from ld.resources import vocab_dir

CRM_URI = "http://www.cidoc-crm.org/cidoc-crm/"


def _crm_terms() -> list[str]:
    graph = Graph()
    with (vocab_dir() / "crm.ttl").open("rb") as f:
        graph.parse(f, format="turtle")
    return sorted(str(s)[len(CRM_URI):] for s in set(graph.subjects()) if str(s).startswith(CRM_URI))


CRM = ClosedNamespace(CRM_URI, _crm_terms())
AAT = Namespace("http://vocab.getty.edu/aat/")
ISO639 = Namespace("http://id.loc.gov/vocabulary/iso639-2/")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
OA = Namespace("http://www.w3.org/ns/oa#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")
# docket's own terms (vocab/docket.ttl): ingest bookkeeping that no standard vocabulary covers.
DOCKET = Namespace("https://w3id.org/docket/ns#")

PREFIXES = {
    "crm": CRM_URI,
    "dcterms": str(DCTERMS),
    "dc": str(DC),  # dc:format, as the Web Annotation model uses it
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "aat": str(AAT),
    "iso639": str(ISO639),
    "dcmitype": str(DCMITYPE),
    "oa": str(OA),
    "prov": str(PROV),
    "docket": str(DOCKET),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind docket's usual prefixes on ``graph`` (for readable Turtle) and return it."""
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri, override=True)
    return graph


class TermsOnce:
    """A namespace whose terms are looked up once: ``TermsOnce(CRM).P2_has_type`` and ``TermsOnce(CRM)["E52_Time-Span"]``
    give the namespace's term, kept after the first use.

    An attribute of an rdflib namespace builds its URIRef anew on every access (1.5-2 us: ``__getattr__`` in Python,
    a closed namespace's check, the IRI's validation), and the mapper reads a few hundred a record. The kept term is
    also one object, so the dictionaries that later hold it as a key (the store's text cache, the validator's
    index) find it by identity instead of calling rdflib's ``__eq__``, a Python call."""

    def __init__(self, namespace):
        self._namespace = namespace
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:  # called only for a name not yet kept as an attribute
        if name.startswith("__"):
            raise AttributeError(name)
        term = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = self._namespace[name]
        return term
