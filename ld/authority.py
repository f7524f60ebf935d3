"""The authority file (``vocab/authority.ttl``): canonical names, kinds and name variants of people, groups, places
and archives, so the same person in 100 records is one IRI.

Names the file does not know become new entities with a stable key derived from the name as printed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef

from ld.iris import Minter, slugify
from ld.names import HONORIFICS, WORD_RE, clean, match_key
from ld.namespaces import CRM
from ld.resources import vocab_dir

KIND_CLASSES = {
    "person": CRM.E21_Person,
    "group": CRM.E74_Group,
    "place": CRM.E53_Place,
    "archive": CRM.E74_Group,
}
# Kinds that may stand for one another when a name is looked up (an archive is a group).
_COMPATIBLE = {"person": ("person",), "group": ("group", "archive"), "archive": ("archive", "group"),
               "place": ("place",)}


@dataclass(frozen=True)
class Entity:
    """A person, group, place or archive: its kind, stable key, canonical label and known variants."""

    kind: str
    key: str
    label: str
    variants: tuple[str, ...] = ()
    known: bool = False  # True when the authority file defines it

    def iri(self, minter: Minter) -> URIRef:
        return minter.thing(self.kind, self.key)


_MAX_RESOLVED = 100_000  # names remembered by Authority.resolve (a few tens of MiB at most)


class Authority:
    """Looks names up in the authority file; mints new entities for names it does not know."""

    def __init__(self, entities: list[Entity], digest: str = ""):
        self.digest = digest  # of the file's bytes: records mapped with another authority are mapped again
        self._index: dict[tuple[str, str], Entity] = {}
        self._any: dict[str, Entity] = {}
        self._resolved: dict[tuple[str, str], Entity] = {}  # names recur across records: resolve each once
        for entity in entities:
            for name in (entity.label, *entity.variants):
                self._index.setdefault((entity.kind, match_key(name)), entity)
                self._any.setdefault(match_key(name), entity)
        self.entities = tuple(entities)
        # every word of the file's names, and the honorifics match_key drops (see lookup)
        self._words = frozenset(w for key in self._any for w in key.split()) | frozenset(HONORIFICS)

    def lookup(self, name: str) -> Entity | None:
        """The entity of any kind the file gives for a printed ``name``, or None (the extractor's gazetteer)."""
        # Most names looked up are in no entry, and most are met once. A name in plain ASCII without parentheses
        # keeps every word of its own in its key (match_key only drops honorifics there, and folds ASCII to lower
        # case): one word that no name of the file holds is enough to say no, without making the key.
        if name.isascii() and "(" not in name and not self._words.issuperset(WORD_RE.findall(name.lower())):
            return None
        return self._any.get(match_key(name))

    def resolve(self, name: str, kind: str) -> Entity:
        """The entity a printed ``name`` of ``kind`` stands for (from the file, else a new one keyed on the name)."""
        cached = self._resolved.get((name, kind))
        if cached is None:
            if len(self._resolved) >= _MAX_RESOLVED:  # a long ingest meets ever more names seen once: bound it
                self._resolved.clear()
            cached = self._resolved[(name, kind)] = self._resolve(name, kind)
        return cached

    def _resolve(self, name: str, kind: str) -> Entity:
        key = match_key(name)
        for candidate_kind in _COMPATIBLE[kind]:
            found = self._index.get((candidate_kind, key))
            if found:
                return found
        label = clean(name)
        return Entity(kind, slugify(label) or "unnamed", label)

    @classmethod
    def from_graph(cls, graph: Graph, minter: Minter, digest: str = "") -> "Authority":
        """Read entities typed with docket's kind classes from ``graph`` (IRIs ``{base}id/{kind}/{key}``)."""
        entities = []
        for subject in set(graph.subjects(RDF.type, None)):
            kind_key = minter.kind_and_key(str(subject))
            if not kind_key or kind_key[0] not in KIND_CLASSES:
                continue
            label = graph.value(subject, RDFS.label)
            if not isinstance(label, Literal):
                raise ValueError(f"authority file: {subject} has no rdfs:label")
            variants = tuple(sorted(str(v) for v in graph.objects(subject, SKOS.altLabel)))
            entities.append(Entity(kind_key[0], kind_key[1], str(label), variants, known=True))
        return cls(entities, digest)


@lru_cache(maxsize=8)
def load_authority(base: str) -> Authority:
    """The authority file parsed once per base URI (relative IRIs in the file resolve against ``base``)."""
    data = (vocab_dir() / "authority.ttl").read_bytes()
    graph = Graph()
    graph.parse(data=data, format="turtle", publicID=base)
    return Authority.from_graph(graph, Minter(base), hashlib.sha256(data).hexdigest()[:12])
