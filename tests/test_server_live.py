"""Serving a store that `docket ingest` writes to: new and changed records show without a restart, in the Flask app
and in a real `docket serve` (gunicorn, two worker processes) driven over loopback with plain HTTP and rdflib.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import DCTERMS, Graph, URIRef

from conftest import shared_dir
from ld.cli import main
from server.app import create_app

BASE = "http://127.0.0.1:8080/"
CORPUS = shared_dir() / "corpus"
FIRST = "kohl-conversation-guterres-1997-10-22.txt"  # record 300241
LATER = "kohl-telephone-kwasniewski-1996-09-12.txt"  # record 300237
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def ingest_in_another_process(store: Path, *paths: Path, base: str = BASE) -> None:
    """`docket ingest` as its own process: the writer, beside the serving readers."""
    command = [sys.executable, "-m", "ld.cli", "ingest", *map(str, paths), "--store", str(store), "--base-uri", base,
               "--quiet"]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def eventually(check, timeout: float = 10.0):
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s")
        time.sleep(0.1)


def json_record(summary: str) -> dict:
    return {"date": "1960-05-01", "title": "A note on live updates", "record_id": "live-1", "summary": summary,
            "text": "The text.", "people": ["Helmut Kohl"]}


def test_ingested_records_appear_without_restart(tmp_path):
    store = tmp_path / "store"
    assert main(["ingest", str(CORPUS / FIRST), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    client = create_app({"STORE": str(store), "BASE_URI": BASE, "CHECK_INTERVAL": 0.1}).test_client()
    assert client.get("/doc/document/300237").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> records" in home

    ingest_in_another_process(store, CORPUS / LATER)
    eventually(lambda: client.get("/doc/document/300237").status_code == 200)
    assert "<strong>2</strong> records" in client.get("/").get_data(as_text=True)
    kohl = Graph().parse(data=client.get("/doc/person/helmut-kohl.ttl").get_data(), format="turtle")
    assert URIRef(f"{BASE}id/document/300237") in set(kohl.subjects())


def test_a_changed_record_is_never_served_stale(tmp_path):
    store, source = tmp_path / "store", tmp_path / "live.json"
    source.write_text(json.dumps(json_record("The first summary of the note.")), encoding="utf-8")
    assert main(["ingest", str(source), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    client = create_app({"STORE": str(store), "BASE_URI": BASE, "CHECK_INTERVAL": 0.1}).test_client()
    first = client.get("/doc/document/live-1.ttl")
    assert b"The first summary" in first.data
    client.get("/doc/document/live-1", headers={"Accept": BROWSER})  # cache the HTML too

    source.write_text(json.dumps(json_record("The second summary of the note.")), encoding="utf-8")
    ingest_in_another_process(store, source)

    def updated():
        response = client.get("/doc/document/live-1.ttl", headers={"If-None-Match": first.headers["ETag"]})
        return response if response.status_code == 200 else None

    response = eventually(updated)
    graph = Graph().parse(data=response.data, format="turtle")
    assert str(graph.value(URIRef(f"{BASE}id/document/live-1"), DCTERMS.description)).startswith("The second")
    assert "The second summary" in client.get("/doc/document/live-1", headers={"Accept": BROWSER}).text


# --- a real server ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, accept: str | None = None, method: str = "GET"):
    """(status, headers, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, method=method, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def server(tmp_path):
    """`docket serve` with two workers on a free loopback port, over a store holding one record."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store = tmp_path / "store"
    assert main(["ingest", str(CORPUS / FIRST), "--store", str(store), "--base-uri", base, "--quiet"]) == 0
    env = {**os.environ, "DOCKET_CHECK_INTERVAL": "0.2"}
    command = [sys.executable, "-m", "ld.cli", "serve", "--store", str(store), "--base-uri", base, "--port", str(port),
               "--workers", "2"]
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        eventually(lambda: _answers(base), timeout=30)
        yield base, store
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # gunicorn's master and its workers, in their own session
        process.wait(timeout=30)
        log.close()


def _answers(base: str) -> bool:
    try:
        return http(base)[0] == 200
    except OSError:
        return False


@pytest.mark.slow
def test_docket_serve_over_http(server):
    base, store = server
    status, headers, _ = http(f"{base}id/document/300241")
    assert status == 303 and headers["Location"].endswith("/doc/document/300241")

    for accept, expected in [(None, "text/turtle"), ("*/*", "text/turtle"), (BROWSER, "text/html"),
                             ("application/ld+json", "application/ld+json"),
                             ("text/turtle;q=0.9, application/rdf+xml", "application/rdf+xml"),
                             ("application/n-triples", "application/n-triples"), ("image/png", None)]:
        status, headers, body = http(f"{base}doc/document/300241", accept)
        assert status == (200 if expected else 406), accept
        assert "Accept" in headers["Vary"] and headers["Access-Control-Allow-Origin"] == "*"
        if expected:
            assert headers["Content-Type"].split(";")[0] == expected
            assert headers["ETag"] and headers["Last-Modified"] and headers["Content-Location"]
            assert 'rel="alternate"' in headers["Link"]
            again = urllib.request.Request(f"{base}doc/document/300241", headers={
                "Accept": accept or "*/*", "If-None-Match": headers["ETag"]})
            with pytest.raises(urllib.error.HTTPError) as not_modified:
                urllib.request.urlopen(again, timeout=10)
            assert not_modified.value.code == 304
    status, headers, body = http(f"{base}doc/document/300241", method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0

    # rdflib dereferences the thing's IRI, following the 303, as a linked-data client does.
    graph = Graph().parse(f"{base}id/document/300241")
    assert (URIRef(f"{base}id/document/300241"), DCTERMS.date, None) in graph

    # A record ingested while the server runs is served by every worker within seconds.
    ingest_in_another_process(store, CORPUS / LATER, base=base)
    eventually(lambda: http(f"{base}doc/document/300237.ttl")[0] == 200)
    time.sleep(0.5)  # past every worker's CHECK_INTERVAL
    assert {http(f"{base}doc/document/300237.ttl")[0] for _ in range(20)} == {200}
