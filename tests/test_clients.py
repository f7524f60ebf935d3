"""A real `docket serve` (gunicorn, two workers) on a loopback port, driven by the clients people really use:
SPARQLWrapper (SELECT as JSON, XML and CSV; ASK; CONSTRUCT parsed into rdflib graphs), rdflib dereferencing an
``/id/`` IRI through its 303, and raw HTTP for a table of Accept headers. Also: a query that would run for minutes
is stopped at QUERY_TIMEOUT (2 s here) while the other worker goes on serving pages.
"""

from __future__ import annotations

import csv
import gzip
import http.client
import io
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from rdflib import DCTERMS, RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from conftest import DocketServer, free_port, shared_dir
from ld.cli import main
from ld.store import OxigraphStore

pytestmark = pytest.mark.slow

CORPUS = shared_dir() / "corpus"
RECORDS = ("kohl-conversation-guterres-1997-10-22.txt", "journal-ivanov-1955-12-06.txt",
           "cable-339-czechoslovak-embassy-havana-1962-10-31.txt")
KOHL_KEY = "300241"
KOHL_TITLE = ("The Chancellor's [Helmut Kohl's] Conversation with Portuguese Prime Minister Guterres on 17 October "
              "1997, 10 a.m. - 11.15 a.m.")
QUERY_TIMEOUT = 2
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~1,500^3 rows: minutes
TITLES = "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?doc ?title WHERE { ?doc dcterms:title ?title }"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")


class Live:
    """What the tests share: the running server, its base IRI, and the store's own copy of the Kohl record."""

    def __init__(self, server: DocketServer, kohl_graph: Graph):
        self.server, self.base, self.kohl_graph = server, server.base, kohl_graph
        self.sparql = f"{server.base}sparql"
        self.kohl = URIRef(f"{server.base}id/document/{KOHL_KEY}")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """Three corpus records in a tmp store, published by `docket serve --workers 2` with a 2-second query limit."""
    folder = tmp_path_factory.mktemp("clients")
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    store = folder / "store"
    for name in RECORDS:
        assert main(["ingest", str(CORPUS / name), "--store", str(store), "--base-uri", base, "--quiet"]) == 0
    with OxigraphStore.open(store, read_only=True) as db:  # read before serving: what CONSTRUCT must give back
        kohl_graph = db.record_graph(URIRef(f"{base}id/document/{KOHL_KEY}"))
    env = {"DOCKET_QUERY_TIMEOUT": str(QUERY_TIMEOUT), "DOCKET_CHECK_INTERVAL": "0.2"}
    with DocketServer(store, base, port, folder / "serve.log", workers=2, env=env) as server:
        yield Live(server, kohl_graph)
        assert server.process.poll() is None, f"the server died during the tests:\n{server.log()[-3000:]}"


def request(url: str, accept: str | None = None, method: str = "GET", timeout: float = 10.0, **headers: str):
    """One raw HTTP request, redirects not followed, the body as sent (no decompression): (status, headers, body).
    ``headers`` by name with underscores for dashes (``Accept_Encoding="gzip"``)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        if accept is not None:
            sent["Accept"] = accept
        connection.request(method, path, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wrapper(live: Live, query: str, return_format: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(live.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    client.setTimeout(10)
    return client


def expected_titles(base: str) -> set[tuple[str, str]]:
    """(document IRI, title) of the three records, as the corpus files give them."""
    docs = {
        f"{base}id/document/{KOHL_KEY}": KOHL_TITLE,
        f"{base}id/document/1955-12-06-journal-of-soviet-ambassador-to-the-dprk-v-i-ivanov-for-6":
            "Journal of Soviet Ambassador to the DPRK V. I. Ivanov for 6 December 1955",
        f"{base}id/document/1962-10-31-cable-no-339-from-the-czechoslovak-embassy-in-havana-pavlicek":
            "Cable no. 339 from the Czechoslovak Embassy in Havana (Pavlíček)",
    }
    return set(docs.items())


# SPARQLWrapper 2.0 parses RDF results into an rdflib ConjunctiveGraph, which rdflib 7 deprecates; the warning is the
# library's, not ours, and warnings otherwise fail tests.
sparqlwrapper_graphs = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


# --- SPARQLWrapper ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", POST])
def test_select_as_json(live, method):
    data = wrapper(live, TITLES, JSON, method).query().convert()
    assert data["head"]["vars"] == ["doc", "title"]
    rows = {(b["doc"]["value"], b["title"]["value"]) for b in data["results"]["bindings"]}
    assert rows == expected_titles(live.base)
    assert {b["title"].get("xml:lang") for b in data["results"]["bindings"]} == {"en"}


def test_select_as_xml(live):
    document = wrapper(live, TITLES, XML).query().convert()  # an xml.dom.minidom Document
    rows = set()
    for result in document.getElementsByTagName("result"):
        cells = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")}
        rows.add((cells["doc"], cells["title"]))
    assert rows == expected_titles(live.base)


def test_select_as_csv(live):
    body = wrapper(live, TITLES, CSV).query().convert()
    table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert table[0] == ["doc", "title"]
    assert {tuple(row) for row in table[1:]} == expected_titles(live.base)


@pytest.mark.parametrize("query, answer", [
    ("ASK {{ <{kohl}> ?p ?o }}", True),
    ("ASK {{ <{kohl}> <http://purl.org/dc/terms/title> \"no such title\"@en }}", False),
])
def test_ask(live, query, answer):
    assert wrapper(live, query.format(kohl=live.kohl), JSON).query().convert()["boolean"] is answer
    document = wrapper(live, query.format(kohl=live.kohl), XML).query().convert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == str(answer).lower()


@sparqlwrapper_graphs
def test_construct_titles_match_the_expected_graph(live):
    construct = ("PREFIX dcterms: <http://purl.org/dc/terms/> "
                 "CONSTRUCT { ?doc dcterms:title ?title } WHERE { ?doc dcterms:title ?title }")
    expected = Graph()
    for doc, title in expected_titles(live.base):
        expected.add((URIRef(doc), DCTERMS.title, Literal(title, lang="en")))
    graph = wrapper(live, construct, XML).query().convert()  # RDF/XML, parsed by SPARQLWrapper into a Graph
    assert isinstance(graph, Graph) and isomorphic(graph, expected)


@sparqlwrapper_graphs
@pytest.mark.parametrize("return_format", [XML, TURTLE])
def test_construct_gives_back_the_stored_record(live, return_format):
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{live.kohl}> {{ ?s ?p ?o }} }}"
    result = wrapper(live, construct, return_format).query().convert()
    graph = result if isinstance(result, Graph) else Graph().parse(data=result, format="turtle")
    assert len(graph) == len(live.kohl_graph) > 50
    assert isomorphic(graph, live.kohl_graph)


# --- rdflib dereferencing ---------------------------------------------------------------------------------------------


def test_rdflib_follows_the_303_from_a_record_iri(live):
    graph = Graph().parse(str(live.kohl))
    assert (live.kohl, DCTERMS.title, Literal(KOHL_TITLE, lang="en")) in graph
    missing = [t for t in live.kohl_graph if t not in graph]  # the whole record graph, plus labels of its links
    assert not missing and len(graph) > len(live.kohl_graph)


def test_rdflib_follows_the_303_from_a_person_iri(live):
    kohl_person = URIRef(f"{live.base}id/person/helmut-kohl")
    graph = Graph().parse(str(kohl_person))
    assert (kohl_person, RDF.type, None) in graph
    assert any(str(label) == "Helmut Kohl" for label in graph.objects(kohl_person, RDFS.label))
    assert (live.kohl, None, kohl_person) in graph  # the incoming link from the record that mentions him


# --- raw HTTP: the Accept table ---------------------------------------------------------------------------------------

# (Accept header or None for none, expected status, expected media type, rdflib parser for the body)
ACCEPT_TABLE = [
    pytest.param(CHROME, 200, "text/html", None, id="chrome"),
    pytest.param("*/*", 200, "text/turtle", "turtle", id="curl"),
    pytest.param(None, 200, "text/turtle", "turtle", id="no-accept"),
    pytest.param("application/ld+json", 200, "application/ld+json", "json-ld", id="json-ld"),
    pytest.param("application/json", 200, "application/ld+json", "json-ld", id="json"),
    pytest.param("text/turtle;q=0.9, application/rdf+xml", 200, "application/rdf+xml", "xml", id="q-values"),
    pytest.param("application/n-triples", 200, "application/n-triples", "nt", id="n-triples"),
    pytest.param("text/*", 200, "text/turtle", "turtle", id="text-wildcard"),
    pytest.param("image/png", 406, None, None, id="png"),
    pytest.param("application/pdf, image/*;q=0.5", 406, None, None, id="nothing-acceptable"),
]


def test_id_answers_303_whatever_the_accept_header(live):
    for accept in (CHROME, "*/*", None, "application/ld+json", "image/png"):
        status, headers, _ = request(str(live.kohl), accept)
        assert status == 303, accept
        assert urlsplit(headers["Location"]).path == f"/doc/document/{KOHL_KEY}"


@pytest.mark.parametrize("accept, status, media_type, parser", ACCEPT_TABLE)
def test_accept_table(live, accept, status, media_type, parser):
    got_status, headers, body = request(f"{live.base}doc/document/{KOHL_KEY}", accept)
    assert got_status == status
    assert "Accept" in headers["Vary"] and headers["Access-Control-Allow-Origin"] == "*"
    if status == 406:
        text = body.decode("utf-8", "replace")
        assert "text/turtle" in text or f"{KOHL_KEY}.ttl" in text  # 406 names the alternatives
        return
    assert headers.get_content_type() == media_type
    assert headers["ETag"] and headers["Last-Modified"] and 'rel="alternate"' in headers["Link"]
    assert urlsplit(headers["Content-Location"]).path.startswith(f"/doc/document/{KOHL_KEY}")
    if parser is None:
        assert "<title>" in body.decode() and "Helmut Kohl" in body.decode()
    else:
        graph = Graph().parse(data=body, format=parser, publicID=str(live.kohl))
        assert (live.kohl, DCTERMS.title, Literal(KOHL_TITLE, lang="en")) in graph


def test_gzip_clients_get_the_stored_gzip_bytes_and_identity_clients_plain_bytes(live):
    url = f"{live.base}doc/document/{KOHL_KEY}"
    status, plain_headers, plain = request(url, "text/turtle")
    assert status == 200 and plain_headers["Content-Encoding"] is None
    status, headers, coded = request(url, "text/turtle", Accept_Encoding="gzip, deflate")
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(coded) == plain and len(coded) < len(plain) / 2
    assert int(headers["Content-Length"]) == len(coded)
    for sent in (headers, plain_headers):
        assert {v.strip() for v in sent["Vary"].split(",")} == {"Accept", "Accept-Encoding"}
    assert headers["ETag"] != plain_headers["ETag"], "a strong ETag names one sequence of bytes"
    assert headers["Content-Location"] == plain_headers["Content-Location"]
    # Each coding is revalidated with its own ETag; the other coding's ETag does not match.
    assert request(url, "text/turtle", Accept_Encoding="gzip", If_None_Match=headers["ETag"])[0] == 304
    assert request(url, "text/turtle", If_None_Match=headers["ETag"])[0] == 200
    assert request(url, "text/turtle", If_None_Match=plain_headers["ETag"])[0] == 304
    # q=0 refuses gzip; HEAD sends the headers of the GET and no body.
    assert request(url, "text/turtle", Accept_Encoding="gzip;q=0, identity")[1]["Content-Encoding"] is None
    status, head, body = request(url, "text/turtle", method="HEAD", Accept_Encoding="gzip")
    assert status == 200 and body == b"" and head["Content-Length"] == headers["Content-Length"]
    assert head["ETag"] == headers["ETag"] and head["Content-Encoding"] == "gzip"
    # A Range request gets the whole coded body (a server may ignore Range), never a slice of the identity bytes.
    status, ranged_headers, ranged = request(url, "text/turtle", Accept_Encoding="gzip", Range="bytes=0-99")
    assert status == 200 and ranged == coded and ranged_headers["Content-Encoding"] == "gzip"


def test_requests_decompresses_what_a_browser_gets(live):
    response = requests.get(f"{live.base}id/document/{KOHL_KEY}", headers={"Accept": CHROME}, timeout=10)
    assert response.status_code == 200 and response.history[0].status_code == 303
    assert response.headers["Content-Encoding"] == "gzip"  # requests sends Accept-Encoding: gzip, deflate
    assert "<title>" in response.text and "Helmut Kohl" in response.text
    turtle = requests.get(f"{live.base}doc/document/{KOHL_KEY}.ttl", timeout=10)
    assert turtle.headers["Content-Encoding"] == "gzip"
    graph = Graph().parse(data=turtle.content, format="turtle", publicID=str(live.kohl))
    assert isomorphic(graph, Graph().parse(data=request(f"{live.base}doc/document/{KOHL_KEY}.ttl")[2],
                                           format="turtle", publicID=str(live.kohl)))
    assert (live.kohl, DCTERMS.title, Literal(KOHL_TITLE, lang="en")) in graph


def test_unknown_uri_is_404(live):
    status, _, _ = request(f"{live.base}id/document/no-such-record", "*/*")
    assert status == 404


# --- the query time limit ---------------------------------------------------------------------------------------------


@pytest.mark.timeout(60)  # a query that is not stopped would otherwise hold the test for minutes
def test_a_runaway_query_is_stopped_while_pages_are_served(live):
    from urllib.parse import quote

    outcome: dict = {}

    def runaway():
        started = time.monotonic()
        status, _, body = request(f"{live.sparql}?query={quote(CROSS_PRODUCT)}", "application/sparql-results+json",
                                  timeout=QUERY_TIMEOUT + 10)
        outcome.update(status=status, text=body.decode("utf-8", "replace"), seconds=time.monotonic() - started)

    thread = threading.Thread(target=runaway, daemon=True)
    thread.start()
    time.sleep(0.3)  # let the runaway query take its worker
    assert thread.is_alive()
    page_seconds = []
    for _ in range(3):  # the other worker answers record pages meanwhile, promptly
        started = time.monotonic()
        status, headers, body = request(f"{live.base}doc/document/{KOHL_KEY}", CHROME, timeout=5)
        page_seconds.append(time.monotonic() - started)
        assert status == 200 and headers.get_content_type() == "text/html" and b"Helmut Kohl" in body
    assert thread.is_alive(), "the runaway query ended before the pages were asked for: nothing was concurrent"
    assert max(page_seconds) < 1.0, page_seconds
    thread.join(QUERY_TIMEOUT + 10)
    assert not thread.is_alive()
    assert outcome["status"] == 503 and "time limit" in outcome["text"]
    assert outcome["seconds"] < QUERY_TIMEOUT + 1, outcome["seconds"]
    # Both workers still answer queries afterwards (the stopped query's process was replaced).
    for _ in range(4):
        status, _, _ = request(f"{live.sparql}?query={quote('ASK {}')}", "application/sparql-results+json")
        assert status == 200


@pytest.mark.timeout(60)
def test_a_runaway_query_posted_by_a_browser_gets_the_query_page_with_the_error(live):
    # A form POST goes through Flask's view (a GET for results is answered beside it); the watchdog makes the request
    # context it answers in only when the limit has passed, and renders the query page from its own thread.
    from urllib.parse import urlencode

    parts = urlsplit(live.sparql)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=QUERY_TIMEOUT + 10)
    started = time.monotonic()
    try:
        connection.request("POST", parts.path, body=urlencode({"query": CROSS_PRODUCT}),
                           headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": CHROME})
        response = connection.getresponse()
        page = response.read().decode()
    finally:
        connection.close()
    assert time.monotonic() - started < QUERY_TIMEOUT + 1
    assert response.status == 503 and response.getheader("Content-Type").startswith("text/html")
    assert "time limit" in page and "<form" in page and "COUNT(*) AS ?n" in page  # the query, back in the form
    assert response.getheader("Access-Control-Allow-Origin") == "*"
