"""docket's vocabularies (``vocab/*.ttl``) loaded once per process and base URI, with label look-ups for the mapper.

The mapper never writes a concept IRI by hand: it asks :meth:`Vocabulary.concept` for a key of docs/MAPPING.md
(``"genre-telegram"``) and gets ``{base}id/concept/genre-telegram``, or a KeyError if ``vocab/`` does not define it.
Printed values ("SECRET", "Ciphered Telegram", "German") are matched to concepts through dictionaries built at load
time, so a look-up costs a dictionary access.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from ld.iris import DEFAULT_BASE_URI, check_base_uri
from ld.namespaces import AAT, CRM
from ld.resources import vocab_dir

# Title words naming a genre, most specific first: at one position in a title the first alternative that matches
# wins ("Ciphered Telegram" before "Telegram", "Memorandum of Conversation" before "Memorandum").
_GENRE_WORDS: tuple[tuple[str, str], ...] = (
    (r"cipher(?:ed)?\s+(?:telegram|cable)s?|coded\s+telegrams?|encrypted\s+telegrams?", "genre-ciphered-telegram"),
    (r"memorand(?:um|a)\s+of\s+(?:a\s+)?conversations?|memcons?|records?\s+of\s+(?:a\s+)?conversations?",
     "genre-memorandum-of-conversation"),
    (r"press\s+releases?", "genre-press-release"),
    (r"journals?", "genre-journal-entry"),
    (r"diary|diaries", "genre-diary"),
    (r"minutes", "genre-minutes"),
    (r"transcripts?", "genre-transcript"),
    (r"telegrams?", "genre-telegram"),
    (r"cables?", "genre-cable"),
    (r"memorand(?:um|a)|memos?", "genre-memorandum"),
    (r"letters?", "genre-letter"),
    (r"reports?", "genre-report"),
    (r"petitions?", "genre-petition"),
    (r"statements?", "genre-statement"),
    (r"speech(?:es)?|address", "genre-speech"),
    (r"notes?", "genre-note"),
)
# One alternation with a named group per genre: re.search finds the earliest position in the title, and at that
# position the alternatives are tried in the order above. "Press Release containing a Speech" is a press release;
# "Excerpts from Tsedenbal's diary on his conversation" is a diary.
_GENRE_PATTERN = re.compile(
    "|".join(rf"\b(?P<g{i}>{words})\b" for i, (words, _) in enumerate(_GENRE_WORDS)), re.IGNORECASE
)


def normalize(text: str) -> str:
    """The matching form of a printed value: NFKC, case-folded, punctuation dropped, whitespace collapsed.

    "SECRET.", " Top  secret " and "top-secret" become "secret", "top secret" and "top secret".
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


class Vocabulary:
    """All of ``vocab/*.ttl`` (CRM subset included) parsed with one base URI, indexed for look-ups.

    Build it with :func:`load_vocabulary`, which caches one instance per base URI.
    """

    def __init__(self, base: str = DEFAULT_BASE_URI):
        self.base = check_base_uri(base)
        self.graph = _parse_vocab(self.base)
        self._concept_prefix = f"{self.base}id/concept/"
        self._concepts = _concepts(self.graph)
        self._labels = _preferred_labels(self.graph)
        self._schemes = {c: set(self.graph.objects(c, SKOS.inScheme)) for c in self._concepts}
        self._classifications = self._label_index(self.scheme("classification"))
        self._genres = self._label_index(self.scheme("genre"))
        self._languages = _label_index(self.graph, set(self.graph.subjects(RDF.type, CRM.E56_Language)))

    def concept(self, key: str) -> URIRef:
        """The IRI of the concept or scheme ``key``: ``"genre-telegram"`` -> ``{base}id/concept/genre-telegram``.

        ``"aat:300026909"`` names a local copy of an AAT concept. Raises KeyError naming the key if ``vocab/`` does
        not define it, so the mapper cannot emit an undefined concept.
        """
        if key.startswith("aat:"):
            iri = AAT[key[len("aat:"):]]
        else:
            iri = URIRef(self._concept_prefix + key)
        if iri not in self._concepts:
            raise KeyError(f"concept {key!r} is not defined in vocab/ (expected {iri})")
        return iri

    def scheme(self, key: str) -> URIRef:
        """The IRI of the local concept scheme ``key`` (``"genre"``); KeyError if it is not a scheme."""
        iri = self.concept(key)
        if (iri, RDF.type, SKOS.ConceptScheme) not in self.graph:
            raise KeyError(f"{key!r} is not a concept scheme in vocab/")
        return iri

    def classification(self, printed: str) -> URIRef | None:
        """The classification concept a printed marking names ("SECRET", "Strictly secret", "Секретно"), or None."""
        return self._classifications.get(normalize(printed))

    def genre(self, label_or_title: str) -> URIRef | None:
        """The genre concept of a "Type" section value, or failing that of the first genre word in a title.

        "Ciphered Telegram No. 25553, Roshchin to Filippov" -> genre-ciphered-telegram; None when nothing matches.
        """
        exact = self._genres.get(normalize(label_or_title))
        if exact is not None:
            return exact
        match = _GENRE_PATTERN.search(label_or_title)
        if match is None:
            return None
        index = int(match.lastgroup[1:])
        return self.concept(_GENRE_WORDS[index][1])

    def language(self, name: str) -> URIRef | None:
        """The ISO 639-2 IRI of a language name as printed ("German" -> ``iso639-2/ger``), or None if unknown."""
        return self._languages.get(normalize(name))

    def label(self, iri: Node) -> str | None:
        """The English (else any) ``skos:prefLabel`` or ``rdfs:label`` of a vocabulary term, or None."""
        return self._labels.get(iri)

    def in_scheme(self, concept: URIRef, scheme: URIRef) -> bool:
        """Whether ``concept`` is in ``scheme`` (both IRIs)."""
        return scheme in self._schemes.get(concept, ())

    def _label_index(self, scheme: URIRef) -> dict[str, URIRef]:
        members = {c for c, schemes in self._schemes.items() if scheme in schemes}
        return _label_index(self.graph, members)


def _parse_vocab(base: str) -> Graph:
    """Every ``vocab/*.ttl`` but the authority file in one graph; relative IRIs resolve against ``base``.

    The authority file is read by ``ld.authority``: its entities are published once, in the entities graph, when a
    record names them, not copied into the vocabulary graph.
    """
    graph = Graph()
    files = sorted((f for f in vocab_dir().iterdir() if f.name.endswith(".ttl") and f.name != "authority.ttl"),
                   key=lambda f: f.name)
    for f in files:
        with f.open("rb") as stream:
            graph.parse(stream, format="turtle", publicID=base)
    return graph


def _concepts(graph: Graph) -> frozenset[URIRef]:
    """Concepts (languages included, E56 being a skos:Concept) and concept schemes defined in the graph."""
    kinds = (SKOS.Concept, SKOS.ConceptScheme, CRM.E56_Language)
    return frozenset(s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef))


def _preferred_labels(graph: Graph) -> dict[Node, str]:
    """One display label per subject: English before other languages, skos:prefLabel before rdfs:label."""
    ranked: dict[Node, tuple[int, str]] = {}
    for rank_property, predicate in enumerate((SKOS.prefLabel, RDFS.label)):
        for subject, label in graph.subject_objects(predicate):
            rank = rank_property * 2 + (0 if getattr(label, "language", None) in ("en", None) else 1)
            if subject not in ranked or rank < ranked[subject][0]:
                ranked[subject] = (rank, str(label))
    return {subject: label for subject, (_, label) in ranked.items()}


def _label_index(graph: Graph, members: set) -> dict[str, URIRef]:
    """Normalized prefLabel / altLabel / rdfs:label -> concept, for ``members``; preferred labels win clashes."""
    index: dict[str, URIRef] = {}
    for predicate in (SKOS.altLabel, RDFS.label, SKOS.prefLabel):  # later predicates overwrite earlier ones
        for subject, label in graph.subject_objects(predicate):
            if subject in members:
                index[normalize(str(label))] = subject
    return index


@lru_cache(maxsize=8)
def load_vocabulary(base: str = DEFAULT_BASE_URI) -> Vocabulary:
    """The :class:`Vocabulary` for ``base``, parsed on first use and cached for the life of the process."""
    return Vocabulary(base)


@lru_cache(maxsize=1)
def _crm_subset_graph() -> Graph:
    graph = Graph()
    with (vocab_dir() / "crm.ttl").open("rb") as stream:
        graph.parse(stream, format="turtle")
    return graph


def crm_subset() -> Graph:
    """The CIDOC-CRM subset (``vocab/crm.ttl``): class and property hierarchy, for pySHACL's ontology graph.

    Parsed once; callers must not modify the returned graph.
    """
    return _crm_subset_graph()
