"""ld.store against a real Oxigraph directory on disk: replace semantics, atomicity (also under SIGKILL), lookups,
read-only readers in other processes."""

from __future__ import annotations

import os
import pickle
import random
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import DCTERMS, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from ld.errors import NotFound, QueryRejected, StoreError
from ld.iris import Minter
from ld.namespaces import CRM, DOCKET
from ld.store import LinesGraph, OxigraphStore, RecordState, linked_iris, triple_lines

MINTER = Minter()
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path):
    st = OxigraphStore.open(tmp_path / "store", minter=MINTER)
    yield st
    st.close()


def person(key: str, minter: Minter = MINTER) -> URIRef:
    return minter.thing("person", key)


def make_record(key: str, *, title: str = "A title", checksum: str = "sha256:00", people=("nam-il",),
                record_id: str | None = None, minter: Minter = MINTER) -> tuple[URIRef, Graph, Graph]:
    """A small record in docket's shape, with the literal kinds the mapper emits, and its entity descriptions."""
    doc = minter.document(key)
    g = Graph()
    g.add((doc, RDF.type, CRM.E31_Document))
    g.add((doc, RDFS.label, Literal(title)))
    g.add((doc, DCTERMS.title, Literal(title, lang="en")))
    g.add((doc, DCTERMS.description, Literal('He said: "no"\n\tthen left \\ [sic] \u2014 Пхеньян \x01')))
    g.add((doc, DCTERMS.date, Literal("1955-12-06", datatype=XSD.date)))
    g.add((doc, DCTERMS.temporal, Literal("1955", datatype=XSD.gYear)))
    g.add((doc, DCTERMS.coverage, Literal("1967-03", datatype=XSD.gYearMonth)))
    g.add((doc, DCTERMS.modified, Literal("2026-11-01T10:20:30", datatype=XSD.dateTime)))
    g.add((doc, DOCKET.sourceFile, Literal(f"{key}.txt")))
    g.add((doc, DOCKET.sourceChecksum, Literal(checksum)))
    g.add((doc, DOCKET.mapperVersion, Literal("0.1.0")))
    if record_id:
        g.add((doc, DCTERMS.identifier, Literal(record_id)))
    span = minter.part(doc, "date")
    g.add((span, CRM["P82a_begin_of_the_begin"], Literal("1955-12-06T00:00:00", datatype=XSD.dateTime)))
    g.add((span, CRM["P82b_end_of_the_end"], Literal("1955-12-06T23:59:59", datatype=XSD.dateTime)))
    g.add((span, RDFS.label, Literal("6 December 1955", lang="en")))
    entities = Graph()
    for key_ in people:
        g.add((doc, CRM.P67_refers_to, person(key_, minter)))
        entities.add((person(key_, minter), RDF.type, CRM.E21_Person))
        entities.add((person(key_, minter), RDFS.label, Literal(key_.replace("-", " ").title())))
    return doc, g, entities


def entity_quad_count(st: OxigraphStore) -> int:
    return len(list(st._db.quads_for_pattern(None, None, None, ox.NamedNode(st.entities_graph))))


# --- the embedded store's own behaviour (what every store does is in tests/test_store_contract.py) -----------------


def test_closed_and_read_only_stores_refuse_writes(tmp_path):
    st = OxigraphStore.open(tmp_path / "s", minter=MINTER)
    st.replace_record(*make_record("x"))
    st.close()
    with pytest.raises(StoreError, match="closed"):
        st.replace_record(*make_record("y"))
    ro = OxigraphStore.open(tmp_path / "s", minter=MINTER, read_only=True)
    try:
        assert ro.count_records() == 1
        with pytest.raises(StoreError, match="read-only"):
            ro.replace_record(*make_record("y"))
    finally:
        ro.close()


def test_read_only_open_of_a_missing_store_fails_clearly(tmp_path):
    with pytest.raises(StoreError, match="cannot open"):
        OxigraphStore.open(tmp_path / "nothing", read_only=True)


# --- other processes -------------------------------------------------------------------------------------------------


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.slow
def test_a_second_writer_gets_a_store_error(store, tmp_path):
    result = run_python(f"""
        from ld.errors import StoreError
        from ld.store import OxigraphStore
        try:
            OxigraphStore.open({str(tmp_path / "store")!r})
        except StoreError as e:
            print("StoreError", e)
    """)
    assert result.stdout.startswith("StoreError cannot open the store"), result.stderr


@pytest.mark.slow
def test_read_only_reader_in_another_process_sees_committed_data(store, tmp_path):
    doc, record, entities = make_record("shared", record_id="77")
    store.replace_record(doc, record, entities)  # the writer stays open
    reader = f"""
        from ld.store import OxigraphStore
        st = OxigraphStore.open({str(tmp_path / "store")!r}, read_only=True)
        print(st.count_records(), st.record_for_source("shared.txt"), len(st.record_graph(st.record_for_source("shared.txt"))))
        st.close()
    """
    result = run_python(reader)
    assert result.stdout.split() == ["1", str(doc), str(len(record))], result.stderr
    store.replace_record(*make_record("later"))
    result = run_python(reader)
    assert result.stdout.split()[0] == "2", result.stderr


# --- crash safety ----------------------------------------------------------------------------------------------------

# The writer loops over 20 records forever, round after round, and reports each write once it has returned. Version r
# of record i has 100 + (7i + 13r) % 300 item triples, each carrying its version, plus two marker triples (count and
# version) and one entity triple in the entities graph. A reader after SIGKILL can then tell a complete version from a
# torn one, and check that every reported write survived.
CRASH_WRITER = """
import sys
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from ld.iris import Minter
from ld.store import OxigraphStore

path, mode, docs = sys.argv[1], sys.argv[2], 20
minter = Minter()
P, COUNT, VERSION = URIRef("urn:test:item"), URIRef("urn:test:count"), URIRef("urn:test:version")

def version(i, r):
    doc = minter.document(f"crash-{i}")
    n = 100 + (7 * i + 13 * r) % 300
    g = Graph()
    g.add((doc, COUNT, Literal(str(n))))
    g.add((doc, VERSION, Literal(str(r))))
    for j in range(n):
        g.add((minter.part(doc, f"item-{j}"), P, Literal(f"v{r}")))
    e = Graph()
    e.add((minter.thing("person", f"p{i}-v{r}"), P, Literal(f"v{r}")))
    return doc, g, e

def term(t):
    return ox.NamedNode(t) if isinstance(t, URIRef) else ox.Literal(str(t))

def write_quad_by_quad(store, doc, g, e):
    # What a non-atomic store would do: every quad its own transaction.
    store._db.remove_graph(ox.NamedNode(doc)) if store._db.contains_named_graph(ox.NamedNode(doc)) else None
    for graph_name, triples in ((doc, g), (store.entities_graph, e)):
        for s, p, o in triples:
            store._db.add(ox.Quad(term(s), term(p), term(o), ox.NamedNode(graph_name)))

store = OxigraphStore.open(path, minter=minter)
r = 0
while True:
    for i in range(docs):
        doc, g, e = version(i, r)
        if mode == "atomic":
            store.replace_record(doc, g, e)
        else:
            write_quad_by_quad(store, doc, g, e)
        print("committed", i, r, flush=True)  # only once the write has returned
    r += 1
"""


def torn_records(path: Path, committed: dict[int, int]) -> list[str]:
    """Reopen the store after a crash and describe every record that is missing, incomplete, or older than the
    writer reported (``committed``: record number -> last version reported written). Empty when all is well."""
    st = OxigraphStore.open(path, minter=MINTER)
    try:
        entities = st.graph(st.entities_graph)
        stored = {int(str(doc).rsplit("crash-", 1)[1]): st.graph(doc) for doc in st.records()}
    finally:
        st.close()
    problems = [f"record {i} missing" for i in range(20) if i not in stored]
    for i, g in sorted(stored.items()):
        doc = MINTER.document(f"crash-{i}")
        count, version = g.value(doc, URIRef("urn:test:count")), g.value(doc, URIRef("urn:test:version"))
        if count is None or version is None:
            problems.append(f"record {i}: markers missing ({len(g)} triples)")
            continue
        count, version = int(count), int(version)
        if len(g) != count + 2 or set(g.objects(None, URIRef("urn:test:item"))) != {Literal(f"v{version}")}:
            problems.append(f"record {i}: {len(g)} triples, expected {count + 2} of version {version}")
        if (MINTER.thing("person", f"p{i}-v{version}"), None, None) not in entities:
            problems.append(f"record {i}: entity triple of version {version} missing")
        if version not in (committed[i], committed[i] + 1):  # + 1: the write in flight may have committed
            problems.append(f"record {i}: version {version} stored, {committed[i]} reported written")
    return problems


def crash_writer(path: Path, mode: str, rng: random.Random) -> dict[int, int]:
    """Run the writer until it has written every record once, let it replace records for a random while, kill it
    with SIGKILL. Returns the last version of each record it reported written."""
    with subprocess.Popen([sys.executable, "-c", CRASH_WRITER, str(path), mode], cwd=REPO,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        try:
            # Read until the first replacement (round 1) is reported, then kill at a random moment after it: a fixed
            # sleep alone could end before any replacement on a loaded machine, and the test would fail for nothing.
            lines = []
            while not lines or lines[-1].split()[-1:] != ["1"]:
                line = child.stdout.readline()
                if not line:
                    break
                lines.append(line)
            time.sleep(rng.uniform(0.0, 0.5))
            alive = child.poll() is None
        finally:
            os.kill(child.pid, signal.SIGKILL)
            rest, errors = child.communicate(timeout=30)
    assert alive and "committed 19 0\n" in lines and lines[-1].strip() == "committed 0 1", errors
    assert child.returncode == -signal.SIGKILL
    committed = {}
    for line in lines + rest.split("\n")[:-1]:  # [:-1]: drop an unfinished last line, the kill may have cut it
        word, i, r = line.split()
        assert word == "committed"
        committed[int(i)] = int(r)
    return committed


@pytest.mark.slow
def test_sigkill_mid_write_leaves_only_complete_records(tmp_path):
    rng = random.Random(7)
    path = tmp_path / "crash"
    for _ in range(4):  # each round reopens what the last kill left and writes on top of it
        committed = crash_writer(path, "atomic", rng)
        assert max(committed.values()) >= 1, "the kill came before any record was replaced"
        assert torn_records(path, committed) == []


@pytest.mark.slow
def test_the_crash_check_catches_non_atomic_writes(tmp_path):
    """The same kill against a writer that stores quad by quad must show torn records, else the test above is void."""
    rng = random.Random(7)
    found = []
    # A kill can land between two records (while the writer builds the next one's graph, up to half its time on a
    # loaded machine), which tears nothing; ten tries make a false failure about one in a thousand.
    for attempt in range(10):
        path = tmp_path / f"torn-{attempt}"
        found += torn_records(path, crash_writer(path, "quad-by-quad", rng))
        if found:
            break
    assert found, "killing a quad-by-quad writer never left a torn record: the crash test cannot see tearing"


def test_replacing_a_graph_with_the_same_triples_writes_nothing(store, tmp_path):
    def log_bytes() -> int:  # RocksDB appends every commit to its write-ahead log
        return sum(p.stat().st_size for p in (tmp_path / "store").glob("*.log"))

    vocab = URIRef(f"{MINTER.base}graph/vocab")
    graph = Graph()
    graph.add((CRM.E21_Person, RDFS.label, Literal("Person", lang="en")))
    store.replace_graph(vocab, graph)
    before = log_bytes()
    store.replace_graph(vocab, graph)
    assert log_bytes() == before
    graph.add((CRM.E74_Group, RDFS.label, Literal("Group", lang="en")))
    store.replace_graph(vocab, graph)
    assert log_bytes() > before


def test_record_token_changes_with_each_write_and_agrees_with_the_generic_reading(store):
    doc, graph, entities = make_record("token-1")
    assert store.record_token(doc) is None
    store.replace_record(doc, graph, entities)
    first = store.record_token(doc)
    assert first is not None and first == store.record_token(doc)
    graph.set((doc, DOCKET.sourceChecksum, Literal("sha256:11")))
    store.replace_record(doc, graph, entities)
    second = store.record_token(doc)
    assert second != first
    graph.set((doc, DCTERMS.modified, Literal("2026-11-02T10:20:30", datatype=XSD.dateTime)))
    store.replace_record(doc, graph, entities)
    assert store.record_token(doc) not in (first, second)
    # The Store default (from record_state, for stores without a faster lookup) sees the same changes.
    generic = [super(OxigraphStore, store).record_token(doc)]
    graph.set((doc, DOCKET.sourceChecksum, Literal("sha256:22")))
    store.replace_record(doc, graph, entities)
    generic.append(super(OxigraphStore, store).record_token(doc))
    assert None not in generic and generic[0] != generic[1]
    assert super(OxigraphStore, store).record_token(MINTER.document("absent")) is None


def test_a_lines_graph_holds_the_same_triples_and_is_written_the_same(store, tmp_path):
    """A parallel ingest's workers send graphs as their N-Triples lines (LinesGraph): every lookup the parent makes
    answers as the rdflib graph would, after pickling too, and the store holds the same record either way."""
    doc, graph, entities = make_record("lines-1", people=("nam-il", "kim-il-sung"))
    lines = pickle.loads(pickle.dumps(LinesGraph(triple_lines(graph))))
    assert isomorphic(lines.to_graph(), graph) and len(lines) == len(graph)
    assert triple_lines(lines.to_graph()) and set(triple_lines(lines.to_graph())) == set(lines.lines)
    for pattern in [(doc, DCTERMS.description, None), (None, RDFS.label, None), (doc, None, None),
                    (None, None, person("nam-il"))]:
        assert set(lines.triples(pattern)) == set(graph.triples(pattern)), pattern
    # the lookups that build only the terms asked for (LinesGraph overrides them)
    for predicate in (None, RDFS.label, DCTERMS.description):
        for unique in (False, True):
            assert sorted(lines.subjects(predicate, unique=unique)) == sorted(graph.subjects(predicate, unique=unique))
            assert sorted(lines.objects(doc, predicate, unique=unique)) == sorted(
                graph.objects(doc, predicate, unique=unique))
            assert sorted(lines.subject_objects(predicate, unique=unique)) == sorted(
                graph.subject_objects(predicate, unique=unique))
    assert set(lines.subjects(None, person("nam-il"))) == set(graph.subjects(None, person("nam-il")))
    assert lines.value(doc, DCTERMS.description) == graph.value(doc, DCTERMS.description) is not None
    assert linked_iris(lines) == linked_iris(graph) == {str(o) for o in graph.objects() if isinstance(o, URIRef)}
    with pytest.raises(TypeError):
        lines.add((doc, RDFS.comment, Literal("no")))
    store.replace_record(doc, lines, LinesGraph(triple_lines(entities)))
    assert isomorphic(store.record_graph(doc), graph)
    assert store.entity_labels([person("kim-il-sung")]) == {person("kim-il-sung"): "Kim Il Sung"}


def test_literals_are_written_as_oxigraph_prints_them():
    """triple_lines escapes a literal as Oxigraph prints it (replace_records diffs stored lines against new ones as
    text): every control character, quotes, backslashes, and text that needs no escape at all."""
    from ld.store import term_text

    texts = ["plain words", 'say "no"', "back\\slash", "line\none\r\ttab", "\b\f\x0b\x00\x1f\x7f", "é \u2028 😀",
             "".join(map(chr, range(0x80))), ""]
    for text in texts:
        for literal, ox_literal in ((Literal(text), ox.Literal(text)),
                                    (Literal(text, lang="en"), ox.Literal(text, language="en"))):
            assert term_text(literal) == str(ox_literal), repr(text)


def test_triple_lines_of_a_mapped_graph_are_its_triples_in_order(tmp_path):
    """triple_lines reads a mapped graph's subject index: one line per triple, in triples_of's order, each as
    term_text writes its terms."""
    from ld.ingest import Pipeline
    from ld.store import term_text
    from ld.terms import triples_of

    pipeline = Pipeline(Minter().base)
    mapped = pipeline.map(pipeline.read(Path(__file__).parents[2] / "shared" / "corpus"
                                        / "journal-ivanov-1955-12-06.txt"))
    for graph in (mapped.graph, mapped.entities):
        expected = [f"{term_text(s)} {term_text(p)} {term_text(o)} ." for s, p, o in triples_of(graph)]
        assert triple_lines(graph) == expected and len(expected) == len(graph)


def test_entity_labels_read_from_the_index_as_the_query_reads_them(store):
    """OxigraphStore reads the entities' stored labels by index lookups, not the SPARQL query every store can run:
    the same labels, the same one of several, none for an entity without one."""
    from ld.store import SparqlStore

    entities = Graph()
    people = [MINTER.thing("person", f"p{i}") for i in range(40)]
    for i, person in enumerate(people):
        for j in range(i % 4):  # none, one, two or three labels
            entities.add((person, RDFS.label, Literal(f"Name {i}.{j}", lang="en" if j == 2 else None)))
        entities.add((person, RDF.type, CRM.E21_Person))
    store.replace_graph(store.entities_graph, entities)
    by_index = store._stored_entity_labels(people)
    assert by_index == SparqlStore._stored_entity_labels(store, people)
    assert set(by_index) == {p for i, p in enumerate(people) if i % 4} and by_index[people[1]] == "Name 1.0"
    assert store.entity_labels(people) == by_index
