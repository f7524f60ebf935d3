"""What a published description depends on, and what a write to the store may change: the two halves of the
invalidation contract of ``ld.shared_cache``.

A description shows
- a record: its own graph (its ``Store.record_token`` changes with every write of it) and the labels of what it links to;
- an entity: its own statements, the labels of its neighbours, and the records linking to it (their links, labels
  and dates, sorted across every page).

A record write may change
- the record itself (its descriptions, and every entity page listing it: ``(record, label)``);
- the pages of everything it links to or describes in the entities graph (``(thing, listing)``: one more record
  linking there, new variant names);
- the labels of entities it gives a label that the store does not hold yet (``(entity, label)``: every record
  showing that label). Entity labels are kept once published (see ``ld.ingest``), so most writes change none.
Vocabulary labels change only with the vocabulary graph, which cache keys carry as a digest instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDFS, SKOS, Graph, Literal, URIRef

from ld.describe import Description
from ld.iris import Minter
from ld.shared_cache import LABEL, LISTING, Dependency, SharedCache, directory_stamp, strip_hash
from ld.store import Store, linked_iris
from ld.terms import pairs_of, subject_index

_LABEL, _PREF_LABEL = RDFS.label, SKOS.prefLabel  # rdflib's namespace attributes cost ~1.5 us each


# --- the reading side -------------------------------------------------------------------------------------------


def description_dependencies(description: Description) -> set[Dependency]:
    """What ``description`` shows, as dependencies: the labels of every IRI in it (objects and subjects, hash parts
    dropped), and for an entity its listing and every record linking to it (``Description.linking``, all pages: a
    change of one record's date can move records between pages)."""
    deps = {(description.thing, LABEL)}
    for triple in description.triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.NamedNode):
                deps.add((strip_hash(term.value), LABEL))
    if description.kind != "document":
        deps.add((description.thing, LISTING))
        deps.update((strip_hash(record), LABEL) for record in description.linking)
    return deps


def vocabulary_digest(store: Store, minter: Minter) -> str:
    """A digest of the vocabulary graph (concept labels and statements), for cache keys."""
    lines = sorted(f"{row['s']} {row['p']} {row['o']}" for row in store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{minter.vocab_graph}> {{ ?s ?p ?o }} }}"))
    return hashlib.blake2b("\n".join(lines).encode("utf-8"), digest_size=8).hexdigest()


# --- the writing side -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntityLabels:
    """The ``rdfs:label`` statements of a record's entities graph (``pairs``, IRI subjects only) and the label the
    store already gives each of those entities (``stored``, ``Store.entity_labels``): read once a record, for the
    ingest's rule that published labels stay (``ld.ingest``) and for ``WriteTracker.before_write``."""

    pairs: list[tuple[URIRef, Literal]]
    stored: dict[URIRef, str]

    @classmethod
    def read(cls, store: Store, entities: Graph, stored: dict[URIRef, str] | None = None,
             asked: Callable[[URIRef], bool] | None = None) -> EntityLabels:
        """The labels of ``entities`` and, unless given as ``stored`` (read before the graph's labels were
        changed, its labelled entities the same), what the store gives them: of every labelled entity, or of
        those ``asked`` says."""
        pairs = label_pairs(entities)
        if stored is None:
            labelled = sorted({subject for subject, _ in pairs if asked is None or asked(subject)})
            stored = store.entity_labels(labelled) if labelled else {}
        return cls(pairs, stored)


def label_pairs(entities: Graph) -> list[tuple[URIRef, Literal]]:
    """(entity, label) of every ``rdfs:label`` statement of ``entities`` about an IRI."""
    return [(s, label) for s, label in pairs_of(entities, _LABEL) if isinstance(s, URIRef)]


def write_dependencies(minter: Minter, doc: URIRef, record: Graph, entities: Graph,
                       stored_labels: dict[URIRef, str],
                       labels: Iterable[tuple[URIRef, Literal]] | None = None) -> set[Dependency]:
    """What writing ``record`` (graph ``doc``) with ``entities`` may change; ``stored_labels`` holds the
    ``rdfs:label`` the store already gives entities (``Store.entity_labels``), ``labels`` the entities'
    ``label_pairs`` when the caller has them."""
    deps = {(str(doc), LABEL), (str(doc), LISTING)}
    # Only IRIs under {base}id/ can be things (Minter.kind_and_key); the record's own nodes ({doc}#...) stand for
    # the record, listed already. A record links to dozens of others (concepts, its text's spans).
    things, own = f"{minter.base}id/", f"{doc}#"
    for node in linked_iris(record):
        if node.startswith(things) and not node.startswith(own) and minter.kind_and_key(node) is not None:
            deps.add((strip_hash(node), LISTING))
    for subject in subject_index(entities):  # entities.subjects(): ~7 us a triple
        if isinstance(subject, URIRef):
            deps.add((strip_hash(str(subject)), LISTING))
    deps.update((strip_hash(str(s)), LABEL) for s in _new_labels(entities, stored_labels, labels))
    return deps


def _new_labels(entities: Graph, stored: dict[URIRef, str],
                labels: Iterable[tuple[URIRef, Literal]] | None) -> Iterator[URIRef]:
    # rdfs:label: new unless the store gives the entity that very label. skos:prefLabel (subject concepts): the
    # Store interface cannot say whether it is held already, so it counts as new (costs cache entries, not truth).
    for subject, label in label_pairs(entities) if labels is None else labels:
        if stored.get(subject) != str(label):
            yield subject
    for subject, _ in pairs_of(entities, _PREF_LABEL):
        if isinstance(subject, URIRef):
            yield subject


class WriteTracker:
    """The ingest side of the shared cache: ``before_write`` ahead of each record's write, ``settle`` once the
    writes are committed. Cheap (a few SQLite statements per record), so ``docket ingest`` always runs it when the
    cache file exists."""

    def __init__(self, cache: SharedCache, store_path, minter: Minter):
        self.cache = cache
        self.store_path = store_path
        self.minter = minter
        self.written: list[str] = []
        # Dependencies marked in this run stay pending until settle: no entry depending on them can be stored
        # meanwhile, so marking them again would delete nothing. Popular entities are marked once per run.
        self._pending: set[Dependency] = set()

    def start(self) -> None:
        """At the start of a run: whatever a dead writer left pending is committed or lost by now."""
        self.cache.recover(directory_stamp(self.store_path))

    def before_write(self, store: Store, doc: URIRef, record: Graph, entities: Graph,
                     labels: EntityLabels | None = None) -> None:
        """Invalidate what writing ``doc`` may change, before the write can be committed. ``labels``: those of
        ``entities`` as they are now, when the caller read them (``EntityLabels``: the store is not asked again)."""
        if labels is None:
            # only the labels of entities not pending already matter: the others' dependencies are marked
            labels = EntityLabels.read(store, entities,
                                       asked=lambda s: (strip_hash(str(s)), LABEL) not in self._pending)
        deps = write_dependencies(self.minter, doc, record, entities, labels.stored, labels.pairs) - self._pending
        self.cache.mark(deps)
        self._pending |= deps
        self.written.append(str(doc))

    def before_delete(self, store: Store, doc: URIRef) -> None:
        """Invalidate what withdrawing ``doc`` changes: the record's own entries and the pages of everything it links
        to (entities that go with it are among those; their labels show nowhere else, since only it mentioned them)."""
        deps = write_dependencies(self.minter, doc, store.record_graph(doc), Graph(), {}) - self._pending
        self.cache.mark(deps)
        self._pending |= deps
        self.written.append(str(doc))

    def settle(self) -> None:
        """After the commits: readers with a newer snapshot may cache what depends on the written things again."""
        self.cache.settle(directory_stamp(self.store_path))
        self._pending.clear()

