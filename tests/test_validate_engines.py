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
