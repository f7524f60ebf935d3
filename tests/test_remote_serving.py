"""A stateless web tier: two `docket serve` processes on different ports over one `oxigraph serve`, written to by
`docket ingest --store-url ... --update-url ...` as its own process. Both serve the same answers; an ingest shows on
both; neither a record nor an entity page listing it is served past its update (checked right after each ingest
returns, without waiting)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest
from rdflib import DCTERMS, Graph, URIRef
from rdflib.compare import isomorphic

from conftest import DocketServer, OxigraphServer, free_port, shared_dir
from test_server_live import BROWSER, json_record

pytestmark = pytest.mark.slow
BASE = "http://127.0.0.1:8080/"
CORPUS = shared_dir() / "corpus"


def ingest(server: OxigraphServer, *paths) -> str:
    command = [sys.executable, "-m", "ld.cli", "ingest", *map(str, paths), "--store-url", server.query_url,
               "--update-url", server.update_url, "--base-uri", BASE, "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return done.stdout


def get(base: str, path: str, accept: str | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(base.rstrip("/") + path, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def summary_of(base: str, doc: str) -> str | None:
    status, body, _ = get(base, f"/doc/document/{doc}.ttl")
    if status != 200:
        return None
    return str(Graph().parse(data=body, format="turtle").value(URIRef(f"{BASE}id/document/{doc}"), DCTERMS.description))


@pytest.fixture
def tier(tmp_path):
    with OxigraphServer(tmp_path / "oxigraph", tmp_path / "oxigraph.log") as store:
        ingest(store, CORPUS / "kohl-conversation-guterres-1997-10-22.txt")
        # A long check interval: what is fresh must be so by the tokens read per request, not by the version moving.
        env = {"DOCKET_STORE_URL": store.query_url, "DOCKET_CHECK_INTERVAL": "600"}
        with DocketServer(tmp_path / "unused", BASE, free_port(), tmp_path / "a.log", env=env) as a, \
                DocketServer(tmp_path / "unused", BASE, free_port(), tmp_path / "b.log", env=env) as b:
            yield store, [f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}"]
        assert not (tmp_path / "unused").exists(), "a server over a remote store wrote a store directory"


def test_two_servers_give_the_same_answers(tier):
    _, servers = tier
    for path, accept in (("/doc/document/300241.ttl", None), ("/doc/person/helmut-kohl.ttl", None),
                         ("/doc/document/300241", BROWSER), ("/", BROWSER)):
        answers = [get(base, path, accept) for base in servers]
        assert [status for status, _, _ in answers] == [200, 200], path
        if path.endswith(".ttl"):
            graphs = [Graph().parse(data=body, format="turtle") for _, body, _ in answers]
            assert len(graphs[0]) > 5 and isomorphic(*graphs), path
            assert answers[0][2]["ETag"] == answers[1][2]["ETag"]  # a CDN in front sees one entity, whichever answered
    query = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    counts = [json.loads(get(base, f"/sparql?{query}", "application/sparql-results+json")[1]) for base in servers]
    assert counts[0] == counts[1] and int(counts[0]["results"]["bindings"][0]["n"]["value"]) > 50
    status, body, _ = get(servers[0], "/sparql?" + urllib.parse.urlencode({"query": "DROP ALL"}))
    assert status == 403 and b"read-only" in body  # refused here, never forwarded to the remote store


def test_an_ingest_shows_on_both_and_no_record_is_served_stale(tier, tmp_path):
    store, servers = tier
    source = tmp_path / "live.json"
    kohl = "/doc/person/helmut-kohl"
    for base in servers:  # each worker describes Kohl's page before the record exists
        for _ in range(4):
            assert b"live-1" not in get(base, f"{kohl}.ttl")[1]
    for round_ in range(3):
        record = {**json_record(f"Summary number {round_}."), "title": f"Live note {round_}"}
        source.write_text(json.dumps(record), encoding="utf-8")
        ingest(store, source)
        # right after the ingest returned, with no wait: a record's token (and for an entity page listing it, the
        # store's change marker) is read on every request
        assert [summary_of(base, "live-1") for base in servers] == [f"Summary number {round_}."] * 2
        assert all(f"Summary number {round_}." in get(base, "/doc/document/live-1", BROWSER)[1].decode()
                   for base in servers)
        for base in servers:
            assert f"Live note {round_}".encode() in get(base, f"{kohl}.ttl")[1]
            assert f"Live note {round_}" in get(base, kohl, BROWSER)[1].decode()
