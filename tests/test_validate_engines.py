"""The compiled validation engine and pySHACL (the reference) give equal reports: same verdict, and the same findings
(focus, path, message, severity, value) in the same order. Checked on the corpus, on every breaking graph of
tests/test_shapes.py and on seeded random mutations of records (deleted, retyped, re-pointed and re-valued triples).
"""

from __future__ import annotations

import random

import pytest
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef

import test_shapes as shapes_cases
from conftest import shared_dir
from ld.validate import Validator

CORPUS_BASE = "http://127.0.0.1:8080/"
MUTATIONS_PER_RECORD = 40
# Values a mutation may put in place of another; dates with and without time zone, and one ill-formed dateTime.
LITERALS = [
    Literal(""), Literal("x"), Literal("label", lang="en"), Literal("1955", datatype=XSD.gYear),
    Literal("1955-12-31", datatype=XSD.date), Literal("1955-12-31T00:00:00", datatype=XSD.dateTime),
    Literal("1999-01-01T00:00:00", datatype=XSD.dateTime), Literal("1955-12-01T00:00:00Z", datatype=XSD.dateTime),
    Literal("1955-12-06T12:00:00+03:00", datatype=XSD.dateTime), Literal("not a date", datatype=XSD.dateTime),
    Literal("sha256:" + "0" * 64), Literal("sha256:" + "0" * 64, datatype=XSD.string),
]


@pytest.fixture(scope="module")
def engines() -> tuple[Validator, Validator]:
    compiled, reference = Validator(shapes_cases.BASE), Validator(shapes_cases.BASE, engine="pyshacl")
    assert (compiled.engine, reference.engine) == ("compiled", "pyshacl")
    return compiled, reference


@pytest.fixture(scope="module")
def corpus_engines() -> tuple[Validator, Validator]:
    return Validator(CORPUS_BASE), Validator(CORPUS_BASE, engine="pyshacl")


@pytest.fixture(scope="module")
def corpus(corpus_engines) -> list[tuple[str, Graph, Graph]]:
    from ld.ingest import Pipeline

    paths = sorted((shared_dir() / "corpus").glob("*.txt"))
    if not paths:
        pytest.skip("corpus not available")
    pipeline = Pipeline(CORPUS_BASE, validator=corpus_engines[0])
    mapped = [(p.name, pipeline.map(pipeline.read(p))) for p in paths]
    return [(name, m.graph, m.entities) for name, m in mapped]


def assert_same(compiled: Validator, reference: Validator, graph: Graph, entities: Graph | None, what: str) -> None:
    fast, ref = compiled.validate(graph, entities), reference.validate(graph, entities)
    assert fast == ref, f"{what}\ncompiled engine:\n{fast.text()}\npySHACL:\n{ref.text()}"


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="engine"):
        Validator(shapes_cases.BASE, engine="fast")


@pytest.mark.parametrize(
    ("update", "in_entities"),
    [(None, False)] + [(c[1], False) for c in shapes_cases.CASES] + [(c[1], True) for c in shapes_cases.ENTITY_CASES],
    ids=["valid"] + [c[0] for c in shapes_cases.CASES] + [c[0] for c in shapes_cases.ENTITY_CASES],
)
def test_engines_agree_on_breaking_graphs(engines, update, in_entities):
    graph, ents = shapes_cases.record(), shapes_cases.entities()
    if update:
        (ents if in_entities else graph).update(shapes_cases.PREFIXES + update)
    assert_same(*engines, graph, ents, update or "valid record")


def test_engines_agree_on_the_corpus(corpus_engines, corpus):
    for name, graph, ents in corpus:
        assert_same(*corpus_engines, graph, ents, name)
        assert corpus_engines[0].validate(graph, ents).conforms, name


def test_validate_many_reports_each_record_on_its_own(corpus_engines, corpus):
    compiled = corpus_engines[0]
    records = [(graph, ents) for _, graph, ents in corpus[:5]]
    broken = Graph()
    for triple in records[0][0]:
        broken.add(triple)
    broken.remove((None, URIRef("http://purl.org/dc/terms/title"), None))
    records.insert(2, (broken, records[0][1]))
    reports = compiled.validate_many(records)
    assert reports == [compiled.validate(graph, ents) for graph, ents in records]
    assert [r.conforms for r in reports] == [True, True, False, True, True, True]


def mutate(graph: Graph, ents: Graph, rng: random.Random) -> tuple[Graph, Graph, str]:
    """A copy of the record and its entities with one random change of a kind the shapes care about."""
    g, e = Graph(), Graph()
    for t in graph:
        g.add(t)
    for t in ents:
        e.add(t)
    target = e if len(e) and rng.random() < 0.2 else g
    triples = sorted(target, key=lambda t: tuple(map(str, t)))
    s, p, o = rng.choice(triples)
    nodes = sorted({n for t in g for n in (t[0], t[2]) if isinstance(n, URIRef)}, key=str)
    classes = sorted(set(g.objects(None, RDF.type)) | set(e.objects(None, RDF.type)), key=str)
    literals = LITERALS
    kind = rng.choice(["delete", "delete", "repoint", "revalue", "retype", "add-type", "duplicate", "blank"])
    if kind == "delete":
        target.remove((s, p, o))
    elif kind == "repoint":
        target.remove((s, p, o))
        target.add((s, p, rng.choice(nodes)))
    elif kind == "revalue":
        target.remove((s, p, o))
        target.add((s, p, rng.choice(literals + [rng.choice(nodes)])))
    elif kind == "retype":
        node = rng.choice(nodes)
        for c in list(g.objects(node, RDF.type)):
            g.remove((node, RDF.type, c))
        g.add((node, RDF.type, rng.choice(classes)))
    elif kind == "add-type":
        g.add((rng.choice(nodes), RDF.type, rng.choice(classes)))
    elif kind == "duplicate":
        target.add((s, p, rng.choice(literals + nodes)))
    else:
        blank = BNode()
        target.add((s, p, blank))
        g.add((blank, RDF.type, rng.choice(classes)))
    return g, e, f"{kind} on ({s}, {p}, {o})"


def test_engines_agree_on_mutated_records(engines):
    rng = random.Random(20261)
    graph, ents = shapes_cases.record(), shapes_cases.entities()
    for _ in range(3 * MUTATIONS_PER_RECORD):
        g, e, what = mutate(graph, ents, rng)
        assert_same(*engines, g, e, what)


def test_engines_agree_on_mutated_corpus_records(corpus_engines, corpus):
    rng = random.Random(7)
    for name, graph, ents in corpus[:: max(1, len(corpus) // 4)]:
        for _ in range(MUTATIONS_PER_RECORD):
            g, e, what = mutate(graph, ents, rng)
            assert_same(*corpus_engines, g, e, f"{name}: {what}")


# The compiled engine's shortcuts (ld/validate.py), each with graphs on which a wrong shortcut gives another report.
def findings(report, message: str) -> list:
    return [f for f in report.violations + report.warnings if message in f.message]


def test_a_record_with_its_own_subclasses_is_checked_against_them(engines):
    # The vocabulary's class closure stands in for the superclass chains only when the record states no
    # rdfs:subClassOf: here r:author is a person through the record's own class, so dcterms:creator accepts it and
    # the person shape targets it (and finds it has no label).
    graph, ents = shapes_cases.record(), shapes_cases.entities()
    graph.update(shapes_cases.PREFIXES + """INSERT DATA {
        doc:r1 dcterms:creator r:author . r:author a r:Diplomat . r:Diplomat rdfs:subClassOf crm:E21_Person }""")
    assert engines[0]._data(graph, ents).closure is None
    assert engines[0]._data(shapes_cases.record(), ents).closure is not None
    assert_same(*engines, graph, ents, "own rdfs:subClassOf")
    report = engines[0].validate(graph, ents)
    assert not findings(report, "dcterms:creator and dcterms:contributor must be persons or groups")
    assert [f.focus for f in findings(report, "a person needs exactly one rdfs:label")] == [shapes_cases.R + "author"]


@pytest.mark.parametrize(("update", "message"), [
    # a second label, beside the entities graph's
    ('INSERT DATA { person:ivanov rdfs:label "Another name" }', "a person needs exactly one rdfs:label"),
    # a second class: the place is a person too, and its label comes from the entities graph
    ("INSERT DATA { place:pyongyang a crm:E21_Person ; skos:altLabel place:pyongyang }",
     "a person's name variants (skos:altLabel) must be literals"),
])
def test_a_record_describing_an_entity_too_is_checked_on_both_descriptions(engines, update, message):
    graph, ents = shapes_cases.record(), shapes_cases.entities()
    graph.update(shapes_cases.PREFIXES + update)
    assert_same(*engines, graph, ents, update)
    report = engines[0].validate(graph, ents)
    assert findings(report, message)
    assert not findings(report, "a place needs exactly one rdfs:label")


def test_a_batched_sparql_constraint_reports_each_focus_node_on_its_own(engines):
    # The time-span order query runs once per record, not once per time-span: two of the four break it.
    graph, ents = shapes_cases.record(), shapes_cases.entities()
    graph.update(shapes_cases.PREFIXES + """
        DELETE { r:date crm:P82b_end_of_the_end ?a . r:date-stamp-1 crm:P82b_end_of_the_end ?b }
        INSERT { r:date crm:P82b_end_of_the_end "1955-12-01T00:00:00"^^xsd:dateTime .
                 r:date-stamp-1 crm:P82b_end_of_the_end "1955-12-30T00:00:00"^^xsd:dateTime }
        WHERE { r:date crm:P82b_end_of_the_end ?a . r:date-stamp-1 crm:P82b_end_of_the_end ?b }""")
    assert_same(*engines, graph, ents, "two time-spans ending before they begin")
    found = findings(engines[0].validate(graph, ents), "must not end before it begins")
    assert sorted((f.focus, f.value) for f in found) == [
        (shapes_cases.R + "date", "1955-12-01T00:00:00"), (shapes_cases.R + "date-stamp-1", "1955-12-30T00:00:00")]


TIME_SPAN_QUERY = """SELECT $this ?value WHERE {
    $this <http://example.org/begin> ?begin ; <http://example.org/end> ?value . FILTER (?value < ?begin) }"""


@pytest.mark.parametrize(("query", "batchable"), [
    (TIME_SPAN_QUERY, True),
    (TIME_SPAN_QUERY.replace("SELECT $this", "SELECT DISTINCT $this"), True),
    (TIME_SPAN_QUERY.replace("SELECT $this ?value", "SELECT *"), True),
    (TIME_SPAN_QUERY.replace("SELECT $this", "SELECT"), False),  # ?this not projected
    (TIME_SPAN_QUERY + " LIMIT 1", False),
    (TIME_SPAN_QUERY.replace("FILTER", "OPTIONAL { ?value <http://example.org/p> ?x } FILTER"), False),
    (TIME_SPAN_QUERY.replace("FILTER", "FILTER NOT EXISTS { $this <http://example.org/p> ?x } FILTER"), False),
    (TIME_SPAN_QUERY.replace("<http://example.org/begin>", "<http://example.org/begin>?"), False),  # zero length
    (TIME_SPAN_QUERY.replace("<http://example.org/begin>", "<http://example.org/begin>*"), False),
    (TIME_SPAN_QUERY.replace("$this <http://example.org/begin> ?begin ;",
                             "BIND (str($this) AS ?s) $this <http://example.org/begin> ?begin ;"), False),
    (TIME_SPAN_QUERY.replace("$this <http://example.org/begin> ?begin ;",
                             "?begin ^<http://example.org/begin> $this . $this"), False),  # ?this not first
    (TIME_SPAN_QUERY.replace("FILTER", "BIND (?begin AS ?this) FILTER"), False),
    (TIME_SPAN_QUERY.replace("?value < ?begin", "?value < NOW()"), False),
])
def test_only_queries_whose_per_focus_solutions_a_single_run_gives_are_batched(query, batchable):
    from ld.validate import _batchable

    assert _batchable(query) is batchable


def test_a_property_shape_skipped_without_values_gives_no_result_without_values(engines):
    # _Shape.empty_ok: such a shape is not run on a focus node without values; running it gives nothing.
    from ld.validate import _EMPTY

    compiled = engines[0]
    data = compiled._data(shapes_cases.record(), shapes_cases.entities())
    shapes = list(compiled._compiled._compiled.values())
    skipped = [s for s in shapes if s.empty_ok and s.path is not None]
    assert len(skipped) > 50 and any(not s.empty_ok for s in shapes if s.path is not None)
    for shape in skipped:
        assert shape.report(data, shapes_cases.D, _EMPTY) == [], shape.node
    # and those that are not skipped report a focus node without values (a minimum count, a qualified minimum)
    for shape in shapes:
        if shape.path is not None and shape.message is not None and not shape.empty_ok and not shape.reports_empty:
            assert shape.report(data, shapes_cases.D, _EMPTY), shape.node


def test_terms_of_a_uriref_subclass_are_not_the_iris_they_spell(engines):
    # The compiled engine keys IRIs as plain strings; rdflib's equality compares exact types, so a skolem IRI
    # (Genid, a URIRef subclass) spelling dcterms:title or crm:E21_Person is neither, as pySHACL reads it.
    from rdflib.term import Genid

    graph, ents = shapes_cases.record(), shapes_cases.entities()
    title = URIRef("http://purl.org/dc/terms/title")
    for s, p, o in list(graph.triples((None, title, None))):
        graph.remove((s, p, o))
        graph.add((s, Genid(str(title)), o))
    for s, p, o in list(ents.triples((URIRef(shapes_cases.BASE + "id/person/ivanov"), RDF.type, None))):
        ents.remove((s, p, o))
        ents.add((s, p, Genid(str(o))))
    assert_same(*engines, graph, ents, "Genid terms")
    report = engines[0].validate(graph, ents)
    assert findings(report, "a document needs a title (dcterms:title)")
    assert findings(report, "dcterms:creator and dcterms:contributor must be persons or groups")
