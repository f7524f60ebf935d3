"""The shared cache of finished representations (ld/shared_cache.py, ld/freshness.py, server/publish.py): shared
between processes, kept across ingests, and never serving anything past its change."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef

from ld.cli import main
from ld.freshness import write_dependencies
from ld.iris import Minter
from ld.shared_cache import LABEL, LISTING, Entry, SharedCache, cache_path_for
from server.app import create_app
from test_server_live import eventually, ingest_in_another_process

BASE = "http://127.0.0.1:8080/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ENTRY = Entry(b"bytes", "etag", "<x>", "/doc/x")


# --- the cache file's protocol ----------------------------------------------------------------------------------


def test_an_entry_is_stored_and_read_back(tmp_path):
    cache = SharedCache(tmp_path / "c.sqlite")
    assert cache.put("k", ENTRY, [("http://x/a", LABEL)], version=1.0)
    assert cache.get("k") == ENTRY
    assert cache.get("other") is None


def test_marking_deletes_dependents_and_keeps_them_out_until_settled(tmp_path):
    cache = SharedCache(tmp_path / "c.sqlite")
    cache.put("a", ENTRY, [("http://x/e", LABEL)], version=1.0)
    cache.put("b", ENTRY, [("http://x/e", LISTING)], version=1.0)
    cache.mark([("http://x/e", LABEL)])
    assert cache.get("a") is None, "an entry showing the label is gone before the write"
    assert cache.get("b") == ENTRY, "another kind of dependency on the same IRI is not"
    assert not cache.put("a", ENTRY, [("http://x/e", LABEL)], version=1e12), "pending: no snapshot is new enough"
    cache.settle(50.0)
    assert not cache.put("a", ENTRY, [("http://x/e", LABEL)], version=50.0), "a snapshot not newer than the commit"
    assert not cache.put("a", ENTRY, [("http://x/e", LABEL)], version=10.0)
    assert cache.put("a", ENTRY, [("http://x/e", LABEL)], version=50.5)
    assert cache.get("a") == ENTRY


def test_a_dead_writer_leaves_things_uncached_never_stale(tmp_path):
    cache = SharedCache(tmp_path / "c.sqlite")
    cache.mark([("http://x/e", LABEL)])  # ... and the writer dies before settle
    assert not cache.put("a", ENTRY, [("http://x/e", LABEL)], version=1e12)
    cache.recover(7.0)  # the next ingest starts
    assert cache.put("a", ENTRY, [("http://x/e", LABEL)], version=8.0)


def test_an_entry_written_by_one_process_is_read_by_another(tmp_path):
    path = tmp_path / "c.sqlite"
    code = ("import sys; from ld.shared_cache import SharedCache, Entry, LABEL; "
            "SharedCache(sys.argv[1]).put('k', Entry(b'from the other process', 'e', '', ''), [('i', LABEL)], 1.0)")
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, cwd=Path(__file__).resolve().parents[1])
    assert SharedCache(path).get("k").body == b"from the other process"


def test_the_cache_lives_beside_the_store_not_in_it(tmp_path):
    assert cache_path_for(tmp_path / "store") == (tmp_path / "store.cache.sqlite").resolve()


# The layout an older docket wrote (no ``grp`` column, dependencies by key): CREATE TABLE IF NOT EXISTS left it in
# place and the next statement failed with "no such column: grp".
_OLD_LAYOUT = """
CREATE TABLE entries (key TEXT PRIMARY KEY, body BLOB NOT NULL, etag TEXT NOT NULL, link TEXT NOT NULL,
                      location TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE deps (iri TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (iri, kind, key)) WITHOUT ROWID;
CREATE INDEX deps_by_key ON deps (key);
CREATE TABLE touched (iri TEXT NOT NULL, kind TEXT NOT NULL, at REAL NOT NULL, pending INTEGER NOT NULL,
                      PRIMARY KEY (iri, kind)) WITHOUT ROWID;
INSERT INTO entries VALUES ('old', x'00', 'e', '', '');
"""


def test_a_cache_file_of_an_older_layout_is_made_again_and_ingest_works_over_it(tmp_path, shared):
    import sqlite3

    store = tmp_path / "store"
    with sqlite3.connect(cache_path_for(store)) as old:
        old.executescript(_OLD_LAYOUT)
    record = shared / "corpus" / "journal-ivanov-1955-12-06.txt"
    assert main(["ingest", str(record), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    cache = SharedCache(cache_path_for(store))
    assert cache.get("old") is None, "the old file's rows went with its layout"
    assert cache.put("k", ENTRY, [("http://x/a", LABEL)], version=1e12) and cache.get("k") == ENTRY
    with sqlite3.connect(cache_path_for(store)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] > 0


# --- what a write changes ----------------------------------------------------------------------------------------


def test_a_write_invalidates_the_record_what_it_links_to_and_only_new_labels():
    minter = Minter(BASE)
    doc, kohl, place = (URIRef(f"{BASE}id/{p}") for p in ("document/1", "person/kohl", "place/bonn"))
    topic = URIRef(f"{BASE}id/concept/subject-unity")
    record, entities = Graph(), Graph()
    record.add((doc, URIRef("http://x/p"), kohl))
    record.add((doc, URIRef("http://x/q"), place))
    record.add((doc, RDF.type, URIRef("http://www.cidoc-crm.org/cidoc-crm/E31_Document")))
    entities.add((kohl, RDFS.label, Literal("Helmut Kohl")))
    entities.add((place, RDFS.label, Literal("Bonn")))
    entities.add((topic, SKOS.prefLabel, Literal("Unity")))
    deps = write_dependencies(minter, doc, record, entities, stored_labels={kohl: "Helmut Kohl"})
    assert {(str(doc), LABEL), (str(doc), LISTING), (str(kohl), LISTING), (str(place), LISTING)} <= deps
    assert (str(place), LABEL) in deps, "a label the store does not hold yet"
    assert (str(topic), LABEL) in deps, "a prefLabel (the store cannot tell whether it is new)"
    assert (str(kohl), LABEL) not in deps, "Kohl's label is already published: records showing it stay cached"
    assert not any("cidoc-crm" in iri for iri, _ in deps), "vocabulary terms have no pages; their labels are keyed"


# --- the server ---------------------------------------------------------------------------------------------------


def json_record(record_id: str, title: str, people: list[str], summary: str = "A summary.") -> dict:
    return {"date": "1960-05-01", "title": title, "record_id": record_id, "summary": summary, "text": "The text.",
            "people": people}


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def live(tmp_path):
    """A store with one record about Kohl, and a factory of apps (workers) over it."""
    store = tmp_path / "store"
    source = write(tmp_path / "one.json", json_record("one", "A first note", ["Helmut Kohl"]))
    assert main(["ingest", str(source), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0

    def app():
        return create_app({"STORE": str(store), "BASE_URI": BASE, "CHECK_INTERVAL": 0.1}).test_client()

    return store, app


def test_one_worker_serves_what_another_rendered(live, monkeypatch):
    store, app = live
    first, second = app(), app()
    expected = first.get("/doc/document/one.ttl")
    assert expected.status_code == 200
    import server.publish

    def no_queries(*args, **kwargs):
        raise AssertionError("the second worker described the record again")

    monkeypatch.setattr(server.publish, "describe_thing", no_queries)
    again = second.get("/doc/document/one.ttl")
    assert again.status_code == 200 and again.data == expected.data
    assert again.headers["ETag"] == expected.headers["ETag"] and again.headers["Link"] == expected.headers["Link"]


def test_publish_renders_ahead_of_requests_as_the_server_would(live, monkeypatch):
    store, app = live
    rendered = {s: app().get(f"/doc/document/one.{s}").data for s in ("ttl", "jsonld", "rdf", "nt", "html")}
    cache_path_for(store).unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{cache_path_for(store)}{suffix}").unlink(missing_ok=True)
    assert main(["publish", "--store", str(store), "--base-uri", BASE]) == 0
    assert len(SharedCache(cache_path_for(store))) > 10, "the record's five, Kohl's, the record's concepts' ..."
    import server.publish

    monkeypatch.setattr(server.publish, "describe_thing", lambda *a, **k: pytest.fail("not precomputed"))
    client = app()
    for suffix, body in rendered.items():
        assert client.get(f"/doc/document/one.{suffix}").data == body
    assert client.get("/doc/person/helmut-kohl.ttl").status_code == 200, "entity pages are published too"


def test_a_changed_record_replaces_its_cached_bytes_in_every_worker(live, tmp_path):
    store, app = live
    worker = app()
    assert b"A summary." in worker.get("/doc/document/one.ttl").data
    assert "A summary." in worker.get("/doc/document/one", headers={"Accept": BROWSER}).text
    source = write(tmp_path / "one.json", json_record("one", "A first note", ["Helmut Kohl"], "Summary two."))
    ingest_in_another_process(store, source)
    eventually(lambda: b"Summary two." in worker.get("/doc/document/one.ttl").data)
    assert "Summary two." in worker.get("/doc/document/one", headers={"Accept": BROWSER}).text
    assert b"Summary two." in app().get("/doc/document/one.ttl").data, "a new worker, the same cache"


def test_an_entity_page_updates_when_a_new_record_mentions_it(live, tmp_path):
    store, app = live
    worker = app()
    assert b"/id/document/two" not in worker.get("/doc/person/helmut-kohl.ttl").data
    assert "A second note" not in worker.get("/doc/person/helmut-kohl", headers={"Accept": BROWSER}).text
    ingest_in_another_process(store, write(tmp_path / "two.json", json_record("two", "A second note",
                                                                               ["Helmut Kohl"])))
    eventually(lambda: b"/id/document/two" in worker.get("/doc/person/helmut-kohl.ttl").data)
    assert "A second note" in worker.get("/doc/person/helmut-kohl", headers={"Accept": BROWSER}).text


def test_a_published_entity_page_follows_every_change_to_the_records_listing_it(live, tmp_path, monkeypatch):
    store, app = live
    assert main(["publish", "--store", str(store), "--base-uri", BASE]) == 0
    page = "/doc/person/helmut-kohl"
    import server.publish

    with monkeypatch.context() as patched:  # published: served without describing Kohl
        patched.setattr(server.publish, "describe_thing", lambda *a, **k: pytest.fail("not published"))
        assert "A first note" in app().get(page, headers={"Accept": BROWSER}).text
    worker = app()

    def listed(title: str) -> bool:
        # the worker that cached the page before the change, and a new one (the shared cache alone)
        return all(title in w.get(page, headers={"Accept": BROWSER}).text and
                   title in w.get(f"{page}.ttl").text for w in (worker, app()))

    assert listed("A first note") and not listed("A second note")
    two = tmp_path / "two.json"
    ingest_in_another_process(store, write(two, json_record("two", "A second note", ["Helmut Kohl"])))
    eventually(lambda: listed("A second note"))
    ingest_in_another_process(store, write(two, json_record("two", "A renamed note", ["Helmut Kohl"])))
    eventually(lambda: listed("A renamed note") and not listed("A second note"))
    ingest_in_another_process(store, write(two, json_record("two", "A renamed note", ["Someone Else"])))
    eventually(lambda: not listed("A renamed note"))
    ingest_in_another_process(store, write(two, json_record("two", "A last note", ["Helmut Kohl"])))
    eventually(lambda: listed("A last note"))
    subprocess.run([sys.executable, "-m", "ld.cli", "delete", f"{BASE}id/document/two", "--store", str(store),
                    "--base-uri", BASE], check=True, capture_output=True, timeout=120)
    eventually(lambda: not listed("A last note"))
    assert listed("A first note")


def test_an_entity_page_moves_records_between_pages_when_a_date_changes(live, tmp_path):
    store, app = live
    records = [write(tmp_path / f"r{n}.json", {**json_record(f"r{n}", f"Note {n}", ["Helmut Kohl"]),
                                               "date": f"1961-01-0{n}"}) for n in (1, 2, 3)]
    ingest_in_another_process(store, *records)
    client = create_app({"STORE": str(store), "BASE_URI": BASE, "CHECK_INTERVAL": 0.1, "PAGE_SIZE": 2}).test_client()
    eventually(lambda: "Note 3" in client.get("/doc/person/helmut-kohl?page=2", headers={"Accept": BROWSER}).text)
    assert "Note 3" not in client.get("/doc/person/helmut-kohl", headers={"Accept": BROWSER}).text
    moved = {**json_record("r3", "Note 3", ["Helmut Kohl"]), "date": "1950-01-01"}
    ingest_in_another_process(store, write(tmp_path / "r3.json", moved))
    eventually(lambda: "Note 3" in client.get("/doc/person/helmut-kohl", headers={"Accept": BROWSER}).text)
    assert "Note 3" not in client.get("/doc/person/helmut-kohl?page=2", headers={"Accept": BROWSER}).text


def test_unrelated_ingests_keep_cached_records(live, tmp_path):
    store, app = live
    worker = app()
    worker.get("/doc/document/one.ttl")
    cache = SharedCache(cache_path_for(store))
    stored = len(cache)
    ingest_in_another_process(store, write(tmp_path / "three.json", json_record("three", "Elsewhere",
                                                                                 ["Someone Else"])))
    assert len(cache) == stored, "a record about someone else leaves this one's entries in place"


def test_a_record_showing_a_changed_label_is_rendered_again(live, tmp_path):
    # Subject concepts take every prefLabel records give them: a second record can change what the first shows.
    store, app = live
    source = write(tmp_path / "one.json", {**json_record("one", "A first note", ["Helmut Kohl"]),
                                           "subjects": ["German unity"]})
    ingest_in_another_process(store, source)
    worker = app()
    eventually(lambda: b"German unity" in worker.get("/doc/document/one.nt").data)
    before = worker.get("/doc/document/one.nt").data
    other = {**json_record("four", "Another note", []), "subjects": ["German Unity"]}
    ingest_in_another_process(store, write(tmp_path / "four.json", other))
    eventually(lambda: worker.get("/doc/document/one.nt").data != before)
    assert b'"German Unity"' in worker.get("/doc/document/one.nt").data


def test_cache_entries_zero_turns_the_shared_cache_off(live):
    store, _ = live
    client = create_app({"STORE": str(store), "BASE_URI": BASE, "CACHE_ENTRIES": 0}).test_client()
    assert client.get("/doc/document/one.ttl").status_code == 200
    assert not cache_path_for(store).exists() or len(SharedCache(cache_path_for(store))) == 0


def test_retain_drops_renderings_of_other_releases(tmp_path):
    cache = SharedCache(tmp_path / "c.sqlite")
    cache.put("old|k", ENTRY, [("http://x/a", LABEL)], version=1.0, group="g")
    cache.put("new|k", ENTRY, [("http://x/a", LABEL)], version=1.0, group="g")
    assert cache.retain("new|") == 1
    assert cache.get("old|k") is None and cache.get("new|k") == ENTRY
