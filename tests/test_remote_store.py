"""ld.remote_store's HTTP behaviour against a real loopback HTTP server that misbehaves on purpose: bounded retries on
transient failures, no retry after a timeout, credentials from the environment only, errors named clearly."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ld.errors import QueryRejected, StoreError
from ld.remote_store import RemoteStore, RemoteTimeout, credentials_from_environment

ASK_TRUE = json.dumps({"head": {}, "boolean": True}).encode()


class Endpoint:
    """A SPARQL endpoint stand-in on loopback: answers ``ASK`` with true after ``failures`` replies of ``status``,
    or after sleeping ``delay`` seconds; records each request's headers."""

    def __init__(self, *, failures: int = 0, status: int = 503, delay: float = 0.0):
        self.failures, self.status, self.delay = failures, status, delay
        self.requests: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.requests.append(dict(self.headers))
                if len(endpoint.requests) <= endpoint.failures:
                    self.send_response(endpoint.status)
                    self.end_headers()
                    self.wfile.write(b"try later")
                    return
                time.sleep(endpoint.delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(ASK_TRUE)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint_factory():
    made = []

    def make(**kwargs):
        made.append(Endpoint(**kwargs))
        return made[-1]

    yield make
    for endpoint in made:
        endpoint.close()


def test_transient_failures_are_retried_a_bounded_number_of_times(endpoint_factory):
    endpoint = endpoint_factory(failures=2, status=503)
    assert bool(RemoteStore.open(endpoint.url, retries=2, environ={}).query("ASK {}"))
    assert len(endpoint.requests) == 3
    endpoint = endpoint_factory(failures=5, status=502)
    with pytest.raises(StoreError, match="502"):
        RemoteStore.open(endpoint.url, retries=2, environ={}).query("ASK {}")
    assert len(endpoint.requests) == 3


def test_a_bad_request_is_not_retried_and_says_so(endpoint_factory):
    endpoint = endpoint_factory(failures=5, status=400)
    with pytest.raises(QueryRejected):
        RemoteStore.open(endpoint.url, retries=3, environ={}).query("ASK {}")
    assert len(endpoint.requests) == 1


def test_a_timeout_is_not_retried(endpoint_factory):
    endpoint = endpoint_factory(delay=3)
    with pytest.raises(RemoteTimeout, match="no answer within 0.5 s"):
        RemoteStore.open(endpoint.url, retries=3, timeout=0.5, environ={}).query("ASK {}")
    assert len(endpoint.requests) == 1


def test_refused_credentials_are_named(endpoint_factory):
    endpoint = endpoint_factory(failures=5, status=401)
    with pytest.raises(StoreError, match="DOCKET_STORE_TOKEN"):
        RemoteStore.open(endpoint.url, environ={}).query("ASK {}")


def test_credentials_come_from_the_environment(endpoint_factory):
    endpoint = endpoint_factory()
    RemoteStore.open(endpoint.url, environ={"DOCKET_STORE_TOKEN": "s3cret"}).query("ASK {}")
    RemoteStore.open(endpoint.url, environ={"DOCKET_STORE_USER": "ann", "DOCKET_STORE_PASSWORD": "pw"}).query("ASK {}")
    RemoteStore.open(endpoint.url, environ={}).query("ASK {}")
    assert [r.get("Authorization") for r in endpoint.requests] == ["Bearer s3cret", "Basic YW5uOnB3", None]
    assert credentials_from_environment({"DOCKET_STORE_TOKEN": "t", "DOCKET_STORE_USER": "u"}) == "Bearer t"


def test_a_store_without_update_endpoint_is_read_only(endpoint_factory):
    store = RemoteStore.open(endpoint_factory().url, environ={})
    with pytest.raises(StoreError, match="read-only"):
        store.replace_graph(store.entities_graph, __import__("rdflib").Graph())


def test_endpoint_urls_are_checked():
    with pytest.raises(StoreError, match="http"):
        RemoteStore.open("ftp://example.org/sparql")
