"""The vocabularies: every CRM term docket uses exists in the official CIDOC-CRM 7.1.3 RDFS with the hierarchy,
domains and ranges docket assumes; every concept is labelled and in a scheme; every AAT concept used has a local copy;
the look-ups the mapper relies on answer as expected on the corpus.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from conftest import shared_dir
from ld.namespaces import AAT, CRM_URI, ISO639
from ld.vocab import load_vocabulary, normalize

CHECKOUT = Path(__file__).resolve().parents[1]
BASE = "https://example.org/"
HIERARCHY = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf)


@pytest.fixture(scope="module")
def official() -> Graph:
    return Graph().parse(shared_dir() / "vocab" / "CIDOC_CRM_v7.1.3.rdf", format="xml")


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary(BASE)


def parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle", publicID=BASE)


def ttl_files() -> list[Path]:
    return sorted((CHECKOUT / "vocab").glob("*.ttl")) + sorted((CHECKOUT / "shapes").glob("*.ttl"))


def crm_terms_in_graph(graph: Graph) -> set[str]:
    """CRM IRIs used as subject, predicate or object, plus those inside literals (SPARQL text of shapes)."""
    terms = set()
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef) and node.startswith(CRM_URI):
                terms.add(node[len(CRM_URI):])
            elif isinstance(node, Literal):
                terms.update(re.findall(re.escape(CRM_URI) + r"([\w-]+)", str(node)))
    return terms


def crm_terms_in_python() -> set[str]:
    """``CRM.X`` and ``CRM["X"]`` in the library's source (comments and docstrings never use these forms)."""
    terms = set()
    for path in sorted((CHECKOUT / "ld").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        terms.update(re.findall(r"\bCRM\.([A-Za-z]\w*)", text))
        terms.update(re.findall(r"\bCRM\[\s*[\"']([^\"']+)[\"']\s*\]", text))
    return terms


def test_every_crm_term_used_exists_in_the_official_rdfs(official):
    used = crm_terms_in_python()
    for path in ttl_files():
        used |= crm_terms_in_graph(parse(path))
    assert "E31_Document" in used and "P14_carried_out_by" in used  # the scan sees the shapes and the vocab
    missing = sorted(t for t in used if (URIRef(CRM_URI + t), None, None) not in official)
    assert missing == [], f"not in CIDOC-CRM 7.1.3: {missing}"


def test_there_is_no_e55_type(official):
    # 7.1.3 implements E55 Type as skos:Concept: types must be skos:Concept, never crm:E55_Type.
    assert (URIRef(CRM_URI + "E55_Type"), None, None) not in official
    for path in ttl_files():
        assert "E55_Type" not in crm_terms_in_graph(parse(path)), path.name


def test_crm_subset_carries_the_official_hierarchy_domains_and_ranges(official):
    subset = parse(CHECKOUT / "vocab" / "crm.ttl")
    terms = {s for s in subset.subjects() if isinstance(s, URIRef) and s.startswith(CRM_URI)}
    assert len(terms) > 50
    for term in sorted(terms):
        for predicate in HIERARCHY:
            assert set(subset.objects(term, predicate)) == set(official.objects(term, predicate)), (term, predicate)


def test_crm_subset_is_closed_over_superclasses_and_superproperties(official):
    subset = parse(CHECKOUT / "vocab" / "crm.ttl")
    for predicate in (RDFS.subClassOf, RDFS.subPropertyOf):
        for parent in set(subset.objects(None, predicate)):
            assert (parent, None, None) in subset, f"{parent} is used in crm.ttl but not described there"


def test_every_concept_has_a_label_and_a_scheme(vocab):
    graph = parse(CHECKOUT / "vocab" / "schemes.ttl") + parse(CHECKOUT / "vocab" / "aat.ttl")
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 40
    for concept in concepts:
        labels = [label for label in graph.objects(concept, SKOS.prefLabel) if label.language == "en"]
        assert len(labels) == 1, f"{concept} needs one English skos:prefLabel"
        schemes = set(graph.objects(concept, SKOS.inScheme))
        assert schemes and all((s, RDF.type, SKOS.ConceptScheme) in graph for s in schemes), concept


def test_every_concept_key_in_the_mapping_is_defined(vocab):
    mapping = (CHECKOUT / "docs" / "MAPPING.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"\b((?:classification|genre|idtype|activity|statement|marking)-[a-z]+(?:-[a-z]+)*)\b(?!-?\*)",
                          mapping))
    assert {"idtype-record-id", "activity-filing", "statement-funding", "marking-classification"} <= keys
    for key in sorted(keys):
        vocab.concept(key)  # raises KeyError naming the key


def test_the_brief_concept_keys_are_defined(vocab):
    keys = """classification-top-secret classification-secret classification-confidential classification-restricted
    classification-for-internal-use-only classification-unclassified genre-telegram genre-ciphered-telegram genre-cable
    genre-journal-entry genre-diary genre-memorandum genre-memorandum-of-conversation genre-minutes genre-transcript
    genre-letter genre-report genre-speech genre-press-release genre-petition genre-statement genre-note
    idtype-record-id idtype-outgoing-number idtype-incoming-registration-number idtype-copy-number activity-translating
    activity-registration activity-filing activity-diplomatic-conversation statement-funding marking-classification
    classification genre idtype activity statement subjects""".split()
    for key in keys:
        assert vocab.concept(key).startswith(BASE + "id/concept/")


def test_every_aat_concept_referenced_has_a_local_copy(vocab):
    texts = [(CHECKOUT / "docs" / "MAPPING.md").read_text(encoding="utf-8"),
             (shared_dir() / "MODEL.md").read_text(encoding="utf-8")]
    referenced = {AAT[n] for text in texts for n in re.findall(r"(?:aat:|aat/|AAT\s)(\d{9})", text)}
    referenced |= {AAT[n] for n in re.findall(r"\b(300\d{6})\b", texts[1])}
    for path in ttl_files():
        referenced |= {o for o in parse(path).objects() if isinstance(o, URIRef) and o.startswith(str(AAT))}
    referenced.discard(URIRef(str(AAT)))
    assert len(referenced) >= 11
    aat = parse(CHECKOUT / "vocab" / "aat.ttl")
    for concept in sorted(referenced):
        assert (concept, RDF.type, SKOS.Concept) in aat, f"no local copy of {concept}"
        assert vocab.label(concept), concept


def test_concept_refuses_undefined_keys(vocab):
    with pytest.raises(KeyError, match="genre-fax"):
        vocab.concept("genre-fax")
    with pytest.raises(KeyError, match="aat:300000000"):
        vocab.concept("aat:300000000")
    assert vocab.concept("aat:300026909") == AAT["300026909"]


def test_concepts_resolve_against_the_base():
    other = load_vocabulary("http://localhost:9000/")
    assert other.concept("genre-telegram") == URIRef("http://localhost:9000/id/concept/genre-telegram")
    assert load_vocabulary("http://localhost:9000/") is other


def test_languages_are_iso639_2_e56_with_english_labels(vocab):
    graph = parse(CHECKOUT / "vocab" / "languages.ttl")
    languages = set(graph.subjects(RDF.type, URIRef(CRM_URI + "E56_Language")))
    assert len(languages) >= 36
    for language in languages:
        assert re.fullmatch(re.escape(str(ISO639)) + "[a-z]{3}", language), language
        assert graph.value(language, RDFS.label).language == "en"
        assert graph.value(language, SKOS.prefLabel) == graph.value(language, RDFS.label)


@pytest.mark.parametrize(("name", "code"), [("German", "ger"), ("english", "eng"), (" Japanese ", "jpn"),
                                            ("Chinese", "chi"), ("Farsi", "per"), ("Serbo-Croatian", "srp")])
def test_language_names(vocab, name, code):
    assert vocab.language(name) == ISO639[code]


def test_unknown_language_is_none(vocab):
    assert vocab.language("Klingon") is None


def test_every_printed_classification_in_the_corpus_is_known(vocab):
    printed = {json.loads(p.read_text(encoding="utf-8"))["classification"]
               for p in (shared_dir() / "corpus").glob("*.json")} - {None}
    assert printed  # Secret, SECRET, Top Secret ...
    for value in printed:
        assert vocab.classification(value) is not None, value


@pytest.mark.parametrize(("printed", "key"), [
    ("SECRET", "classification-secret"), ("Secret.", "classification-secret"), ("Sekretno", "classification-secret"),
    ("Top Secret", "classification-top-secret"), ("Strictly secret", "classification-top-secret"),
    ("CONFIDENTIAL", "classification-confidential"), ("for internal use only", "classification-for-internal-use-only"),
    ("Unclassified", "classification-unclassified"),
])
def test_classification_variants(vocab, printed, key):
    assert vocab.classification(printed) == vocab.concept(key)


@pytest.mark.parametrize(("title", "key"), [
    ("Ciphered Telegram No. 25553, Roshchin to Filippov [Stalin]", "genre-ciphered-telegram"),
    ("Telegram from Soviet Ambassador to the USA Dobrynin to the USSR MFA", "genre-telegram"),
    ("Cable, Terebin to Stalin [via Kuznetsov]", "genre-cable"),
    ("Journal of Soviet Ambassador to the DPRK V. I. Ivanov for 6 December 1955", "genre-journal-entry"),
    ("Excerpts from Tsedenbal's diary on his conversation with Soviet leader Anastas Mikoyan", "genre-diary"),
    ("Memorandum of conversation between Soviet Ambassador to Ethiopia A.P. Ratanov and Mengistu",
     "genre-memorandum-of-conversation"),
    ("Memorandum on the situation in Laos", "genre-memorandum"),
    ("Minutes of the Politburo meeting", "genre-minutes"),
    ("CC CPSU Politburo transcript (excerpt)", "genre-transcript"),
    ("Letter, Jawaharlal Nehru to All Provincial Premiers", "genre-letter"),
    ("Confidential Report from Thomas J. Kieran (Ottawa) to Con Cremin (Dublin)", "genre-report"),
    ("Press Release containing a Speech by Minister of External Affairs Frank Aiken", "genre-press-release"),
    ("Petition on Opposition to the Coming to Japan of Taiwan's National Defense Minister Chiang", "genre-petition"),
    ("Statement of Nakajima Kenzo, Chairman of the Board", "genre-statement"),
    ("Address by Mr. Frank Aiken to the United Nations General Assembly", "genre-speech"),
    ("Note from the Chinese Foreign Ministry", "genre-note"),
    ("Diary", "genre-diary"),
    ("Memorandum of Conversation", "genre-memorandum-of-conversation"),
])
def test_genre_from_type_or_title(vocab, title, key):
    assert vocab.genre(title) == vocab.concept(key)


def test_genre_none_when_no_genre_word(vocab):
    assert vocab.genre("Regarding the Composition of the Chinese Delegation to the Asian-African Conference") is None


def test_labels(vocab):
    assert vocab.label(vocab.concept("classification-secret")) == "Secret"
    assert vocab.label(ISO639["rus"]) == "Russian"
    assert vocab.label(URIRef(CRM_URI + "E21_Person")) == "Person"
    assert vocab.label(URIRef("https://example.org/nothing")) is None


def test_normalize():
    assert normalize("  Top-SECRET. ") == "top secret"


def test_docket_terms_are_declared():
    graph = parse(CHECKOUT / "vocab" / "docket.ttl")
    ns = "https://w3id.org/docket/ns#"
    assert (URIRef("https://w3id.org/docket/ns"), RDF.type, OWL.Ontology) in graph
    for name in ("sourceFile", "sourceChecksum", "mapperVersion", "validationWarning"):
        term = URIRef(ns + name)
        assert (term, RDF.type, OWL.DatatypeProperty) in graph
        assert graph.value(term, RDFS.label) and graph.value(term, RDFS.comment) and graph.value(term, RDFS.domain)
