"""What the HTML pages show, as plain data built from a ``Description``'s triples (the same triples the RDF formats
serialize, so a page never says more or less than the data) and from a few cheap store queries (home, browse).

Nothing here renders HTML or escapes anything: templates do that. Entities are ``Link``s (label + IRI); the server
turns IRIs into local URLs with its one URL builder.
"""

from __future__ import annotations

import re

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from rdflib import DCTERMS, RDF, RDFS, SKOS

from ld.describe import Description, Paging
from ld.iris import KINDS, Minter
from ld.namespaces import CRM_URI, DOCKET
from ld.resources import vocab_dir
from ld.store import Store

CRM = CRM_URI
_TYPE, _LABEL, _PREF = str(RDF.type), str(RDFS.label), str(SKOS.prefLabel)
_P190 = CRM + "P190_has_symbolic_content"

# Labels for the Dublin Core and Hydra terms (the CRM and docket labels come from vocab/).
_EXTRA_LABELS = {str(DCTERMS[t]): t for t in ("title", "date", "description", "creator", "contributor", "subject",
                                              "spatial", "language", "type", "identifier", "source", "rights",
                                              "isPartOf", "modified")}
_EXTRA_LABELS.update({str(SKOS.altLabel): "variant name", _PREF: "preferred label", _LABEL: "label",
                      _TYPE: "type", str(SKOS.inScheme): "in scheme"})
KIND_NAMES = {"document": "Records", "person": "People", "group": "Groups", "place": "Places", "event": "Events",
              "concept": "Concepts", "archive": "Archives"}


@dataclass(frozen=True)
class Link:
    """Something to link to: its label and IRI (``kind`` is the docket kind, or "" for outside IRIs)."""

    label: str
    iri: str
    kind: str = ""


@dataclass(frozen=True)
class Statement:
    """One triple for the 'all statements' table: subject, predicate and object as Links or text."""

    subject: Link
    predicate: Link
    value: Link | str


@dataclass
class Copy:
    label: str
    number: str | None = None
    keeper: list[Link] = field(default_factory=list)
    holding: str | None = None
    call_number: str | None = None
    marking: str | None = None


@dataclass
class Stamp:
    office: list[Link]
    number: str | None
    date: str | None
    on: str | None


@dataclass
class Transfer:
    copy: str | None
    recipients: list[Link]
    to_file: bool
    date: str | None


@dataclass
class RecordPage:
    """Everything the record page shows."""

    iri: str
    title: str
    date: str | None
    date_printed: str | None
    summary: str | None
    text: str | None
    paragraphs: list[list[tuple[str, Link | None]]]  # the text by paragraph, in pieces; named things as links
    genres: list[Link]
    classification: list[Link]
    marking: str | None
    languages: list[Link]
    authors: list[Link]
    translators: list[Link]
    contributors: list[Link]
    people: list[Link]
    groups: list[Link]
    places: list[Link]
    subjects: list[Link]
    part_of: list[tuple[str, str | None]]  # (journal label, period)
    identifiers: list[tuple[str, str]]  # (kind, value)
    outgoing: tuple[str, str | None, list[Link]] | None  # (number, date, issuer)
    copies: list[Copy]
    stamps: list[Stamp]
    distribution: list[Transfer]
    source: str | None
    archives: list[Link]
    rights: str | None
    warnings: list[str]
    modified: str | None
    source_file: str | None
    statements: list[Statement]


@dataclass
class LinkingRecord:
    """A record that links to an entity: its label, date and how it links (predicate labels)."""

    record: Link
    date: str | None
    relations: list[str]


@dataclass
class EntityPage:
    """Everything an entity page shows."""

    iri: str
    kind: str
    name: str
    classes: list[Link]
    variants: list[str]
    records: list[LinkingRecord]
    paging: Paging
    statements: list[Statement]


# --- the triples of a description, indexed -------------------------------------------------------------------------


class _Index:
    """subject -> predicate -> objects, plus the best label of every IRI."""

    def __init__(self, triples) -> None:
        self.out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        rdfs_labels: dict[str, str] = {}
        pref_labels: dict[str, str] = {}
        for t in triples:
            subject = _id(t.subject)
            self.out[subject][t.predicate.value].append(t.object)
            if isinstance(t.object, ox.Literal) and t.predicate.value in (_LABEL, _PREF):
                chosen = rdfs_labels if t.predicate.value == _LABEL else pref_labels
                chosen[subject] = min(chosen.get(subject, t.object.value), t.object.value)  # stable choice
        self.labels: dict[str, str] = {**pref_labels, **rdfs_labels}  # rdfs:label wins

    def values(self, subject: str, predicate: str) -> list:
        return self.out.get(subject, {}).get(predicate, [])

    def text(self, subject: str, predicate: str) -> str | None:
        found = [o.value for o in self.values(subject, predicate) if isinstance(o, ox.Literal)]
        return sorted(found)[0] if found else None

    def nodes(self, subject: str, predicate: str) -> list[str]:
        return [o.value for o in self.values(subject, predicate) if isinstance(o, ox.NamedNode)]

    def subjects_of(self, predicate: str, iri: str) -> list[str]:
        return [s for s, props in self.out.items()
                if any(isinstance(o, ox.NamedNode) and o.value == iri for o in props.get(predicate, ()))]

    def links(self, subject: str, predicate: str, minter: Minter) -> list[Link]:
        return sorted({self.link(iri, minter) for iri in self.nodes(subject, predicate)}, key=_sort_key)

    def link(self, iri: str, minter: Minter) -> Link:
        kind_key = minter.kind_and_key(iri)
        label = self.labels.get(iri) or (kind_key[1] if kind_key else _local_name(iri))
        return Link(label, iri, kind_key[0] if kind_key and "#" not in iri else "")

    def of_type(self, cls: str) -> list[str]:
        return sorted(s for s, props in self.out.items() if any(o.value == cls for o in props.get(_TYPE, [])))

    def label_of(self, iri: str | None) -> str | None:
        return self.labels.get(iri) if iri else None


def _id(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _sort_key(link: Link):
    return (link.label.casefold(), link.iri)


# --- record pages --------------------------------------------------------------------------------------------------


def record_page(description: Description, minter: Minter) -> RecordPage:
    """The record page's data from a record description."""
    ix, d = _Index(description.triples), description.thing
    concept = f"{minter.base}id/concept/"
    types = ix.links(d, CRM + "P2_has_type", minter)
    refs = ix.links(d, CRM + "P67_refers_to", minter)
    translation = (ix.nodes(d, CRM + "P73_has_translation") or [None])[0]
    translators = []
    if translation:
        for creation in ix.nodes(translation, CRM + "P94i_was_created_by"):
            translators += ix.links(creation, CRM + "P14_carried_out_by", minter)
    date_span = [s for c in ix.nodes(d, CRM + "P94i_was_created_by") for s in ix.nodes(c, CRM + "P4_has_time-span")]
    return RecordPage(
        iri=d,
        title=ix.text(d, str(DCTERMS.title)) or ix.labels.get(d) or description.key,
        date=ix.text(d, str(DCTERMS.date)),
        date_printed=ix.label_of(date_span[0]) if date_span else None,
        summary=ix.text(d, str(DCTERMS.description)),
        text=ix.text(translation or d, CRM + "P190_has_symbolic_content"),
        paragraphs=_paragraphs(ix.text(translation or d, _P190), _mentions(ix, translation or d, minter,
                                                                         ix.text(translation or d, _P190) or "")),
        genres=[t for t in types if t.iri.startswith(concept + "genre-")],
        classification=[t for t in types if t.iri.startswith(concept + "classification-")],
        marking=_marking(ix),
        languages=ix.links(d, str(DCTERMS.language), minter),
        authors=ix.links(d, str(DCTERMS.creator), minter),
        translators=translators,
        contributors=[c for c in ix.links(d, str(DCTERMS.contributor), minter) if c not in translators],
        people=[r for r in refs if r.kind == "person"],
        groups=[r for r in refs if r.kind in ("group", "archive")],
        places=[r for r in refs if r.kind == "place"],
        subjects=ix.links(d, str(DCTERMS.subject), minter),
        part_of=_part_of(ix, d),
        identifiers=_identifiers(ix, d),
        outgoing=_outgoing(ix, d, minter),
        copies=_copies(ix, d, minter),
        stamps=_stamps(ix, minter),
        distribution=_distribution(ix, minter),
        source=ix.text(d, str(DCTERMS.source)),
        archives=_archives(ix, minter),
        rights=ix.text(d, str(DCTERMS.rights)),
        warnings=sorted(o.value for o in ix.values(d, str(DOCKET.validationWarning))),
        modified=ix.text(d, str(DCTERMS.modified)),
        source_file=ix.text(d, str(DOCKET.sourceFile)),
        statements=statements(description, minter, ix),
    )


_OA = "http://www.w3.org/ns/oa#"
_DCTERMS = "http://purl.org/dc/terms/"


def _mentions(ix: _Index, holder: str, minter: Minter, text: str) -> list[tuple[int, int, Link]]:
    """(start, end, what is named) for each annotation whose target is a span (``{text}#char=start,end``) of the
    text/plain resource of the text held by ``holder``, and for every other place the text prints the same words
    (evidence quotes the first mention only)."""
    found = []
    prefixes = tuple(f"{resource}#char=" for resource in ix.subjects_of(_DCTERMS + "isFormatOf", holder))
    for props in ix.out.values() if prefixes else ():
        bodies = [o.value for o in props.get(_OA + "hasBody", ()) if isinstance(o, ox.NamedNode)]
        for target in props.get(_OA + "hasTarget", ()):
            span = _span(target.value, prefixes)
            if span is not None and bodies and "#" not in bodies[0]:
                found.append((*span, ix.link(bodies[0], minter)))
    for start, end, link in list(found):
        quoted = text[start:end]
        for m in re.finditer(rf"(?<!\w){re.escape(quoted)}(?!\w)", text):
            if m.start() != start:
                found.append((m.start(), m.end(), link))
    found.sort(key=lambda m: (m[0], -m[1]))
    return found


def _span(iri: str, prefixes: tuple[str, ...]) -> tuple[int, int] | None:
    """(start, end) of an RFC 5147 ``#char=start,end`` IRI on one of the ``prefixes``' texts, else None."""
    if not iri.startswith(prefixes):
        return None
    start, _, end = iri.rpartition("=")[2].partition(",")
    return (int(start), int(end)) if start.isdigit() and end.isdigit() else None


def _paragraphs(text: str | None, mentions: list[tuple[int, int, Link]]) -> list[list[tuple[str, Link | None]]]:
    """The text split into paragraphs (lines), each a list of (piece, link or None)."""
    if not text:
        return []
    pieces: list[tuple[str, Link | None]] = []
    at = 0
    for start, end, link in mentions:
        if start < at or end > len(text):
            continue
        pieces += [(text[at:start], None), (text[start:end], link)]
        at = end
    pieces.append((text[at:], None))
    paragraphs: list[list[tuple[str, Link | None]]] = [[]]
    for piece, link in pieces:
        lines = piece.split("\n")
        for i, line in enumerate(lines):
            if i:
                paragraphs.append([])
            if line:
                paragraphs[-1].append((line, link))
    return [p for p in paragraphs if any(piece.strip() for piece, _ in p)]


def _marking(ix: _Index) -> str | None:
    for node in ix.of_type(CRM + "E34_Inscription"):
        return ix.text(node, _P190)
    return None


def _part_of(ix: _Index, d: str) -> list[tuple[str, str | None]]:
    parts = []
    for whole in ix.nodes(d, CRM + "P106i_forms_part_of"):
        spans = [s for c in ix.nodes(whole, CRM + "P94i_was_created_by") for s in ix.nodes(c, CRM + "P4_has_time-span")]
        parts.append((ix.labels.get(whole) or _local_name(whole), ix.label_of(spans[0]) if spans else None))
    return parts


def _identifiers(ix: _Index, d: str) -> list[tuple[str, str]]:
    found = []
    for node in ix.nodes(d, CRM + "P1_is_identified_by"):
        if ix.nodes(node, CRM + "P37i_was_assigned_by"):
            continue  # the outgoing number, shown with its dispatch
        kind = next((ix.labels.get(t) for t in ix.nodes(node, CRM + "P2_has_type") if ix.labels.get(t)), "Identifier")
        if value := ix.text(node, _P190):
            found.append((kind, value))
    return sorted(found)


def _outgoing(ix: _Index, d: str, minter: Minter):
    for node in ix.nodes(d, CRM + "P1_is_identified_by"):
        for dispatch in ix.nodes(node, CRM + "P37i_was_assigned_by"):
            spans = ix.nodes(dispatch, CRM + "P4_has_time-span")
            return (ix.text(node, _P190) or "", ix.label_of(spans[0]) if spans else None,
                    ix.links(dispatch, CRM + "P14_carried_out_by", minter))
    return None


def _copies(ix: _Index, d: str, minter: Minter) -> list[Copy]:
    copies = []
    for node in ix.of_type(CRM + "E22_Human-Made_Object"):
        copy = Copy(ix.labels.get(node) or _local_name(node))
        numbers = [ix.text(i, _P190) for i in ix.nodes(node, CRM + "P1_is_identified_by")]
        copy.number = next((n for n in numbers if n), None)
        copy.keeper = ix.links(node, CRM + "P50_has_current_keeper", minter)
        for holding in ix.nodes(node, CRM + "P46i_forms_part_of"):
            copy.holding = ix.labels.get(holding)
            calls = [ix.text(i, _P190) for i in ix.nodes(holding, CRM + "P1_is_identified_by")]
            copy.call_number = next((c for c in calls if c), None)
        markings = [ix.text(m, _P190) for m in ix.nodes(node, CRM + "P128_carries") if m != d]
        copy.marking = next((m for m in markings if m), None)
        copies.append(copy)
    return sorted(copies, key=lambda c: (len(c.number or ""), c.number or "", c.label))


def _stamps(ix: _Index, minter: Minter) -> list[Stamp]:
    stamps = []
    registration = f"{minter.base}id/concept/activity-registration"
    for node in ix.of_type(CRM + "E15_Identifier_Assignment"):
        if registration not in ix.nodes(node, CRM + "P2_has_type"):
            continue  # the dispatch (outgoing number) is shown apart
        numbers = [ix.text(i, _P190) for i in ix.nodes(node, CRM + "P37_assigned")]
        spans = ix.nodes(node, CRM + "P4_has_time-span")
        targets = ix.nodes(node, CRM + "P140_assigned_attribute_to")
        stamps.append(Stamp(ix.links(node, CRM + "P14_carried_out_by", minter), next((n for n in numbers if n), None),
                            ix.label_of(spans[0]) if spans else None,
                            ix.label_of(targets[0]) if targets else None))
    return stamps


def _distribution(ix: _Index, minter: Minter) -> list[Transfer]:
    transfers = []
    filing = f"{minter.base}id/concept/activity-filing"
    for node in ix.of_type(CRM + "E10_Transfer_of_Custody"):
        copies = ix.nodes(node, CRM + "P30_transferred_custody_of")
        spans = ix.nodes(node, CRM + "P4_has_time-span")
        transfers.append(Transfer(ix.label_of(copies[0]) if copies else None,
                                  ix.links(node, CRM + "P29_custody_received_by", minter),
                                  filing in ix.nodes(node, CRM + "P2_has_type"),
                                  ix.label_of(spans[0]) if spans else None))
    return sorted(transfers, key=lambda t: (len(t.copy or ""), t.copy or ""))


def _archives(ix: _Index, minter: Minter) -> list[Link]:
    found = set()
    for node in ix.of_type(CRM + "E22_Human-Made_Object"):
        found.update(ix.links(node, CRM + "P50_has_current_keeper", minter))
    for node in ix.of_type(CRM + "E78_Curated_Holding"):
        found.update(ix.links(node, CRM + "P109_has_current_or_former_curator", minter))
    return sorted(found, key=_sort_key)


# --- entity pages --------------------------------------------------------------------------------------------------


def entity_page(description: Description, minter: Minter) -> EntityPage:
    """The entity page's data from an entity description (one page of its incoming links)."""
    ix, e = _Index(description.triples), description.thing
    variants = sorted({o.value for o in ix.values(e, str(SKOS.altLabel))}, key=str.casefold)
    return EntityPage(
        iri=e, kind=description.kind, name=ix.labels.get(e) or description.key,
        classes=ix.links(e, _TYPE, minter), variants=variants,
        records=_linking_records(ix, e, minter), paging=description.paging,
        statements=[s for s in statements(description, minter, ix) if s.subject.iri == e],
    )


def _linking_records(ix: _Index, thing: str, minter: Minter) -> list[LinkingRecord]:
    base_doc = f"{minter.base}id/document/"
    relations: dict[str, set[str]] = defaultdict(set)
    for subject, props in ix.out.items():
        for predicate, objects in props.items():
            if any(isinstance(o, ox.NamedNode) and o.value == thing for o in objects):
                record = subject.split("#", 1)[0]
                if record.startswith(base_doc):
                    relations[record].add(predicate_label(predicate))
    records = [LinkingRecord(ix.link(r, minter), ix.text(r, str(DCTERMS.date)), sorted(rels))
               for r, rels in relations.items()]
    return sorted(records, key=lambda r: (r.date or "", r.record.iri))


# --- the generic statement table -----------------------------------------------------------------------------------


def statements(description: Description, minter: Minter, ix: _Index | None = None) -> list[Statement]:
    """Every triple of the description with labels, subjects in order (the thing first), for a 'data' table."""
    ix = ix or _Index(description.triples)
    rows = []
    for t in description.triples:
        subject = ix.link(_id(t.subject), minter)
        predicate = Link(predicate_label(t.predicate.value), t.predicate.value)
        value = ix.link(_id(t.object), minter) if not isinstance(t.object, ox.Literal) else t.object.value
        rows.append(Statement(subject, predicate, value))
    thing = description.thing
    return sorted(rows, key=lambda r: (r.subject.iri != thing, r.subject.iri, r.predicate.label,
                                       r.value if isinstance(r.value, str) else r.value.label))


@lru_cache(maxsize=1)
def _vocab_labels() -> dict[str, str]:
    # Labels of the vocabulary terms (CRM properties, docket terms), read once: off the request path.
    labels = dict(_EXTRA_LABELS)
    for name in ("crm.ttl", "docket.ttl"):
        with (vocab_dir() / name).open("rb") as f:
            for quad in ox.parse(f, format=ox.RdfFormat.TURTLE):
                if quad.predicate.value == _LABEL and isinstance(quad.object, ox.Literal):
                    labels.setdefault(quad.subject.value, quad.object.value)
    return labels


def predicate_label(iri: str) -> str:
    """A readable name of a property: its vocabulary label, else its local name."""
    return _vocab_labels().get(iri) or _local_name(iri)


# --- home and browse (store queries; the server caches their results per store version) ----------------------------


@dataclass(frozen=True)
class Summary:
    """What the dataset holds: how many things of each kind, and the records added last."""

    counts: dict[str, int]
    recent: list[LinkingRecord]


def dataset_summary(store: Store, minter: Minter, recent: int = 10) -> Summary:
    """Counts per kind and the ``recent`` records modified last (a few scans: cache the result per store version)."""
    counts = {kind: 0 for kind in KINDS}
    counts["document"] = store.count_records()
    prefix = f"{minter.base}id/"
    query = f"""SELECT ?kind (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        GRAPH ?g {{ ?e a ?class }} FILTER(?g IN (<{minter.entities_graph}>, <{minter.vocab_graph}>))
        FILTER(STRSTARTS(STR(?e), "{prefix}"))
        BIND(STRBEFORE(STRAFTER(STR(?e), "{prefix}"), "/") AS ?kind) }} GROUP BY ?kind"""
    for row in store.query(query):
        if row["kind"].value in counts and row["kind"].value != "document":
            counts[row["kind"].value] = int(row["n"].value)
    query = f"""SELECT ?d ?label ?date ?modified WHERE {{
        GRAPH ?d {{ ?d <{DCTERMS.modified}> ?modified ; <{RDFS.label}> ?label OPTIONAL {{ ?d <{DCTERMS.date}> ?date }} }}
        FILTER(!STRSTARTS(STR(?d), "{minter.base}graph/")) }} ORDER BY DESC(?modified) ?d LIMIT {int(recent)}"""
    records = [LinkingRecord(Link(row["label"].value, row["d"].value, "document"),
                             row["date"].value if row["date"] else None, []) for row in store.query(query)]
    return Summary(counts, records)


@dataclass(frozen=True)
class BrowsePage:
    """One page of the things of one kind: (Link, date or None), alphabetical (records: by date)."""

    kind: str
    items: list[tuple[Link, str | None]]
    paging: Paging


def browse(store: Store, minter: Minter, kind: str, *, total: int, page: int = 1, size: int = 100) -> BrowsePage:
    """One page of the ``kind`` things: entities by label, records by date (what historians scan a list for).
    ``total`` comes from ``dataset_summary`` (cached), so a page costs one ordered query."""
    offset = (page - 1) * size
    if kind == "document":
        query = f"""SELECT ?e ?label ?date WHERE {{
            GRAPH ?e {{ ?e a <{CRM}E31_Document> ; <{RDFS.label}> ?label OPTIONAL {{ ?e <{DCTERMS.date}> ?date }} }}
            FILTER(!STRSTARTS(STR(?e), "{minter.base}graph/")) }}
            ORDER BY STR(?date) ?e LIMIT {int(size)} OFFSET {int(offset)}"""
    else:
        query = f"""SELECT ?e (SAMPLE(?l) AS ?label) WHERE {{
            GRAPH ?g {{ ?e a ?class ; ?lp ?l }} VALUES ?lp {{ <{RDFS.label}> <{SKOS.prefLabel}> }}
            FILTER(?g IN (<{minter.entities_graph}>, <{minter.vocab_graph}>))
            FILTER(STRSTARTS(STR(?e), "{minter.base}id/{kind}/")) }}
            GROUP BY ?e ORDER BY LCASE(STR(?label)) ?e LIMIT {int(size)} OFFSET {int(offset)}"""
    items = [(Link(row["label"].value, row["e"].value, kind), row["date"].value if kind == "document" and row["date"]
              else None) for row in store.query(query)]
    return BrowsePage(kind, items, Paging(page, size, total))
