"""The harvest surfaces through the Flask test client over a real on-disk store built by `docket ingest` and
`docket delete`: OAI-PMH (every verb and error, each response validated against the OAI-PMH schema with lxml), the
change feed, the sitemap (and its index form), VoID/DCAT, dumps (every format parsed by rdflib, Range, validators)
and 410 Gone tombstones. Real clients against a running server are in tests/test_harvest_live.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest
from lxml import etree
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from conftest import shared_dir
from ld.cli import main
from server.app import create_app

BASE = "http://127.0.0.1:8080/"
CORPUS = shared_dir() / "corpus"
NAMES = ["journal-ivanov-1955-12-06.txt", "journal-ivanov-1955-12-24.txt", "kohl-conversation-guterres-1997-10-22.txt",
         "cable-339-czechoslovak-embassy-havana-1962-10-31.txt", "cc-cpsu-politburo-transcript-excerpt-1980-01-17.txt"]
WITHDRAWN = "cable-339-czechoslovak-embassy-havana-1962-10-31.txt"
OAI = "{http://www.openarchives.org/OAI/2.0/}"
VOID = Namespace("http://rdfs.org/ns/void#")
SCHEMAS = Path(__file__).resolve().parent / "oai"


def oai_schema() -> etree.XMLSchema:
    """The OAI-PMH response schema (tests/oai/OAI-PMH.xsd, copied from ../shared/oai) with the schemas of the two
    metadata formats docket offers, all read from tests/oai/ so validation runs offline."""
    imports = {"http://www.openarchives.org/OAI/2.0/": "OAI-PMH.xsd",
               "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai_dc.xsd",
               "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf.xsd"}
    wrapper = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
               + "".join(f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMAS / f).as_uri()}"/>'
                         for ns, f in imports.items()) + "</xs:schema>")
    return etree.XMLSchema(etree.fromstring(wrapper.encode()))


SCHEMA = oai_schema()


def valid_oai(body: bytes) -> etree._Element:
    """The parsed response; fails the test, with the schema's complaints, when it does not validate."""
    root = etree.fromstring(body)
    if not SCHEMA.validate(root):
        pytest.fail(f"invalid OAI-PMH response: {SCHEMA.error_log}\n{body[:2000]!r}")
    return root


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    sources = tmp_path_factory.mktemp("sources")
    for name in NAMES:
        shutil.copy(CORPUS / name, sources)
    store = tmp_path_factory.mktemp("harvest") / "store"
    assert main(["ingest", str(sources), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    assert main(["delete", str(sources / WITHDRAWN), "--store", str(store), "--base-uri", BASE]) == 0
    return store


@pytest.fixture(scope="module")
def app(store_dir):
    return create_app({"STORE": str(store_dir), "BASE_URI": BASE, "OAI_PAGE_SIZE": 2, "CHANGES_PAGE_SIZE": 3})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def fetch(client, path: str, **kwargs):
    """GET, with the response closed (a dump is sent from an open file)."""
    with client.get(path, **kwargs) as response:
        response.get_data()
        return response


def oai(client, **args) -> etree._Element:
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    return valid_oai(response.data)


def error_code(root) -> str | None:
    error = root.find(f"{OAI}error")
    return None if error is None else error.get("code")


def withdrawn_iri(client) -> str:
    feed = client.get("/changes/page/3").get_json()  # 4 Creates, then the Delete of the record, then its entities
    deletes = [a["object"]["id"] for p in range(1, 4) for a in client.get(f"/changes/page/{p}").get_json()
               ["orderedItems"] if a["type"] == "Delete" and "/id/document/" in a["object"]["id"]]
    assert feed and len(deletes) == 1
    return deletes[0]


# --- OAI-PMH ----------------------------------------------------------------------------------------------------


def test_identify(client):
    root = oai(client, verb="Identify")
    identify = root.find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}baseURL") == f"{BASE}oai"
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"


def test_list_metadata_formats(client):
    root = oai(client, verb="ListMetadataFormats")
    assert [e.text for e in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc", "rdf"]
    assert error_code(oai(client, verb="ListMetadataFormats", identifier=f"{BASE}id/document/nothing")) \
        == "idDoesNotExist"


def test_list_sets_has_genres_and_decades(client):
    specs = [e.text for e in oai(client, verb="ListSets").iter(f"{OAI}setSpec")]
    assert {"genre", "decade", "decade:1950", "decade:1990", "genre:cable"} <= set(specs)


def list_all(client, verb: str, **args) -> list[etree._Element]:
    """Every header of a list, following resumption tokens (each response validated)."""
    headers, root = [], oai(client, verb=verb, **args)
    while True:
        assert error_code(root) is None, etree.tostring(root)
        headers += list(root.iter(f"{OAI}header"))
        token = root.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return headers
        root = oai(client, verb=verb, resumptionToken=token.text)


def test_list_identifiers_pages_through_every_record_with_the_deleted_one(client):
    headers = list_all(client, "ListIdentifiers", metadataPrefix="oai_dc")
    assert len(headers) == len(NAMES)  # OAI_PAGE_SIZE is 2: three responses
    deleted = [h for h in headers if h.get("status") == "deleted"]
    assert len(deleted) == 1 and deleted[0].findtext(f"{OAI}identifier") == withdrawn_iri(client)
    assert [s.text for s in deleted[0].iter(f"{OAI}setSpec")] == ["decade:1960", "genre:cable"]


def test_list_records_in_both_formats(client):
    for prefix in ("oai_dc", "rdf"):
        root = oai(client, verb="ListRecords", metadataPrefix=prefix)
        records = root.findall(f".//{OAI}record")
        assert len(records) == 2
        token = root.find(f".//{OAI}resumptionToken")
        assert token.get("completeListSize") == str(len(NAMES)) and token.get("cursor") == "0"


def test_sets_select_records(client):
    nineteen_fifties = list_all(client, "ListIdentifiers", metadataPrefix="oai_dc", set="decade:1950")
    assert len(nineteen_fifties) == 2
    assert {s.text for h in nineteen_fifties for s in h.iter(f"{OAI}setSpec")} >= {"decade:1950"}
    cables = list_all(client, "ListIdentifiers", metadataPrefix="oai_dc", set="genre:cable")
    assert [h.get("status") for h in cables] == ["deleted"]
    assert error_code(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="genre:no-such")) \
        == "noRecordsMatch"


def test_get_record_dublin_core_and_rdf(client):
    kohl = f"{BASE}id/document/300241"
    root = oai(client, verb="GetRecord", identifier=kohl, metadataPrefix="oai_dc")
    dc = root.find(f".//{{http://www.openarchives.org/OAI/2.0/oai_dc/}}dc")
    titles = [e.text for e in dc.iter("{http://purl.org/dc/elements/1.1/}title")]
    assert titles and titles[0].startswith("The Chancellor's [Helmut Kohl's] Conversation")
    root = oai(client, verb="GetRecord", identifier=kohl, metadataPrefix="rdf")
    rdf = root.find(f".//{{http://www.w3.org/1999/02/22-rdf-syntax-ns#}}RDF")
    carried = Graph().parse(data=etree.tostring(rdf), format="xml")
    served = Graph().parse(data=client.get("/doc/document/300241.ttl").data, format="turtle")
    assert len(carried) > 50 and all(t in served for t in carried)  # the page adds neighbours' labels
    gone = oai(client, verb="GetRecord", identifier=withdrawn_iri(client), metadataPrefix="oai_dc")
    header = gone.find(f".//{OAI}header")
    assert header.get("status") == "deleted" and gone.find(f".//{OAI}metadata") is None


@pytest.mark.parametrize("args, code", [
    ({}, "badVerb"),
    ({"verb": "Fly"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2020-01-01", "until": "2020-01-01T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2021-01-01", "until": "2020-01-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "bad set"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "until": "2000-01-01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "ListSets", "resumptionToken": "x"}, "badResumptionToken"),
    ({"verb": "GetRecord", "identifier": "urn:nothing", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": f"{BASE}id/document/300241"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": f"{BASE}id/document/300241", "metadataPrefix": "mods"},
     "cannotDisseminateFormat"),
    ({"verb": "ListMetadataFormats", "identifier": f"{BASE}id/person/nobody"}, "idDoesNotExist"),
])
def test_every_error_condition_has_its_code(client, args, code):
    response = client.get("/oai", query_string=args)
    assert error_code(valid_oai(response.data)) == code


def test_post_is_answered_like_get(client):
    by_post = client.post("/oai", data={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    headers = valid_oai(by_post.data).findall(f".//{OAI}header")
    assert len(headers) == 2


def test_from_and_until_select_by_datestamp(client):
    headers = list_all(client, "ListIdentifiers", metadataPrefix="oai_dc")
    stamps = sorted(h.findtext(f"{OAI}datestamp") for h in headers)
    newest = stamps[-1]
    selected = list_all(client, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": newest, "until": newest})
    assert len(selected) == stamps.count(newest) >= 1
    assert len(list_all(client, "ListIdentifiers", metadataPrefix="oai_dc", **{"from": newest[:10]})) == \
        sum(s[:10] >= newest[:10] for s in stamps)


# --- the change feed --------------------------------------------------------------------------------------------


def test_change_feed_is_an_ordered_collection_of_pages(client):
    collection = client.get("/changes")
    assert collection.mimetype == "application/activity+json"
    body = collection.get_json()
    assert body["type"] == "OrderedCollection" and body["totalItems"] >= len(NAMES) + 1
    last = body["last"]["id"].removeprefix(BASE.rstrip("/"))
    page = client.get(last).get_json()
    assert page["type"] == "OrderedCollectionPage" and "next" not in page and "prev" in page
    kinds = [a["type"] for n in range(1, int(last.rsplit("/", 1)[1]) + 1)
             for a in client.get(f"/changes/page/{n}").get_json()["orderedItems"]]
    assert kinds[:len(NAMES)] == ["Create"] * len(NAMES) and kinds[len(NAMES)] == "Delete"
    assert len(kinds) == body["totalItems"]
    assert client.get("/changes/page/99").status_code == 404


def test_a_consumer_opening_the_change_feed_reaches_the_newest_activities_first(client):
    body = client.get("/changes").get_json()
    links = [key for key in body if key in ("current", "last", "first")]
    assert links == ["current", "last", "first"]  # the newest page is named before the oldest
    assert body["current"] == body["last"]  # IIIF Change Discovery: last is the newest page, pages stay put
    pages = int(body["last"]["id"].rsplit("/", 1)[1])
    every = [a for n in range(1, pages + 1) for a in client.get(f"/changes/page/{n}").get_json()["orderedItems"]]
    newest = client.get(body["current"]["id"].removeprefix(BASE.rstrip("/"))).get_json()["orderedItems"]
    assert newest and newest[-1] == every[-1] and newest[-1]["type"] == "Delete"  # the withdrawal came last


# --- sitemap ----------------------------------------------------------------------------------------------------


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_sitemap_lists_records_and_entities_with_lastmod(client):
    root = etree.fromstring(client.get("/sitemap.xml").data)
    urls = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")}
    records = [u for u in urls if "/doc/document/" in u]
    assert len(records) == len(NAMES) - 1
    assert any("/doc/person/" in u for u in urls) and all(urls.values())
    assert withdrawn_iri(client).replace("/id/", "/doc/") not in urls


def test_sitemap_becomes_an_index_beyond_its_size(store_dir):
    client = create_app({"STORE": str(store_dir), "BASE_URI": BASE, "SITEMAP_SIZE": 10}).test_client()
    root = etree.fromstring(client.get("/sitemap.xml").data)
    assert root.tag == f"{SITEMAP}sitemapindex"
    parts = [s.findtext(f"{SITEMAP}loc") for s in root.iter(f"{SITEMAP}sitemap")]
    assert len(parts) >= 2
    counted = 0
    for part in parts:
        child = etree.fromstring(client.get(part.removeprefix(BASE.rstrip("/"))).data)
        counted += len(child.findall(f"{SITEMAP}url"))
    whole = create_app({"STORE": str(store_dir), "BASE_URI": BASE}).test_client()
    assert counted == len(etree.fromstring(whole.get("/sitemap.xml").data).findall(f"{SITEMAP}url"))


# --- VoID and dumps ---------------------------------------------------------------------------------------------


def test_void_describes_the_dataset_and_its_dumps(client):
    turtle = client.get("/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.data, format="turtle")
    dataset = URIRef(f"{BASE}void#dataset")
    assert graph.value(dataset, VOID.uriSpace) == Literal(f"{BASE}id/")
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(f"{BASE}sparql")
    assert int(graph.value(dataset, VOID.documents)) == len(NAMES) - 1
    assert len(list(graph.objects(dataset, VOID.dataDump))) == 4
    assert len(list(graph.objects(dataset, VOID.classPartition))) > 5
    well_known = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert isomorphic(Graph().parse(data=well_known.data, format="turtle"), graph)
    assert "/void" in client.get("/").get_data(as_text=True)
    description = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert (None, None, URIRef(f"{BASE}void")) in description


def test_dumps_in_every_format_hold_the_same_triples(client):
    listing = client.get("/dumps/", headers={"Accept": "application/json"}).get_json()
    assert [e["format"] for e in listing] == ["nq", "nt", "ttl", "jsonld"]
    graphs = {}
    for entry in listing:
        response = fetch(client, f"/dumps/{entry['file']}")
        assert response.status_code == 200 and len(response.data) == entry["size"]
        assert hashlib.sha256(response.data).hexdigest() == entry["sha256"]
        data = gzip.decompress(response.data)
        if entry["format"] in ("nq", "jsonld"):
            dataset = Dataset()
            dataset.parse(data=data, format={"nq": "nquads", "jsonld": "json-ld"}[entry["format"]])
            graph = Graph()
            for s, p, o, _ in dataset.quads():
                graph.add((s, p, o))
        else:
            graph = Graph().parse(data=data, format={"nt": "nt", "ttl": "turtle"}[entry["format"]])
        graphs[entry["format"]] = graph
    assert all(isomorphic(graphs["nq"], g) for g in graphs.values())
    void = Graph().parse(data=client.get("/void?format=ttl").data, format="turtle")
    assert int(void.value(URIRef(f"{BASE}void#dataset"), VOID.triples)) == listing[0]["triples"]
    assert not any(str(s).startswith(withdrawn_iri(client)) for s in graphs["nq"].subjects())


def test_dump_downloads_resume_and_revalidate(client):
    whole = fetch(client, "/dumps/docket.nq.gz")
    etag, modified = whole.headers["ETag"], whole.headers["Last-Modified"]
    part = fetch(client, "/dumps/docket.nq.gz", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == whole.data[100:200]
    assert fetch(client, "/dumps/docket.nq.gz", headers={"If-None-Match": etag}).status_code == 304
    assert fetch(client, "/dumps/docket.nq.gz", headers={"If-Modified-Since": modified}).status_code == 304
    assert fetch(client, "/dumps/docket.xyz.gz").status_code == 404


def test_dumps_are_made_again_only_when_the_data_changed(store_dir, tmp_path):
    from ld.dump import DumpFolder
    from ld.store import OxigraphStore

    folder = DumpFolder(tmp_path / "dumps")
    with OxigraphStore.open(store_dir, base=BASE, read_only=True) as store:
        first = folder.fresh(store)
        again = folder.fresh(store)
    assert first == again  # same entries, same modification times: nothing was written


# --- conditional requests everywhere ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dumps/", "/void", "/.well-known/void", "/changes", "/changes/page/1",
                                  "/sitemap.xml", "/oai?verb=Identify",
                                  "/oai?verb=ListRecords&metadataPrefix=oai_dc"])
def test_every_harvest_response_revalidates(client, path):
    first = client.get(path)
    assert first.status_code == 200 and first.headers.get("ETag") and first.headers.get("Last-Modified")
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304


# --- 410 Gone -----------------------------------------------------------------------------------------------------


def test_withdrawn_record_is_gone_with_a_tombstone(client):
    doc = withdrawn_iri(client).removeprefix(BASE.rstrip("/"))
    page = client.get(doc.replace("/id/", "/doc/"), headers={"Accept": "text/html"})
    assert page.status_code == 410 and "withdrawn" in page.get_data(as_text=True)
    assert client.get(doc).status_code == 410
    turtle = client.get(doc.replace("/id/", "/doc/") + ".ttl")
    assert turtle.status_code == 410
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (URIRef(withdrawn_iri(client)), None, URIRef("https://www.w3.org/ns/activitystreams#Tombstone")) in graph
    assert client.get("/doc/document/never-was").status_code == 404
    assert client.get(doc.replace("/id/document/", "/text/")).status_code == 410  # its text, which evidence cites


def test_entities_only_the_withdrawn_record_mentioned_are_gone_too(client):
    items = [a for n in range(1, 4) for a in client.get(f"/changes/page/{n}").get_json()["orderedItems"]]
    entities = [a["object"]["id"] for a in items if a["type"] == "Delete" and "/id/document/" not in a["object"]["id"]]
    assert entities, "the Havana cable names people no other record of the five names"
    for iri in entities:
        assert client.get(iri.replace(BASE, "/").replace("/id/", "/doc/"), headers={"Accept": "text/turtle"}
                          ).status_code == 410
    kept = client.get("/doc/person/helmut-kohl", headers={"Accept": "text/turtle"})
    assert kept.status_code in (200, 404)  # whatever it is, not a tombstone


def test_dumps_listing_json_names_urls(client):
    listing = json.loads(client.get("/dumps/?format=json").data)
    assert all(e["url"].startswith(f"{BASE}dumps/docket.") for e in listing)


def test_served_dumps_follow_the_data(tmp_path):
    store = tmp_path / "store"
    assert main(["ingest", str(CORPUS / NAMES[0]), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    app = create_app({"STORE": str(store), "BASE_URI": BASE, "CHECK_INTERVAL": 0, "DUMP_WAIT": 60})
    client = app.test_client()
    first = client.get("/dumps/?format=json").get_json()
    assert all(e["current"] for e in first)
    assert main(["ingest", str(CORPUS / NAMES[2]), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    second = client.get("/dumps/?format=json").get_json()  # remade by a process of its own, waited for
    assert all(e["current"] for e in second)
    assert second[0]["triples"] > first[0]["triples"] and second[0]["sha256"] != first[0]["sha256"]
    impatient = create_app({"STORE": str(store), "BASE_URI": BASE, "DUMP_WAIT": 0}).test_client()
    assert main(["delete", str(CORPUS / NAMES[2]), "--store", str(store), "--base-uri", BASE]) == 0
    listed = impatient.get("/dumps/?format=json").get_json()  # the previous dumps, while new ones are made
    assert [e["sha256"] for e in listed] == [e["sha256"] for e in second] and not any(e["current"] for e in listed)
    deadline = time.monotonic() + 60
    while not all(e["current"] for e in impatient.get("/dumps/?format=json").get_json()):
        assert time.monotonic() < deadline, "the dumps were not remade within a minute"
        time.sleep(0.2)


def test_the_dump_cache_never_serves_a_changed_record(tmp_path):
    from ld.chunks import ChunkCache
    from ld.dump import JSONLD, NQUADS, TURTLE, write_dump
    from ld.store import OxigraphStore

    sources, store_dir = tmp_path / "sources", tmp_path / "store"
    sources.mkdir()
    for name in NAMES[:3]:
        shutil.copy(CORPUS / name, sources)
    assert main(["ingest", str(sources), "--store", str(store_dir), "--base-uri", BASE, "--quiet"]) == 0

    def dumps(fmt) -> tuple[bytes, bytes]:
        import io

        with OxigraphStore.open(store_dir, base=BASE, read_only=True) as store, \
                ChunkCache(tmp_path / "chunks.sqlite") as cache:
            cached, fresh = io.BytesIO(), io.BytesIO()
            assert write_dump(store, cached, fmt, cache=cache) == write_dump(store, fresh, fmt)
            return cached.getvalue(), fresh.getvalue()

    def same(dumped: tuple[bytes, bytes], suffix: str) -> bool:
        ours, theirs = (_graphs(data, suffix) for data in dumped)
        return ours.keys() == theirs.keys() and all(isomorphic(ours[name], theirs[name]) for name in ours)

    for fmt in (NQUADS, TURTLE, JSONLD):
        assert same(dumps(fmt), fmt.suffix)  # the cache filled (and said complete: the dump read every record)
        assert same(dumps(fmt), fmt.suffix)  # and read (its rows alone)
    edited = sources / NAMES[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Ivanov", "Ivanoff"), encoding="utf-8")
    assert main(["ingest", str(sources), "--store", str(store_dir), "--base-uri", BASE, "--quiet"]) == 0
    cached, fresh = dumps(NQUADS)
    assert same((cached, fresh), "nq") and b"Ivanoff" in cached
    assert main(["delete", str(edited), "--store", str(store_dir), "--base-uri", BASE]) == 0
    cached, fresh = dumps(NQUADS)
    assert same((cached, fresh), "nq") and b"Ivanoff" not in cached


def _graphs(data: bytes, suffix: str) -> dict[str, Graph]:
    """A dump parsed by rdflib: named graph -> its triples (N-Triples and Turtle: one graph, named "")."""
    if suffix in ("nt", "ttl"):
        return {"": Graph().parse(data=data, format={"nt": "nt", "ttl": "turtle"}[suffix])}
    dataset = Dataset()
    dataset.parse(data=data, format={"nq": "nquads", "jsonld": "json-ld"}[suffix])
    graphs: dict[str, Graph] = {}
    for s, p, o, g in dataset.quads():
        graphs.setdefault(str(g), Graph()).add((s, p, o))
    return graphs


def _check_dumps_after_ingest(store_dir: Path) -> list[str]:
    """Every record the store lists is in the dump cache under its current token, in every format (so a dump reads
    no record from the store), and a dump from the cache is the same graph as one read from the store, in every
    format. Returns the records."""
    import io

    from ld.chunks import FORMATS
    from ld.dump import DUMP_FORMATS, DumpFolder, dumps_path_for, write_dump
    from ld.iris import Minter
    from ld.store import OxigraphStore

    with OxigraphStore.open(store_dir, base=BASE, read_only=True) as store, \
            DumpFolder(dumps_path_for(store_dir)).chunks() as cache:
        records = [str(g) for g in store.records()]
        marker = store.change_marker()
        assert cache.complete_at() == marker, "the ingest or delete said the cache is complete"
        for graph in (str(store.entities_graph), str(Minter(BASE).vocab_graph)):  # the system graphs too
            assert all(cache.get(graph, marker, fmt, system=True) for fmt in FORMATS), f"{graph} is not cached"
        for graph in records:  # checked before any dump, which would fill what is missing
            token = store.record_token(graph)
            assert all(cache.get(graph, token, fmt) for fmt in FORMATS), f"{graph} is not cached at {token}"
        for fmt in DUMP_FORMATS:
            cached, read = io.BytesIO(), io.BytesIO()
            assert write_dump(store, cached, fmt, cache=cache) == write_dump(store, read, fmt)
            ours, theirs = _graphs(cached.getvalue(), fmt.suffix), _graphs(read.getvalue(), fmt.suffix)
            assert ours.keys() == theirs.keys()
            assert all(isomorphic(ours[name], theirs[name]) for name in ours), f"the {fmt.suffix} dumps differ"
    return records


def _ingest_with_a_helper(sources: Path, store_dir: Path, *, after=None):
    """``docket ingest`` of ``sources`` as the command runs it with ``--jobs 1``, but with the dump feed's helper
    process ready from the first record (a short ingest would otherwise make its few chunks itself while the helper
    starts), so that every chunk goes through it; ``after(outcome, maker)`` is called after each record. Returns
    the helper (stopped by now)."""
    from ld.cli import store_caches
    from ld.dump_feed import ChunkMaker
    from ld.ingest import Ingester, Pipeline, expand_paths
    from ld.stores import open_store

    pipeline = Pipeline(BASE)
    with open_store(directory=str(store_dir), minter=pipeline.minter) as store:
        tracker, feed = store_caches(store, store_dir, pipeline.minter)
        maker = feed.maker = ChunkMaker()
        assert maker.wait_ready(), "the helper process did not start"
        try:
            for outcome in Ingester(store, pipeline, tracker=tracker, dump_feed=feed).ingest(expand_paths([sources])):
                assert outcome.status in ("ingested", "unchanged"), outcome
                if after:
                    after(outcome, maker)
        finally:
            feed.cache.close()
    assert maker.pid is None, "the helper was stopped at the end"
    return maker


@pytest.mark.parametrize("jobs", ["1", "2", "helper"])
def test_an_ingest_fills_the_dump_cache_so_a_dump_reads_no_record_from_the_store(tmp_path, jobs):
    sources, store = tmp_path / "sources", tmp_path / "store"
    sources.mkdir()
    for name in NAMES[:4]:
        shutil.copy(CORPUS / name, sources)

    def ingest() -> None:
        if jobs == "helper":  # --jobs 1 with every chunk made by the helper process
            assert _ingest_with_a_helper(sources, store).answered > 0
            return
        assert main(["ingest", str(sources), "--store", str(store), "--base-uri", BASE, "--quiet", "--jobs", jobs]) == 0

    ingest()
    assert len(_check_dumps_after_ingest(store)) == 4
    edited = sources / NAMES[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Ivanov", "Ivanoff"), encoding="utf-8")
    ingest()  # an update
    _check_dumps_after_ingest(store)
    assert main(["delete", str(sources / NAMES[1]), "--store", str(store), "--base-uri", BASE]) == 0
    assert len(_check_dumps_after_ingest(store)) == 3


def test_an_ingest_whose_chunk_helper_dies_still_fills_the_dump_cache_right(tmp_path):
    """The helper process making the chunks is killed after the second record: the ingest goes on, makes the
    chunks in flight and the later ones itself, and leaves the cache complete and equal to the store."""
    import os
    import signal

    from ld.dump import DumpFolder, dumps_path_for
    from ld.store import OxigraphStore

    sources, store = tmp_path / "sources", tmp_path / "store"
    sources.mkdir()
    for name in NAMES:
        shutil.copy(CORPUS / name, sources)
    seen = []

    def kill_after_two(outcome, maker) -> None:
        seen.append(outcome)
        if len(seen) == 2:
            os.kill(maker.pid, signal.SIGKILL)

    maker = _ingest_with_a_helper(sources, store, after=kill_after_two)
    assert maker.failed and len(seen) == len(NAMES)
    records = _check_dumps_after_ingest(store)
    assert len(records) == len(NAMES)
    with OxigraphStore.open(store, base=BASE, read_only=True) as opened, \
            DumpFolder(dumps_path_for(store)).chunks() as cache:
        assert cache.graphs() == set(records)  # a row for every record written, and only those
        assert all(cache.get(graph, opened.record_token(graph), "nq") for graph in records)


def test_the_chunk_helper_makes_what_chunk_of_makes_and_the_ingest_makes_what_it_cannot(caplog):
    """Chunks from the helper process are ``chunk_of``'s; one it cannot make (it answers so), or one in flight when
    it dies, is made in the ingest's process (or, when nothing can make it, the cache lacks its row: None, and a
    warning names the graph). A killed helper is reaped at once; a dropped ticket it gave up on is not awaited."""
    import os
    import signal

    from ld.dump import chunk_of
    from ld.dump_feed import ChunkMaker

    lines = b'<http://x.org/s> <http://x.org/p> "a\\nb"@en .\n<http://x.org/s> <http://x.org/q> <http://x.org/o> .\n'
    maker = ChunkMaker(window=4, batch=2)
    try:
        assert maker.wait_ready()
        tickets = [maker.submit(f"http://x.org/g{i}", lines) for i in range(10)]  # more than the window
        assert all(maker.result(t) == chunk_of(f"http://x.org/g{i}", lines) for i, t in enumerate(tickets))
        assert maker.answered == 10
        broken = maker.submit("http://x.org/broken", b"not N-Triples\n")
        with caplog.at_level("WARNING", logger="ld.dump_feed"):
            assert maker.result(broken) is None and not maker.failed  # the helper said so; made here, it fails too
        assert "http://x.org/broken" in caplog.text
        given_up = maker.submit("http://x.org/given-up", b"not N-Triples either\n")
        maker._flush()
        while given_up not in maker._local:  # the helper's answer: it could not make it
            maker._receive(timeout=maker.PATIENCE)
        maker.drop(given_up)
        assert not maker._dropped  # no answer is still to come for it
        in_flight = maker.submit("http://x.org/late", lines)
        pid = maker.pid
        os.kill(pid, signal.SIGKILL)
        assert maker.result(in_flight) == chunk_of("http://x.org/late", lines) and maker.failed
        assert not os.path.exists(f"/proc/{pid}")  # reaped, not a zombie until close()
        assert maker.submit("http://x.org/after", lines) is None  # the caller makes it
    finally:
        maker.close()


def test_the_dump_feed_stores_a_chunk_only_once_its_write_committed_made_from_the_lines_written(tmp_path):
    """A record's chunk goes into the cache only once its write committed, under that write's token, and is the
    chunk of the very lines written (the ingest gives the store and ``DumpFeed`` one ``triple_lines`` result)."""
    from ld.chunks import FORMATS, ChunkCache
    from ld.dump import chunk_of
    from ld.dump_feed import DumpFeed, _ntriples
    from ld.iris import Minter
    from ld.store import OxigraphStore, triple_lines
    from test_store import make_record

    minter = Minter(BASE)
    first, second = make_record("first", minter=minter), make_record("second", minter=minter)
    with OxigraphStore.open(tmp_path / "store", base=BASE) as store, ChunkCache(tmp_path / "chunks.sqlite") as cache:
        feed = DumpFeed(store, cache)
        feed.begin()
        with store.bulk_mode(batch_size=2):
            lines = triple_lines(first[1])
            store.replace_record(*first, lines=lines)
            feed.written(first[0], first[1], lines=lines)
            assert feed.settle() == 0 and cache.graphs() == set()  # buffered, not committed: no row yet
            store.replace_record(*second)  # the batch goes to the store's writer
            feed.written(second[0], second[1])
        feed.finish()
        assert cache.graphs() == {str(first[0]), str(second[0])}
        for doc, record, _ in (first, second):
            expected = chunk_of(str(doc), _ntriples(triple_lines(record)))
            token = store.record_token(doc)
            assert all(cache.get(str(doc), token, f) == (expected.triples, expected.members[f]) for f in FORMATS)
        assert cache.complete_at() == store.change_marker()


@pytest.mark.parametrize("helper", [False, True])
def test_the_dump_feed_leaves_no_row_for_a_batch_that_never_committed(tmp_path, helper):
    from ld.chunks import ChunkCache
    from ld.dump_feed import ChunkMaker, DumpFeed
    from ld.iris import Minter
    from ld.store import OxigraphStore
    from test_store import make_record

    kept, lost = make_record("kept", minter=Minter(BASE)), make_record("lost", minter=Minter(BASE))
    with OxigraphStore.open(tmp_path / "store", base=BASE) as store, ChunkCache(tmp_path / "chunks.sqlite") as cache:
        feed = DumpFeed(store, cache)
        if helper:  # its chunks are made in the helper process
            feed.maker = ChunkMaker()
            assert feed.maker.wait_ready()
        feed.begin()
        with pytest.raises(RuntimeError):
            with store.bulk_mode(batch_size=1):
                store.replace_record(*kept)  # a batch of its own: committed
                feed.written(kept[0], kept[1])
            with store.bulk_mode(batch_size=10):
                store.replace_record(*lost)
                feed.written(lost[0], lost[1])
                raise RuntimeError("boom")  # the buffered batch is dropped
        feed.finish()
        assert cache.graphs() == {str(kept[0])} and store.record_token(lost[0]) is None
        assert not helper or feed.maker is None  # stopped by finish


def test_a_dump_cache_file_of_another_layout_is_made_again(tmp_path):
    import sqlite3

    from ld.chunks import Chunk, ChunkCache

    path = tmp_path / "chunks.sqlite"
    with sqlite3.connect(path) as old:  # the first layout: zlib N-Triples only
        old.execute("CREATE TABLE chunks (graph TEXT PRIMARY KEY, token TEXT NOT NULL, nt BLOB NOT NULL)")
        old.execute("CREATE TABLE record_chunks (graph TEXT PRIMARY KEY, token TEXT NOT NULL, nt BLOB NOT NULL)")
        old.execute("INSERT INTO record_chunks VALUES ('g', 't', x'00')")
    chunk = Chunk(1, {fmt: f"{fmt}".encode() for fmt in ("nq", "nt", "ttl", "jsonld")})
    with ChunkCache(path, "one layout") as cache:
        assert cache.get("g", "t", "nt") is None
        cache.put("g", "t", chunk)
    with ChunkCache(path, "one layout") as cache:
        assert cache.get("g", "t", "ttl") == (1, b"ttl")
    with ChunkCache(path, "another layout") as cache:  # e.g. other Turtle prefixes: the bodies would not fit
        assert cache.get("g", "t", "ttl") is None


def test_a_dump_drops_only_rows_cached_before_it_began(tmp_path):
    from ld.chunks import Chunk, ChunkCache

    chunk = Chunk(1, {fmt: b"x" for fmt in ("nq", "nt", "ttl", "jsonld")})
    with ChunkCache(tmp_path / "chunks.sqlite") as cache:
        cache.put("listed", "t", chunk)
        cache.put("deleted", "t", chunk)
        before = cache.graphs()
        cache.put("ingested meanwhile", "t", chunk)  # by an ingest while the dump ran: not in its listing
        cache.keep_only(["listed"], among=before)
        assert cache.graphs() == {"listed", "ingested meanwhile"}
        cache.keep_only(["listed"])
        assert cache.graphs() == {"listed"}


def test_a_deletion_invalidates_the_shared_cache(tmp_path):
    sources, store = tmp_path / "sources", tmp_path / "store"
    sources.mkdir()
    for name in ("journal-ivanov-1955-12-06.txt", "journal-ivanov-1955-12-24.txt"):
        shutil.copy(CORPUS / name, sources)
    assert main(["ingest", str(sources), "--store", str(store), "--base-uri", BASE, "--quiet"]) == 0
    client = create_app({"STORE": str(store), "BASE_URI": BASE, "CHECK_INTERVAL": 0}).test_client()
    records = [a["object"]["id"] for a in client.get("/changes/page/1").get_json()["orderedItems"]]
    withdrawn = next(r for r in records if "1955-12-06" in r)
    page = f"/doc/document/{withdrawn.rsplit('/', 1)[1]}"
    assert client.get(page + ".ttl").status_code == 200
    # an entity both journals mention lists both: find it from the record's own links, and cache its page
    record = Graph().parse(data=client.get(page + ".ttl").data, format="turtle")
    people = sorted({str(o) for o in record.objects() if "/id/person/" in str(o)})
    listing = {}
    for person in people:
        body = client.get(person.replace(BASE, "/").replace("/id/", "/doc/") + ".nt").get_data(as_text=True)
        if withdrawn in body and all(r in body for r in records):
            listing[person] = body
    assert listing, "the two journals share someone"
    time.sleep(1.1)  # the shared cache's stamps compare file times
    assert main(["delete", str(sources / "journal-ivanov-1955-12-06.txt"), "--store", str(store),
                 "--base-uri", BASE]) == 0
    assert client.get(page + ".ttl").status_code == 410
    for person in listing:
        body = client.get(person.replace(BASE, "/").replace("/id/", "/doc/") + ".nt").get_data(as_text=True)
        assert withdrawn not in body, f"{person} still lists the withdrawn record"


def test_the_chunk_helper_runs_the_ingest_s_own_code_and_puts_no_site_packages_before_the_standard_library(
        monkeypatch):
    """From a source tree (as here) the helper's path starts with the tree; an ``ld`` installed in site-packages adds
    nothing to it (site-packages first would shadow the standard library)."""
    import os
    import site
    from pathlib import Path

    import ld.dump_feed as dump_feed

    root = str(Path(dump_feed.__file__).resolve().parent.parent)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    assert dump_feed._helper_environment()["PYTHONPATH"].split(os.pathsep)[0] == root
    monkeypatch.setattr(site, "getsitepackages", lambda: [root])
    assert "PYTHONPATH" not in dump_feed._helper_environment()
