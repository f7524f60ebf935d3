"""The Store contract, one suite run against every store docket supports: the embedded Oxigraph directory, a real
`oxigraph serve` started on loopback (ld.remote_store over SPARQL 1.1 Query and Update), and Virtuoso when
`make test-virtuoso` has started one (DOCKET_TEST_VIRTUOSO_QUERY / DOCKET_TEST_VIRTUOSO_UPDATE name its endpoints).

Every test works under a base IRI of its own, so tests sharing one server never see each other's graphs."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime

import pytest
from rdflib import RDFS, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ld.errors import DocketError, NotFound, QueryRejected, StoreError
from ld.iris import Minter
from ld.namespaces import CRM
from ld.remote_store import RemoteStore
from ld.store import OxigraphStore, RecordState, SparqlStore
from test_store import make_record

STORES = ("embedded", "oxigraph-server", "virtuoso")


@dataclass
class Subject:
    """The store under test, the minter of this test's base, and how to get a fresh instance on the same data."""

    store: SparqlStore
    minter: Minter
    reopen: object  # () -> SparqlStore

    def record(self, key: str, **kwargs):
        return make_record(key, minter=self.minter, **kwargs)


def virtuoso_endpoints() -> tuple[str, str]:
    query, update = os.environ.get("DOCKET_TEST_VIRTUOSO_QUERY"), os.environ.get("DOCKET_TEST_VIRTUOSO_UPDATE")
    if not query or not update:
        pytest.skip("no Virtuoso running: `make test-virtuoso` installs and starts one and runs this suite on it")
    return query, update


@pytest.fixture(params=STORES)
def subject(request, tmp_path):
    minter = Minter(f"http://127.0.0.1:8080/t-{uuid.uuid4().hex[:12]}/")
    if request.param == "embedded":
        def reopen():
            return OxigraphStore.open(tmp_path / "store", minter=minter)
    else:
        if request.param == "oxigraph-server":
            server = request.getfixturevalue("oxigraph_server")
            query, update = server.query_url, server.update_url
        else:
            query, update = virtuoso_endpoints()

        def reopen():
            return RemoteStore.open(query, update, minter=minter, timeout=20)
    opened = [reopen()]

    def fresh():
        opened[0].close()
        opened[0] = reopen()
        return opened[0]

    yield Subject(opened[0], minter, fresh)
    opened[0].close()


def entity_count(store: SparqlStore) -> int:
    return len(store.graph(store.entities_graph))


# --- replace semantics -----------------------------------------------------------------------------------------------


def test_record_round_trips_with_every_literal_kind(subject):
    doc, record, entities = subject.record("journal-1955-12-06")
    subject.store.replace_record(doc, record, entities)
    assert isomorphic(subject.store.record_graph(doc), record)
    assert isomorphic(subject.store.graph(subject.store.entities_graph), entities)


def test_replace_changes_only_that_records_graph(subject):
    store = subject.store
    a, ga, ea = subject.record("a", title="First A", people=("nam-il", "kim-il-sung"))
    b, gb, eb = subject.record("b", title="B")
    store.replace_record(a, ga, ea)
    store.replace_record(b, gb, eb)
    a2, ga2, ea2 = subject.record("a", title="Second A", checksum="sha256:11", people=("molotov",))
    store.replace_record(a2, ga2, ea2)
    assert isomorphic(store.record_graph(a), ga2)  # nothing of the first version is left
    assert isomorphic(store.record_graph(b), gb)
    assert sorted(store.records()) == [a, b]


def test_replace_with_an_empty_graph_removes_the_record(subject):
    doc, record, entities = subject.record("gone")
    subject.store.replace_record(doc, record, entities)
    subject.store.replace_record(doc, Graph(), Graph())
    assert subject.store.count_records() == 0
    assert subject.store.record_state(doc) is None
    with pytest.raises(NotFound):
        subject.store.record_graph(doc)


def test_entity_triples_land_once_in_the_entities_graph(subject):
    for key in ("r1", "r2", "r3"):
        subject.store.replace_record(*subject.record(key, people=("nam-il", "molotov")))
    reopened = subject.reopen()  # its cache of written entity triples is empty
    reopened.replace_record(*subject.record("r4", people=("nam-il", "molotov")))
    assert entity_count(reopened) == 4  # 2 people x (type, label)
    for doc in reopened.records():
        assert (None, RDFS.label, Literal("Nam Il")) not in reopened.record_graph(doc)
    assert reopened.entity_labels([subject.minter.thing("person", "nam-il"), URIRef("urn:nobody")]) == {
        subject.minter.thing("person", "nam-il"): "Nam Il"}
    names = {(str(e), label, name) for e, label, name in reopened.entity_names()}
    assert (str(subject.minter.thing("person", "molotov")), "Molotov", "Molotov") in names


def test_record_state_and_lookup_by_source(subject):
    doc, record, entities = subject.record("state", checksum="sha256:abc", record_id="300241")
    assert subject.store.record_state(doc) is None
    subject.store.replace_record(doc, record, entities)
    assert subject.store.record_state(doc) == RecordState(
        source_file="state.txt", checksum="sha256:abc", mapper_version="0.1.0",
        modified=datetime(2026, 11, 1, 10, 20, 30))
    assert subject.store.record_for_source("state.txt") == doc
    assert subject.store.record_for_source("other.txt") is None


def test_system_graphs_are_not_records(subject):
    store = subject.store
    vocab = subject.minter.vocab_graph
    v1 = Graph()
    v1.add((CRM.E21_Person, RDFS.label, Literal("Person", lang="en")))
    store.replace_graph(vocab, v1)
    v2 = Graph()
    v2.add((CRM.E74_Group, RDFS.label, Literal("Group", lang="en")))
    store.replace_graph(vocab, v2)
    store.replace_record(*subject.record("only"))
    assert list(store.records()) == [subject.minter.document("only")]
    assert store.count_records() == 1
    assert isomorphic(store.graph(vocab), v2)


def test_blank_nodes_and_bad_iris_are_refused_and_nothing_is_written(subject):
    store = subject.store
    doc, record, entities = subject.record("blank")
    record.add((doc, CRM.P1_is_identified_by, BNode()))
    with pytest.raises(ValueError, match="blank node"):
        store.replace_record(doc, record, entities)
    doc2, record2, entities2 = subject.record("bad-iri")
    record2.add((doc2, RDFS.seeAlso, URIRef("http://example.org/a> } ; DROP ALL ; INSERT DATA { <x")))
    with pytest.raises(ValueError, match="IRI"):
        store.replace_records([subject.record("fine"), (doc2, record2, entities2)])
    assert store.count_records() == 0
    assert entity_count(store) == 0


def test_a_failing_update_request_leaves_the_store_as_it_was(subject):
    """A whole update request is one transaction: a failing last operation undoes the first ones. This is what
    makes replacing a batch of records atomic on every store."""
    doc, record, entities = subject.record("kept")
    subject.store.replace_record(doc, record, entities)
    other = subject.minter.document("other")
    with pytest.raises(DocketError):
        subject.store._update(f"DROP GRAPH <{doc}> ; INSERT DATA {{ GRAPH <{other}> {{ <{other}> <urn:b> <urn:c> }} }}"
                              f" ; DROP GRAPH <{subject.minter.document('does-not-exist')}>")
    assert isomorphic(subject.store.record_graph(doc), record)
    assert list(subject.store.records()) == [doc]


def test_query_and_rejected_query(subject):
    subject.store.replace_record(*subject.record("q"))
    doc = subject.minter.document("q")
    rows = list(subject.store.query(f"SELECT ?t WHERE {{ GRAPH <{doc}> {{ <{doc}> a ?t }} }}"))
    assert [row["t"].value for row in rows] == [str(CRM.E31_Document)]
    triples = list(subject.store.query(f"CONSTRUCT {{ <{doc}> a ?t }} WHERE {{ GRAPH <{doc}> {{ <{doc}> a ?t }} }}"))
    assert [t.object.value for t in triples] == [str(CRM.E31_Document)]
    assert bool(subject.store.query(f"ASK {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}"))
    with pytest.raises(QueryRejected):
        subject.store.query("SELECT WHERE nonsense")


def test_bulk_mode_buffers_and_commits_per_batch(subject):
    store, minter = subject.store, subject.minter
    with store.bulk_mode(batch_size=3):
        for i in range(4):
            store.replace_record(*subject.record(f"bulk-{i}", record_id=f"id-{i}"))
        # the fourth record is buffered, and lookups see it
        assert store.record_for_source("bulk-3.txt") == minter.document("bulk-3")
        assert store.record_state(minter.document("bulk-3")).checksum == "sha256:00"
        store.replace_record(*subject.record("bulk-3", record_id="id-3", checksum="sha256:22"))  # last write wins
    assert store.count_records() == 4
    assert store.record_state(minter.document("bulk-3")).checksum == "sha256:22"
    expected = subject.record("bulk-3", record_id="id-3", checksum="sha256:22")[1]
    assert isomorphic(store.record_graph(minter.document("bulk-3")), expected)


def test_a_write_given_its_lines_stores_them_and_a_later_write_of_the_record_its_own(subject):
    """``replace_record(..., lines=)``: the caller's ``triple_lines`` are what is written (ingest shares them with
    the dump cache); a later write of the record in the same batch, given none, writes its own graph."""
    from ld.store import triple_lines

    store, minter = subject.store, subject.minter
    doc, record, entities = subject.record("given")
    store.replace_record(doc, record, entities, lines=triple_lines(record))
    assert isomorphic(store.record_graph(doc), record)
    with store.bulk_mode(batch_size=5):
        store.replace_record(doc, *subject.record("given", checksum="sha256:11")[1:],
                             lines=triple_lines(subject.record("given", checksum="sha256:11")[1]))
        _, newest, newest_entities = subject.record("given", checksum="sha256:22")
        store.replace_record(doc, newest, newest_entities)  # last write wins, with its own triples
    assert isomorphic(store.record_graph(doc), newest)
    assert store.record_state(minter.document("given")).checksum == "sha256:22"


def test_bulk_mode_label_lookups_follow_the_batches_of_entities_new_to_the_store(subject):
    """An entity the store had no label for is answered from the buffers while its record is buffered or being
    written, and from the store once that batch committed (bulk mode remembers what the store answered)."""
    store, minter = subject.store, subject.minter
    someone = minter.thing("person", "ri-ju-yon")
    with store.bulk_mode(batch_size=2):
        assert store.entity_labels([someone]) == {}
        assert store.entity_labels([someone]) == {}  # asked again: still none
        other = minter.thing("person", "pak-hon-yong")
        assert store.entity_labels([other]) == {}
        store.replace_records([subject.record("direct", people=("pak-hon-yong",))])  # written at once, not buffered
        assert store.entity_labels([other]) == {other: "Pak Hon Yong"}
        store.replace_record(*subject.record("new-1", people=("ri-ju-yon",)))
        assert store.entity_labels([someone]) == {someone: "Ri Ju Yon"}  # buffered
        store.replace_record(*subject.record("new-2"))  # the batch goes to the writer
        store.replace_record(*subject.record("new-3"))
        store.replace_record(*subject.record("new-4"))  # the first batch committed, the second in flight
        assert store.entity_labels([someone, someone]) == {someone: "Ri Ju Yon"}
    assert store.entity_labels([someone]) == {someone: "Ri Ju Yon"}


def test_bulk_mode_drops_the_buffer_when_an_exception_escapes(subject):
    with pytest.raises(RuntimeError):
        with subject.store.bulk_mode(batch_size=10):
            subject.store.replace_record(*subject.record("lost"))
            raise RuntimeError("boom")
    assert subject.store.count_records() == 0


def test_every_write_changes_the_marker_and_a_no_op_does_not(subject):
    store = subject.store
    assert store.change_marker() is None
    store.replace_record(*subject.record("m"))
    first = store.change_marker()
    assert first
    vocab = Graph()
    vocab.add((CRM.E21_Person, RDFS.label, Literal("Person", lang="en")))
    store.replace_graph(subject.minter.vocab_graph, vocab)
    second = store.change_marker()
    assert second != first
    store.replace_graph(subject.minter.vocab_graph, vocab)  # unchanged: nothing is written
    assert store.change_marker() == second
    reopened = subject.reopen()
    assert reopened.change_marker() == second  # it is in the data, not in this instance
    assert list(reopened.records()) == [subject.minter.document("m")]  # the state graph is no record


def test_a_closed_store_refuses_use(subject):
    subject.store.close()
    with pytest.raises(StoreError, match="closed"):
        subject.store.replace_record(*subject.record("y"))


# --- the change log and withdrawal (ld.changes) -------------------------------------------------------------------


def test_writes_are_logged_and_a_deletion_leaves_tombstones(subject):
    from ld import changes

    store, minter = subject.store, subject.minter
    a = subject.record("a", people=("shared", "only-a"))
    b = subject.record("b", people=("shared",))
    store.replace_records([a, b])
    store.replace_record(*subject.record("b", people=("shared",), checksum="sha256:01"))
    only_a = minter.thing("person", "only-a")
    assert store.delete_record(a[0]) == [only_a]
    graph = str(store.changes_graph)
    log = [(x.kind, x.object) for x in changes.activities(store, graph, limit=100)]
    assert log == [("Create", str(a[0])), ("Create", str(b[0])), ("Update", str(b[0])), ("Delete", str(a[0])),
                   ("Delete", str(only_a))]
    assert list(store.records()) == [b[0]]
    assert changes.tombstone(store, graph, str(a[0])).name == "A title"
    assert (minter.thing("person", "shared"), None, None) in store.graph(store.entities_graph)
    assert (only_a, None, None) not in store.graph(store.entities_graph)
    with pytest.raises(NotFound):
        store.delete_record(a[0])
    store.replace_record(*a)  # it comes back, without its tombstone
    assert changes.tombstone(subject.reopen(), graph, str(a[0])) is None


# --- the change log and withdrawal (ld.changes), on every store ------------------------------------------------------


def change_log(store: SparqlStore) -> list[tuple[str, str]]:
    from ld import changes

    return [(a.kind, a.object) for a in changes.activities(store, str(store.changes_graph), limit=1000)]


def test_writes_are_logged_in_the_same_request(subject):
    store = subject.store
    doc, record, entities = subject.record("logged")
    store.replace_record(doc, record, entities)
    with store.bulk_mode(2):
        for key in ("b1", "b2", "b3"):
            store.replace_record(*subject.record(key))
    store.replace_record(*subject.record("logged", checksum="sha256:99"))
    assert change_log(store) == [("Create", str(doc)), *[("Create", str(subject.minter.document(k)))
                                                         for k in ("b1", "b2", "b3")], ("Update", str(doc))]


def test_delete_withdraws_a_record_with_tombstones_and_it_can_come_back(subject):
    from ld import changes

    store, minter = subject.store, subject.minter
    a = subject.record("a", people=("shared", "only-a"))
    b = subject.record("b", people=("shared",))
    store.replace_records([a, b])
    assert store.delete_record(a[0]) == [minter.thing("person", "only-a")]
    assert list(store.records()) == [b[0]]
    assert (minter.thing("person", "only-a"), None, None) not in store.graph(store.entities_graph)
    stone = changes.tombstone(store, str(store.changes_graph), str(a[0]))
    assert stone is not None and stone.name == "A title"
    with pytest.raises(NotFound):
        store.delete_record(minter.document("nothing"))
    store.replace_record(*a)
    assert changes.tombstone(store, str(store.changes_graph), str(a[0])) is None
    assert [kind for kind, thing in change_log(store) if thing == str(a[0])] == ["Create", "Delete", "Create"]
