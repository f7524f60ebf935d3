"""Map a ``Record`` and the entities it names to RDF: CIDOC-CRM in three levels plus a Dublin Core view.

docs/MAPPING.md is the contract this module implements (IRIs, node kinds); ../shared/MODEL.md is the model.
The output is two graphs: the record's own named graph, and the entity descriptions it links to (which the store
keeps once, in the entities graph). No blank nodes: nodes that live only in one record are ``{record}#fragment``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Sequence

import rdflib
from rdflib import Graph, Literal, URIRef

from ld import namespaces
from ld.authority import Entity
from ld.entities import EventReference, Reference
from ld.iris import Minter, short_hash, slugify
from ld.language import guess_language
from ld.authority import KIND_CLASSES
from ld.namespaces import TermsOnce
from ld.record import PrintedDate, Record
from ld.terms import LeanMemory
from ld.vocab import Vocabulary

# Bump when the mapping changes, so re-ingesting unchanged files rewrites their graphs.
MAPPER_VERSION = "4"

# Every namespace this module writes, its terms looked up once (TermsOnce: the mapper reads a few hundred a record).
DC, DCTERMS, RDF, RDFS, SKOS, XSD = map(TermsOnce, (rdflib.DC, rdflib.DCTERMS, rdflib.RDF, rdflib.RDFS, rdflib.SKOS,
                                                    rdflib.XSD))
AAT, CRM, DCMITYPE, DOCKET, ISO639, OA = map(TermsOnce, (namespaces.AAT, namespaces.CRM, namespaces.DCMITYPE,
                                                         namespaces.DOCKET, namespaces.ISO639, namespaces.OA))

_DATE_TYPES = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}
# Roles whose entities the original text itself names (funders and keepers belong to the publication and custody).
_REFERRED_ROLES = {"author", "associated", "contributor", "place", "recipient", "drafter", "registrar", "issuer",
                   "mentioned", "participant"}
_CREATOR_ROLES = {"author", "drafter"}
_METADATA_ORIGINS = ("metadata", "apparatus")
# Web Annotation terms, looked up once (an rdflib Namespace attribute costs microseconds, and a record has hundreds)
(_RDF_TYPE, _OA_ANNOTATION, _OA_MOTIVATED_BY, _OA_IDENTIFYING, _OA_HAS_BODY, _OA_HAS_TARGET, _P190) = (
    RDF.type, OA.Annotation, OA.motivatedBy, OA.identifying, OA.hasBody, OA.hasTarget, CRM.P190_has_symbolic_content)
_RDFS_LABEL, _SKOS_ALT_LABEL = RDFS.label, SKOS.altLabel
_TEXT_PLAIN = Literal("text/plain")



@dataclass(frozen=True)
class MappedRecord:
    """The RDF of one record: its IRI, its named graph, and the entity descriptions it links to."""

    iri: URIRef
    graph: Graph
    entities: Graph
    notices: tuple[str, ...] = ()  # non-fatal remarks, e.g. that text extraction failed for this record


def document_key(record: Record) -> str:
    """A record's stable key: its record ID where given, else its date and slugified title."""
    if record.record_id:
        return slugify(record.record_id, max_length=64) or short_hash(record.record_id)
    title = slugify(record.title, max_length=64)
    return f"{record.date.iso}-{title}" if title else f"{record.date.iso}-{short_hash(record.title)}"


class Mapper:
    """Turns records into graphs; holds the (parsed once) vocabulary and the IRI minter."""

    def __init__(self, minter: Minter, vocab: Vocabulary, version: str = MAPPER_VERSION, *, evidence: bool = True):
        self.minter = minter
        self.vocab = vocab
        self.evidence = evidence  # False leaves out the annotations of mined names (bench/extract.py weighs them)
        self.version = version  # what docket:mapperVersion says: MAPPER_VERSION, plus the authority file's digest

    def map(self, record: Record, key: str, references: Sequence[Reference],
            *, modified: datetime | None = None, events: Sequence[EventReference] = (),
            part_of: Sequence[tuple[Entity, Entity]] = ()) -> MappedRecord:
        """Map ``record`` under ``{base}id/document/{key}`` with the resolved ``references`` it names and the
        ``events`` its text tells of."""
        builder = _RecordBuilder(self, record, key, references, events)
        builder.build(modified or datetime.now(timezone.utc).replace(microsecond=0))
        builder.part_of(part_of)
        return MappedRecord(builder.doc, builder.g, builder.entities)


class _RecordBuilder:
    """Builds one record's graph; one method per part of MAPPING.md."""

    def __init__(self, mapper: Mapper, record: Record, key: str, references: Sequence[Reference],
                 events: Sequence[EventReference] = ()):
        self.minter, self.vocab, self.version = mapper.minter, mapper.vocab, mapper.version
        self.evidence = mapper.evidence
        self.record, self.key, self.doc = record, key, mapper.minter.document(key)
        self.references, self.events = references, events
        # (role, origin, IRI) per reference: entities_in is asked a dozen times a record, for a different role each
        self._roles = [(ref.mention.role, ref.mention.origin, ref.entity.iri(self.minter)) for ref in references]
        # the same by role, with each one's position: most questions are about a role or two that few references
        # have, and the text's mentions make a list of a hundred or more to go through otherwise
        self._by_role: dict[str, list[tuple[int, str, URIRef]]] = {}
        for position, (role, origin, iri) in enumerate(self._roles):
            self._by_role.setdefault(role, []).append((position, origin, iri))
        self.published_texts: set[URIRef] = set()  # text/plain resources the evidence points into
        # LeanMemory: the mapper only adds and scans a few hundred triples, and rdflib's default indexed store
        # costs 2.5x as much per add. No prefixes are bound: binding builds a namespace manager per graph (1-2 ms);
        # serializers bind them where people read the output.
        self.g = Graph(store=LeanMemory())
        self.entities = Graph(store=LeanMemory())
        # Graph.add checks each term's type; every term here is made by this class, so triples go to the store
        self._add, self._add_entity = self.g.store.add, self.entities.store.add
        self._texts: dict[str | None, tuple[URIRef, URIRef, str] | None] = {}
        self.text_language = guess_language(record.text) if record.text else None
        self.original_language = self._original_language()

    def _original_language(self) -> URIRef | None:
        """The language the record states; else, for a text that is not English and names no translator, the
        language the text itself is written in (the record then shows the original, not a translation)."""
        if self.record.language:
            return self.vocab.language(self.record.language)
        if self.text_language and self.text_language != "eng" and not self.record.translator:
            return self.language_iri(self.text_language)
        return None

    # ---------------------------------------------------------------- helpers
    def part(self, fragment: str) -> URIRef:
        return self.minter.part(self.doc, fragment)

    def add(self, s: URIRef, p: URIRef, o) -> None:
        self._add((s, p, o), self.g)

    def add_entity(self, s: URIRef, p: URIRef, o) -> None:
        """A triple of the entity descriptions (the entities graph)."""
        self._add_entity((s, p, o), self.entities)

    def entities_in(self, roles: Iterable[str], origins: Iterable[str] | None = None) -> list[URIRef]:
        """The IRIs of the entities named in ``roles`` (from ``origins``, or any), each once, in reference order."""
        by_role = self._by_role
        found = [entry for role in set(roles) for entry in by_role.get(role, ())]
        found.sort()  # by position (positions differ: the rest of an entry is never compared)
        from_origins = set(origins) if origins is not None else None
        seen: dict[URIRef, None] = {}
        for _, origin, iri in found:
            if from_origins is None or origin in from_origins:
                seen.setdefault(iri, None)
        return list(seen)

    def timespan(self, fragment: str, date: PrintedDate) -> URIRef:
        node = self.part(fragment)
        self.add(node, RDF.type, CRM["E52_Time-Span"])
        self.add(node, RDFS.label, Literal(date.text))
        self.add(node, CRM.P82a_begin_of_the_begin, Literal(date.begin.replace(tzinfo=None), datatype=XSD.dateTime))
        self.add(node, CRM.P82b_end_of_the_end, Literal(date.end.replace(tzinfo=None), datatype=XSD.dateTime))
        return node

    def language_iri(self, code: str | None) -> URIRef | None:
        """The ISO 639-2 IRI of a code, if the vocabulary describes that language."""
        iri = ISO639[code] if code else None
        return iri if iri is not None and self.vocab.label(iri) else None

    def identifier(self, fragment: str, value: str, kind: URIRef) -> URIRef:
        node = self.part(fragment)
        self.add(node, RDF.type, CRM.E42_Identifier)
        self.add(node, CRM.P190_has_symbolic_content, Literal(value))
        self.add(node, CRM.P2_has_type, kind)
        return node

    def statement(self, holder: URIRef, fragment: str, text: str, kind: URIRef) -> URIRef:
        node = self.part(fragment)
        self.add(node, RDF.type, CRM.E33_Linguistic_Object)
        self.add(node, CRM.P190_has_symbolic_content, Literal(text, lang="en"))
        self.add(node, CRM.P2_has_type, kind)
        self.add(holder, CRM.P67i_is_referred_to_by, node)
        return node

    # ---------------------------------------------------------------- parts
    def build(self, modified: datetime) -> None:
        self.document()
        self.creation()
        holder = self.translation() or self.doc
        self.text(holder)
        self.title(holder)
        self.statements(holder)
        self.metadata_statement(holder)
        self.mentions(holder)
        self.described_events(holder)
        self.identifiers()
        self.journal()
        self.custody()
        self.stamps()
        self.subjects()
        self.entity_descriptions()
        self.dublin_core(modified)
        self.bookkeeping()

    def document(self) -> None:
        doc, record = self.doc, self.record
        self.add(doc, RDF.type, CRM.E31_Document)
        self.add(doc, RDF.type, CRM.E33_Linguistic_Object)
        self.add(doc, RDFS.label, Literal(record.title, lang="en"))
        genre = self.vocab.genre(record.genre or record.title)
        if genre:
            self.add(doc, CRM.P2_has_type, genre)
        classification = self.classification_concept()
        if classification:
            self.add(doc, CRM.P2_has_type, classification)
        if self.original_language:
            self.add(doc, CRM.P72_has_language, self.original_language)
        for entity in self.entities_in(_REFERRED_ROLES):
            self.add(doc, CRM.P67_refers_to, entity)

    def classification_concept(self) -> URIRef | None:
        printed = self.record.classification or self.record.apparatus.classification
        return self.vocab.classification(printed) if printed else None

    def creation(self) -> None:
        creation = self.part("creation")
        self.add(self.doc, CRM.P94i_was_created_by, creation)
        self.add(creation, RDF.type, CRM.E65_Creation)
        self.add(creation, CRM.P94_has_created, self.doc)
        self.add(creation, CRM["P4_has_time-span"], self.timespan("date", self.record.date))
        for actor in self.entities_in(_CREATOR_ROLES):
            self.add(creation, CRM.P14_carried_out_by, actor)

    def has_translation(self) -> bool:
        """Level 2 exists when the record names a translator or an original language unlike the text's own."""
        if self.record.translator:
            return True
        text_language = self.language_iri(self.text_language)
        return bool(self.original_language and text_language and self.original_language != text_language)

    def translation(self) -> URIRef | None:
        if not self.has_translation():
            return None
        tr = self.part("translation")
        self.add(self.doc, CRM.P73_has_translation, tr)
        self.add(tr, RDF.type, CRM.E33_Linguistic_Object)
        self.add(tr, CRM.P73i_is_translation_of, self.doc)
        self.add(tr, CRM.P2_has_type, AAT["300027389"])
        language = self.language_iri(self.text_language or "eng")
        if language:
            self.add(tr, CRM.P72_has_language, language)
        creation = self.part("translation-creation")
        self.add(tr, CRM.P94i_was_created_by, creation)
        self.add(creation, RDF.type, CRM.E65_Creation)
        self.add(creation, CRM.P94_has_created, tr)
        self.add(creation, CRM.P2_has_type, self.vocab.concept("activity-translating"))
        for translator in self.entities_in({"translator"}):
            self.add(creation, CRM.P14_carried_out_by, translator)
        return tr

    def text(self, holder: URIRef) -> None:
        """The text as published is the symbolic content of what was published: the translation, else the document
        itself (its language tag only where docket knows the language: a translation is English)."""
        if self.record.text.strip():
            lang = "en" if holder != self.doc else None
            self.add(holder, CRM.P190_has_symbolic_content, Literal(self.record.text, lang=lang))

    def title(self, holder: URIRef) -> None:
        title = self.part("title")
        self.add(holder, CRM.P102_has_title, title)
        self.add(title, RDF.type, CRM.E35_Title)
        self.add(title, CRM.P190_has_symbolic_content, Literal(self.record.title, lang="en"))
        self.add(title, CRM.P2_has_type, AAT["300404670"])

    def statements(self, holder: URIRef) -> None:
        record = self.record
        if record.summary:
            self.statement(holder, "summary", record.summary, AAT["300026032"])
        if record.source_citation:
            self.statement(holder, "citation", record.source_citation, AAT["300311705"])
        if record.rights:
            rights = self.statement(holder, "rights-statement", record.rights, AAT["300435434"])
            right = self.part("right")
            self.add(holder, CRM.P104_is_subject_to, right)
            self.add(right, RDF.type, CRM.E30_Right)
            self.add(right, RDFS.label, Literal(_first_sentence(record.rights), lang="en"))
            self.add(right, CRM.P67i_is_referred_to_by, rights)
        funders = self.entities_in({"funder"})
        if funders:
            names = "; ".join(dict.fromkeys((*record.funders, *record.donors)))
            funding = self.statement(holder, "funding", f"Made possible with support from {names}",
                                     self.vocab.concept("statement-funding"))
            for funder in funders:
                self.add(funding, CRM.P67_refers_to, funder)

    # ---------------------------------------------------------------- what the metadata and the text name
    def metadata_statement(self, holder: URIRef) -> None:
        """``D#metadata``: an annotation tagging the record with the entities its metadata sections and apparatus
        name, so that they stay distinguishable from those mined from its text (annotations whose targets quote the
        text). Every one of them is also ``crm:P67_refers_to`` from the record."""
        listed = self.entities_in(_REFERRED_ROLES, _METADATA_ORIGINS)
        if not listed:
            return
        node = self.part("metadata")
        self.add(node, RDF.type, OA.Annotation)
        self.add(node, RDFS.label, Literal("Named in the record's metadata sections", lang="en"))
        self.add(node, OA.motivatedBy, OA.tagging)
        self.add(node, OA.hasTarget, self.doc)
        for entity in listed:
            self.add(node, OA.hasBody, entity)

    def text_source(self, holder: URIRef, field: str | None) -> tuple[URIRef, URIRef, str] | None:
        """Where a mention's offsets count: the node whose ``crm:P190_has_symbolic_content`` is the text, the
        text's own IRI as a text/plain resource (``{base}text/{key}``, ``.../title``, ``.../summary``), and the text."""
        if field not in self._texts:  # asked once per mention: a long record has hundreds
            self._texts[field] = self._text_source(holder, field)
        return self._texts[field]

    def _text_source(self, holder: URIRef, field: str | None) -> tuple[URIRef, URIRef, str] | None:
        record, key = self.record, self.key
        if field == "text" and record.text.strip():
            return holder, self.minter.text(key), record.text
        if field == "title":
            return self.part("title"), self.minter.text(key, "title"), record.title
        if field == "summary" and record.summary:
            return self.part("summary"), self.minter.text(key, "summary"), record.summary
        return None

    def annotate(self, fragment: str, body: URIRef, source: tuple[URIRef, URIRef, str], start: int, end: int) -> None:
        """A W3C Web Annotation saying that ``body`` is named at characters start..end of the source text.

        The target is the span itself, an RFC 5147 fragment IRI on the text/plain resource
        (``{base}text/{key}#char=start,end``, Web Annotation Data Model 3.2.3), whose
        ``crm:P190_has_symbolic_content`` quotes the words: five triples an entity, where a specific resource with a
        quote and a position selector took twelve."""
        node, resource, text = source
        ann = self.part(fragment)
        segment = self.minter.span(resource, start, end)
        # Straight into the graph's store: Graph.add checks each triple's terms, and the terms here are made just above.
        store, g = self.g.store, self.g
        store.add_node(ann, ((_RDF_TYPE, _OA_ANNOTATION), (_OA_MOTIVATED_BY, _OA_IDENTIFYING), (_OA_HAS_BODY, body),
                             (_OA_HAS_TARGET, segment)))
        store.add_node(segment, ((_P190, _cached_literal(text[start:end])),))
        add = store.add
        if resource not in self.published_texts:
            self.published_texts.add(resource)
            add((resource, DCTERMS.isFormatOf, node), g)
            add((resource, DC.format, _TEXT_PLAIN), g)

    def mentions(self, holder: URIRef) -> None:
        """Evidence for each entity mined from the text: one annotation per entity, quoting its first mention in
        reading order (title, body, summary). One, not one per mention: each is five triples to map, check and
        store, and a long record names its main people dozens of times."""
        seen: set[URIRef] = set()
        for ref, (_, origin, iri) in zip(self.references, self._roles) if self.evidence else ():
            mention = ref.mention
            if origin != "text" or iri in seen or mention.start is None or mention.end is None:
                continue
            source = self.text_source(holder, mention.field)
            if source is None or iri in seen:
                continue
            seen.add(iri)
            self.annotate(f"mention-{len(seen)}", iri, source, mention.start, mention.end)

    def described_events(self, holder: URIRef) -> None:
        """The meeting the record documents (``crm:P70_documents``) and the events and documents it refers to."""
        referred = 0
        for ref in self.events:
            event = ref.event
            if event.kind == "documented":
                node = self.part("event")
                self.add(self.doc, CRM.P70_documents, node)
                self.add(node, CRM.P2_has_type, self.vocab.concept("activity-diplomatic-conversation"))
                names = " and ".join(dict.fromkeys(e.label for e in ref.participants))
                label = f"{event.head.capitalize()} of {names}" if names else event.head.capitalize()
            else:
                referred += 1
                node = self.part(f"event-{referred}")
                self.add(self.doc, CRM.P67_refers_to, node)
                label = event.label
            if event.kind == "document":
                self.add(node, RDF.type, CRM.E65_Creation)
                made = self.part(f"event-{referred}-document")
                self.add(made, RDF.type, CRM.E33_Linguistic_Object)
                self.add(made, RDFS.label, Literal(event.label, lang="en"))
                self.add(node, CRM.P94_has_created, made)
                self.add(self.doc, CRM.P67_refers_to, made)
                label = f"Issuing of {event.label[4:] if event.label.lower().startswith('the ') else event.label}"
            else:
                self.add(node, RDF.type, CRM.E7_Activity)
            fragment = str(node).rsplit("#", 1)[1]
            if event.date is not None:
                label = f"{label}, {event.date.text}" if event.kind == "documented" else label
                self.add(node, CRM["P4_has_time-span"], self.timespan(f"{fragment}-date", event.date))
            self.add(node, RDFS.label, Literal(label, lang="en"))
            for person in dict.fromkeys(e.iri(self.minter) for e in ref.participants):
                self.add(node, CRM.P11_had_participant, person)
            for actor in dict.fromkeys(e.iri(self.minter) for e in ref.actors):
                self.add(node, CRM.P14_carried_out_by, actor)
            if ref.place is not None:
                self.add(node, CRM.P7_took_place_at, ref.place.iri(self.minter))
            source = self.text_source(holder, event.field)
            if source is not None:
                self.annotate(f"{fragment}-evidence", node, source, event.start, event.end)

    def identifiers(self) -> None:
        record, apparatus = self.record, self.record.apparatus
        if record.record_id:
            node = self.identifier("id-record", record.record_id, self.vocab.concept("idtype-record-id"))
            self.add(self.doc, CRM.P1_is_identified_by, node)
        if apparatus.outgoing:
            self.dispatch(apparatus.outgoing.number, apparatus.outgoing.date)

    def dispatch(self, number: str, date: PrintedDate | None) -> None:
        node = self.identifier("id-outgoing", number, self.vocab.concept("idtype-outgoing-number"))
        self.add(self.doc, CRM.P1_is_identified_by, node)
        event = self.part("dispatch")
        self.add(node, CRM.P37i_was_assigned_by, event)
        self.add(event, RDF.type, CRM.E15_Identifier_Assignment)
        self.add(event, CRM.P140_assigned_attribute_to, self.doc)
        self.add(event, CRM.P37_assigned, node)
        if date:
            self.add(event, CRM["P4_has_time-span"], self.timespan("date-outgoing", date))
        for issuer in self.entities_in({"issuer"}):
            self.add(event, CRM.P14_carried_out_by, issuer)

    def journal(self) -> None:
        period = self.record.apparatus.covered_period
        if not period or not period.is_range:
            return
        journal = self.part("journal")
        self.add(self.doc, CRM.P106i_forms_part_of, journal)
        self.add(journal, RDF.type, CRM.E31_Document)
        self.add(journal, RDF.type, CRM.E33_Linguistic_Object)
        self.add(journal, RDFS.label, Literal(f"Journal for the period {period.text}", lang="en"))
        creation = self.part("journal-creation")
        self.add(journal, CRM.P94i_was_created_by, creation)
        self.add(creation, RDF.type, CRM.E65_Creation)
        self.add(creation, CRM.P94_has_created, journal)
        self.add(creation, CRM["P4_has_time-span"], self.timespan("journal-period", period))
        for actor in self.entities_in(_CREATOR_ROLES):
            self.add(creation, CRM.P14_carried_out_by, actor)

    # ---------------------------------------------------------------- level 3
    def copy_fragment(self) -> str | None:
        """The fragment of the carrier this record reproduces: its copy number, else a carrier if an archive keeps it."""
        apparatus = self.record.apparatus
        if apparatus.copy_number:
            return f"copy-{slugify(apparatus.copy_number)}"
        if self.entities_in({"keeper"}):
            return "carrier"
        return None

    def copy(self, fragment: str, number: str | None) -> URIRef:
        node = self.part(fragment)
        if (node, RDF.type, CRM["E22_Human-Made_Object"]) in self.g:
            return node
        self.add(node, RDF.type, CRM["E22_Human-Made_Object"])
        self.add(node, CRM.P128_carries, self.doc)
        self.add(self.doc, CRM.P128i_is_carried_by, node)
        label = f"Copy {number}" if number else "Original kept by the archive"
        self.add(node, RDFS.label, Literal(label, lang="en"))
        if number:
            ident = self.identifier(f"id-{fragment}", number, self.vocab.concept("idtype-copy-number"))
            self.add(node, CRM.P1_is_identified_by, ident)
        return node

    def custody(self) -> None:
        fragment = self.copy_fragment()
        reproduced = self.copy(fragment, self.record.apparatus.copy_number) if fragment else None
        if reproduced is not None:
            self.keeper(reproduced)
            self.marking(reproduced)
        self.distribution()

    def keeper(self, carrier: URIRef) -> None:
        archives = self.entities_in({"keeper"})
        for archive in archives:
            self.add(carrier, CRM.P50_has_current_keeper, archive)
        if not archives:  # a holding is a unit of some archive; with none named there is nothing to model
            return
        holding = self.part("holding")
        self.add(carrier, CRM.P46i_forms_part_of, holding)
        self.add(holding, RDF.type, CRM.E78_Curated_Holding)
        self.add(holding, RDFS.label, Literal(self.record.original_archive or "Archival holding", lang="en"))
        for archive in archives:
            self.add(holding, CRM.P109_has_current_or_former_curator, archive)
        if self.record.source_citation:
            call_number = self.identifier("call-number", self.record.source_citation, AAT["300311706"])
            self.add(holding, CRM.P1_is_identified_by, call_number)

    def marking(self, carrier: URIRef) -> None:
        printed = self.record.apparatus.classification
        if not printed:
            return
        node = self.part("marking")
        self.add(carrier, CRM.P128_carries, node)
        self.add(node, RDF.type, CRM.E34_Inscription)
        self.add(node, CRM.P190_has_symbolic_content, Literal(printed))
        self.add(node, CRM.P2_has_type, self.vocab.concept("marking-classification"))

    def distribution(self) -> None:
        apparatus = self.record.apparatus
        recipients = {ref.mention.name: ref.entity.iri(self.minter) for ref in self.references
                      if ref.mention.role == "recipient"}
        for line in apparatus.distribution:
            copy = self.copy(f"copy-{line.copy}", str(line.copy))
            transfer = self.part(f"transfer-{line.copy}")
            self.add(copy, CRM.P30i_custody_transferred_through, transfer)
            self.add(transfer, RDF.type, CRM.E10_Transfer_of_Custody)
            self.add(transfer, CRM.P2_has_type, AAT["300137595"])
            self.add(transfer, CRM.P30_transferred_custody_of, copy)
            if line.to_file:
                self.add(transfer, CRM.P2_has_type, self.vocab.concept("activity-filing"))
            elif line.recipient and line.recipient in recipients:
                self.add(transfer, CRM.P29_custody_received_by, recipients[line.recipient])
            if apparatus.outgoing and apparatus.outgoing.date:
                self.add(transfer, CRM["P4_has_time-span"], self.part("date-outgoing"))
            for issuer in self.entities_in({"issuer"}):
                self.add(transfer, CRM.P14_carried_out_by, issuer)

    def stamps(self) -> None:
        fragment = self.copy_fragment() if self.record.apparatus.copy_number else None
        target = self.part(fragment) if fragment else self.doc
        offices = {ref.mention.name: ref.entity.iri(self.minter) for ref in self.references
                   if ref.mention.role == "registrar"}
        for i, stamp in enumerate(self.record.apparatus.stamps, start=1):
            event = self.part(f"stamp-{i}")
            ident = self.identifier(f"id-stamp-{i}", stamp.number,
                                    self.vocab.concept("idtype-incoming-registration-number"))
            self.add(event, RDF.type, CRM.E15_Identifier_Assignment)
            self.add(event, CRM.P2_has_type, self.vocab.concept("activity-registration"))
            self.add(event, CRM.P140_assigned_attribute_to, target)
            self.add(event, CRM.P37_assigned, ident)
            self.add(ident, CRM.P37i_was_assigned_by, event)
            if stamp.office and stamp.office in offices:
                self.add(event, CRM.P14_carried_out_by, offices[stamp.office])
            if stamp.date:
                self.add(event, CRM["P4_has_time-span"], self.timespan(f"date-stamp-{i}", stamp.date))

    # ---------------------------------------------------------------- entities, DC view, bookkeeping
    def subjects(self) -> None:
        scheme = self.vocab.scheme("subjects")
        for subject in dict.fromkeys(self.record.subjects):
            concept = self.minter.concept(f"subject-{slugify(subject) or short_hash(subject)}")
            self.add(self.doc, CRM.P129_is_about, concept)
            self.add(self.doc, DCTERMS.subject, concept)
            self.add_entity(concept, RDF.type, SKOS.Concept)
            self.add_entity(concept, SKOS.prefLabel, Literal(subject, lang="en"))
            self.add_entity(concept, SKOS.inScheme, scheme)

    def entity_descriptions(self) -> None:
        """Type, one label and the variants seen, per entity. Unknown names that meet under one key ("Ngo Dinh Nhu",
        "Ngo, Dinh Nhu") keep the first form as label and the others as variants; the ingester does the same
        against labels already in the store."""
        labels: dict[URIRef, str] = {}
        done: set[tuple[URIRef, str]] = set()  # a text names its people many times over: describe each once
        add, entities = self._add_entity, self.entities
        for ref, (_, _, iri) in zip(self.references, self._roles):  # _roles holds each reference's IRI
            entity, printed = ref.entity, ref.mention.name
            if iri not in labels:
                label = labels[iri] = entity.label
                add((iri, _RDF_TYPE, KIND_CLASSES[entity.kind]), entities)
                add((iri, _RDFS_LABEL, _cached_literal(label)), entities)
                for variant in entity.variants:
                    if variant != label:
                        add((iri, _SKOS_ALT_LABEL, _cached_literal(variant)), entities)
            # a short form ("Nam" for Nam Il) is no variant of the name: it would join other people elsewhere
            if ref.mention.full or (iri, printed) in done:
                continue
            done.add((iri, printed))
            for variant in (entity.label, printed):
                if variant != labels[iri]:
                    add((iri, _SKOS_ALT_LABEL, _cached_literal(variant)), entities)

    def part_of(self, pairs: Sequence[tuple[Entity, Entity]]) -> None:
        """A unit is a member of the larger group it belongs to (crm:P107i_is_current_or_former_member_of), in the
        entities graph; the larger group is described there too."""
        for unit, group in pairs:
            parent = group.iri(self.minter)
            self.add_entity(unit.iri(self.minter), CRM.P107i_is_current_or_former_member_of, parent)
            if (parent, RDFS.label, None) not in self.entities:
                self.add_entity(parent, RDF.type, KIND_CLASSES[group.kind])
                self.add_entity(parent, RDFS.label, Literal(group.label))

    def dublin_core(self, modified: datetime) -> None:
        doc, record = self.doc, self.record
        self.add(doc, DCTERMS.title, Literal(record.title, lang="en"))
        self.add(doc, DCTERMS.date, Literal(record.date.iso, datatype=_DATE_TYPES[record.date.precision]))
        if record.summary:
            self.add(doc, DCTERMS.description, Literal(record.summary, lang="en"))
        for creator in self.entities_in(_CREATOR_ROLES):
            self.add(doc, DCTERMS.creator, creator)
        for contributor in self.entities_in({"translator", "contributor"}):
            self.add(doc, DCTERMS.contributor, contributor)
        for place in self.entities_in({"place"}):
            self.add(doc, DCTERMS.spatial, place)
        if self.original_language:
            self.add(doc, DCTERMS.language, self.original_language)
        self.add(doc, DCTERMS.type, DCMITYPE.Text)
        for genre in self.g.objects(doc, CRM.P2_has_type):
            if self.vocab.in_scheme(genre, self.vocab.scheme("genre")):
                self.add(doc, DCTERMS.type, genre)
        for ident in (record.record_id, record.apparatus.outgoing and record.apparatus.outgoing.number):
            if ident:
                self.add(doc, DCTERMS.identifier, Literal(ident))
        if record.source_citation:
            self.add(doc, DCTERMS.source, Literal(record.source_citation))
        if record.rights:
            self.add(doc, DCTERMS.rights, Literal(record.rights, lang="en"))
        for whole in self.g.objects(doc, CRM.P106i_forms_part_of):
            self.add(doc, DCTERMS.isPartOf, whole)
        self.add(doc, DCTERMS.modified, Literal(modified.replace(tzinfo=None), datatype=XSD.dateTime))

    def bookkeeping(self) -> None:
        self.add(self.doc, DOCKET.sourceFile, Literal(self.record.source))
        self.add(self.doc, DOCKET.sourceChecksum, Literal(self.record.checksum))
        self.add(self.doc, DOCKET.mapperVersion, Literal(self.version))


# Literal() costs 10-40 us (it normalises and types the value); the quoted names of the evidence repeat across records
# (the same people), so they are made once. Keyed by type too: 1 and "1" are different literals.
_LITERALS: dict[tuple[type, object], Literal] = {}
_MAX_LITERALS = 100_000


def _cached_literal(value: int | str) -> Literal:
    key = (type(value), value)
    literal = _LITERALS.get(key)
    if literal is None:
        if len(_LITERALS) >= _MAX_LITERALS:
            _LITERALS.clear()
        literal = _LITERALS[key] = Literal(value)
    return literal


def _first_sentence(text: str, limit: int = 200) -> str:
    sentence = text.split(". ", 1)[0].strip()
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
