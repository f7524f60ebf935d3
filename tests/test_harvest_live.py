"""Harvesting a real `docket serve` with the clients aggregators use: the `sickle` OAI-PMH client (a full harvest,
then an incremental one after a re-ingest and a withdrawal), `rapper` (Debian raptor2-utils) parsing the Turtle,
RDF/XML and N-Triples served, `pyld` expanding the JSON-LD (its context fetched from the server) to the same graph as
the Turtle; and one scenario - ingest 10, update 2, delete 1 - after which the change feed, OAI-PMH, the sitemap,
the dumps and VoID all count the same.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import time
import urllib.request
from datetime import datetime, timezone

import pytest
from lxml import etree
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.compare import isomorphic

from conftest import DocketServer, free_port, require_tool, shared_dir
from ld.cli import main
from test_harvest import valid_oai

pytestmark = pytest.mark.slow

CORPUS = shared_dir() / "corpus"
TEN = sorted(p.name for p in CORPUS.glob("*.txt"))[:10]
UPDATED = TEN[1:3]
WITHDRAWN = TEN[5]
VOID = Namespace("http://rdfs.org/ns/void#")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class Scenario:
    """The server, the folder of sources, the store, and the datestamp between the first ingest and the changes."""

    def __init__(self, server: DocketServer, sources, store, between: str):
        self.server, self.sources, self.store, self.between = server, sources, store, between
        self.base = server.base

    def get(self, path: str, accept: str | None = None) -> bytes:
        request = urllib.request.Request(self.base + path.lstrip("/"), headers={"Accept": accept} if accept else {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def json(self, path: str):
        return json.loads(self.get(path, "application/json"))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    folder = tmp_path_factory.mktemp("harvest-live")
    sources, store = folder / "sources", folder / "store"
    sources.mkdir()
    for name in TEN:
        shutil.copy(CORPUS / name, sources)
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    assert main(["ingest", str(sources), "--store", str(store), "--base-uri", base, "--quiet"]) == 0
    env = {"DOCKET_CHECK_INTERVAL": "0.2", "DOCKET_OAI_PAGE_SIZE": "3", "DOCKET_CHANGES_PAGE_SIZE": "4"}
    with DocketServer(store, base, port, folder / "serve.log", workers=2, env=env) as server:
        yield Scenario(server, sources, store, "")
        assert server.process.poll() is None, f"the server died during the tests:\n{server.log()[-3000:]}"


def change(scenario: Scenario) -> None:
    """Re-ingest with two records edited, then withdraw one (datestamps have whole seconds: wait past the first)."""
    if scenario.between:
        return
    time.sleep(1.1)
    scenario.between = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    time.sleep(1.1)
    for name in UPDATED:
        path = scenario.sources / name
        path.write_bytes(path.read_bytes() + b"\n")
    assert main(["ingest", str(scenario.sources), "--store", str(scenario.store), "--base-uri", scenario.base,
                 "--quiet"]) == 0
    assert main(["delete", str(scenario.sources / WITHDRAWN), "--store", str(scenario.store),
                 "--base-uri", scenario.base]) == 0
    time.sleep(1.0)  # CHECK_INTERVAL is 0.2 s: the workers reopen the store


def test_sickle_harvests_everything_then_only_what_changed(scenario):
    from sickle import Sickle
    from sickle.oaiexceptions import NoRecordsMatch

    client = Sickle(f"{scenario.base}oai", max_retries=2)
    before = list(client.ListRecords(metadataPrefix="oai_dc", ignore_deleted=False))
    assert len(before) == 10 and all(not r.deleted for r in before)  # 3 records a response: tokens followed
    assert len({r.header.identifier for r in before}) == 10
    assert all(r.metadata.get("title") for r in before)
    change(scenario)
    since = list(client.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False,
                                        **{"from": scenario.between}))
    deleted = {h.identifier for h in since if h.deleted}
    updated = {h.identifier for h in since if not h.deleted}
    assert len(deleted) == 1 and len(updated) == 2, [(h.identifier, h.deleted) for h in since]
    everything = list(client.ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False))
    assert len(everything) == 10 and sum(h.deleted for h in everything) == 1
    with pytest.raises(NoRecordsMatch):
        list(client.ListIdentifiers(metadataPrefix="oai_dc", **{"from": "2999-01-01"}))
    for set_spec in ("genre", "decade"):
        members = list(client.ListIdentifiers(metadataPrefix="oai_dc", set=set_spec, ignore_deleted=False))
        assert members and len(members) <= 10
    valid_oai(scenario.get("oai?verb=ListRecords&metadataPrefix=rdf"))


def test_counts_agree_after_ingest_10_update_2_delete_1(scenario):
    change(scenario)
    # the change feed, oldest page first
    collection = scenario.json("changes")
    items = []
    page = collection["first"]["id"]
    while page:
        body = json.loads(scenario.get(page.removeprefix(scenario.base)))
        items += body["orderedItems"]
        page = body.get("next", {}).get("id")
    assert len(items) == collection["totalItems"]
    records = [i for i in items if i["object"]["type"] == "Document"]
    kinds = [i["type"] for i in records]
    assert (kinds.count("Create"), kinds.count("Update"), kinds.count("Delete")) == (10, 2, 1)
    live_records = {i["object"]["id"] for i in records} - {i["object"]["id"] for i in records if i["type"] == "Delete"}
    # OAI-PMH
    from sickle import Sickle

    headers = list(Sickle(f"{scenario.base}oai").ListIdentifiers(metadataPrefix="oai_dc", ignore_deleted=False))
    assert {h.identifier for h in headers if not h.deleted} == live_records
    # the sitemap
    root = etree.fromstring(scenario.get("sitemap.xml"))
    pages = {u.findtext(f"{SITEMAP}loc") for u in root.iter(f"{SITEMAP}url")}
    assert {p for p in pages if "/doc/document/" in p} == {r.replace("/id/", "/doc/") for r in live_records}
    # the dumps
    listing = scenario.json("dumps/")
    nquads = gzip.decompress(scenario.get("dumps/docket.nq.gz"))
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    dumped = {str(g.identifier) for g in dataset.graphs() if "/id/document/" in str(g.identifier)}
    assert dumped == live_records
    assert len(nquads.splitlines()) == listing[0]["triples"]
    # VoID
    void = Graph().parse(data=scenario.get("void", "text/turtle"), format="turtle")
    dataset_node = URIRef(f"{scenario.base}void#dataset")
    assert int(void.value(dataset_node, VOID.documents)) == len(live_records) == 9
    assert all(int(void.value(dataset_node, VOID.triples)) == e["triples"] for e in listing)


def test_withdrawn_record_answers_410(scenario):
    change(scenario)
    from ld.iris import Minter

    items = [i for p in range(1, 20) for i in _page(scenario, p)]
    gone = next(i["object"]["id"] for i in items if i["type"] == "Delete")
    kind, key = Minter(scenario.base).kind_and_key(gone)
    for accept in ("text/html", "text/turtle", "application/ld+json"):
        request = urllib.request.Request(f"{scenario.base}doc/{kind}/{key}", headers={"Accept": accept})
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=30)
        error.value.close()
        assert error.value.code == 410


def _page(scenario, number: int) -> list:
    try:
        return scenario.json(f"changes/page/{number}")["orderedItems"]
    except urllib.error.HTTPError as error:
        error.close()
        return []


@pytest.mark.parametrize("suffix, syntax", [("ttl", "turtle"), ("rdf", "rdfxml"), ("nt", "ntriples")])
def test_rapper_parses_what_docket_serves(scenario, tmp_path, suffix, syntax):
    rapper = require_tool("rapper", "raptor2-utils")
    record = sorted(r for r in _records(scenario))[0]
    for path in (f"{record.replace(scenario.base, '').replace('id/', 'doc/', 1)}.{suffix}",
                 f"void?format={suffix}", f"doc/person/{_a_person(scenario)}.{suffix}"):
        data = scenario.get(path)
        file = tmp_path / f"served.{suffix}"
        file.write_bytes(data)
        done = subprocess.run([rapper, "-i", syntax, "-c", str(file), scenario.base], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        count = int(done.stderr.split("returned", 1)[1].split()[0])
        assert count == len(Graph().parse(data=data, format={"ttl": "turtle", "rdf": "xml", "nt": "nt"}[suffix]))


def test_pyld_expansion_equals_the_turtle(scenario):
    from pyld import jsonld

    for record in sorted(_records(scenario))[:3]:
        path = record.replace(scenario.base, "").replace("id/", "doc/", 1)
        document = json.loads(scenario.get(f"{path}.jsonld"))
        expanded = jsonld.expand(document)  # fetches /context.jsonld from the server
        nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
        from_jsonld = Graph().parse(data=nquads, format="nquads")
        turtle = Graph().parse(data=scenario.get(f"{path}.ttl"), format="turtle")
        assert len(turtle) > 20 and isomorphic(from_jsonld, turtle)


def _records(scenario) -> set[str]:
    root = etree.fromstring(scenario.get("sitemap.xml"))
    return {u.findtext(f"{SITEMAP}loc").replace("/doc/", "/id/", 1) for u in root.iter(f"{SITEMAP}url")
            if "/doc/document/" in u.findtext(f"{SITEMAP}loc")}


def _a_person(scenario) -> str:
    root = etree.fromstring(scenario.get("sitemap.xml"))
    return sorted(u.findtext(f"{SITEMAP}loc").rsplit("/", 1)[1] for u in root.iter(f"{SITEMAP}url")
                  if "/doc/person/" in u.findtext(f"{SITEMAP}loc"))[0]
