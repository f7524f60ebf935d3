"""The publishing app in detail, through the Flask test client over one real on-disk store built by `docket ingest`:
303s, negotiation, headers and validators, JSON-LD against the published context, what descriptions hold, paging,
errors, escaping, settings. Graphs are compared as graphs, never as strings.
"""

from __future__ import annotations

import json
import re
import shutil
import zlib
from pathlib import Path

import pytest
from rdflib import DCTERMS, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from conftest import shared_dir
from ld.cli import main
from ld.store import OxigraphStore
from server.app import create_app
from server.settings import SETTINGS

BASE = "http://127.0.0.1:8080/"
CORPUS = shared_dir() / "corpus"
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
KOHL_RECORDS = sorted(p.name for p in CORPUS.glob("kohl-*.txt"))
JOURNAL = "1955-12-06-journal-of-soviet-ambassador-to-the-dprk-v-i-ivanov-for-6"
RECORD = "300241"  # Kohl and Guterres, 1997
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FORMATS = {"ttl": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
           "rdf": ("application/rdf+xml", "xml"), "nt": ("application/n-triples", "nt")}


XSS_ID = "xss-1"


def xss_record(folder: Path) -> Path:
    """A JSON record with markup and script in its title, summary, text, names and citation."""
    record = {
        "date": "December 6, 1955", "record_id": XSS_ID,
        "title": 'Journal <script>alert("title")</script> of <b>Ivanov</b> & Co',
        "summary": 'Nam Il tells Ivanov about citizenship. <script>alert("summary")</script>'
                   '<img src=x onerror=alert(1)> Kim is not ill-intentioned.',
        "text": '<script>alert("text")</script><p>I visited Nam Il at his invitation.</p>',
        "people": ['Ivan <b onmouseover="alert(1)">Bold</b>'],
        "source_citation": '<a href="javascript:alert(1)">AVP RF</a>, f. 0102, op. 11, d. 6, p. 60.',
    }
    path = folder / "xss-record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    sources = tmp_path_factory.mktemp("sources")
    for name in [*KOHL_RECORDS, "journal-ivanov-1955-12-06.txt"]:
        shutil.copy(CORPUS / name, sources)
    xss_record(sources)
    store = tmp_path_factory.mktemp("store")
    assert main(["ingest", str(sources), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    return store


@pytest.fixture(scope="module")
def client(store_dir):
    return create_app({"STORE": str(store_dir), "BASE_URI": BASE}).test_client()


@pytest.fixture(scope="module")
def small_pages(store_dir):
    """The same store with two records per page, to exercise paging."""
    return create_app({"STORE": str(store_dir), "BASE_URI": BASE, "PAGE_SIZE": 2}).test_client()


def parse(response, rdflib_format: str | None = None) -> Graph:
    fmt = rdflib_format or next(f for t, f in FORMATS.values() if t == response.mimetype)
    return Graph().parse(data=response.get_data(), format=fmt)


def links(response) -> dict[str, list[str]]:
    """rel -> [url, ...] from the Link header (types folded into the rel for alternates: 'alternate text/turtle')."""
    found: dict[str, list[str]] = {}
    for url, params in re.findall(r"<([^>]*)>((?:\s*;\s*[^,;]+)*)", response.headers.get("Link", "")):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', params))
        rel = attrs.get("rel", "") + (f" {attrs['type']}" if "type" in attrs else "")
        found.setdefault(rel, []).append(url)
    return found


def jsonld_graph(client, response) -> Graph:
    """Expand a JSON-LD description against the context the server publishes (fetched from the app, not the web)."""
    document = json.loads(response.get_data())
    assert document["@context"] == f"{BASE}context.jsonld"
    document["@context"] = client.get("/context.jsonld").get_json()["@context"]
    return Graph().parse(data=json.dumps(document), format="json-ld")


# --- /id/ -> /doc/ -------------------------------------------------------------------------------------------------


def test_id_answers_303_to_the_description(client):
    response = client.get(f"/id/document/{RECORD}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/doc/document/{RECORD}")
    assert links(response)["describedby"] == [f"/doc/document/{RECORD}"]
    assert client.get("/id/person/helmut-kohl").status_code == 303


def test_id_of_unknown_things_is_404(client):
    assert client.get("/id/person/nobody-at-all").status_code == 404
    assert client.get("/id/spaceship/x").status_code == 404


# --- negotiation ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept, status, media_type", [
    (None, 200, "text/turtle"),
    ("*/*", 200, "text/turtle"),  # curl
    (BROWSER, 200, "text/html"),
    ("text/html", 200, "text/html"),
    ("application/xhtml+xml", 200, "text/html"),
    ("application/ld+json", 200, "application/ld+json"),
    ("application/json", 200, "application/ld+json"),
    ("text/turtle;q=0.9, application/rdf+xml", 200, "application/rdf+xml"),
    ("application/n-triples", 200, "application/n-triples"),
    ("text/turtle;q=0, */*", 200, "application/ld+json"),
    ("text/*", 200, "text/turtle"),
    ("text/html;q=0.5, application/ld+json;q=0.8", 200, "application/ld+json"),
    ("application/rdf+xml;q=0.5, text/html;q=0.4", 200, "application/rdf+xml"),
    ("image/png", 406, None),
    ("text/plain;q=1, image/*", 406, None),
])
@pytest.mark.parametrize("path", [f"/doc/document/{RECORD}", "/doc/person/helmut-kohl"])
def test_accept_table(client, path, accept, status, media_type):
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    if media_type:
        assert response.mimetype == media_type
    if media_type and media_type != "text/html":
        assert len(parse(response) if media_type != "application/ld+json" else jsonld_graph(client, response)) > 0


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "rdf", "nt", "html"])
def test_suffix_and_format_parameter_beat_accept(client, suffix):
    media_type = FORMATS[suffix][0] if suffix in FORMATS else "text/html"
    other = BROWSER if suffix != "html" else "text/turtle"
    assert client.get(f"/doc/document/{RECORD}.{suffix}", headers={"Accept": other}).mimetype == media_type
    assert client.get(f"/doc/document/{RECORD}?format={suffix}", headers={"Accept": other}).mimetype == media_type
    assert client.get(f"/doc/document/{RECORD}", query_string={"format": media_type}).mimetype == media_type


def test_unknown_format_parameter_is_400(client):
    response = client.get(f"/doc/document/{RECORD}?format=png")
    assert response.status_code == 400 and "ttl" in response.get_data(as_text=True)


def test_406_names_the_alternatives(client):
    response = client.get(f"/doc/document/{RECORD}", headers={"Accept": "image/png"})
    assert response.status_code == 406 and response.headers["Vary"] == "Accept"
    body = response.get_data(as_text=True)
    for suffix in ("ttl", "jsonld", "rdf", "nt", "html"):
        assert f"/doc/document/{RECORD}.{suffix}" in body
    assert len(links(response)) == 5
    html = client.get(f"/doc/document/{RECORD}", headers={"Accept": "image/png, text/html;q=0"})
    assert html.status_code == 406


# --- headers -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept, own", [("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
                                         ("text/html", "html")])
def test_description_headers(client, accept, own):
    response = client.get(f"/doc/document/{RECORD}", headers={"Accept": accept})
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Content-Location"] == f"/doc/document/{RECORD}.{own}"
    assert response.headers["ETag"].startswith('"') and response.headers["Last-Modified"].endswith("GMT")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    alternates = {rel.split(" ", 1)[1]: urls for rel, urls in links(response).items() if rel.startswith("alternate")}
    expected = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
                "nt": "application/n-triples", "html": "text/html"}
    assert alternates == {t: [f"/doc/document/{RECORD}.{s}"] for s, t in expected.items() if s != own}
    assert links(response)["about"] == [f"{BASE}id/document/{RECORD}"]


def test_etag_and_last_modified_give_304(client):
    first = client.get(f"/doc/document/{RECORD}.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = client.get(f"/doc/document/{RECORD}.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    since = client.get(f"/doc/document/{RECORD}.ttl", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    stale = client.get(f"/doc/document/{RECORD}.ttl", headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200
    old = client.get(f"/doc/document/{RECORD}.ttl", headers={"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})
    assert old.status_code == 200
    other_format = client.get(f"/doc/document/{RECORD}.nt")
    assert other_format.headers["ETag"] != etag


def test_conditional_requests_follow_rfc_9110(client):
    first = client.get(f"/doc/document/{RECORD}.ttl")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    path = f"/doc/document/{RECORD}.ttl"
    # If-None-Match compares weakly and takes a list or "*".
    assert client.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304
    # When If-None-Match is present it decides: a current date cannot save a stale ETag.
    both = client.get(path, headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
    assert both.status_code == 200 and both.get_data() == first.get_data()
    # A 304 carries the headers RFC 9110 (15.4.5) lists from the 200 it stands for; HEAD is answered alike.
    not_modified = client.head(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    for header in ("ETag", "Cache-Control", "Content-Location", "Vary"):
        assert not_modified.headers[header] == first.headers[header], header
    # A date that cannot be read is ignored (RFC 9110, 13.1.3), not an error.
    assert client.get(path, headers={"If-Modified-Since": "yesterday"}).status_code == 200


@pytest.mark.parametrize("path", [f"/doc/document/{RECORD}", "/doc/person/helmut-kohl.html", "/", "/context.jsonld",
                                  "/browse/person"])
def test_head_has_the_headers_and_no_body(client, path):
    get, head = client.get(path), client.head(path)
    assert head.status_code == 200 and head.get_data() == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Vary", "Link", "Content-Location",
                 "Access-Control-Allow-Origin"):
        assert head.headers.get(name) == get.headers.get(name), name


@pytest.mark.parametrize("accept_encoding, gzip", [
    (None, False), ("gzip", True), ("gzip, deflate, br", True), ("x-gzip", True), ("*", True), ("br", False),
    ("gzip;q=0", False), ("gzip;q=0, *", False), ("*;q=0", False), ("identity", False),
    ("gzip;q=0.5, identity", False), ("identity;q=0.2, gzip;q=0.4", True), ("gzip;q=oops", False)])
def test_gzip_is_sent_by_accept_encoding_with_q_values(client, accept_encoding, gzip):
    headers = {"Accept": "text/turtle"} | ({"Accept-Encoding": accept_encoding} if accept_encoding else {})
    path = f"/doc/document/{RECORD}"
    client.get(path)  # in the shared cache from here on
    response = client.get(path, headers=headers)
    assert response.status_code == 200 and response.headers["Vary"] == "Accept, Accept-Encoding"
    plain = client.get(path, headers={"Accept": "text/turtle"})
    if gzip:
        assert response.headers["Content-Encoding"] == "gzip"
        assert zlib.decompress(response.get_data(), 31) == plain.get_data()
        assert response.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    else:
        assert "Content-Encoding" not in response.headers and response.get_data() == plain.get_data()


def test_cors_preflight(client):
    response = client.options(f"/doc/document/{RECORD}", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Accept"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "Accept" in response.headers["Access-Control-Allow-Headers"]
    assert "Link" in client.get(f"/doc/document/{RECORD}").headers["Access-Control-Expose-Headers"]


# --- what descriptions hold ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"/doc/document/{RECORD}", f"/doc/document/{JOURNAL}", "/doc/person/helmut-kohl",
                                  "/doc/archive/german-federal-archives"])
def test_every_format_is_the_same_graph(client, path):
    turtle = parse(client.get(f"{path}.ttl"))
    assert len(turtle) > 5
    for suffix in ("rdf", "nt"):
        assert isomorphic(parse(client.get(f"{path}.{suffix}")), turtle), suffix
    assert isomorphic(jsonld_graph(client, client.get(f"{path}.jsonld")), turtle)


def test_jsonld_is_compact(client):
    document = json.loads(client.get(f"/doc/document/{RECORD}.jsonld").get_data())
    record = document["@graph"][0]
    assert record["id"] == f"{BASE}id/document/{RECORD}"
    assert set(record["type"]) == {"E31_Document", "E33_Linguistic_Object"}
    assert isinstance(record["P67_refers_to"], list) and all(isinstance(v, str) for v in record["P67_refers_to"])
    assert record["date"] == {"@value": "1997-10-22", "@type": "xsd:date"}
    context = client.get("/context.jsonld")
    assert context.mimetype == "application/ld+json"
    terms = context.get_json()["@context"]
    assert terms["crm"] == str(CRM) and terms["dcterms"] == str(DCTERMS) and terms["xsd"].endswith("XMLSchema#")
    assert terms["P67_refers_to"] == {"@id": "crm:P67_refers_to", "@type": "@id"}
    assert terms["P190_has_symbolic_content"] == "crm:P190_has_symbolic_content"


def test_record_description_is_its_graph_plus_labels(client, store_dir):
    doc = URIRef(f"{BASE}id/document/{RECORD}")
    with OxigraphStore.open(store_dir, read_only=True, base=BASE) as store:
        stored = store.record_graph(doc)
    described = parse(client.get(f"/doc/document/{RECORD}.ttl"))
    assert set(stored) <= set(described)
    kohl = URIRef(f"{BASE}id/person/helmut-kohl")
    assert (kohl, RDFS.label, Literal("Helmut Kohl")) in described
    extra_predicates = {p for s, p, o in set(described) - set(stored)}
    assert extra_predicates <= {RDFS.label, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")}


def kohl_records(store_dir) -> int:
    """How many record graphs name Helmut Kohl, asked of the store directly."""
    with OxigraphStore.open(store_dir, read_only=True, base=BASE) as store:
        query = f"SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?d <{CRM.P67_refers_to}> <{BASE}id/person/helmut-kohl> }} }}"
        return int(next(iter(store.query(query)))["n"].value)


def test_entity_description_has_own_statements_and_incoming_links(client, store_dir):
    graph = parse(client.get("/doc/person/helmut-kohl.ttl"))
    kohl = URIRef(f"{BASE}id/person/helmut-kohl")
    assert (kohl, RDFS.label, Literal("Helmut Kohl")) in graph
    records = set(graph.subjects(CRM.P67_refers_to, kohl))
    assert len(records) == kohl_records(store_dir) > 2
    for record in records:
        assert graph.value(record, RDFS.label) is not None and graph.value(record, DCTERMS.date) is not None
    collection = URIRef(f"{BASE}doc/person/helmut-kohl#incoming")
    assert graph.value(collection, HYDRA.totalItems).toPython() == len(records)


def test_paging_covers_every_record_once_in_date_order(small_pages, store_dir):
    kohl = URIRef(f"{BASE}id/person/helmut-kohl")
    url, seen, dates, pages = "/doc/person/helmut-kohl.ttl", [], [], 0
    while url:
        response = small_pages.get(url)
        assert response.status_code == 200
        graph, pages = parse(response), pages + 1
        page_records = sorted(graph.subjects(CRM.P67_refers_to, kohl),
                              key=lambda r: (str(graph.value(r, DCTERMS.date)), str(r)))
        assert len(page_records) <= 2
        seen += page_records
        dates += [str(graph.value(r, DCTERMS.date)) for r in page_records]
        next_links = links(response).get("next", [])
        view = URIRef(f"{BASE}doc/person/helmut-kohl" + (f"?page={pages}" if pages > 1 else ""))
        hydra_next = graph.value(view, HYDRA.next)
        assert bool(next_links) == (hydra_next is not None)
        if next_links:
            assert hydra_next == URIRef(f"{BASE}doc/person/helmut-kohl?page={pages + 1}")
            assert next_links == [f"/doc/person/helmut-kohl.ttl?page={pages + 1}"]
        if pages > 1:
            assert links(response)["prev"]
        url = next_links[0] if next_links else None
    assert len(seen) == len(set(seen)) == kohl_records(store_dir)
    assert pages == -(-len(seen) // 2) > 2
    assert dates == sorted(dates)
    assert small_pages.get(f"/doc/person/helmut-kohl?page={pages + 1}").status_code == 404
    assert small_pages.get("/doc/person/helmut-kohl?page=0").status_code == 400
    html = small_pages.get("/doc/person/helmut-kohl?page=2", headers={"Accept": "text/html"})
    assert 'rel="next"' in html.get_data(as_text=True) and 'rel="prev"' in html.get_data(as_text=True)


# --- pages for people ----------------------------------------------------------------------------------------------


def test_record_page_shows_the_apparatus(client):
    page = client.get(f"/doc/document/{JOURNAL}", headers={"Accept": BROWSER}).get_data(as_text=True)
    for expected in ("Journal of Soviet Ambassador to the DPRK V. I. Ivanov for 6 December 1955", "December 6, 1955",
                     "Secret", "Copy 3", "4865s", "to file", "Nº 854", "Vyacheslav Molotov",
                     'href="/doc/person/v-i-ivanov"', "passed validation with 2 warnings",
                     f'href="/doc/document/{JOURNAL}.jsonld"', 'rel="alternate" type="text/turtle"'):
        assert expected in page, expected


def test_record_page_links_what_its_text_names(client):
    page = client.get(f"/doc/document/{JOURNAL}", headers={"Accept": BROWSER}).get_data(as_text=True)
    text = page.split('<div class="text">', 1)[1].split("</div>", 1)[0]
    # every mention, not only the first (which the evidence annotation quotes), links to the entity page
    assert text.count('<a href="/doc/person/nam-il" title="Nam Il">Nam Il</a>') > 3
    assert '<a href="/doc/group/kwp-cc" title="KWP CC">KWP CC</a>' in text
    assert '<a href="/doc/place/pyongyang" title="Pyongyang">Pyongyang</a>' in text


def test_a_records_text_is_served_as_plain_text_for_its_evidence_spans(client):
    description = parse(client.get(f"/doc/document/{JOURNAL}.ttl"))
    key_iri = f"{BASE}text/{JOURNAL}"
    response = client.get(f"/text/{JOURNAL}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert f'</doc/document/{JOURNAL}>; rel="describedby"' in response.headers["Link"]
    text = response.get_data(as_text=True)
    # every span the evidence targets quotes the served text at its RFC 5147 offsets (counted in code points)
    spans = [o for o in description.objects(None, URIRef("http://www.w3.org/ns/oa#hasTarget"))
             if str(o).startswith(f"{key_iri}#char=")]
    assert len(spans) > 20
    for span in spans:
        start, end = map(int, str(span).rsplit("=", 1)[1].split(","))
        assert text[start:end] == str(description.value(span, CRM.P190_has_symbolic_content))
    title = client.get(f"/text/{JOURNAL}/title").get_data(as_text=True)
    assert title == "Journal of Soviet Ambassador to the DPRK V. I. Ivanov for 6 December 1955"
    assert client.head(f"/text/{JOURNAL}").headers["ETag"] == response.headers["ETag"]
    assert client.get(f"/text/{JOURNAL}", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get(f"/text/{JOURNAL}", headers={"If-Modified-Since": response.headers["Last-Modified"]}).status_code == 304
    for missing in ("/text/never-was", f"/text/{JOURNAL}/footnotes", f"/text/{RECORD}/summary-of-nothing"):
        assert client.get(missing).status_code == 404, missing


def test_record_page_lists_statements_without_the_annotations_of_the_text(client):
    page = client.get(f"/doc/document/{JOURNAL}", headers={"Accept": BROWSER}).get_data(as_text=True)
    table = page.split('<table class="statements">', 1)[1].split("</table>", 1)[0]
    turtle = parse(client.get(f"/doc/document/{JOURNAL}.ttl"), "turtle")
    # The record's own statements are there, its nodes linked within the page, where they have an anchor ...
    assert table.startswith("\n<thead>") and f'<a href="/doc/document/{JOURNAL}">' in table.split("</tbody>")[0]
    assert '<a href="#creation">' in table and '<tbody id="creation">' in table
    # ... the text once (the section above), and the Web Annotation nodes are counted, not listed.
    assert '<a href="#text">the text</a>' in table and 'id="text"' in page
    oa = Namespace("http://www.w3.org/ns/oa#")
    annotations = set(turtle.subjects(RDF.type, oa.Annotation))
    assert annotations and not any(f'id="{a.split("#")[1]}"' in table for a in annotations)
    assert "TextPositionSelector" not in table and "statements annotate the text" in page


def test_entity_page(client):
    page = client.get("/doc/person/helmut-kohl", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "<h1>Helmut Kohl</h1>" in page and "Kohl, Helmut" in page
    assert f'href="/doc/document/{RECORD}"' in page and "1997-10-22" in page


def test_user_text_is_escaped(client):
    record = client.get(f"/doc/document/{XSS_ID}", headers={"Accept": BROWSER})
    assert record.status_code == 200
    person = re.search(r'href="(/doc/person/[^"]*bold[^"]*)"', record.get_data(as_text=True)).group(1)
    for path in (f"/doc/document/{XSS_ID}", person, "/browse/document", "/browse/person", "/"):
        html = client.get(path, headers={"Accept": BROWSER}).get_data(as_text=True)
        assert "<script>" not in html and "<b>" not in html and "<img" not in html and "<b " not in html, path
        assert 'href="javascript:' not in html, path
    html = record.get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html and "&lt;b&gt;Ivanov&lt;/b&gt; &amp; Co" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;a href=&#34;javascript:alert(1)&#34;&gt;AVP RF&lt;/a&gt;" in html


def test_home_page_counts_and_links(client):
    page = client.get("/").get_data(as_text=True)
    assert f"<strong>{len(KOHL_RECORDS) + 2}</strong> records" in page
    assert f'href="/doc/document/{RECORD}"' in page or "/doc/document/" in page
    for target in ("/browse/person", "/browse/place", "/sparql"):
        assert f'href="{target}"' in page


def test_browse_is_alphabetical_and_paged(client, small_pages):
    page = client.get("/browse/person").get_data(as_text=True)
    names = re.findall(r'<a href="/doc/person/[^"]+">([^<]+)</a>', page)
    assert names == sorted(names, key=str.casefold) and "Helmut Kohl" in names
    second = small_pages.get("/browse/person?page=2")
    assert second.status_code == 200 and links(second)["prev"] == ["/browse/person"]
    assert client.get("/browse/spaceship").status_code == 404
    assert client.get("/browse/person?page=99").status_code == 404


# --- errors --------------------------------------------------------------------------------------------------------


def test_404_for_browsers_and_machines(client):
    html = client.get("/doc/person/nobody-at-all", headers={"Accept": BROWSER})
    assert html.status_code == 404 and html.mimetype == "text/html"
    assert "Not found" in html.get_data(as_text=True) and 'href="/browse/person"' in html.get_data(as_text=True)
    text = client.get("/doc/person/nobody-at-all", headers={"Accept": "text/turtle"})
    assert text.status_code == 404 and text.mimetype == "text/plain"
    data = client.get("/doc/person/nobody-at-all", headers={"Accept": "application/json"})
    assert data.status_code == 404 and data.get_json()["status"] == 404
    assert client.get("/no/such/route").status_code == 404
    assert client.get("/doc/document/nope.ttl").status_code == 404


# --- system routes -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("folder, name", [("vocab", "crm"), ("vocab", "schemes"), ("shapes", "record")])
def test_vocab_and_shapes_are_published_with_absolute_iris(client, folder, name):
    graph = parse(client.get(f"/{folder}/{name}.ttl"))
    assert len(graph) > 10
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    assert not any(f"/{folder}/id/" in iri for iri in iris)
    if name == "schemes":
        assert URIRef(f"{BASE}id/concept/classification-secret") in set(graph.subjects())
    assert isomorphic(jsonld_graph(client, client.get(f"/{folder}/{name}.jsonld")), graph)
    assert client.get(f"/{folder}/{name}", headers={"Accept": "text/html"}).mimetype == "text/html"


def test_folder_indexes(client):
    assert "crm" in client.get("/vocab/", headers={"Accept": BROWSER}).get_data(as_text=True)
    merged = parse(client.get("/vocab/", headers={"Accept": "text/turtle"}))
    assert len(merged) > len(parse(client.get("/vocab/crm.ttl")))
    assert client.get("/vocab/authority.ttl").status_code == 404
    assert client.get("/shapes/").status_code == 200


# --- settings ------------------------------------------------------------------------------------------------------


def test_readme_lists_every_setting():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", readme, flags=re.MULTILINE))
    assert {s.name: str(s.default) for s in SETTINGS}.items() <= rows.items()


def test_settings_from_environment(monkeypatch, store_dir):
    monkeypatch.setenv("DOCKET_PAGE_SIZE", "3")
    app = create_app({"STORE": str(store_dir), "BASE_URI": BASE})
    assert app.config["DOCKET"]["PAGE_SIZE"] == 3
    with pytest.raises(ValueError):
        create_app({"NO_SUCH_SETTING": 1})


def test_access_log_is_off_unless_asked_for():
    # A line per request costs every request; the proxy in front of a production server logs them already.
    from server.settings import load_settings
    from server.wsgi import _Gunicorn

    assert _Gunicorn(load_settings({}, environ={})).cfg.accesslog is None
    assert _Gunicorn(load_settings({"ACCESS_LOG": "-"}, environ={})).cfg.accesslog == "-"


def test_the_url_builder_agrees_with_the_routes(store_dir):
    # server.urls formats paths itself (url_for per link was a large share of a page's rendering): same paths.
    from flask import url_for

    from ld.iris import Minter
    from server.urls import Urls

    app = create_app({"STORE": str(store_dir), "BASE_URI": BASE})
    for root in ("", "/archive"):
        with app.test_request_context("/", base_url=f"http://example.org{root}/"):
            urls = Urls(Minter(BASE))
            assert urls.doc("person", "a b/c", suffix="ttl", page=3) == url_for(
                "docket.describe", kind="person", key="a b/c.ttl", page=3)
            assert urls.doc("document", "ü'x") == url_for("docket.describe", kind="document", key="ü'x")
            assert urls.id("place", "x&y") == url_for("docket.identify", kind="place", key="x&y")
            assert urls.browse("group", 2) == url_for("docket.browse", kind="group", page=2)
            assert urls.home() == url_for("docket.home")
            assert urls.context() == url_for("docket.context")
            assert urls.files("vocab") == url_for("docket.vocab_index")
            assert urls.files("vocab", "crm", "ttl") == url_for("docket.vocab_file", name="crm.ttl")
            assert urls.static("style.css") == url_for("static", filename="style.css")
            assert urls.sparql() == url_for("sparql.sparql")
