"""`docket ingest --jobs N` (ld.parallel): the same outcomes and the same store as one process, whatever the workers
guessed; every record still whole or not at all."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import DCTERMS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import shared_dir
from ld.ingest import Ingester, Pipeline, expand_paths
from ld.iris import Minter
from ld.store import OxigraphStore

BASE = "http://example.org/"
CORPUS = shared_dir() / "corpus"
MINTER = Minter(BASE)
AS_OBJECT = "<https://www.w3.org/ns/activitystreams#object>"


def note(record_id: str | None, title: str, people: list[str], date: str = "1961-03-02") -> dict:
    record = {"date": date, "title": title, "summary": f"About {title}.", "text": "The text.", "people": people}
    if record_id:
        record["record_id"] = record_id
    return record


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The corpus, and files that make the parent overrule its workers: an unknown person named in two forms that
    one entity key must take from the first file (the two forms land in different workers), a record ID used by two
    files, a title+date key taken twice, an empty file, and a record the shapes reject."""
    folder = tmp_path_factory.mktemp("inputs")
    for path in sorted(CORPUS.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    notes = {
        "n0-first-form.json": note("p-0", "Talks with Mr Nhu", ["Ngo Dinh Nhu", "Helmut Kohl"]),
        **{f"n{i}-filler.json": note(f"p-{i}", f"Filler note {i}", ["Helmut Kohl"]) for i in range(1, 6)},
        "n6-second-form.json": note("p-6", "Nhu again", ["Ngo, Dinh Nhu"]),
        "n7-same-id.json": note("p-0", "Another file with the same ID", []),
        "n8-same-key-a.json": note(None, "A twice used title", []),
        "n9-same-key-b.json": note(None, "A twice used title", ["Helmut Kohl"]),
        "nz-no-title.json": {"date": "1961-03-02", "text": "No title here."},
    }
    for name, record in notes.items():
        (folder / name).write_text(json.dumps(record), encoding="utf-8")
    (folder / "nempty.txt").write_text("", encoding="utf-8")
    return folder


def run(store_path: Path, folder: Path, jobs: int, **kwargs) -> list:
    with OxigraphStore.open(store_path, minter=MINTER) as store:
        outcomes = list(Ingester(store, Pipeline(BASE), jobs=jobs, **kwargs).ingest(expand_paths([folder])))
    return [(o.source, o.status, o.iri, o.reason, o.warnings) for o in outcomes]


def dataset(store_path: Path) -> dict[str, Graph]:
    """Every named graph but the change marker's, without dcterms:modified (the time each record was mapped); the
    change log as what happened to what, in order (its activities are named and stamped by the time of writing)."""
    with OxigraphStore.open(store_path, minter=MINTER, read_only=True) as store:
        names = [row["g"].value for row in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
        graphs = {name: store.graph(URIRef(name)) for name in names if not name.endswith(("/graph/state",
                                                                                           "/graph/changes"))}
        log = [(row["t"].value, row["o"].value) for row in store.query(
            f"SELECT ?t ?o WHERE {{ GRAPH <{BASE}graph/changes> {{ ?a a ?t ; {AS_OBJECT} ?o }} }} ORDER BY ?a")]
    for graph in graphs.values():
        graph.remove((None, DCTERMS.modified, None))
    graphs["change log"] = Graph()
    graphs["change log"].add((URIRef("urn:log"), URIRef("urn:is"), Literal(repr(log))))
    return graphs


def test_two_jobs_give_the_same_outcomes_and_store_as_one(inputs, tmp_path):
    one = run(tmp_path / "one", inputs, jobs=1)
    two = run(tmp_path / "two", inputs, jobs=2)
    assert two == one
    statuses = [status for _, status, *_ in one]
    assert statuses.count("rejected") == 3 and statuses.count("ingested") == len(one) - 3
    nhu = [iri for source, _, iri, *_ in one if "second-form" in source]
    assert nhu  # the second form joined the first one's entity, in both runs
    expected, got = dataset(tmp_path / "one"), dataset(tmp_path / "two")
    assert expected.keys() == got.keys()
    assert [name for name in expected if not isomorphic(expected[name], got[name])] == []
    people = {str(s) for s in expected[str(MINTER.entities_graph)].subjects() if "/person/ngo" in str(s)}
    assert len(people) == 1, people


def test_parallel_reingest_skips_unchanged_files_as_one_process_does(inputs, tmp_path):
    run(tmp_path / "store", inputs, jobs=2)
    again = run(tmp_path / "store", inputs, jobs=2)
    assert {status for _, status, *_ in again} == {"unchanged", "rejected"}
    forced = run(tmp_path / "store", inputs, jobs=2, force=True)
    assert {status for _, status, *_ in forced} == {"ingested", "rejected"}


def test_the_parent_takes_a_workers_answers_only_when_it_would_have_given_them():
    from ld.entities import Mention, Resolver

    pipeline = Pipeline(BASE)
    first, second = Mention("Ngo Dinh Nhu", "person", "associated", "metadata"), \
        Mention("Ngo, Dinh Nhu", "person", "associated", "metadata")
    worker = Resolver(pipeline.authority)
    with worker.tracing() as trace:
        worker.references([second, first])  # the worker met the second form first
    parent = Resolver(pipeline.authority)
    assert parent.replay(trace)  # the parent has met neither: the worker's answers are its own
    assert parent.resolve(first).label == "Ngo, Dinh Nhu"
    other = Resolver(pipeline.authority)
    other.resolve(first)  # this parent met the first form in an earlier file
    assert not other.replay(trace)
    assert other.resolve(second).label == "Ngo Dinh Nhu"  # and nothing of the trace was taken
    late = Resolver(pipeline.authority)
    with late.tracing() as known_trace:
        late.resolve(second)
        late.resolve(first)  # answered from what this worker met before: not fresh
    assert not Resolver(pipeline.authority).replay(known_trace[1:])
