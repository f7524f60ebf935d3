"""Ingest end to end on a real on-disk Oxigraph store: the corpus, re-ingest, edits, duplicates, bad input, kill -9."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import DCTERMS, RDFS, SKOS, Graph, URIRef
from rdflib.compare import isomorphic

from conftest import shared_dir
from ld.cli import main
from ld.ingest import Ingester, Pipeline, expand_paths
from ld.iris import Minter
from ld.namespaces import DOCKET
from ld.store import OxigraphStore

BASE = "http://example.org/"
CORPUS = shared_dir() / "corpus"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(BASE)


def open_store(path: Path, *, read_only: bool = False) -> OxigraphStore:
    return OxigraphStore.open(path, minter=Minter(BASE), read_only=read_only)


def snapshot(store: OxigraphStore) -> dict[URIRef, Graph]:
    return {doc: store.record_graph(doc) for doc in store.records()}


def ingest(store: OxigraphStore, pipeline: Pipeline, *paths) -> list:
    return list(Ingester(store, pipeline).ingest(expand_paths(paths)))


def copy_corpus(tmp_path: Path, names: list[str] | None = None) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt")):
        if names is None or path.name in names:
            shutil.copy(path, folder / path.name)
    return folder


def test_whole_corpus_ingests_without_violations(tmp_path, pipeline):
    with open_store(tmp_path / "store") as store:
        outcomes = ingest(store, pipeline, CORPUS)
        assert [o for o in outcomes if o.status != "ingested"] == []
        assert store.count_records() == len(list(CORPUS.glob("*.txt"))) == 31
        graph = store.record_graph(outcomes[0].iri)
        assert graph.value(outcomes[0].iri, DOCKET.sourceChecksum).startswith("sha256:")
        assert graph.value(outcomes[0].iri, DCTERMS.modified) is not None


def test_reingesting_unchanged_input_changes_nothing(tmp_path, pipeline):
    with open_store(tmp_path / "store") as store:
        ingest(store, pipeline, CORPUS)
        before = snapshot(store)
        outcomes = ingest(store, pipeline, CORPUS)
        assert {o.status for o in outcomes} == {"unchanged"}
        after = snapshot(store)
    assert before.keys() == after.keys()
    assert all(isomorphic(before[doc], after[doc]) for doc in before)


def test_editing_one_record_replaces_only_its_graph(tmp_path, pipeline):
    folder = copy_corpus(tmp_path)
    with open_store(tmp_path / "store") as store:
        ingest(store, pipeline, folder)
        before = snapshot(store)
        edited = folder / "kohl-conversation-guterres-1997-10-22.txt"
        edited.write_text(edited.read_text(encoding="utf-8").replace("Kohl and Guterres look into",
                                                                    "Kohl and Guterres examine"), encoding="utf-8")
        outcomes = {o.source: o for o in ingest(store, pipeline, folder)}
        after = snapshot(store)
    changed = outcomes[edited.name].iri
    assert outcomes[edited.name].status == "ingested"
    assert sum(o.status == "ingested" for o in outcomes.values()) == 1
    assert "examine" in str(after[changed].value(changed, DCTERMS.description))
    assert not isomorphic(before[changed], after[changed])
    assert all(isomorphic(before[doc], after[doc]) for doc in before if doc != changed)


def test_editing_the_title_of_a_record_without_id_keeps_its_iri(tmp_path, pipeline):
    folder = copy_corpus(tmp_path, ["journal-ivanov-1955-12-06.txt"])
    with open_store(tmp_path / "store") as store:
        [first] = ingest(store, pipeline, folder)
        path = folder / "journal-ivanov-1955-12-06.txt"
        lines = path.read_text(encoding="utf-8").split("\n")
        lines[1] = "Journal of Ambassador Ivanov, 6 December 1955 (revised title)"
        path.write_text("\n".join(lines), encoding="utf-8")
        [second] = ingest(store, pipeline, folder)
        assert second.status == "ingested" and second.iri == first.iri
        assert store.count_records() == 1


def test_two_files_with_one_record_id_reject_the_second(tmp_path, pipeline):
    folder = copy_corpus(tmp_path, ["kohl-conversation-guterres-1997-10-22.txt"])
    clone = folder / "zz-clone.txt"
    clone.write_text((folder / "kohl-conversation-guterres-1997-10-22.txt").read_text(encoding="utf-8")
                     .replace("Conversation with Portuguese", "Talk with Portuguese"), encoding="utf-8")
    with open_store(tmp_path / "store") as store:
        outcomes = {o.source: o for o in ingest(store, pipeline, folder)}
        assert outcomes["kohl-conversation-guterres-1997-10-22.txt"].status == "ingested"
        assert outcomes["zz-clone.txt"].status == "rejected"
        assert "record ID 300241 is already used by kohl-conversation-guterres-1997-10-22.txt" \
            in outcomes["zz-clone.txt"].reason
        # also across runs: the store remembers which file owns the ID
        [again] = ingest(store, pipeline, clone)
        assert again.status == "rejected" and "300241" in again.reason
        assert store.count_records() == 1


def test_same_date_and_title_in_two_files_get_two_iris(tmp_path, pipeline):
    text = "June 6, 1980\nCiphered Telegram, Embassy of Hungary in North Korea\nThe text of the telegram.\n"
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "b.txt").write_text(text.replace("The text", "Another text"), encoding="utf-8")
    with open_store(tmp_path / "store") as store:
        first = ingest(store, pipeline, folder)
        second = ingest(store, pipeline, folder)
    assert [o.status for o in first] == ["ingested", "ingested"]
    assert first[0].iri != first[1].iri
    assert [o.iri for o in second] == [o.iri for o in first]  # stable across re-ingests


BAD_INPUTS = {
    "empty.txt": (b"", "empty file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary file"),
    "nodate.txt": (b"A title without a date\nBody.\n", "no date line"),
    "notitle.txt": (b"December 6, 1955\n", "no title"),
    "baddate.txt": (b"Foo 32, 19x5\nTitle\nBody.\n", "cannot read date"),
    "huge.txt": (b"December 6, 1955\nHuge\n" + b"word " * 40_000, "too large"),
}


def test_bad_inputs_are_rejected_one_line_each_and_the_rest_ingest(tmp_path, capsys):
    folder = copy_corpus(tmp_path, ["journal-ivanov-1955-12-06.txt"])
    for name, (data, _) in BAD_INPUTS.items():
        (folder / name).write_bytes(data)
    (folder / "cp1252.txt").write_bytes("December 6, 1955\nCafé talks – a note\nBody text.\n"
                                        .encode("cp1252"))
    store_dir = tmp_path / "store"
    status = main(["ingest", str(folder), "--store", str(store_dir), "--base-uri", BASE, "--max-bytes", "100000"])
    out, err = capsys.readouterr()
    assert status == 1
    rejected = [line for line in err.splitlines() if line.startswith("rejected ")]
    assert len(rejected) == len(BAD_INPUTS)
    for name, (_, reason) in BAD_INPUTS.items():
        assert any(line.startswith(f"rejected {name}: ") and reason in line for line in rejected), (name, rejected)
    assert "note cp1252.txt: " in err and "cp1252" in err
    assert out.strip().endswith("2 ingested, 0 unchanged, 6 rejected")
    with open_store(store_dir, read_only=True) as store:
        titles = {str(store.record_graph(d).value(d, DCTERMS.title)) for d in store.records()}
    assert "Café talks – a note" in titles


def test_cli_exit_codes(tmp_path, capsys):
    store_dir = str(tmp_path / "store")
    record = str(CORPUS / "journal-ivanov-1955-12-06.txt")
    assert main(["ingest", record, "--store", store_dir, "--base-uri", BASE]) == 0
    assert main(["ingest", str(tmp_path / "missing.txt"), "--store", store_dir]) == 2
    assert main(["validate", record, "--base-uri", BASE]) == 0
    (tmp_path / "bad.txt").write_bytes(b"")
    assert main(["validate", str(tmp_path / "bad.txt")]) == 1
    out = capsys.readouterr().out
    assert "journal-ivanov-1955-12-06.txt: conforms" in out


def test_show_prints_a_stored_record(tmp_path, capsys):
    store_dir = str(tmp_path / "store")
    main(["ingest", str(CORPUS / "kohl-conversation-guterres-1997-10-22.txt"), "--store", store_dir,
          "--base-uri", BASE])
    capsys.readouterr()
    assert main(["show", f"{BASE}id/document/300241", "--store", store_dir, "--base-uri", BASE,
                 "--format", "nt"]) == 0
    shown = Graph().parse(data=capsys.readouterr().out, format="nt")
    doc = URIRef(f"{BASE}id/document/300241")
    assert str(shown.value(doc, DCTERMS.title)).startswith("The Chancellor's")
    # labels of linked entities come with it
    assert (URIRef(f"{BASE}id/person/helmut-kohl"), None, None) in shown


def _variants(folder: Path, count: int) -> None:
    """``count`` distinct records made from the corpus: unique titles and record IDs."""
    sources = sorted(CORPUS.glob("*.txt"))
    for i in range(count):
        text = sources[i % len(sources)].read_text(encoding="utf-8")
        lines = text.split("\n")
        lines[1] = f"{lines[1]} (variant {i})"
        text = re.sub(r"(?m)^(Record ID\n)\d+$", lambda m: f"{m.group(1)}{900000 + i}", "\n".join(lines))
        (folder / f"variant-{i:04d}.txt").write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_only_whole_records(tmp_path, pipeline):
    folder = tmp_path / "records"
    folder.mkdir()
    _variants(folder, 400)
    store_dir = tmp_path / "store"
    command = [sys.executable, "-m", "ld.cli", "ingest", str(folder), "--store", str(store_dir),
               "--base-uri", BASE, "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               cwd=Path(__file__).resolve().parents[1])
    deadline = time.monotonic() + 120
    # wait until some records are stored, then kill without warning
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.5)
        if _stored_count(store_dir) >= 20:
            break
    if process.poll() is not None:
        _, err = process.communicate()
        pytest.fail(f"ingest ended before it could be killed (status {process.returncode}): {err.decode()[-500:]}")
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    with open_store(store_dir, read_only=True) as store:
        stored = {doc: store.record_graph(doc) for doc in store.records()}
    assert 0 < len(stored) < 400
    by_source = {str(g.value(doc, DOCKET.sourceFile)): (doc, g) for doc, g in stored.items()}
    for source, (doc, graph) in by_source.items():
        expected = pipeline.map(pipeline.read(folder / source), Minter(BASE).kind_and_key(str(doc))[1]).graph
        assert _comparable(graph) == _comparable(expected), f"{source} is stored partially"


def _stored_count(store_dir: Path) -> int:
    if not store_dir.exists():
        return 0
    try:
        with open_store(store_dir, read_only=True) as store:
            return store.count_records()
    except Exception:  # the writer may be creating the directory right now
        return 0


def _comparable(graph: Graph) -> set:
    """The triples that do not depend on the time of ingest or on validation."""
    return {t for t in graph if t[1] not in (DCTERMS.modified, DOCKET.validationWarning)}


def test_one_entity_keeps_one_label_across_records_and_within_one(tmp_path, pipeline):
    folder = tmp_path / "records"
    folder.mkdir()
    section = "Associated People & Organizations\n{}\n{}\n"
    (folder / "a.txt").write_text("May 1, 1963\nFirst note\nText.\n" + section.format("Ngo Dinh Nhu", "Ngo, Dinh Nhu"),
                                  encoding="utf-8")
    (folder / "b.txt").write_text("May 2, 1963\nSecond note\nText.\n" + section.format("Ngo, Dinh Nhu", "Nhu Ngo Dinh"),
                                  encoding="utf-8")
    with open_store(tmp_path / "store") as store:
        outcomes = ingest(store, pipeline, folder)
        assert [o.status for o in outcomes] == ["ingested", "ingested"], [o.reason for o in outcomes]
        entities = store.graph(store.entities_graph)
    person = URIRef(f"{BASE}id/person/ngo-dinh-nhu")
    assert [str(label) for label in entities.objects(person, RDFS.label)] == ["Ngo Dinh Nhu"]
    assert {str(v) for v in entities.objects(person, SKOS.altLabel)} == {"Ngo, Dinh Nhu", "Nhu Ngo Dinh"}
