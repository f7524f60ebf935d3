"""HTTP details shared by every route: cacheable responses (ETag, Last-Modified, 304, HEAD), Link headers, CORS.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import Flask, Request, Response, request
from werkzeug.http import http_date, parse_date, parse_etags
from werkzeug.urls import iri_to_uri
from werkzeug.utils import get_content_type

from ld.shared_cache import Entry
from server.negotiate import prefers_gzip

GZIP_SUFFIX = "-gzip"  # of the ETag of a gzip-coded response: a strong validator names one sequence of bytes
VARY_CODED = "Accept, Accept-Encoding"

# Headers a script on another origin may read (CORS hides all but a few by default).
_EXPOSED = "ETag, Last-Modified, Link, Content-Location, Location, Vary, Content-Encoding"
_CORS = (("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", _EXPOSED))
_ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"  # POST for the SPARQL endpoint
_ALLOWED_HEADERS = "Accept, Content-Type, If-None-Match, If-Modified-Since"


def etag_of(body: bytes) -> str:
    """A strong validator from the bytes themselves: equal bodies get equal ETags in every worker and across store
    versions, so a re-ingest that changes nothing keeps clients' caches valid."""
    return hashlib.blake2b(body, digest_size=12).hexdigest()


def link_header(links: list[tuple[str, dict[str, str]]]) -> str:
    """``<url>; rel="..."; type="..."`` entries joined with commas (RFC 8288)."""
    parts = []
    for url, params in links:
        attributes = "".join(f'; {name}="{value}"' for name, value in params.items())
        parts.append(f"<{url}>{attributes}")
    return ", ".join(parts)


def cacheable(body: bytes, media_type: str, *, etag: str | None, last_modified: float | None, max_age: int,
              links: list[tuple[str, dict[str, str]]] | str = (), content_location: str | None = None,
              req: Request | None = None, encoding: str | None = None, vary: str = "Accept") -> Response:
    """A 200 response with validators, answered as 304 when the request's If-None-Match / If-Modified-Since match.
    HEAD gets the same headers and no body (Werkzeug drops it). ``links`` may be a ready Link header value;
    ``encoding`` the Content-Encoding of ``body`` (whose ETag must then differ from the identity's).

    Headers are written as text rather than through Werkzeug's header objects and ``make_conditional``: this runs
    on every description served from the cache, where those cost as much as the cache lookup itself. Range requests
    get the whole body (a server may ignore Range: RFC 9110, 14.2)."""
    req = req or request
    etag = etag or etag_of(body)
    modified = int(last_modified) if last_modified is not None else None
    headers = [("ETag", f'"{etag}"'), ("Cache-Control", f"public, max-age={max_age}"), ("Vary", vary)]
    if encoding:
        headers.append(("Content-Encoding", encoding))
    if modified is not None:
        headers.append(("Last-Modified", _http_date(modified)))
    if links:
        headers.append(("Link", links if isinstance(links, str) else link_header(list(links))))
    if content_location:
        headers.append(("Content-Location", content_location if content_location.isascii()
                        else iri_to_uri(content_location)))
    environ = req.environ
    if environ["REQUEST_METHOD"] in ("GET", "HEAD") and not_modified(environ, etag, modified):
        return _NotModified(status=304, headers=headers)
    return _Ready.of(body, media_type, headers)


class _Ready(Response):
    """A 200 whose headers ``cacheable`` wrote whole, CORS included, sent as they are. A plain Response copies and
    re-checks its header list twice more per request (``Headers(...)``, ``get_wsgi_headers``) and the CORS hook
    parses Vary: together a tenth of what a cached description costs. The values are docket's own (validators, its
    URLs as URIs), so there is nothing to check or correct."""

    cors_ready = True  # install_cors leaves it alone

    @classmethod
    def of(cls, body: bytes, media_type: str, headers: list[tuple[str, str]]) -> "_Ready":
        response = cls(body, content_type=_content_type(media_type))  # sets Content-Type and Content-Length
        # Headers has no public way to append a list unchecked; its list has been ``_list`` since Werkzeug 0.x,
        # and tests/test_server.py checks every header of these responses.
        response.headers._list.extend(headers)
        response.headers._list.extend(_CORS)
        return response

    def get_wsgi_headers(self, environ):
        return self.headers


def coded(entry: Entry, media_type: str, *, last_modified: float | None, max_age: int,
          req: Request | None = None) -> Response:
    """``cacheable`` for a finished representation whose coding is negotiated: the stored gzip bytes as they are
    (``Content-Encoding: gzip``, the ETag suffixed ``-gzip``) to a client that prefers gzip and when they are at hand
    (nothing is compressed per request), else the identity bytes. Both carry ``Vary: Accept, Accept-Encoding``."""
    req = req or request
    if entry.has_gzipped and prefers_gzip(req.environ.get("HTTP_ACCEPT_ENCODING")):
        body, etag, encoding = entry.gzipped, entry.etag + GZIP_SUFFIX, "gzip"
    else:
        body, etag, encoding = entry.body, entry.etag, None
    return cacheable(body, media_type, etag=etag, last_modified=last_modified, max_age=max_age, links=entry.link,
                     content_location=entry.location, req=req, encoding=encoding, vary=VARY_CODED)


class _NotModified(Response):
    """A 304 that keeps Content-Location, which RFC 9110 (15.4.5) asks for and Werkzeug drops as an entity header
    of RFC 2616."""

    def get_wsgi_headers(self, environ):
        headers = super().get_wsgi_headers(environ)
        location = self.headers.get("Content-Location")
        if location is not None and "Content-Location" not in headers:
            headers["Content-Location"] = location
        return headers


def not_modified(environ, etag: str, modified: int | None) -> bool:
    """Whether a GET or HEAD with this WSGI environment gets 304 (RFC 9110, 13.1.2 and 13.1.3): If-None-Match
    (weak comparison, ``*`` for any) decides when present; If-Modified-Since only without it."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        tags = parse_etags(if_none_match)
        return tags.star_tag or tags.contains_weak(etag)
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if since is None or modified is None:
        return False
    when = parse_date(since)
    return when is not None and modified <= when.timestamp()


@lru_cache(maxsize=64)
def _content_type(media_type: str) -> str:
    # What Response(mimetype=...) would send (a charset for text/* and XML types), worked out once per type.
    return get_content_type(media_type, "utf-8")


@lru_cache(maxsize=64)
def _http_date(seconds: int) -> str:
    # The data's version changes rarely and every response of a version carries it: format it once.
    return http_date(seconds)


def install_cors(app: Flask) -> None:
    """``Access-Control-Allow-Origin: *`` on every response, and preflight (OPTIONS) answers: the data is public."""

    @app.before_request
    def preflight():
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = _ALLOWED_METHODS
            response.headers["Access-Control-Allow-Headers"] = (
                request.headers.get("Access-Control-Request-Headers") or _ALLOWED_HEADERS)
            response.headers["Access-Control-Max-Age"] = "86400"
            return response
        return None

    @app.after_request
    def cors(response: Response) -> Response:
        if getattr(response, "cors_ready", False):
            return response
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", _EXPOSED)
        response.vary.add("Accept")  # every response may depend on Accept (pages, errors)
        return response
