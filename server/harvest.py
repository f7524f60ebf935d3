"""The harvest routes: ``/dumps/``, ``/void`` and ``/.well-known/void``, ``/oai``, ``/changes``, ``/sitemap.xml``, and
the ``410 Gone`` tombstones of withdrawn records and entities. Library work lives in ``ld`` (``ld.dump``,
``ld.void``, ``ld.oai``, ``ld.feed``, ``ld.sitemap``, ``ld.changes``); this module only speaks HTTP.

Everything read from the store is cached per worker and store version (``Publisher.cached``); the dumps are files
made again only when the data version changed. Every response carries ``ETag`` and ``Last-Modified`` (the time of
the newest change in the log) and answers ``304`` to a matching conditional request; dump files also honour
``Range``.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from typing import Any, Mapping

from flask import Blueprint, Flask, Response, abort, render_template, request, send_file
from rdflib import RDF, XSD, Graph, Literal, URIRef

from ld import changes, feed, sitemap
from ld.dump import DUMP_FORMATS, DumpFolder, data_version, dumps_path_for
from ld.errors import NotFound
from ld.oai import Repository
from ld.void import Statistics, void_graph
from server.errors import Unacceptable, error_response
from server.http import cacheable, etag_of
from server.negotiate import REPRESENTATIONS, by_suffix, choose
from server.publish import Publisher
from server.urls import Urls

_RDF_SUFFIXES = {r.suffix for r in REPRESENTATIONS}


class Harvest:
    """Per-worker state of the harvest routes: the dump folder and the cached views of the change log."""

    def __init__(self, settings: Mapping[str, Any], publisher: Publisher):
        self.settings = settings
        self.publisher = publisher
        self.minter = publisher.minter
        self.changes_graph = str(changes.changes_graph_of(f"{self.minter.base}graph/"))
        self.dumps = DumpFolder(settings["DUMPS"] or dumps_path_for(settings["STORE"]))
        self._sitemap: tuple[str, list] | None = None

    def dump_index(self, ready=None):
        """(index of the dumps, the current data version): dumps older than the data (and the sitemap and the
        statistics made with them) are remade by a process of their own (``DumpFolder.refresh_in_background``),
        waited for at most DUMP_WAIT seconds, or until ``ready()``."""
        _, version, _, _ = self.state()
        if self.dumps.current(version):
            return self.dumps.index(), version
        settings = self.settings
        arguments = ["--store", str(settings["STORE"]), "--base-uri", self.minter.base]
        if settings.get("STORE_URL"):
            arguments += ["--store-url", settings["STORE_URL"]]
        env = {**os.environ, "DOCKET_DUMPS": str(self.dumps.path)}
        return self.dumps.refresh_in_background(arguments, env, version, wait=settings["DUMP_WAIT"],
                                                ready=ready and (lambda: ready(version))), version

    def sitemap_chunks(self):
        """The sitemap's pages in sitemap-sized chunks (None while the first sitemap is being made), kept in this
        worker while they are of the current data."""
        _, version, _, _ = self.state()
        if self._sitemap is not None and self._sitemap[0] == version:
            return self._sitemap[1]
        self.dump_index(ready=lambda v: (self.dumps.sitemap() or {}).get("version") == v)
        made = self.dumps.sitemap()
        if made is None:
            return None
        chunks = sitemap.chunked([sitemap.Page(loc, lastmod) for loc, lastmod in made["pages"]],
                                 self.settings["SITEMAP_SIZE"])
        if made["version"] == version:
            self._sitemap = (version, chunks)
        return chunks

    def state(self):
        """(snapshot, data version, activity count, newest change as a POSIX time or None), cached per version."""
        snap = self.publisher.snapshot()

        def build():
            count, newest = changes.log_state(snap.store, self.changes_graph)
            stamp = newest.replace(tzinfo=timezone.utc).timestamp() if newest else None
            return data_version(snap.store), count, stamp

        version, count, stamp = self.publisher.cached(snap, ("harvest-state",), build)
        return snap, version, count, stamp

    def respond(self, body: bytes, media_type: str, *, etag_of: str | None = None, links=()) -> Response:
        """A cacheable harvest response; ``etag_of`` (a stable text) replaces the body hash as the validator."""
        _, version, _, stamp = self.state()
        etag = hashlib.blake2b(f"{version}|{etag_of}".encode(), digest_size=12).hexdigest() if etag_of else None
        return cacheable(body, media_type, etag=etag, last_modified=stamp, max_age=self.settings["MAX_AGE"],
                         links=links)


def harvest_blueprint(settings: Mapping[str, Any], publisher: Publisher, urls: Urls) -> Blueprint:
    """The blueprint of the harvest routes."""
    bp = Blueprint("harvest", __name__)
    harvest = Harvest(settings, publisher)

    # -- dumps --

    @bp.get("/dumps/")
    def dumps_index():
        index, version = harvest.dump_index()
        entries = [index[f.suffix] for f in DUMP_FORMATS if f.suffix in index]
        if not entries:
            return _being_made()
        if _wants_json():
            body = json.dumps([{**e.__dict__, "url": f"{publisher.minter.base}dumps/{e.file}",
                                "current": e.version == version} for e in entries], indent=2).encode("utf-8")
            return harvest.respond(body, "application/json")
        body = render_template("dumps.html", entries=entries, version=version).encode("utf-8")
        return harvest.respond(body, "text/html")

    @bp.get("/dumps/<name>")
    def dump_file(name: str):
        wanted = next((f for f in DUMP_FORMATS if name == f"docket.{f.suffix}.gz"), None)
        if wanted is None:
            abort(404, f"no dump {name!r}; the dumps are listed at {urls.root}/dumps/")
        index, _ = harvest.dump_index()
        entry = index.get(wanted.suffix)
        if entry is None:
            return _being_made()
        response = send_file(harvest.dumps.file(entry.file), mimetype="application/gzip", conditional=True,
                             etag=entry.sha256, last_modified=datetime.fromisoformat(entry.modified),
                             max_age=settings["MAX_AGE"], download_name=entry.file)
        response.headers["Digest"] = "sha-256=" + _base64_hex(entry.sha256)
        response.headers["Content-Disposition"] = f'attachment; filename="{entry.file}"'
        response.headers["X-Triples"] = str(entry.triples)
        return response

    # -- VoID --

    def void():
        snap, version, _, stamp = harvest.state()
        wanted = choose(request.headers.get("Accept"), request.args.get("format"))
        if wanted is None:
            raise Unacceptable([(r.label, r.media_type, f"{urls.root}/void?format={r.suffix}")
                                for r in REPRESENTATIONS])
        harvest.dump_index(ready=lambda v: (harvest.dumps.statistics() or {}).get("version") == v)
        stats = harvest.dumps.statistics()
        if stats is None:
            return _being_made()
        graph = publisher.cached(snap, ("void", stats["version"]), lambda: _void(harvest, stats, stamp))
        if wanted.rdf is None:
            text = graph.serialize(format="turtle")
            body = render_template("void.html", turtle=text).encode("utf-8")
        else:
            body = publisher.cached(snap, ("void", stats["version"], wanted.suffix),
                                    lambda: graph.serialize(format=wanted.rdf.rdflib_name, encoding="utf-8"))
        return harvest.respond(body, wanted.media_type)

    bp.add_url_rule("/void", "void", void)
    bp.add_url_rule("/.well-known/void", "well_known_void", void)

    # -- OAI-PMH --

    @bp.route("/oai", methods=["GET", "POST"])
    def oai():
        snap, _, _, _ = harvest.state()
        arguments = request.form.to_dict(flat=False) if request.method == "POST" else \
            request.args.to_dict(flat=False)
        repository = Repository(snap.store, publisher.minter, name=settings["OAI_REPOSITORY_NAME"],
                                admin_email=settings["OAI_ADMIN_EMAIL"], page_size=settings["OAI_PAGE_SIZE"],
                                cached=lambda key, build: publisher.cached(snap, key, build))
        body = repository.respond(arguments)
        key = json.dumps(sorted(arguments.items()))
        return harvest.respond(body, "text/xml", etag_of=key)

    # -- change feed --

    @bp.get("/changes")
    def changes_collection():
        _, _, count, _ = harvest.state()
        body = feed.collection(publisher.minter, count, settings["CHANGES_PAGE_SIZE"])
        return harvest.respond(_json(body), "application/activity+json")

    @bp.get("/changes/page/<int:number>")
    def changes_page(number: int):
        snap, _, _, _ = harvest.state()
        activities = publisher.cached(snap, ("activities",), lambda: changes.all_activities(
            snap.store, harvest.changes_graph))
        try:
            body = publisher.cached(snap, ("changes", number), lambda: feed.page(
                activities, publisher.minter, number, settings["CHANGES_PAGE_SIZE"]))
        except ValueError as error:
            raise NotFound(str(error)) from None
        return harvest.respond(_json(body), "application/activity+json")

    # -- sitemap --

    def chunks():
        parts = harvest.sitemap_chunks()
        if parts is None:
            raise _Unavailable()
        return parts

    @bp.get("/sitemap.xml")
    def sitemap_root():
        parts = chunks()
        body = sitemap.urlset(parts[0]) if len(parts) == 1 else sitemap.index(publisher.minter.base, parts)
        return harvest.respond(body, "application/xml")

    @bp.get("/sitemap-<int:number>.xml")
    def sitemap_part(number: int):
        parts = chunks()
        if len(parts) == 1 or not 1 <= number <= len(parts):
            abort(404, f"no sitemap part {number}; see {urls.root}/sitemap.xml")
        return harvest.respond(sitemap.urlset(parts[number - 1]), "application/xml")

    bp.register_error_handler(_Unavailable, lambda error: _being_made())
    bp.record_once(lambda state: _install_gone(state.app, harvest, urls))
    return bp


class _Unavailable(Exception):
    """The sitemap is being made for the first time."""


def _being_made() -> Response:
    response = error_response(503, "the dumps are being made; try again in a minute")
    response.headers["Retry-After"] = "60"
    return response


def _void(harvest: Harvest, stats: dict, stamp: float | None) -> Graph:
    stats = dict(stats)
    version = stats.pop("version")
    index = harvest.dumps.index()
    current = {k: v for k, v in index.items() if v.version == version}  # sizes and checksums of the same data
    modified = datetime.fromtimestamp(stamp, timezone.utc) if stamp else None
    return void_graph(Statistics(**stats), harvest.minter, modified=modified,
                      license=harvest.settings["LICENSE"], publisher=harvest.settings["PUBLISHER"], dumps=current)


# --- 410 Gone -------------------------------------------------------------------------------------------------------


def _install_gone(app: Flask, harvest: Harvest, urls: Urls) -> None:
    """A withdrawn record's or entity's URIs answer 410 Gone with its tombstone (HTML or RDF) instead of 404."""

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        stone = _tombstone_for_request(harvest)
        if stone is None:
            return error_response(404, str(error))
        return _gone(harvest, stone, urls)


def _tombstone_for_request(harvest: Harvest):
    parts = request.path.split("/")
    if len(parts) in (3, 4) and parts[1] == "text":  # a record's texts: /text/{key}[/{part}]
        parts = ["", "id", "document", parts[2]]
    if len(parts) < 4 or parts[1] not in ("id", "doc"):
        return None
    kind, key = parts[2], "/".join(parts[3:])
    stem, dot, suffix = key.rpartition(".")
    if dot and stem and suffix in _RDF_SUFFIXES:
        key = stem
    try:
        iri = str(harvest.minter.thing(kind, key))
    except ValueError:
        return None
    snap = harvest.publisher.snapshot()
    return changes.tombstone(snap.store, harvest.changes_graph, iri)


def _gone(harvest: Harvest, stone: changes.Tombstone, urls: Urls) -> Response:
    key = request.path.rsplit("/", 1)[1]
    suffix = key.rpartition(".")[2] if "." in key and key.rpartition(".")[2] in _RDF_SUFFIXES else None
    wanted = choose(request.headers.get("Accept"), request.args.get("format"), suffix) or by_suffix("ttl")
    if wanted.rdf is None:
        body = render_template("gone.html", stone=stone).encode("utf-8")
    else:
        body = _tombstone_graph(stone).serialize(format=wanted.rdf.rdflib_name, encoding="utf-8")
    response = Response(body, 410, mimetype=wanted.media_type)
    response.set_etag(etag_of(body))
    response.last_modified = stone.deleted.replace(tzinfo=timezone.utc)
    response.vary.add("Accept")
    response.cache_control.public = True
    response.cache_control.max_age = harvest.settings["MAX_AGE"]
    return response


def _tombstone_graph(stone: changes.Tombstone) -> Graph:
    g = Graph()
    g.bind("as", changes.AS)
    thing = URIRef(stone.iri)
    g.add((thing, RDF.type, changes.AS.Tombstone))
    g.add((thing, changes.AS.deleted, Literal(stone.deleted.isoformat(), datatype=XSD.dateTime)))
    for former in stone.former_types:
        g.add((thing, changes.AS.formerType, URIRef(former)))
    if stone.name:
        g.add((thing, changes.AS.name, Literal(stone.name)))
    return g


# --- helpers --------------------------------------------------------------------------------------------------------


def _json(document: dict) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return request.args.get("format") == "json" or (
        accept.best_match(["text/html", "application/json"]) == "application/json")


def _base64_hex(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")
