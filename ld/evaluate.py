"""Score what docket stores against ground truth (``NAME.json`` beside each ``NAME.txt``), field by field.

The records are ingested into a scratch store; every figure is read back from the store, so the whole path (reader,
mapper, validation, store) is measured. Names match by ``ld.names.match_key`` (case, diacritics, honorifics,
word order and parenthesised variants ignored) against an entity's label or any of its variants.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import DCTERMS, RDFS, SKOS, Graph, URIRef

from ld.names import match_key
from ld.namespaces import CRM

SCALAR_FIELDS = ("title", "date_iso", "summary", "source_citation", "original_archive", "classification",
                 "record_id", "language", "translator")
ENTITY_FIELDS = ("people", "groups", "places")


@dataclass
class FieldScore:
    """Counts for one field over all records: stated in the record and right, wrong, missed; invented."""

    right: int = 0
    wrong: int = 0
    missed: int = 0
    invented: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def stated(self) -> int:
        return self.right + self.wrong + self.missed

    def accuracy(self) -> float:
        total = self.stated + self.invented
        return self.right / total if total else 1.0


@dataclass
class EvalReport:
    """Scores per field plus the records that could not be ingested."""

    fields: dict[str, FieldScore]
    records: int
    rejected: list[str]

    def table(self, *, details: bool = False) -> str:
        lines = [f"{self.records} records scored, {len(self.rejected)} rejected", "",
                 "| field | stated | right | wrong | missed | invented | accuracy |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for name, score in self.fields.items():
            lines.append(f"| {name} | {score.stated} | {score.right} | {score.wrong} | {score.missed} | "
                         f"{score.invented} | {score.accuracy():.2f} |")
        lines.extend(f"rejected: {r}" for r in self.rejected)
        if details:
            for name, score in self.fields.items():
                lines.extend(f"{name}: {p}" for p in score.problems)
        return "\n".join(lines)


def _norm(value: str | None) -> str | None:
    return " ".join(value.split()).casefold() if value else None


def _truth_entities(truth: dict) -> dict[str, list[str]] | None:
    """People, groups and places the ground truth lists from metadata sections (None: annotated from the text)."""
    if truth.get("entities_from"):
        return None
    return {"people": truth.get("people") or [], "groups": truth.get("organizations") or [],
            "places": truth.get("places") or []}


class _StoredRecord:
    """Reads one stored record (its graph plus entity labels) the way a consumer would."""

    def __init__(self, graph: Graph, entities: Graph, doc: URIRef):
        self.g, self.entities, self.doc = graph, entities, doc

    def one(self, subject, predicate) -> str | None:
        value = self.g.value(subject, predicate)
        return str(value) if value is not None else None

    def label(self, node) -> str | None:
        for graph in (self.entities, self.g):
            for predicate in (RDFS.label, SKOS.prefLabel):
                value = graph.value(node, predicate)
                if value is not None:
                    return str(value)
        return None

    def names(self, node) -> set[str]:
        names = {str(v) for p in (RDFS.label, SKOS.altLabel) for v in self.entities.objects(node, p)}
        return {match_key(n) for n in names}

    def scalar(self, name: str) -> str | None:
        g, doc = self.g, self.doc
        if name == "title":
            return self.one(doc, DCTERMS.title)
        if name == "date_iso":
            return self.one(doc, DCTERMS.date)
        if name == "summary":
            return self.one(doc, DCTERMS.description)
        if name == "source_citation":
            return self.one(doc, DCTERMS.source)
        if name == "original_archive":
            keepers = [k for c in g.objects(doc, CRM.P128i_is_carried_by) for k in g.objects(c, CRM.P50_has_current_keeper)]
            return self.label(keepers[0]) if keepers else None
        if name == "classification":
            markings = [m for c in g.objects(doc, CRM.P128i_is_carried_by) for m in g.objects(c, CRM.P128_carries)
                        if m != doc]
            if markings:
                return self.one(markings[0], CRM.P190_has_symbolic_content)
            concepts = [t for t in g.objects(doc, CRM.P2_has_type) if "/classification-" in str(t)]
            return self.label(concepts[0]) if concepts else None
        if name == "record_id":
            for ident in g.objects(doc, CRM.P1_is_identified_by):
                if str(g.value(ident, CRM.P2_has_type, default="")).endswith("idtype-record-id"):
                    return self.one(ident, CRM.P190_has_symbolic_content)
            return None
        if name == "language":
            language = g.value(doc, DCTERMS.language)
            return self.label(language) if language is not None else None
        if name == "translator":
            for tr in g.objects(doc, CRM.P73_has_translation):
                for creation in g.objects(tr, CRM.P94i_was_created_by):
                    for actor in g.objects(creation, CRM.P14_carried_out_by):
                        return self.label(actor)
            return None
        raise KeyError(name)

    def entities_of_kind(self, kind_class: URIRef) -> list[URIRef]:
        linked = set(self.g.objects(None, None))
        return [e for e in linked if isinstance(e, URIRef) and (e, None, kind_class) in self.entities]


def _score_scalar(score: FieldScore, source: str, expected: str | None, found: str | None, name: str) -> None:
    if name == "classification":
        expected, found = _norm(expected), _norm(found)
    if _norm(expected) is None:
        if _norm(found) is not None:
            score.invented += 1
            score.problems.append(f"{source}: invented {found!r}")
        return
    if _norm(found) == _norm(expected):
        score.right += 1
    elif found is None:
        score.missed += 1
        score.problems.append(f"{source}: missed {expected!r}")
    else:
        score.wrong += 1
        score.problems.append(f"{source}: {found!r} instead of {expected!r}")


def _score_entities(score: FieldScore, source: str, expected: list[str], stored: _StoredRecord,
                    found: list[URIRef]) -> None:
    found_names = {e: stored.names(e) for e in found}
    matched: set[URIRef] = set()
    for name in expected:
        hit = next((e for e, names in found_names.items() if match_key(name) in names), None)
        if hit is None:
            score.missed += 1
            score.problems.append(f"{source}: missed {name!r}")
        else:
            score.right += 1
            matched.add(hit)
    for extra in set(found) - matched:
        score.invented += 1
        score.problems.append(f"{source}: invented {stored.label(extra)!r}")


def evaluate_paths(paths: Iterable[str | Path], *, base: str) -> EvalReport:
    """Ingest the records under ``paths`` into a scratch store and score them against their JSON ground truth."""
    from ld.ingest import Ingester, Pipeline, expand_paths
    from ld.store import OxigraphStore

    files = [p for p in expand_paths(paths) if p.suffix == ".txt" and p.with_suffix(".json").exists()]
    scores = {name: FieldScore() for name in (*SCALAR_FIELDS, *ENTITY_FIELDS)}
    pipeline = Pipeline(base)
    rejected: list[str] = []
    with tempfile.TemporaryDirectory(prefix="docket-eval-") as scratch:
        store = OxigraphStore.open(Path(scratch), minter=pipeline.minter)
        try:
            outcomes = list(Ingester(store, pipeline).ingest(files))
            # labels of entities, concepts and languages, as a consumer joining the published graphs would see them
            entities = store.record_graph(pipeline.minter.entities_graph) + store.record_graph(pipeline.minter.vocab_graph)
            for path, outcome in zip(files, outcomes):
                if outcome.status == "rejected":
                    rejected.append(f"{outcome.source}: {outcome.reason}")
                    continue
                truth = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
                stored = _StoredRecord(store.record_graph(outcome.iri), entities, outcome.iri)
                _score_record(scores, path.name, truth, stored)
        finally:
            store.close()
    return EvalReport(scores, len(files) - len(rejected), rejected)


def _score_record(scores: dict[str, FieldScore], source: str, truth: dict, stored: _StoredRecord) -> None:
    for name in SCALAR_FIELDS:
        _score_scalar(scores[name], source, truth.get(name), stored.scalar(name), name)
    listed = _truth_entities(truth)
    if listed is None:
        return
    kinds = {"people": [CRM.E21_Person], "groups": [CRM.E74_Group], "places": [CRM.E53_Place]}
    metadata_only = _metadata_entities(stored)
    for name, classes in kinds.items():
        found = [e for e in metadata_only if any((e, None, c) in stored.entities for c in classes)
                 and "/id/archive/" not in str(e)]
        _score_entities(scores[name], source, listed[name], stored, found)


def _metadata_entities(stored: _StoredRecord) -> list[URIRef]:
    """Entities the record itself names (``crm:P67_refers_to``); translators and funders are not in the lists."""
    return sorted(set(stored.g.objects(stored.doc, CRM.P67_refers_to)))
