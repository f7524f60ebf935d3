"""The SPARQL 1.1 endpoint over a real on-disk store: protocol forms, result formats parsed back, datasets, read-only,
errors, limits (rows, body, time), the service description and the query page.
"""

import csv
import io
import json
import os
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from markupsafe import escape
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from conftest import shared_dir
from ld.cli import main
from ld.formats import DESCRIPTION_FORMATS
from ld.errors import QueryRejected, RecordError, StoreError
from ld.query import NotAcceptable, QueryTimeout, QueryTooLarge, UpdateRefused
from ld.store import OxigraphStore
from server.app import create_app
from server.sparql import SD, example_queries

BASE = "http://127.0.0.1:8080/"
CORPUS = shared_dir() / "corpus"
RECORDS = ["journal-ivanov-1955-12-06.txt", "kohl-conversation-guterres-1997-10-22.txt",
           "cable-339-czechoslovak-embassy-havana-1962-10-31.txt"]
KOHL = f"{BASE}id/document/300241"
TITLES = ("PREFIX dcterms: <http://purl.org/dc/terms/> "
          "SELECT ?doc ?title WHERE { ?doc dcterms:title ?title } ORDER BY ?doc")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def ingest(store: Path, *names: str) -> None:
    for name in names:
        assert main(["ingest", str(CORPUS / name), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store")
    ingest(path, *RECORDS)
    return path


def make_app(store: Path, **settings):
    return create_app({"STORE": str(store), "BASE_URI": BASE, **settings})


@pytest.fixture(scope="module")
def app(store):
    app = make_app(store)
    yield app
    app.extensions["docket.sparql_pool"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def kohl_graph(store) -> Graph:
    with OxigraphStore.open(store, read_only=True) as db:
        return db.record_graph(URIRef(KOHL))


def titles_json(response) -> list[tuple[str, str]]:
    data = json.loads(response.data)
    return [(b["doc"]["value"], b["title"]["value"]) for b in data["results"]["bindings"]]


# --- protocol forms ---------------------------------------------------------------------------------------------------


def test_get_form_post_and_direct_post_agree(client):
    by_get = client.get("/sparql", query_string={"query": TITLES})
    by_form = client.post("/sparql", data={"query": TITLES})
    by_body = client.post("/sparql", data=TITLES.encode(), content_type="application/sparql-query; charset=utf-8")
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.data
        assert response.mimetype == "application/sparql-results+json"
    rows = titles_json(by_get)
    assert len(rows) == 3 and KOHL in dict(rows)
    assert titles_json(by_form) == rows == titles_json(by_body)


@pytest.mark.parametrize("fmt, accept", [
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_results_formats_parse_back(client, fmt, accept):
    expected = titles_json(client.get("/sparql", query_string={"query": TITLES}))
    for response in (client.get("/sparql", query_string={"query": TITLES}, headers={"Accept": accept}),
                     client.get("/sparql", query_string={"query": TITLES, "format": fmt},
                                headers={"Accept": "application/sparql-results+json"})):
        assert response.status_code == 200 and response.mimetype == accept
        assert parse_results(fmt, response.get_data(as_text=True)) == expected


def parse_results(fmt: str, text: str) -> list[tuple[str, str]]:
    if fmt == "json":
        return [(b["doc"]["value"], b["title"]["value"]) for b in json.loads(text)["results"]["bindings"]]
    if fmt == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        return [(r.find("r:binding[@name='doc']/r:uri", ns).text, r.find("r:binding[@name='title']/r:literal", ns).text)
                for r in ET.fromstring(text).iterfind("r:results/r:result", ns)]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == ["doc", "title"]
        return [tuple(row) for row in rows[1:]]
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "?doc\t?title"
    solutions = ox.parse_query_results(text.encode(), ox.QueryResultsFormat.TSV)
    return [(s["doc"].value, s["title"].value) for s in solutions]


def test_accept_q_values_and_format_beats_accept(client):
    response = client.get("/sparql", query_string={"query": TITLES},
                          headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"})
    assert response.mimetype == "application/sparql-results+xml"
    response = client.get("/sparql", query_string={"query": TITLES, "format": "tsv"}, headers={"Accept": "text/csv"})
    assert response.mimetype == "text/tab-separated-values"


def test_ask(client):
    ask = f"ASK {{ <{KOHL}> ?p ?o }}"
    assert json.loads(client.get("/sparql", query_string={"query": ask}).data)["boolean"] is True
    root = ET.fromstring(client.get("/sparql", query_string={"query": ask, "format": "xml"}).data)
    assert root.find("{http://www.w3.org/2005/sparql-results#}boolean").text == "true"


@pytest.mark.parametrize("fmt", DESCRIPTION_FORMATS, ids=lambda f: f.suffix)
def test_construct_in_every_rdf_format(client, kohl_graph, fmt):
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{KOHL}> {{ ?s ?p ?o }} }}"
    for response in (client.get("/sparql", query_string={"query": construct}, headers={"Accept": fmt.media_type}),
                     client.get("/sparql", query_string={"query": construct, "format": fmt.suffix})):
        assert response.status_code == 200 and response.mimetype == fmt.media_type
        graph = Graph().parse(data=response.get_data(as_text=True), format=fmt.rdflib_name)
        assert len(graph) == len(kohl_graph) and isomorphic(graph, kohl_graph)


def test_describe(client):
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{KOHL}>"}, headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (URIRef(KOHL), RDF.type, URIRef("http://www.cidoc-crm.org/cidoc-crm/E31_Document")) in graph


# --- the dataset ------------------------------------------------------------------------------------------------------


def test_default_graph_is_the_union(client, kohl_graph):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = int(json.loads(client.get("/sparql", query_string={"query": count}).data)
                ["results"]["bindings"][0]["n"]["value"])
    one = client.get("/sparql", query_string={"query": count, "default-graph-uri": KOHL})
    assert int(json.loads(one.data)["results"]["bindings"][0]["n"]["value"]) == len(kohl_graph) < union


def test_named_graph_uri_limits_graph_patterns(client):
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    every = json.loads(client.get("/sparql", query_string={"query": graphs}).data)["results"]["bindings"]
    assert len(every) == 7  # three records, the entities, vocab, state (change marker) and changes graphs
    only = client.post("/sparql", data={"query": graphs, "named-graph-uri": KOHL})
    assert [b["g"]["value"] for b in json.loads(only.data)["results"]["bindings"]] == [KOHL]


# --- refusals ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("send", [
    lambda c: c.post("/sparql", data=f"INSERT DATA {{ <{KOHL}> <{BASE}p> 1 }}",
                     content_type="application/sparql-query"),
    lambda c: c.post("/sparql", data={"query": "PREFIX x: <http://x/>\nDROP ALL"}),
    lambda c: c.get("/sparql", query_string={"query": f"CLEAR GRAPH <{KOHL}>"}),
    lambda c: c.post("/sparql", data={"update": "DROP ALL"}),
    lambda c: c.post("/sparql", data="DROP ALL", content_type="application/sparql-update"),
], ids=["insert", "drop-form", "clear-get", "update-param", "update-body"])
def test_updates_are_refused(client, store, send):
    response = send(client)
    assert response.status_code == 403
    assert "read-only" in response.get_data(as_text=True)
    rows = titles_json(client.get("/sparql", query_string={"query": TITLES}))
    assert len(rows) == 3


def test_syntax_error_carries_the_parser_message(client):
    bad = "SELECT ?s WHERE { ?s ?p }"
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(bad)
    response = client.get("/sparql", query_string={"query": bad})
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert str(parser.value) in response.get_data(as_text=True)


def test_federated_queries_are_refused(client):
    response = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert response.status_code == 400 and "SERVICE" in response.get_data(as_text=True)
    # The word in a string, a variable or a prefixed name is no SERVICE clause.
    ok = client.get("/sparql", query_string={"query": 'SELECT ?service ("SERVICE" AS ?x) { BIND (1 AS ?service) }'})
    assert ok.status_code == 200


@pytest.mark.parametrize("query, accept, offered", [
    (TITLES, "image/png", "text/csv"),
    (TITLES, "text/turtle", "application/sparql-results+json"),
    (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{KOHL}> {{ ?s ?p ?o }} }}", "text/csv", "text/turtle"),
])
def test_not_acceptable_names_the_alternatives(client, query, accept, offered):
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406 and offered in response.get_data(as_text=True)


def test_other_methods_and_cors(client):
    assert client.put("/sparql", data="x").status_code == 405
    assert client.delete("/sparql").status_code == 405
    preflight = client.options("/sparql", headers={"Origin": "https://example.org",
                                                   "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    response = client.get("/sparql", query_string={"query": TITLES})
    assert response.headers["Access-Control-Allow-Origin"] == "*" and "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("params, accept", [
    ({"query": TITLES}, None), ({"query": TITLES}, "application/sparql-results+xml"),
    ({"query": TITLES, "format": "csv"}, None), ({"query": TITLES, "format": "tsv"}, "text/csv"),
    ({"query": f"ASK {{ <{KOHL}> ?p ?o }}"}, "*/*"),
    ({"query": f"CONSTRUCT {{ <{KOHL}> ?p ?o }} WHERE {{ <{KOHL}> ?p ?o }}"}, "text/turtle"),
    ({"query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", "default-graph-uri": f"{BASE}graph/entities"}, None),
    ({"query": "SELECT * WHERE { ?s ?p ?o }"}, None),  # truncated in the small_limits app
])
@pytest.mark.parametrize("limits", ["app", "small_limits_app"])
def test_gets_answered_beside_flask_match_the_view(request, params, accept, limits):
    # A GET for results is answered straight from the WSGI environ (server.sparql._lean_path); a form POST of the same
    # query goes through Flask's view and its after-request hooks: both must answer alike, headers included (a hook
    # added to the app one day shows here as a header the GET lacks).
    from flask import request_started

    app = request.getfixturevalue(limits)
    client = app.test_client()
    through_flask = []
    headers = {"Accept": accept} if accept else {}
    with request_started.connected_to(lambda sender, **extra: through_flask.append(1), app):
        by_get = client.get("/sparql", query_string=params, headers=headers)
        assert not through_flask, "the GET went through Flask"
        by_post = client.post("/sparql", data=params, headers=headers)
        assert through_flask
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.data == by_post.data
    assert sorted(by_get.headers.items()) == sorted(by_post.headers.items())


def test_errors_of_gets_answered_beside_flask_are_mapped_by_the_view(client):
    syntax = client.get("/sparql", query_string={"query": "SELECT WHERE {"})
    assert syntax.status_code == 400 and "invalid SPARQL query" in syntax.get_data(as_text=True)
    assert syntax.headers["Access-Control-Allow-Origin"] == "*"
    unknown = client.get("/sparql", query_string={"query": TITLES, "format": "yaml"})
    assert unknown.status_code == 400 and "unknown format" in unknown.get_data(as_text=True)
    assert client.head("/sparql", query_string={"query": TITLES}).status_code == 200


# --- limits -----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_limits_app(store):
    app = make_app(store, MAX_ROWS=5, MAX_BODY=2000)
    yield app
    app.extensions["docket.sparql_pool"].close()


@pytest.fixture
def small_limits(small_limits_app):
    return small_limits_app.test_client()


def test_row_cap(small_limits):
    capped = small_limits.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert capped.status_code == 200 and capped.headers["X-Docket-Truncated"] == "true"
    assert len(json.loads(capped.data)["results"]["bindings"]) == 5
    construct = small_limits.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert construct.headers["X-Docket-Truncated"] == "true" and len(construct.data.splitlines()) == 5
    within = small_limits.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"})
    assert "X-Docket-Truncated" not in within.headers
    assert len(json.loads(within.data)["results"]["bindings"]) == 5


def test_body_cap(small_limits):
    padded = TITLES + " #" + "x" * 3000
    assert small_limits.post("/sparql", data=padded, content_type="application/sparql-query").status_code == 413
    assert small_limits.post("/sparql", data={"query": padded}).status_code == 413
    assert small_limits.post("/sparql", data=TITLES, content_type="application/sparql-query").status_code == 200


def child_cpu_ticks() -> dict[int, int]:
    """user + system CPU ticks of each live child process of this process."""
    ticks = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            ticks[int(entry)] = int(fields[11]) + int(fields[12])
    return ticks


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU times from /proc")
@pytest.mark.timeout(30)  # a query that is not stopped would otherwise run for minutes
def test_time_limit_stops_the_query_and_the_server_answers_meanwhile(store):
    app = make_app(store, QUERY_TIMEOUT=2)
    pool = app.extensions["docket.sparql_pool"]
    try:
        app.test_client().get("/sparql", query_string={"query": "ASK {}"})  # one worker up: the long query takes it
        (long_query_worker,) = pool.worker_pids()
        outcome = {}

        def long_query():
            started = time.monotonic()
            response = app.test_client().get("/sparql", query_string={"query": CROSS_PRODUCT})
            outcome.update(status=response.status_code, text=response.get_data(as_text=True),
                           seconds=time.monotonic() - started)

        thread = threading.Thread(target=long_query)
        thread.start()
        time.sleep(0.3)  # let the long query start
        client = app.test_client()
        started = time.monotonic()
        assert client.get("/").status_code == 200
        meanwhile = client.get("/sparql", query_string={"query": TITLES})
        assert meanwhile.status_code == 200 and len(titles_json(meanwhile)) == 3
        assert time.monotonic() - started < 1.5 and thread.is_alive()  # answered while the long query ran
        thread.join(10)
        assert outcome["status"] == 503 and "time limit" in outcome["text"]
        assert outcome["seconds"] < 3.0

        before = child_cpu_ticks()
        time.sleep(0.5)
        after = child_cpu_ticks()
        burning = {pid: after[pid] - before[pid] for pid in after if pid in before and after[pid] - before[pid] > 10}
        assert not burning, f"child processes still using CPU: {burning}"
        assert long_query_worker not in after  # killed and reaped (no zombie)
        workers = pool.worker_pids()
        assert workers and len(workers) <= pool.processes
    finally:
        pool.close()
    assert not set(workers) & set(child_cpu_ticks())


# A process that runs queries itself (as `docket serve`'s workers do): it answers in-time queries and goes on, and
# one past the limit has its answer written by the watchdog, then the process ends (which is what stops the work).
IN_PROCESS_SCRIPT = """
import sys, time
from ld.query import InProcessQueries, QueryRequest
queries = InProcessQueries(sys.argv[1], timeout=float(sys.argv[2]))
for text in sys.argv[3:]:
    started = time.monotonic()
    result = queries.run(QueryRequest(text), on_timeout=lambda error: print("stopped:", error, flush=True))
    print("answered", round(time.monotonic() - started, 3), result.body.decode().count('"value"'), flush=True)
print("finished", flush=True)
"""


@pytest.mark.timeout(30)
def test_in_process_queries_end_the_process_at_the_time_limit(store):
    from ld.query import InProcessQueries

    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", IN_PROCESS_SCRIPT, str(store), "2", TITLES, CROSS_PRODUCT, TITLES],
                          capture_output=True, text=True, timeout=20, cwd=Path(__file__).resolve().parents[1])
    seconds = time.monotonic() - started
    lines = done.stdout.splitlines()
    assert lines[0].startswith("answered") and lines[0].endswith(" 6"), done.stdout  # 3 titles, 2 values each
    assert lines[1] == "stopped: the query ran longer than the time limit of 2 s and was stopped", done.stdout
    assert len(lines) == 2  # nothing after: the process ended, and the query with it
    assert done.returncode == InProcessQueries.EXIT_CODE, done.stderr
    assert seconds < 2 + 5  # the limit, plus starting Python and opening the store


def test_new_records_appear_without_restart(tmp_path):
    ingest(tmp_path, RECORDS[0])
    app = make_app(tmp_path)
    client = app.test_client()
    try:
        assert len(titles_json(client.get("/sparql", query_string={"query": TITLES}))) == 1
        ingest(tmp_path, RECORDS[1])
        deadline = time.monotonic() + 5
        while len(titles_json(client.get("/sparql", query_string={"query": TITLES}))) == 1:
            assert time.monotonic() < deadline, "the new record did not appear"
            time.sleep(0.2)
    finally:
        app.extensions["docket.sparql_pool"].close()


# --- the service description and the query page -----------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "application/ld+json"])
def test_service_description(client, accept):
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    fmt = "json-ld" if accept == "application/ld+json" else "turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    service = URIRef(f"{BASE}sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert graph.value(dataset, SD.defaultGraph) is not None
    assert (None, SD.name, URIRef(f"{BASE}graph/entities")) in graph


def test_query_page_for_browsers_holds_the_examples(client):
    response = client.get("/sparql", headers={"Accept": BROWSER})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<textarea' in page and 'name="query"' in page and '<select' in page and 'type="submit"' in page
    examples = example_queries(BASE)
    assert 4 <= len(examples) <= 6
    for example in examples:
        assert str(escape(example["title"])) in page and str(escape(example["query"])) in page


@pytest.mark.parametrize("index", range(len(example_queries(BASE))))
def test_each_example_returns_rows(client, index):
    query = example_queries(BASE)[index]["query"]
    response = client.get("/sparql", query_string={"query": query, "format": "nt" if "CONSTRUCT" in query else "json"})
    assert response.status_code == 200, response.data
    if "CONSTRUCT" in query:
        assert len(Graph().parse(data=response.get_data(as_text=True), format="nt")) > 10
    else:
        assert json.loads(response.data)["results"]["bindings"]
    page = client.post("/sparql", data={"query": query, "format": "html"})
    assert page.status_code == 200 and 'id="results"' in page.get_data(as_text=True)


def test_html_results_escape_everything(client):
    query = 'SELECT ?x ?link WHERE { BIND ("<script>alert(1)</script>" AS ?x) BIND (<javascript:alert(2)> AS ?link) }'
    page = client.get("/sparql", query_string={"query": query, "format": "html"}).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript:' not in page
    table = client.get("/sparql", query_string={"query": TITLES}, headers={"Accept": BROWSER}).get_data(as_text=True)
    assert f'<a href="{KOHL}">' in table  # http IRIs are links


def test_errors_go_on_the_query_page_for_browsers(client):
    response = client.post("/sparql", data={"query": "SELECT ?s WHERE {", "format": "html"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert 'id="error"' in page and "SELECT ?s WHERE {" in page


@pytest.mark.parametrize("error, status", [
    (QueryTimeout("over the limit"), 503), (UpdateRefused("read-only"), 403), (NotAcceptable("no such type"), 406),
    (QueryTooLarge("too big"), 413), (QueryRejected("syntax"), 400), (StoreError("down"), 503),
    (RecordError("a.txt", "a record error out of place"), 500)])
def test_every_view_maps_ld_errors_through_one_table(error, status):
    # The SPARQL endpoint and the other views share server.errors.STATUS; an ld error the table does not name
    # specifically is a 500, never an exception in the error handler itself.
    from server.errors import status_of
    assert status_of(error) == status
