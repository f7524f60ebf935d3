"""The publishing app over a real store: home page, 303 from /id/ to /doc/, negotiated descriptions, 404 and 406.

Issue 3 deepens this; these checks keep `make serve` honest meanwhile.
"""

import pytest
from rdflib import Graph, URIRef

from conftest import shared_dir
from ld.cli import main
from server.app import create_app

BASE = "http://127.0.0.1:8080/"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = tmp_path_factory.mktemp("store")
    assert main(["ingest", str(shared_dir() / "corpus" / "kohl-conversation-guterres-1997-10-22.txt"),
                 "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    return create_app({"STORE": str(store), "BASE_URI": BASE}).test_client()


def test_home_lists_records(client):
    response = client.get("/")
    assert response.status_code == 200 and "/doc/document/300241" in response.get_data(as_text=True)


def test_id_redirects_to_description(client):
    response = client.get("/id/document/300241")
    assert response.status_code == 303 and response.headers["Location"].endswith("/doc/document/300241")


@pytest.mark.parametrize("accept, media_type", [
    (None, "text/turtle"), ("*/*", "text/turtle"), ("application/ld+json", "application/ld+json"),
    ("text/turtle;q=0.9, application/rdf+xml", "application/rdf+xml"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
])
def test_negotiation(client, accept, media_type):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/doc/document/300241", headers=headers)
    assert response.status_code == 200 and response.mimetype == media_type


def test_suffix_wins_and_graph_parses(client):
    response = client.get("/doc/document/300241.nt", headers={"Accept": "text/html"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="nt")
    assert (URIRef(f"{BASE}id/document/300241"), None, None) in graph


def test_unknown_and_unacceptable(client):
    assert client.get("/doc/document/nope").status_code == 404
    assert client.get("/doc/document/300241", headers={"Accept": "image/png"}).status_code == 406


def test_record_page_shows_the_text(client):
    page = client.get("/doc/document/300241.html").get_data(as_text=True)
    assert "The Prime Minister thanks for the positive assessment" in page
