"""The change log and withdrawal (ld.changes through ld.store) on a real Oxigraph directory: activities written with
the records, deletion of a record with the entities only it mentioned, tombstones, and a record coming back."""

from __future__ import annotations

import pytest
from rdflib import DCTERMS, XSD, Literal

from ld import changes
from ld.errors import NotFound
from ld.store import OxigraphStore
from test_store import MINTER, make_record, person


@pytest.fixture
def store(tmp_path):
    st = OxigraphStore.open(tmp_path / "store", minter=MINTER)
    yield st
    st.close()


def log(store):
    return [(a.kind, a.object) for a in changes.activities(store, str(store.changes_graph), limit=1000)]


def test_writes_log_create_then_update_and_nothing_for_a_same_write(store):
    doc, record, entities = make_record("a")
    store.replace_record(doc, record, entities)
    store.replace_record(doc, record, entities)  # same triples: no change, no activity
    record.set((doc, DCTERMS.modified, Literal("2026-11-02T00:00:00", datatype=XSD.dateTime)))
    store.replace_record(doc, record, entities)
    assert log(store) == [("Create", str(doc)), ("Update", str(doc))]
    times = [a.time.isoformat() for a in changes.activities(store, str(store.changes_graph))]
    assert times == ["2026-11-01T10:20:30", "2026-11-02T00:00:00"]  # the record's dcterms:modified


def test_bulk_writes_are_logged_too(store):
    with store.bulk_mode(2):
        for key in ("a", "b", "c"):
            store.replace_record(*make_record(key))
    assert sorted(log(store)) == sorted(("Create", str(MINTER.document(k))) for k in "abc")
    assert changes.log_state(store, str(store.changes_graph))[0] == 3


def test_delete_removes_the_record_and_only_its_own_entities(store):
    a = make_record("a", people=("shared", "only-a"))
    b = make_record("b", people=("shared",))
    store.replace_records([a, b])
    removed = store.delete_record(a[0])
    assert removed == [person("only-a")]
    assert list(store.records()) == [b[0]]
    entities = store.graph(store.entities_graph)
    assert (person("shared"), None, None) in entities
    assert (person("only-a"), None, None) not in entities
    assert log(store)[-2:] == [("Delete", str(a[0])), ("Delete", str(person("only-a")))]
    stone = changes.tombstone(store, str(store.changes_graph), str(a[0]) + "#date")
    assert stone is not None and stone.name == "A title" and stone.sets == ("decade:1950",)
    assert changes.tombstone(store, str(store.changes_graph), str(person("only-a"))).name == "Only A"
    assert changes.tombstone(store, str(store.changes_graph), str(b[0])) is None
    # SPARQL over the union graph no longer finds the record's title
    titles = {row["t"].value for row in store.query(f"SELECT ?t WHERE {{ ?d <{DCTERMS.title}> ?t }}")}
    assert titles == {"A title"} and len(list(store.query(f"SELECT ?d WHERE {{ ?d <{DCTERMS.title}> ?t }}"))) == 1


def test_delete_of_a_missing_record_is_not_found(store):
    with pytest.raises(NotFound):
        store.delete_record(MINTER.document("nothing"))


def test_a_deleted_record_written_again_comes_back_without_its_tombstone(store):
    a = make_record("a", people=("only-a",))
    store.replace_record(*a)
    store.delete_record(a[0])
    store.replace_record(*a)
    graph = str(store.changes_graph)
    assert changes.tombstone(store, graph, str(a[0])) is None
    assert changes.tombstone(store, graph, str(person("only-a"))) is None
    assert (person("only-a"), None, None) in store.graph(store.entities_graph)  # written again, not assumed known
    assert [k for k, _ in log(store) if _ == str(a[0])] == ["Create", "Delete", "Create"]


def test_cli_delete_by_path_and_by_iri(tmp_path, shared, capsys):
    from ld.cli import main

    corpus = shared / "corpus"
    names = ["journal-ivanov-1955-12-06.txt", "kohl-conversation-guterres-1997-10-22.txt"]
    store_dir = tmp_path / "store"
    assert main(["ingest", *(str(corpus / n) for n in names), "--store", str(store_dir), "--quiet"]) == 0
    assert main(["delete", str(corpus / names[0]), "--store", str(store_dir)]) == 0
    assert main(["delete", str(corpus / names[0]), "--store", str(store_dir)]) == 1  # gone already
    with OxigraphStore.open(store_dir, minter=MINTER, read_only=True) as st:
        (left,) = list(st.records())
    assert main(["delete", str(left).replace("/id/", "/doc/"), "--store", str(store_dir)]) == 0
    assert "deleted" in capsys.readouterr().out
    with OxigraphStore.open(store_dir, minter=MINTER, read_only=True) as st:
        assert list(st.records()) == []
        left_over = {str(s) for s in st.graph(st.entities_graph).subjects()}
        assert not {s for s in left_over if "/id/person/" in s}, left_over
