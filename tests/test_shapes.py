"""The SHACL shapes: a minimal valid record conforms, and for every shape a graph that breaks it gets the message
(and severity) a person needs. Records are written inline in Turtle, following docs/MAPPING.md.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from ld.validate import Finding, Report, Validator

BASE = "https://example.org/"
D = URIRef(BASE + "id/document/r1")
R = BASE + "id/document/r1#"
SPAN = BASE + "text/r1#char=10,16"  # a span of r1's text (RFC 5147), as evidence targets it

PREFIXES = """
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX aat: <http://vocab.getty.edu/aat/>
PREFIX iso639: <http://id.loc.gov/vocabulary/iso639-2/>
PREFIX docket: <https://w3id.org/docket/ns#>
PREFIX doc: <https://example.org/id/document/>
PREFIX r: <https://example.org/id/document/r1#>
PREFIX concept: <https://example.org/id/concept/>
PREFIX person: <https://example.org/id/person/>
PREFIX group: <https://example.org/id/group/>
PREFIX place: <https://example.org/id/place/>
PREFIX archive: <https://example.org/id/archive/>
PREFIX event: <https://example.org/id/event/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""

# One record of every level (MAPPING.md): original with journal, identifiers, dispatch and stamp, translation with
# title and statements, right, copy with marking, holding and a distribution line, and the conversation it documents.
RECORD = """
@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix aat: <http://vocab.getty.edu/aat/> .
@prefix iso639: <http://id.loc.gov/vocabulary/iso639-2/> .
@prefix docket: <https://w3id.org/docket/ns#> .
@prefix doc: <https://example.org/id/document/> .
@prefix r: <https://example.org/id/document/r1#> .
@prefix concept: <https://example.org/id/concept/> .
@prefix person: <https://example.org/id/person/> .
@prefix group: <https://example.org/id/group/> .
@prefix place: <https://example.org/id/place/> .
@prefix archive: <https://example.org/id/archive/> .
@prefix event: <https://example.org/id/event/> .

doc:r1 a crm:E31_Document, crm:E33_Linguistic_Object ;
    rdfs:label "Journal of Soviet Ambassador to the DPRK V. I. Ivanov for 6 December 1955"@en ;
    crm:P2_has_type concept:genre-journal-entry, concept:classification-secret ;
    crm:P72_has_language iso639:rus ;
    crm:P94i_was_created_by r:creation ;
    crm:P1_is_identified_by r:id-record, r:id-outgoing ;
    crm:P106i_forms_part_of r:journal ;
    crm:P67_refers_to person:ivanov, person:nam-il, place:pyongyang ;
    crm:P70_documents event:conversation-ivanov-nam-il-1955-12-06 ;
    crm:P129_is_about concept:subject-citizenship ;
    crm:P73_has_translation r:translation ;
    crm:P128i_is_carried_by r:copy-3 ;
    dcterms:title "Journal of Soviet Ambassador to the DPRK V. I. Ivanov for 6 December 1955"@en ;
    dcterms:date "1955-12-06"^^xsd:date ;
    dcterms:description "Nam Il tells Ivanov about the citizenship question."@en ;
    dcterms:creator person:ivanov ;
    dcterms:contributor person:translator ;
    dcterms:subject concept:subject-citizenship ;
    dcterms:spatial place:pyongyang ;
    dcterms:language iso639:rus ;
    dcterms:type concept:genre-journal-entry ;
    dcterms:identifier "300001" ;
    dcterms:source "AVPRF, fond 0102, opis 11, delo 5"@en ;
    dcterms:rights "Reuse for research and education."@en ;
    dcterms:isPartOf r:journal ;
    dcterms:modified "2026-11-02T10:00:00"^^xsd:dateTime ;
    docket:sourceFile "journal-ivanov-1955-12-06.txt" ;
    docket:sourceChecksum "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" ;
    docket:mapperVersion "0.1.0" .

r:creation a crm:E65_Creation ;
    crm:P94_has_created doc:r1 ;
    crm:P14_carried_out_by person:ivanov ;
    crm:P4_has_time-span r:date ;
    crm:P7_took_place_at place:pyongyang .
r:date a crm:E52_Time-Span ;
    rdfs:label "6 December 1955" ;
    crm:P82a_begin_of_the_begin "1955-12-06T00:00:00"^^xsd:dateTime ;
    crm:P82b_end_of_the_end "1955-12-06T23:59:59"^^xsd:dateTime .

r:journal a crm:E31_Document, crm:E33_Linguistic_Object ;
    rdfs:label "Journal of V. I. Ivanov, 4-15 December 1955"@en ;
    crm:P94i_was_created_by r:journal-creation .
r:journal-creation a crm:E65_Creation ;
    crm:P94_has_created r:journal ;
    crm:P4_has_time-span r:journal-period .
r:journal-period a crm:E52_Time-Span ;
    rdfs:label "4-15 December 1955" ;
    crm:P82a_begin_of_the_begin "1955-12-04T00:00:00"^^xsd:dateTime ;
    crm:P82b_end_of_the_end "1955-12-15T23:59:59"^^xsd:dateTime .

r:id-record a crm:E42_Identifier ;
    crm:P190_has_symbolic_content "300001" ;
    crm:P2_has_type concept:idtype-record-id .
r:id-outgoing a crm:E42_Identifier ;
    crm:P190_has_symbolic_content "854" ;
    crm:P2_has_type concept:idtype-outgoing-number ;
    crm:P37i_was_assigned_by r:dispatch .
r:dispatch a crm:E15_Identifier_Assignment ;
    crm:P140_assigned_attribute_to doc:r1 ;
    crm:P37_assigned r:id-outgoing ;
    crm:P14_carried_out_by group:soviet-embassy-dprk ;
    crm:P4_has_time-span r:date-outgoing .
r:date-outgoing a crm:E52_Time-Span ;
    rdfs:label "21 December 1955" ;
    crm:P82a_begin_of_the_begin "1955-12-21T00:00:00"^^xsd:dateTime ;
    crm:P82b_end_of_the_end "1955-12-21T23:59:59"^^xsd:dateTime .

r:translation a crm:E33_Linguistic_Object ;
    crm:P73i_is_translation_of doc:r1 ;
    crm:P72_has_language iso639:eng ;
    crm:P2_has_type aat:300027389 ;
    crm:P102_has_title r:title ;
    crm:P94i_was_created_by r:translation-creation ;
    crm:P67i_is_referred_to_by r:summary, r:citation, r:rights-statement, r:funding ;
    crm:P104_is_subject_to r:right .
r:translation-creation a crm:E65_Creation ;
    crm:P94_has_created r:translation ;
    crm:P2_has_type concept:activity-translating ;
    crm:P14_carried_out_by person:translator .
r:title a crm:E35_Title ;
    crm:P190_has_symbolic_content "Journal of Soviet Ambassador to the DPRK V. I. Ivanov for 6 December 1955"@en ;
    crm:P2_has_type aat:300404670 .
r:summary a crm:E33_Linguistic_Object ;
    crm:P190_has_symbolic_content "Nam Il tells Ivanov about the citizenship question."@en ;
    crm:P2_has_type aat:300026032 .
r:citation a crm:E33_Linguistic_Object ;
    crm:P190_has_symbolic_content "AVPRF, fond 0102, opis 11, delo 5"@en ;
    crm:P2_has_type aat:300311705 .
r:rights-statement a crm:E33_Linguistic_Object ;
    crm:P190_has_symbolic_content "Reuse for research and education."@en ;
    crm:P2_has_type aat:300435434 .
r:funding a crm:E33_Linguistic_Object ;
    crm:P190_has_symbolic_content "Translated with support from the Korea Foundation."@en ;
    crm:P2_has_type concept:statement-funding ;
    crm:P67_refers_to group:korea-foundation .
r:right a crm:E30_Right ;
    rdfs:label "Reuse for research and education"@en ;
    crm:P67i_is_referred_to_by r:rights-statement .

r:copy-3 a crm:E22_Human-Made_Object ;
    crm:P128_carries doc:r1, r:marking ;
    crm:P1_is_identified_by r:id-copy-3 ;
    crm:P50_has_current_keeper archive:avprf ;
    crm:P46i_forms_part_of r:holding .
r:id-copy-3 a crm:E42_Identifier ;
    crm:P190_has_symbolic_content "Copy Nº 3" ;
    crm:P2_has_type concept:idtype-copy-number .
r:marking a crm:E34_Inscription ;
    crm:P190_has_symbolic_content "Secret" ;
    crm:P2_has_type concept:marking-classification .
r:holding a crm:E78_Curated_Holding ;
    crm:P109_has_current_or_former_curator archive:avprf ;
    crm:P1_is_identified_by r:call-number .
r:call-number a crm:E42_Identifier ;
    crm:P190_has_symbolic_content "AVPRF f. 0102, op. 11, d. 5" ;
    crm:P2_has_type aat:300311706 .
r:transfer-3 a crm:E10_Transfer_of_Custody ;
    crm:P2_has_type aat:300137595 ;
    crm:P30_transferred_custody_of r:copy-3 ;
    crm:P29_custody_received_by person:kurdyukov ;
    crm:P4_has_time-span r:date-outgoing .
r:stamp-1 a crm:E15_Identifier_Assignment ;
    crm:P2_has_type concept:activity-registration ;
    crm:P140_assigned_attribute_to r:copy-3 ;
    crm:P37_assigned r:id-stamp-1 ;
    crm:P14_carried_out_by group:mfa-far-east-department ;
    crm:P4_has_time-span r:date-stamp-1 .
r:id-stamp-1 a crm:E42_Identifier ;
    crm:P190_has_symbolic_content "4865s" ;
    crm:P2_has_type concept:idtype-incoming-registration-number .
r:date-stamp-1 a crm:E52_Time-Span ;
    rdfs:label "31 December 1955" ;
    crm:P82a_begin_of_the_begin "1955-12-31T00:00:00"^^xsd:dateTime ;
    crm:P82b_end_of_the_end "1955-12-31T23:59:59"^^xsd:dateTime .

event:conversation-ivanov-nam-il-1955-12-06 a crm:E7_Activity ;
    rdfs:label "Conversation of Ivanov with Nam Il, 6 December 1955" ;
    crm:P2_has_type concept:activity-diplomatic-conversation ;
    crm:P14_carried_out_by person:ivanov, person:nam-il ;
    crm:P7_took_place_at place:pyongyang .
"""

# The entities graph: one description per person, group, place and subject concept.
ENTITIES = """
@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix concept: <https://example.org/id/concept/> .
@prefix person: <https://example.org/id/person/> .
@prefix group: <https://example.org/id/group/> .
@prefix place: <https://example.org/id/place/> .
@prefix archive: <https://example.org/id/archive/> .
@prefix event: <https://example.org/id/event/> .

person:ivanov a crm:E21_Person ; rdfs:label "V. I. Ivanov" ; skos:altLabel "Ivanov" .
person:nam-il a crm:E21_Person ; rdfs:label "Nam Il" .
person:translator a crm:E21_Person ; rdfs:label "Gary Goldberg" .
person:kurdyukov a crm:E21_Person ; rdfs:label "I. F. Kurdyukov" .
group:soviet-embassy-dprk a crm:E74_Group ; rdfs:label "Soviet Embassy in the DPRK" .
group:mfa-far-east-department a crm:E74_Group ; rdfs:label "USSR MFA Far East Department" .
group:korea-foundation a crm:E74_Group ; rdfs:label "Korea Foundation" .
archive:avprf a crm:E74_Group ; rdfs:label "Archive of Foreign Policy of the Russian Federation" .
place:pyongyang a crm:E53_Place ; rdfs:label "Pyongyang" .
concept:subject-citizenship a skos:Concept ; skos:prefLabel "Citizenship"@en ; skos:inScheme concept:subjects .
"""


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(BASE)


def record() -> Graph:
    return Graph().parse(data=RECORD, format="turtle")


def entities() -> Graph:
    return Graph().parse(data=ENTITIES, format="turtle")


def broken(validator: Validator, update: str, in_entities: bool = False) -> Report:
    """Validate the record after a SPARQL Update on it (or on the entities graph)."""
    graph, ents = record(), entities()
    (ents if in_entities else graph).update(PREFIXES + update)
    return validator.validate(graph, ents)


def findings(report: Report, message: str) -> list[Finding]:
    return [f for f in report.violations + report.warnings if message in f.message]


def test_valid_record_conforms_without_findings(validator):
    report = validator.validate(record(), entities())
    assert report.conforms, report.text()
    assert report.violations == [] and report.warnings == []


def test_validation_does_not_modify_the_graph(validator):
    graph = record()
    before = set(graph)
    validator.validate(graph, entities())
    assert set(graph) == before


def test_warnings_do_not_block_and_are_reported(validator):
    report = broken(validator, "DELETE WHERE { doc:r1 crm:P72_has_language ?l }")
    assert report.conforms
    assert [f.severity for f in report.warnings] == ["Warning"]
    assert "Warning" in report.text() and "conforms" in report.text()


def test_entity_classes_come_from_the_entities_graph(validator):
    # Without entity descriptions the authors cannot be shown to be persons or groups.
    report = validator.validate(record())
    assert not report.conforms
    assert findings(report, "must be a person or group (crm:E39_Actor)")


def test_carried_out_by_accepts_persons_and_groups_through_the_hierarchy(validator):
    # r:creation is carried out by an E21_Person, r:dispatch by an E74_Group: both are E39_Actor subclasses.
    report = validator.validate(record(), entities())
    assert not findings(report, "crm:E39_Actor")


# (case id, SPARQL Update, focus node, expected message, severity); one or more per shape.
CASES = [
    # DocumentShape
    ("document-label", "DELETE WHERE { r:journal rdfs:label ?l }", R + "journal",
     "a document needs exactly one rdfs:label (its title)", "Violation"),
    ("document-stray", "INSERT DATA { r:other a crm:E31_Document, crm:E33_Linguistic_Object ; rdfs:label \"x\" }",
     R + "other", "a document must be the record itself", "Violation"),
    ("document-two-genres", "INSERT DATA { doc:r1 crm:P2_has_type concept:genre-telegram }", str(D),
     "a document has at most one genre", "Violation"),
    ("document-unknown-type", "INSERT DATA { doc:r1 crm:P2_has_type concept:genre-unknown }", str(D),
     "a document's type (crm:P2_has_type) must be a known concept (skos:Concept)", "Violation"),
    # RecordShape
    ("record-no-title", "DELETE WHERE { doc:r1 dcterms:title ?t }", str(D),
     "a document needs a title (dcterms:title)", "Violation"),
    ("record-no-date", "DELETE WHERE { doc:r1 dcterms:date ?d }", str(D),
     "a document needs a date (dcterms:date)", "Violation"),
    ("record-date-type", "DELETE WHERE { doc:r1 dcterms:date ?d } ; INSERT DATA { doc:r1 dcterms:date \"6 Dec 1955\" }",
     str(D), "a document has one date (dcterms:date) typed xsd:date, xsd:gYearMonth or xsd:gYear", "Violation"),
    ("record-creation-date", "DELETE WHERE { r:creation crm:P4_has_time-span ?t }", str(D),
     "a document needs a date: its creation needs a time-span", "Violation"),
    ("record-title-node", "DELETE WHERE { r:translation crm:P102_has_title ?t }", str(D),
     "a document needs a title (crm:P102_has_title", "Violation"),
    ("record-language", "DELETE WHERE { doc:r1 crm:P72_has_language ?l }", str(D),
     "the language of the original is not known (crm:P72_has_language)", "Warning"),
    ("record-summary", "DELETE WHERE { r:translation crm:P67i_is_referred_to_by r:summary }", str(D),
     "the record has no summary", "Warning"),
    ("record-citation", "DELETE WHERE { r:translation crm:P67i_is_referred_to_by r:citation }", str(D),
     "the record has no source citation", "Warning"),
    ("record-rights", "DELETE WHERE { r:translation crm:P67i_is_referred_to_by r:rights-statement ."
     " r:right crm:P67i_is_referred_to_by r:rights-statement }", str(D), "the record has no rights statement", "Warning"),
    ("record-two-record-ids", "INSERT DATA { doc:r1 crm:P1_is_identified_by r:id-record-2 . r:id-record-2 a crm:E42_Identifier ;"
     " crm:P190_has_symbolic_content \"2\" ; crm:P2_has_type concept:idtype-record-id }", str(D),
     "a document has at most one record ID", "Violation"),
    ("record-subject-as-reference", "INSERT DATA { doc:r1 crm:P67_refers_to concept:subject-citizenship }", str(D),
     "subject concepts go under crm:P129_is_about", "Violation"),
    ("record-checksum", "DELETE WHERE { doc:r1 docket:sourceChecksum ?c } ; INSERT DATA { doc:r1 docket:sourceChecksum \"md5:1\" }",
     str(D), "docket:sourceChecksum is one string", "Violation"),
    ("record-dc-creator", "INSERT DATA { doc:r1 dcterms:creator place:pyongyang }", str(D),
     "dcterms:creator and dcterms:contributor must be persons or groups", "Violation"),
    # NoBlankNodeShape
    ("blank-node", "INSERT DATA { r:copy-3 crm:P46i_forms_part_of [ a crm:E78_Curated_Holding ;"
     " crm:P109_has_current_or_former_curator archive:avprf ] }", None,
     "no blank nodes: every node of a record needs an IRI", "Violation"),
    # TranslationShape
    ("translation-language", "DELETE WHERE { r:translation crm:P72_has_language ?l }", R + "translation",
     "a translation needs its language", "Violation"),
    ("translation-type", "DELETE WHERE { r:translation crm:P2_has_type ?t }", R + "translation",
     "a translation is typed aat:300027389", "Violation"),
    # TitleShape
    ("title-text", "DELETE WHERE { r:title crm:P190_has_symbolic_content ?t }", R + "title",
     "a title needs its text", "Violation"),
    ("title-type", "DELETE WHERE { r:title crm:P2_has_type ?t }", R + "title",
     "a published title is typed aat:300404670", "Violation"),
    # StatementShape
    ("statement-type", "DELETE WHERE { r:summary crm:P2_has_type ?t } ; INSERT DATA { r:summary crm:P2_has_type concept:genre-note }",
     R + "summary", "a statement needs exactly one type", "Violation"),
    ("statement-text", "DELETE WHERE { r:citation crm:P190_has_symbolic_content ?t }", R + "citation",
     "a statement needs its text", "Violation"),
    ("funding-funder", "DELETE WHERE { r:funding crm:P67_refers_to ?g } ; INSERT DATA { r:funding crm:P67_refers_to place:pyongyang }",
     R + "funding", "a funding statement refers to its funders", "Violation"),
    # IdentifierShape
    ("identifier-type", "DELETE WHERE { r:id-record crm:P2_has_type ?t }", R + "id-record",
     "an identifier needs one type", "Violation"),
    ("identifier-value", "DELETE WHERE { r:call-number crm:P190_has_symbolic_content ?v }", R + "call-number",
     "an identifier needs its value", "Violation"),
    # IdentifierAssignmentShape
    ("assignment-assigned", "DELETE WHERE { r:dispatch crm:P37_assigned ?i }", R + "dispatch",
     "must name the identifier it assigned (crm:P37_assigned", "Violation"),
    ("assignment-target", "DELETE WHERE { r:stamp-1 crm:P140_assigned_attribute_to ?x }", R + "stamp-1",
     "must name the one document or copy it numbered", "Violation"),
    # CreationShape
    ("creation-author-class", "INSERT DATA { r:creation crm:P14_carried_out_by place:pyongyang }", R + "creation",
     "an author or translator (crm:P14_carried_out_by) must be a person or group (crm:E39_Actor)", "Violation"),
    ("creation-created", "DELETE WHERE { r:translation-creation crm:P94_has_created ?x }", R + "translation-creation",
     "a creation must name the one text it created", "Violation"),
    # TimeSpanShape
    ("timespan-order", "DELETE WHERE { r:date crm:P82b_end_of_the_end ?e } ;"
     " INSERT DATA { r:date crm:P82b_end_of_the_end \"1955-12-05T23:59:59\"^^xsd:dateTime }", R + "date",
     "a time-span must not end before it begins", "Violation"),
    ("timespan-datatype", "DELETE WHERE { r:date-stamp-1 crm:P82a_begin_of_the_begin ?b } ;"
     " INSERT DATA { r:date-stamp-1 crm:P82a_begin_of_the_begin \"1955-12-31\"^^xsd:date }", R + "date-stamp-1",
     "a time-span needs its start: one crm:P82a_begin_of_the_begin as xsd:dateTime", "Violation"),
    # CopyShape
    ("copy-document", "DELETE DATA { r:copy-3 crm:P128_carries doc:r1 }", R + "copy-3",
     "a copy carries exactly one document", "Violation"),
    ("copy-keeper", "INSERT DATA { r:copy-3 crm:P50_has_current_keeper group:korea-foundation }", R + "copy-3",
     "a copy has at most one current keeper", "Violation"),
    # HoldingShape
    ("holding-call-number", "DELETE WHERE { r:holding crm:P1_is_identified_by ?i }", R + "holding",
     "the archival unit has no call number", "Warning"),
    ("holding-curator", "DELETE WHERE { r:holding crm:P109_has_current_or_former_curator ?a }", R + "holding",
     "an archival unit needs its archive", "Violation"),
    # TransferShape
    ("transfer-recipient", "DELETE WHERE { r:transfer-3 crm:P29_custody_received_by ?p }", R + "transfer-3",
     "a distribution line needs its recipient (crm:P29_custody_received_by) or the type activity-filing", "Violation"),
    ("transfer-copy", "DELETE WHERE { r:transfer-3 crm:P30_transferred_custody_of ?c }", R + "transfer-3",
     "a distribution line must name the one copy it sends", "Violation"),
    ("transfer-type", "DELETE WHERE { r:transfer-3 crm:P2_has_type ?t }", R + "transfer-3",
     "a distribution line is typed aat:300137595", "Violation"),
    # InscriptionShape
    ("inscription-carrier", "DELETE DATA { r:copy-3 crm:P128_carries r:marking }", R + "marking",
     "the classification marking is not carried by any copy", "Warning"),
    ("inscription-type", "DELETE WHERE { r:marking crm:P2_has_type ?t }", R + "marking",
     "a marking is typed marking-classification", "Violation"),
    # RightShape
    ("right-label", "DELETE WHERE { r:right rdfs:label ?l }", R + "right", "a right needs exactly one rdfs:label", "Violation"),
    ("right-statement", "DELETE WHERE { r:right crm:P67i_is_referred_to_by ?s }", R + "right",
     "a right must point to its rights statement", "Violation"),
    # ActivityShape
    ("activity-class", "DELETE DATA { event:conversation-ivanov-nam-il-1955-12-06 a crm:E7_Activity }",
     BASE + "id/event/conversation-ivanov-nam-il-1955-12-06", "must be a crm:E7_Activity", "Violation"),
    ("activity-participant", "INSERT DATA { event:conversation-ivanov-nam-il-1955-12-06 crm:P11_had_participant place:pyongyang }",
     BASE + "id/event/conversation-ivanov-nam-il-1955-12-06", "a participant (crm:P11_had_participant) must be a person or group",
     "Violation"),
    # AnnotationShape, AnnotationTargetShape: evidence of what the text names (a span of the text at its own IRI)
    ("annotation-no-body", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasTarget <{SPAN}> . <{SPAN}> crm:P190_has_symbolic_content \"Ivanov\" }}", R + "mention-1",
     "an annotation names what the record names (oa:hasBody, an IRI)", "Violation"),
    ("annotation-motivation", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:commenting ;"
     f" oa:hasBody person:ivanov ; oa:hasTarget <{SPAN}> . <{SPAN}> crm:P190_has_symbolic_content \"Ivanov\" }}",
     R + "mention-1", "an annotation is motivated by oa:identifying (mined from the text) or oa:tagging", "Violation"),
    ("annotation-span-unquoted", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasBody person:ivanov ; oa:hasTarget <{SPAN}> }}", SPAN,
     "an annotation's target is the record (a crm:E31_Document) or a span of its text", "Violation"),
    ("annotation-span-not-a-span", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasBody person:ivanov ; oa:hasTarget <{BASE}text/r1#line=3> . <{BASE}text/r1#line=3>"
     " crm:P190_has_symbolic_content \"Ivanov\" }", BASE + "text/r1#line=3",
     "an annotation's target is the record (a crm:E31_Document) or a span of its text", "Violation"),
    ("annotation-span-two-quotes", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasBody person:ivanov ; oa:hasTarget <{SPAN}> . <{SPAN}> crm:P190_has_symbolic_content \"Ivanov\", \"V.\" }}",
     SPAN, "a quoted span quotes the words once (one non-empty crm:P190_has_symbolic_content)", "Violation"),
    # one per kind of simple constraint the compiled engine checks in one call (counts, kinds, members, lengths)
    ("annotation-body-literal", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasBody \"Ivanov\" ; oa:hasTarget <{SPAN}> . <{SPAN}> crm:P190_has_symbolic_content \"Ivanov\" }}",
     R + "mention-1", "an annotation names what the record names (oa:hasBody, an IRI)", "Violation"),
    ("annotation-two-targets", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasBody person:ivanov ; oa:hasTarget <{SPAN}>, <{BASE}text/r1#char=0,3> ."
     f" <{SPAN}> crm:P190_has_symbolic_content \"Ivanov\" . <{BASE}text/r1#char=0,3> crm:P190_has_symbolic_content"
     " \"The\" }", R + "mention-1", "an annotation has one target (oa:hasTarget)", "Violation"),
    ("annotation-two-motivations", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying,"
     f" oa:tagging ; oa:hasBody person:ivanov ; oa:hasTarget <{SPAN}> . <{SPAN}> crm:P190_has_symbolic_content"
     " \"Ivanov\" }", R + "mention-1", "an annotation is motivated by oa:identifying (mined from the text) or",
     "Violation"),
    ("annotation-span-empty-quote", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasBody person:ivanov ; oa:hasTarget <{SPAN}> . <{SPAN}> crm:P190_has_symbolic_content \"\" }}",
     SPAN, "a quoted span quotes the words once (one non-empty crm:P190_has_symbolic_content)", "Violation"),
    ("annotation-span-quote-iri", "INSERT DATA { r:mention-1 a oa:Annotation ; oa:motivatedBy oa:identifying ;"
     f" oa:hasBody person:ivanov ; oa:hasTarget <{SPAN}> . <{SPAN}> crm:P190_has_symbolic_content person:ivanov }}",
     SPAN, "a quoted span quotes the words once (one non-empty crm:P190_has_symbolic_content)", "Violation"),
]

ENTITY_CASES = [
    # PersonShape, GroupShape, PlaceShape, ConceptShape: descriptions in the entities graph
    ("person-two-labels", "INSERT DATA { person:ivanov rdfs:label \"Ivanov, V. I.\" }", BASE + "id/person/ivanov",
     "a person needs exactly one rdfs:label (the canonical name)", "Violation"),
    ("group-label", "DELETE WHERE { group:soviet-embassy-dprk rdfs:label ?l }", BASE + "id/group/soviet-embassy-dprk",
     "a group needs exactly one rdfs:label", "Violation"),
    ("place-label", "DELETE WHERE { place:pyongyang rdfs:label ?l }", BASE + "id/place/pyongyang",
     "a place needs exactly one rdfs:label", "Violation"),
    ("concept-label", "DELETE WHERE { concept:subject-citizenship skos:prefLabel ?l }",
     BASE + "id/concept/subject-citizenship", "a concept needs a skos:prefLabel", "Violation"),
    ("concept-scheme", "DELETE WHERE { concept:subject-citizenship skos:inScheme ?s }",
     BASE + "id/concept/subject-citizenship", "a concept needs its scheme (skos:inScheme)", "Violation"),
]


@pytest.mark.parametrize(("update", "focus", "message", "severity"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_record_shape_breaks(validator, update, focus, message, severity):
    report = broken(validator, update)
    assert_finding(report, focus, message, severity)


@pytest.mark.parametrize(("update", "focus", "message", "severity"), [c[1:] for c in ENTITY_CASES],
                         ids=[c[0] for c in ENTITY_CASES])
def test_entity_shape_breaks(validator, update, focus, message, severity):
    report = broken(validator, update, in_entities=True)
    assert_finding(report, focus, message, severity)


def assert_finding(report: Report, focus: str | None, message: str, severity: str) -> None:
    found = findings(report, message)
    assert found, f"expected {message!r}, got:\n{report.text()}"
    assert {f.severity for f in found} == {severity}
    if focus is not None:
        assert focus in {f.focus for f in found}
    assert report.conforms == (severity != "Violation" and not report.violations)


def test_filing_line_needs_no_recipient(validator):
    report = broken(validator, "DELETE WHERE { r:transfer-3 crm:P29_custody_received_by ?p } ;"
                               " INSERT DATA { r:transfer-3 crm:P2_has_type concept:activity-filing }")
    assert report.conforms, report.text()


def test_record_without_translation_carries_title_and_statements_itself(validator):
    graph = record()
    graph.update(PREFIXES + """
        DELETE { doc:r1 crm:P73_has_translation r:translation . r:translation ?p ?o . ?s ?p2 r:translation }
        INSERT { doc:r1 crm:P102_has_title r:title ; crm:P67i_is_referred_to_by r:summary, r:citation, r:rights-statement ;
                 crm:P104_is_subject_to r:right }
        WHERE { r:translation ?p ?o . OPTIONAL { ?s ?p2 r:translation } }""")
    graph.update(PREFIXES + "DELETE WHERE { r:translation-creation ?p ?o }")
    report = validator.validate(graph, entities())
    assert report.conforms and not report.warnings, report.text()


def test_finding_paths_are_readable(validator):
    report = broken(validator, "DELETE WHERE { r:creation crm:P4_has_time-span ?t }")
    (finding,) = findings(report, "its creation needs a time-span")
    assert finding.path == "crm:P94i_was_created_by / crm:P4_has_time-span"
    assert finding.focus == str(D)
