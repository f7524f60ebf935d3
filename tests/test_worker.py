"""docket's gunicorn worker (server/worker.py): a plain SPARQL GET is read without gunicorn's parser, everything else
is gunicorn's. Checked against gunicorn itself: the environ built for each request shape equals the one gunicorn's
parser and ``wsgi.create`` make of the same bytes, and over a real socket against a real `docket serve` each shape
gets the same status, headers (but Date) and body whether the worker reads it (the head in one piece) or gunicorn
does (the same bytes in two pieces: the worker's peek then sees an incomplete head). Hostile and odd heads are never
taken, and get gunicorn's answers.
"""

from __future__ import annotations

import os
import re
import select
import socket
import threading
import time
from urllib.parse import quote, urlencode

import pytest
from gunicorn.config import Config
from gunicorn.http import RequestParser, wsgi

from conftest import DocketServer, free_port, shared_dir
from ld.cli import main
from server.worker import _exclusive_poller, read_sparql_get, sparql_environ

pytestmark = pytest.mark.slow

CORPUS = shared_dir() / "corpus"
RECORDS = ("kohl-conversation-guterres-1997-10-22.txt", "cable-339-czechoslovak-embassy-havana-1962-10-31.txt")
PEER, SERVER = ("127.0.0.1", 40404), ("127.0.0.1", 8080)
TITLES = "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?doc ?title WHERE { ?doc dcterms:title ?title }"
UTF8 = ('PREFIX dcterms: <http://purl.org/dc/terms/> '
        'SELECT ?doc WHERE { ?doc dcterms:title ?t FILTER(CONTAINS(?t, "Pavlíček")) }')
URLLIB = {"Accept-Encoding": "identity", "Host": "127.0.0.1:8080", "User-Agent": "Python-urllib/3.11",
          "Connection": "close"}


def head(params: dict | str, version: str = "1.1", fields: dict | None = None) -> bytes:
    """A request head for ``/sparql`` with ``params`` (a dict, or a ready query string)."""
    query = params if isinstance(params, str) else urlencode(params)
    lines = [f"GET /sparql?{query} HTTP/{version}", *(f"{k}: {v}" for k, v in (fields or {}).items()), "", ""]
    return "\r\n".join(lines).encode("ascii")


# Request shapes the worker takes: what SPARQL clients send, and every answer of the endpoint (results in each format,
# the row cap, errors mapped by the Flask view, the query page, the service description).
TAKEN = {
    "urllib json": head({"query": TITLES}, fields={**URLLIB, "Accept": "application/sparql-results+json"}),
    "xml by accept": head({"query": TITLES}, fields={"Host": "x", "Accept": "application/sparql-results+xml"}),
    "csv by format": head({"query": TITLES, "format": "csv"}, fields={"Host": "x"}),
    "tsv by format over accept": head({"query": TITLES, "format": "tsv"}, fields={"Host": "x", "Accept": "text/csv"}),
    "ask": head({"query": "ASK { ?s ?p ?o }"}, fields={"Host": "x", "Accept": "*/*"}),
    "construct turtle": head({"query": "CONSTRUCT WHERE { ?s a ?o }"}, fields={"Host": "x", "Accept": "text/turtle"}),
    "truncated": head({"query": "SELECT * WHERE { ?s ?p ?o }"}, fields={"Host": "x"}),
    "default graph": head({"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3",
                           "default-graph-uri": "http://127.0.0.1:8080/graph/entities"}, fields={"Host": "x"}),
    "syntax error 400": head({"query": "SELECT WHERE {"}, fields={"Host": "x"}),
    "unknown format 400": head({"query": TITLES, "format": "yaml"}, fields={"Host": "x"}),
    "update refused": head({"update": "DROP ALL"}, fields={"Host": "x"}),
    "html by format": head({"query": TITLES, "format": "html"}, fields={"Host": "x"}),
    "browser": head({"query": TITLES}, fields={"Host": "x", "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                                               "Accept-Language": "en", "Accept-Encoding": "gzip, deflate",
                                               "User-Agent": "Mozilla/5.0 (X11)", "Referer": "http://x/sparql",
                                               "Cache-Control": "no-cache", "Pragma": "no-cache", "DNT": "1"}),
    "service description": head("", fields={"Host": "x", "Accept": "text/turtle"}),
    "format only": head({"format": "nt"}, fields={"Host": "x"}),
    "no acceptable format 406": head({"query": TITLES}, fields={"Host": "x", "Accept": "image/png"}),
    "http/1.0 without host": head({"query": "ASK {}"}, version="1.0"),
    "keep-alive asked": head({"query": "ASK {}"}, fields={"Host": "x", "Connection": "keep-alive"}),
    "lower-case names": head({"query": TITLES}, fields={"host": "x", "accept": "text/csv", "origin": "http://y"}),
    "behind a proxy": head({"query": TITLES}, fields={"Host": "archive.example.org", "X-Real-IP": "192.0.2.7",
                                                      "X-Forwarded-For": "192.0.2.7, 198.51.100.1",
                                                      "Connection": "close"}),
    "plus for spaces, utf-8": head(urlencode({"query": UTF8})),
    "percent-encoded spaces": head("query=" + quote(TITLES, safe="")),
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Two corpus records published by `docket serve`, a row cap of 5 and an access log on standard output."""
    folder = tmp_path_factory.mktemp("worker")
    port = free_port()
    base = "http://127.0.0.1:8080/"
    store = folder / "store"
    for name in RECORDS:
        assert main(["ingest", str(CORPUS / name), "--store", str(store), "--base-uri", base, "--quiet"]) == 0
    env = {"DOCKET_MAX_ROWS": "5", "DOCKET_ACCESS_LOG": "-"}
    with DocketServer(store, base, port, folder / "serve.log", workers=2, env=env) as server:
        yield server
        assert server.process.poll() is None, f"the server died during the tests:\n{server.log()[-3000:]}"


def exchange(port: int, *pieces: bytes, pause: float = 0.2) -> bytes:
    """Send ``pieces`` on one new connection (``pause`` seconds apart) and read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as client:
        for index, piece in enumerate(pieces):
            if index:
                time.sleep(pause)
            client.sendall(piece)
        received = bytearray()
        while chunk := client.recv(65536):
            received += chunk
    return bytes(received)


def parsed(response: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status line, headers but Date in order, and body of one HTTP/1.x response."""
    head_bytes, _, body = response.partition(b"\r\n\r\n")
    status, *lines = head_bytes.decode("latin-1").split("\r\n")
    headers = [tuple(line.split(": ", 1)) for line in lines]
    return status, [h for h in headers if h[0].lower() != "date"], body


@pytest.mark.parametrize("shape", TAKEN)
def test_the_environ_is_the_one_gunicorn_makes(shape):
    cfg = Config()
    data = TAKEN[shape]
    taken = read_sparql_get(data, cfg, PEER)
    assert taken is not None and taken[1] == len(data)
    theirs_request = next(RequestParser(cfg, iter([data]), PEER))
    client = object()
    _, theirs = wsgi.create(theirs_request, client, PEER, SERVER, cfg)
    mine = sparql_environ(wsgi.base_environ(cfg), taken[0], client, PEER, SERVER)
    assert set(mine) == set(theirs) - {"wsgi.early_hints"}
    for key, value in theirs.items():
        if isinstance(value, (str, tuple, bool)) or value is client:
            assert mine[key] == value, key
    assert mine["wsgi.input"].read() == b""
    assert taken[0].should_close() == theirs_request.should_close()
    assert taken[0].headers == theirs_request.headers  # what the access log's {header}i atoms read


@pytest.mark.parametrize("shape", TAKEN)
def test_taken_and_untaken_reads_answer_alike(served, shape):
    data = TAKEN[shape]
    assert read_sparql_get(data[:20], Config(), PEER) is None  # the second exchange is gunicorn's
    by_worker = parsed(exchange(served.port, data))
    by_gunicorn = parsed(exchange(served.port, data[:20], data[20:]))
    assert by_worker[0].startswith("HTTP/1.") and by_worker == by_gunicorn
    assert ("Connection", "close") in by_worker[1]


def test_taken_requests_are_answered_as_expected(served):
    status, headers, body = parsed(exchange(served.port, TAKEN["truncated"]))
    assert status == "HTTP/1.1 200 OK" and ("X-Docket-Truncated", "true") in headers
    assert parsed(exchange(served.port, TAKEN["syntax error 400"]))[0] == "HTTP/1.1 400 BAD REQUEST"
    assert parsed(exchange(served.port, TAKEN["http/1.0 without host"]))[0] == "HTTP/1.0 200 OK"
    status, headers, body = parsed(exchange(served.port, TAKEN["plus for spaces, utf-8"]))
    assert status == "HTTP/1.1 200 OK" and b"300241" not in body and b"/id/document/" in body


def test_the_access_log_has_the_same_line_either_way(served):
    data = head({"query": "ASK { ?s ?p 'access-log-probe' }"}, fields={"Host": "x", "User-Agent": "probe/1"})
    exchange(served.port, data)
    exchange(served.port, data[:20], data[20:])
    time.sleep(0.5)
    lines = [re.sub(r"\[[^]]*\]", "[time]", line) for line in served.log().splitlines() if "access-log-probe" in line]
    assert len(lines) == 2 and lines[0] == lines[1], lines
    assert '" 200 ' in lines[0] and '"probe/1"' in lines[0]


# Heads the worker never takes, and gunicorn's answer to each (its status code or codes; None: no answer at all).
ASK = "/sparql?query=ASK%7B%7D"
UNTAKEN = {
    "obs-fold": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nAccept: text/csv,\r\n  text/plain\r\n\r\n", 400),
    "bare LF": (f"GET {ASK} HTTP/1.1\nHost: x\n\n", 400),
    "space before colon": (f"GET {ASK} HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    "tab before value": (f"GET {ASK} HTTP/1.1\r\nHost:\tx\r\n\r\n", 200),
    "no space after colon": (f"GET {ASK} HTTP/1.1\r\nHost:x\r\n\r\n", 200),
    "trailing space": (f"GET {ASK} HTTP/1.1\r\nHost: x \r\n\r\n", 200),
    # gunicorn's optional C parser (gunicorn-h1c, used when installed) reads this one as the Python parser does not
    "two spaces in the request line": (f"GET  {ASK} HTTP/1.1\r\nHost: x\r\n\r\n", (400, 200)),
    "non-ASCII target": (f"GET {ASK}\xe9 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "NUL in a value": (f"GET {ASK} HTTP/1.1\r\nHost: x\x00y\r\n\r\n", 400),
    "fragment": (f"GET {ASK}#f HTTP/1.1\r\nHost: x\r\n\r\n", 200),
    "two hosts": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
    "two accepts": (f"GET {ASK} HTTP/1.1\r\nAccept: text/csv\r\nAccept: text/tab-separated-values\r\n\r\n", 200),
    "content-length body": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 200),
    "chunked body": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                     200),
    "both framings": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "0\r\n\r\n", 400),
    "expect 100-continue": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", 100),
    "expect something else": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417),
    "pipelined": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\n\r\nGET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n", 200),
    "request line too long": (f"GET {ASK}%20{'x' * 5000} HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "HTTP/0.9": (f"GET {ASK}\r\n\r\n", 400),
    "HTTP/2.0": (f"GET {ASK} HTTP/2.0\r\nHost: x\r\n\r\n", 400),
    "lower-case method": (f"get {ASK} HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "HEAD": (f"HEAD {ASK} HTTP/1.1\r\nHost: x\r\n\r\n", 200),
    "absolute form": (f"GET http://127.0.0.1:8080{ASK} HTTP/1.1\r\nHost: x\r\n\r\n", 200),
    "other path": ("GET /sparql2?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    "encoded path": ("GET /sparq%6C?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n", 200),
    "no query string": ("GET /sparql HTTP/1.1\r\nHost: x\r\nAccept: text/turtle\r\n\r\n", 200),
    "leading empty line": (f"\r\nGET {ASK} HTTP/1.1\r\nHost: x\r\n\r\n", 200),
    "upgrade h2c": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n", 200),
    "forwarded scheme": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nX-Forwarded-Proto: https\r\n\r\n", 200),
    "underscore in a name": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nX_Odd: 1\r\n\r\n", 200),
    "obs-text in a value": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nUser-Agent: caf\xe9\r\n\r\n", 200),
    "empty value": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nAccept: \r\n\r\n", 200),
    "connection upgrade": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\n\r\n", 200),
    "incomplete head then close": (f"GET {ASK} HTTP/1.1\r\nHost: x\r\n", None),
    "nothing": ("", None),
}


@pytest.mark.parametrize("shape", UNTAKEN)
def test_odd_and_hostile_heads_are_left_to_gunicorn(served, shape):
    text, status = UNTAKEN[shape]
    data = text.encode("latin-1")
    assert read_sparql_get(data, Config(), PEER) is None
    with socket.create_connection(("127.0.0.1", served.port), timeout=15) as client:
        client.sendall(data)
        client.shutdown(socket.SHUT_WR)  # an incomplete head then ends: gunicorn closes without an answer
        received = bytearray()
        while chunk := client.recv(65536):
            received += chunk
    if status is None:
        assert received == b""
    else:
        assert int(received.split(b" ", 2)[1]) in (status if isinstance(status, tuple) else (status,)), received[:300]
    assert parsed(exchange(served.port, TAKEN["ask"]))[0] == "HTTP/1.1 200 OK"  # and the server goes on


def test_heads_at_the_limits():
    cfg = Config()
    line = f"GET /sparql?query={'x' * (cfg.limit_request_line - 30)} HTTP/1.1".encode()
    assert len(line) <= cfg.limit_request_line and read_sparql_get(line + b"\r\n\r\n", cfg, PEER) is not None
    longer = line.replace(b"xx", b"xxxx", 20)
    assert read_sparql_get(longer + b"\r\n\r\n", cfg, PEER) is None
    many = head({"query": "ASK {}"}, fields={"Host": "x"}).replace(b"\r\n\r\n", b"\r\n" + b"DNT: 1\r\n" * 2 + b"\r\n")
    assert read_sparql_get(many, cfg, PEER) is None  # a field twice


def test_plain_answers_are_written_in_one_piece_and_others_by_gunicorn():
    from server.worker import _Answer

    request = read_sparql_get(TAKEN["ask"], Config(), PEER)[0]
    here, there = socket.socketpair()
    with here, there:
        def head_of(status, headers, body):
            answer = _Answer(request, here, Config())
            answer.start_response(status, headers)
            return answer._plain_head(body)

        plain = [("Content-Type", "application/json"), ("Content-Length", "4"), ("Vary", "Accept")]
        assert head_of("200 OK", plain, [b"{}", b"{}"]).startswith(b"HTTP/1.1 200 OK\r\nServer: gunicorn\r\nDate: ")
        assert head_of("400 BAD REQUEST", plain, [b"abcd"]) is not None
        assert head_of("200 OK", plain, iter([b"abcd"])) is None  # not a list
        assert head_of("200 OK", plain, [b"abc"]) is None  # Content-Length says otherwise
        assert head_of("200 OK", plain[:1], [b"abcd"]) is None  # no Content-Length
        assert head_of("304 NOT MODIFIED", plain, [b"abcd"]) is None
        assert head_of("200 OK", [*plain, ("Connection", "keep-alive")], [b"abcd"]) is None  # hop-by-hop
        assert head_of("200 OK", [*plain, ("X-Odd", " padded ")], [b"abcd"]) is None
        assert head_of("200 OK", [*plain, ("X-Bad", "a\r\nb")], [b"abcd"]) is None
        assert head_of("200 OK", [*plain, ("Bad Name", "a")], [b"abcd"]) is None


@pytest.mark.skipif(not hasattr(select, "EPOLLEXCLUSIVE"), reason="no EPOLLEXCLUSIVE on this platform")
def test_one_waiting_poller_is_woken_per_connection():
    """What DocketWorker.wait relies on: of two workers waiting on one listener, a new connection wakes one."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    pipes = [os.pipe() for _ in range(2)]
    pollers = [_exclusive_poller([listener], pipe[0]) for pipe in pipes]
    woken = []
    waiting = threading.Barrier(3)

    def wait(poller):
        waiting.wait()
        if poller.poll(1.5):
            woken.append(poller)

    threads = [threading.Thread(target=wait, args=(poller,)) for poller in pollers]
    try:
        for thread in threads:
            thread.start()
        waiting.wait()
        time.sleep(0.3)  # both blocked in epoll_wait
        client = socket.create_connection(listener.getsockname())
        for thread in threads:
            thread.join()
        assert len(woken) == 1
        client.close()
    finally:
        for poller in pollers:
            poller.close()
        for read, write in pipes:
            os.close(read), os.close(write)
        listener.close()
