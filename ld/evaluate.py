"""Score what docket stores against ground truth (``NAME.json`` beside each ``NAME.txt``), field by field, and the
people, groups and places it finds with precision, recall and F1 per kind.

The records are ingested into a scratch store; every figure is read back from the store, so the whole path (reader,
extraction, mapper, validation, store) is measured.

Which entities are scored: a ground truth annotated by hand from the text (``entities_from``) lists every person,
group and place the text names, so it is compared with every entity the record refers to (``crm:P67_refers_to``:
metadata, apparatus and text). A ground truth copied from the record's metadata sections lists what those sections
name, so it is compared with the bodies of the ``D#metadata`` annotation; how much of such a list the text alone finds is
reported as well (recall only: the lists do not name everyone the text does).

The name matching rule (``match_names``): a ground-truth name matches an entity when ``ld.names.match_key`` of it
(case, diacritics, editorial brackets, honorifics and offices such as Cde., Ambassador, President, word order,
parenthesised variants all ignored) equals that of the entity's label or of any variant (the authority file's and
those printed in the record); names left over then match when the words of one, initials aside, are a subset of the
words of the other ("Kennedy" / "President Kennedy", "Washington" / "Washington, DC"). Matching is one to one.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from rdflib import DCTERMS, RDF, RDFS, SKOS, Graph, URIRef

from ld.names import match_key
from ld.namespaces import CRM, OA

SCALAR_FIELDS = ("title", "date_iso", "summary", "source_citation", "original_archive", "classification",
                 "record_id", "language", "translator")
ENTITY_FIELDS = ("people", "groups", "places")
KINDS = {"people": ("person", CRM.E21_Person), "groups": ("group", CRM.E74_Group), "places": ("place", CRM.E53_Place)}


@dataclass
class Counts:
    """True positives, false negatives, false positives of one kind over some records."""

    tp: int = 0
    fn: int = 0
    fp: int = 0

    def add(self, tp: int, fn: int, fp: int) -> None:
        self.tp, self.fn, self.fp = self.tp + tp, self.fn + fn, self.fp + fp

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


# Scopes of the per-kind table: every record; records whose ground truth was annotated from the text; the halves of
# the corpus in name order (even positions "a", odd "b"), to see whether a figure holds on records not looked at.
SCOPES = ("all records", "annotated from text", "half a", "half b", "text only vs metadata lists")


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
    kinds: dict[str, dict[str, Counts]] = field(default_factory=dict)  # scope -> kind -> counts
    kind_problems: list[str] = field(default_factory=list)
    events: dict[str, Counts] = field(default_factory=dict)  # against a hand-made gold file, when given
    event_records: int = 0

    def event_table(self) -> str:
        """Precision, recall and F1 of events, their participants and places, and the dates the text prints."""
        if not self.events:
            return ""
        lines = [f"Events and dates ({self.event_records} records with hand-made gold):", "",
                 "| what | gold | found | matched | precision | recall | F1 |", "|---|---:|---:|---:|---:|---:|---:|"]
        for name, c in self.events.items():
            lines.append(f"| {name} | {c.tp + c.fn} | {c.tp + c.fp} | {c.tp} | {c.precision:.2f} | {c.recall:.2f} | "
                         f"{c.f1:.2f} |")
        return "\n".join(lines)

    def kind_table(self) -> str:
        """Precision, recall and F1 per entity kind and scope."""
        lines = ["| scope | kind | gold | found | matched | precision | recall | F1 |",
                 "|---|---|---:|---:|---:|---:|---:|---:|"]
        for scope, kinds in self.kinds.items():
            for kind, c in kinds.items():
                if scope == SCOPES[-1]:
                    lines.append(f"| {scope} | {kind} | {c.tp + c.fn} | | {c.tp} | | {c.recall:.2f} | |")
                    continue
                lines.append(f"| {scope} | {kind} | {c.tp + c.fn} | {c.tp + c.fp} | {c.tp} | {c.precision:.2f} | "
                             f"{c.recall:.2f} | {c.f1:.2f} |")
        return "\n".join(lines)

    def table(self, *, details: bool = False) -> str:
        lines = [f"{self.records} records scored, {len(self.rejected)} rejected", "", self.kind_table(), "",
                 *([self.event_table(), ""] if self.events else []),
                 "| field | stated | right | wrong | missed | invented | accuracy |",
                 "|---|---:|---:|---:|---:|---:|---:|"]
        for name, score in self.fields.items():
            lines.append(f"| {name} | {score.stated} | {score.right} | {score.wrong} | {score.missed} | "
                         f"{score.invented} | {score.accuracy():.2f} |")
        lines.extend(f"rejected: {r}" for r in self.rejected)
        if details:
            for name, score in self.fields.items():
                lines.extend(f"{name}: {p}" for p in score.problems)
            lines.extend(self.kind_problems)
        return "\n".join(lines)


def _norm(value: str | None) -> str | None:
    return " ".join(value.split()).casefold() if value else None


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

    def part(self, fragment: str) -> URIRef:
        return URIRef(f"{self.doc}#{fragment}")

    def names_as_printed(self, node) -> set[str]:
        """An entity's label and variants, as printed."""
        return {str(v) for p in (RDFS.label, SKOS.altLabel) for v in self.entities.objects(node, p)}

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


def _words(name: str) -> frozenset[str]:
    """The words of a name for the subset rule: folded, honorifics stripped, single letters (initials) left out."""
    return frozenset(w for w in match_key(name).split() if len(w) > 1)


def match_names(expected: Iterable[str], found: Iterable[set[str]]) -> tuple[list[str], list[str], list[set[str]]]:
    """Pair ground-truth names with found entities (each a set of its names), one to one.

    The matching rule: a name matches an entity when its ``match_key`` (case, diacritics, editorial brackets,
    honorifics and offices, word order ignored) equals that of one of the entity's names; names left over then match
    when the words of one (initials aside) are a subset of the words of the other ("Washington" / "Washington, DC",
    "Kennedy" / "President Kennedy", "Ivanov" / "V. I. Ivanov"). Returns (matched names, missed names, entities
    matched by no name).
    """
    entities = [(names, {match_key(n) for n in names}, [_words(n) for n in names]) for names in found]
    left = list(dict.fromkeys(expected))
    taken: set[int] = set()
    matched: list[str] = []
    for rule in ("exact", "subset"):
        missed = []
        for name in left:
            key, words = match_key(name), _words(name)
            hit = next((i for i, (_, keys, word_sets) in enumerate(entities) if i not in taken and (
                key in keys if rule == "exact" else
                words and any(ws and (words <= ws or ws <= words) for ws in word_sets))), None)
            if hit is None:
                missed.append(name)
            else:
                taken.add(hit)
                matched.append(name)
        left = missed
    return matched, left, [e[0] for i, e in enumerate(entities) if i not in taken]


def evaluate_paths(paths: Iterable[str | Path], *, base: str, events_gold: str | Path | None = None) -> EvalReport:
    """Ingest the records under ``paths`` into a scratch store and score them against their JSON ground truth
    (and events and dates against ``events_gold``, a hand-made file such as bench/gold/events.json)."""
    from ld.ingest import Ingester, Pipeline, expand_paths
    from ld.store import OxigraphStore

    files = [p for p in expand_paths(paths) if p.suffix == ".txt" and p.with_suffix(".json").exists()]
    scores = {name: FieldScore() for name in SCALAR_FIELDS}
    kinds = {scope: {name: Counts() for name in ENTITY_FIELDS} for scope in SCOPES}
    kind_problems: list[str] = []
    halves = {path: SCOPES[2 + i % 2] for i, path in enumerate(sorted(files, key=lambda p: p.name))}
    gold = json.loads(Path(events_gold).read_text(encoding="utf-8"))["records"] if events_gold else {}
    events = {name: Counts() for name in EVENT_ROWS} if gold else {}
    event_records = 0
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
                _score_kinds(kinds, kind_problems, path.name, truth, stored, halves[path])
                if path.name in gold:
                    event_records += 1
                    _score_events(events, kind_problems, path, gold[path.name], stored, pipeline)
        finally:
            store.close()
    return EvalReport(scores, len(files) - len(rejected), rejected, kinds, kind_problems, events, event_records)


def _score_record(scores: dict[str, FieldScore], source: str, truth: dict, stored: _StoredRecord) -> None:
    for name in SCALAR_FIELDS:
        _score_scalar(scores[name], source, truth.get(name), stored.scalar(name), name)


EVENT_ROWS = ("events documented", "events referred", "participants", "event places", "dates in the text")


def _day(graph: Graph, node) -> str | None:
    span = graph.value(node, CRM["P4_has_time-span"])
    begin = graph.value(span, CRM.P82a_begin_of_the_begin) if span is not None else None
    return str(begin)[:10] if begin is not None else None


def _score_events(counts: dict[str, Counts], problems: list[str], path: Path, gold: dict, stored: _StoredRecord,
                  pipeline) -> None:
    """One record's events (matched by kind and date; a gold date of null matches any), the participants and place
    of its documented meeting, and the dates its body prints (as resolved ISO days)."""
    from ld.extract.events import text_dates

    g, doc = stored.g, stored.doc
    found = {"documented": list(g.objects(doc, CRM.P70_documents)),
             "referred": [o for o in g.objects(doc, CRM.P67_refers_to)
                          if (o, RDF.type, CRM.E7_Activity) in g or (o, RDF.type, CRM.E65_Creation) in g]}
    for kind in ("documented", "referred"):
        left = list(found[kind])
        expected = [e for e in gold["events"] if e["kind"] == kind]
        matched = 0
        for event in expected:
            hit = next((o for o in left if event["date"] is None or _day(g, o) == event["date"]), None)
            if hit is None:
                problems.append(f"events: {path.name}: missed {kind} event of {event['date']}")
                continue
            left.remove(hit)
            matched += 1
            if kind == "documented":
                people = [stored.names_as_printed(p) for p in g.objects(hit, CRM.P11_had_participant)]
                ok, missed, extra = match_names(event["participants"], people)
                counts["participants"].add(len(ok), len(missed), len(extra))
                problems.extend(f"events: {path.name}: participant missed {n!r}" for n in missed)
                place = g.value(hit, CRM.P7_took_place_at)
                if event.get("place") or place is not None:
                    ok, missed, extra = match_names([event["place"]] if event.get("place") else [],
                                                    [stored.names_as_printed(place)] if place is not None else [])
                    counts["event places"].add(len(ok), len(missed), len(extra))
        counts[f"events {kind}"].add(matched, len(expected) - matched, len(left))
        problems.extend(f"events: {path.name}: extra {kind} event {str(o).rsplit('#', 1)[-1]} of {_day(g, o)}"
                        for o in left)
    record = pipeline.read(path)
    days = {d.date.iso for d in text_dates(record, "text", record.text) if d.date.precision == "day"}
    expected_days = set(gold["dates"])
    counts["dates in the text"].add(len(days & expected_days), len(expected_days - days), len(days - expected_days))
    problems.extend(f"dates: {path.name}: missed {d}" for d in sorted(expected_days - days))
    problems.extend(f"dates: {path.name}: extra {d}" for d in sorted(days - expected_days))


def _score_kinds(kinds: dict[str, dict[str, Counts]], problems: list[str], source: str, truth: dict,
                 stored: _StoredRecord, half: str) -> None:
    """Add one record's people, groups and places to the per-kind counts of the scopes it belongs to."""
    from_text = bool(truth.get("entities_from"))
    listed = {"people": truth.get("people") or [], "groups": truth.get("organizations") or [],
              "places": truth.get("places") or []}
    referred = set(stored.g.objects(stored.doc, CRM.P67_refers_to))
    metadata = set(stored.g.objects(stored.part("metadata"), OA.hasBody))
    mined = {b for a in stored.g.subjects(OA.motivatedBy, OA.identifying) for b in stored.g.objects(a, OA.hasBody)}
    for name, (_, cls) in KINDS.items():
        def of_kind(entities: set) -> list[URIRef]:
            return sorted(e for e in entities if isinstance(e, URIRef) and (e, None, cls) in stored.entities
                          and "/id/archive/" not in str(e))

        found = of_kind(referred if from_text else metadata)
        matched, missed, extra = match_names(listed[name], [stored.names_as_printed(e) for e in found])
        for scope in (SCOPES[0], SCOPES[1] if from_text else None, half):
            if scope:
                kinds[scope][name].add(len(matched), len(missed), len(extra))
        problems.extend(f"{name}: {source}: missed {n!r}" for n in missed)
        problems.extend(f"{name}: {source}: extra {sorted(e)[0]!r}" for e in extra)
        if not from_text and listed[name]:
            matched, missed, _ = match_names(listed[name], [stored.names_as_printed(e) for e in of_kind(mined)])
            kinds[SCOPES[-1]][name].add(len(matched), len(missed), 0)
