"""The publishing routes: the home page, ``/id/`` (303), ``/doc/`` (negotiated descriptions), ``/browse/``,
``/text/`` (records' texts, text/plain), ``/context.jsonld``, ``/vocab/`` and ``/shapes/``. Routes only speak HTTP: descriptions come from ``Publisher``,
page data from ``ld.pages``, links from ``Urls``, errors go to ``server.errors``.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from flask import Blueprint, abort, redirect, render_template, request
from werkzeug.exceptions import BadRequest

from ld.describe import Paging
from ld.errors import NotFound
from ld.iris import KINDS
from ld.jsonld import context as jsonld_context
from ld.pages import KIND_NAMES, browse as browse_page, dataset_summary
from ld.texts import published_text
from server.errors import Unacceptable
from server.files import Folder, PublishedFile
from server.http import cacheable, coded, link_header
from server.links import alternatives, paging_links
from server.negotiate import REPRESENTATIONS, Representation, by_suffix, choose
from server.publish import Publisher
from server.urls import BLUEPRINT, Urls

_SUFFIXES = {r.suffix for r in REPRESENTATIONS}


def docket_blueprint(settings: Mapping[str, Any], publisher: Publisher, urls: Urls,
                     folders: dict[str, Folder]) -> Blueprint:
    """The blueprint serving everything but ``/sparql``."""
    bp = Blueprint(BLUEPRINT, __name__)
    max_age = settings["MAX_AGE"]
    context_body = json.dumps(jsonld_context(), indent=2).encode("utf-8")

    @bp.get("/")
    def home():
        snap = publisher.snapshot()
        summary = publisher.cached(snap, ("summary",), lambda: dataset_summary(snap.store, publisher.minter))
        body = render_template("home.html", summary=summary, kinds=KIND_NAMES)
        return cacheable(body.encode("utf-8"), "text/html", etag=None, last_modified=snap.version, max_age=max_age)

    @bp.get("/id/<kind>/<path:key>")
    def identify(kind: str, key: str):
        thing_key, _ = _split_suffix(_known_kind(kind), key)
        snap = publisher.snapshot()
        if not publisher.exists(snap, kind, thing_key):  # 404 here rather than after the redirect
            raise NotFound(f"no record {publisher.minter.thing(kind, thing_key)}")
        response = redirect(urls.doc(kind, key), code=303)
        response.headers["Link"] = link_header([(urls.doc(kind, key), {"rel": "describedby"})])
        return response

    @bp.get("/doc/<kind>/<path:key>")
    def describe(kind: str, key: str):
        key, suffix = _split_suffix(_known_kind(kind), key)
        page = _page() if kind != "document" else 1
        wanted = choose(request.headers.get("Accept"), request.args.get("format"), suffix)
        if wanted is None:
            raise Unacceptable(alternatives(urls, kind, key, page))
        snap = publisher.snapshot()
        body = publisher.body(snap, kind, key, page, wanted, urls)
        return coded(body, wanted.media_type, last_modified=snap.version, max_age=max_age)

    @bp.get("/browse/<kind>")
    def browse(kind: str):
        page = _page()
        snap = publisher.snapshot()
        summary = publisher.cached(snap, ("summary",), lambda: dataset_summary(snap.store, publisher.minter))
        total = summary.counts.get(_known_kind(kind), 0)
        if page > Paging(page, publisher.page_size, total).last:
            raise NotFound(f"there are not {page} pages of {KIND_NAMES[kind].lower()}")
        data = publisher.cached(snap, ("browse", kind, page), lambda: browse_page(
            snap.store, publisher.minter, kind, total=total, page=page, size=publisher.page_size))
        body = render_template("browse.html", data=data, kind=kind, kinds=KIND_NAMES)
        links = paging_links(lambda n: urls.browse(kind, n), data.paging)
        return cacheable(body.encode("utf-8"), "text/html", etag=None, last_modified=snap.version, max_age=max_age,
                         links=links)

    @bp.get("/text/<key>")
    @bp.get("/text/<key>/<part>")
    def text(key: str, part: str | None = None):
        """A record's text as published, text/plain: what the evidence's ``#char=start,end`` spans count in."""
        snap = publisher.snapshot()
        body = published_text(snap.store, publisher.minter, key, part).encode("utf-8")
        return cacheable(body, "text/plain", etag=None, last_modified=snap.version, max_age=max_age,
                         links=[(urls.doc("document", key), {"rel": "describedby"})])

    @bp.get("/context.jsonld")
    def context():
        return cacheable(context_body, "application/ld+json", etag=None, last_modified=None, max_age=max_age)

    for folder in folders.values():
        _add_folder_routes(bp, folder, publisher, urls, max_age)
    return bp


# --- descriptions --------------------------------------------------------------------------------------------------


def _known_kind(kind: str) -> str:
    if kind not in KINDS:
        abort(404, f"docket has no things of kind {kind!r}; kinds are {', '.join(KINDS)}")
    return kind


def _split_suffix(kind: str, key: str) -> tuple[str, str | None]:
    # "300237.ttl" -> ("300237", "ttl"); a dot followed by anything else is part of the key.
    stem, dot, suffix = key.rpartition(".")
    if dot and stem and suffix in _SUFFIXES:
        return stem, suffix
    return key, None


def _page() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"page must be a positive whole number, not {raw!r}")
    return int(raw)


# --- vocab/ and shapes/ --------------------------------------------------------------------------------------------


def _add_folder_routes(bp: Blueprint, folder: Folder, publisher: Publisher, urls: Urls, max_age: int) -> None:
    """``/{folder}/`` (an HTML index, or every file merged in an RDF format) and ``/{folder}/{name}[.suffix]``."""

    def index():
        wanted = choose(request.headers.get("Accept"), request.args.get("format"))
        if wanted is None:
            raise Unacceptable([(r.label, r.media_type, urls.files(folder.name) + f"?format={r.suffix}")
                                for r in REPRESENTATIONS])
        if wanted.rdf is None:
            body = render_template("files.html", folder=folder, representations=REPRESENTATIONS).encode("utf-8")
            return cacheable(body, "text/html", etag=None, last_modified=folder.merged.modified, max_age=max_age)
        return _file_response(folder.merged, wanted, publisher, max_age, urls.files(folder.name))

    def file(name: str):
        stem, dot, suffix = name.rpartition(".")
        stem, suffix = (stem, suffix) if dot and by_suffix(suffix) else (name, None)
        published = folder.files.get(stem)
        if published is None:
            abort(404, f"no file {name!r} in /{folder.name}/; see {urls.files(folder.name)}")
        wanted = choose(request.headers.get("Accept"), request.args.get("format"), suffix)
        if wanted is None:
            raise Unacceptable([(r.label, r.media_type, urls.files(folder.name, stem, r.suffix))
                                for r in REPRESENTATIONS])
        if wanted.rdf is None:
            body = render_template("file.html", folder=folder, file=published,
                                   representations=REPRESENTATIONS).encode("utf-8")
            return cacheable(body, "text/html", etag=None, last_modified=published.modified, max_age=max_age)
        return _file_response(published, wanted, publisher, max_age, urls.files(folder.name, stem, wanted.suffix))

    bp.add_url_rule(f"/{folder.name}/", f"{folder.name}_index", index)
    bp.add_url_rule(f"/{folder.name}/<path:name>", f"{folder.name}_file", file)


def _file_response(published: PublishedFile, wanted: Representation, publisher: Publisher, max_age: int,
                   location: str):
    data, etag = published.body(wanted.rdf, publisher.context_url)
    return cacheable(data, wanted.media_type, etag=etag, last_modified=published.modified, max_age=max_age,
                     content_location=location)
