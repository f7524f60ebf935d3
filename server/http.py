"""HTTP details shared by every route: cacheable responses (ETag, Last-Modified, 304, HEAD), Link headers, CORS.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from flask import Flask, Request, Response, request

# Headers a script on another origin may read (CORS hides all but a few by default).
_EXPOSED = "ETag, Last-Modified, Link, Content-Location, Location, Vary"
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
              req: Request | None = None) -> Response:
    """A 200 response with validators, answered as 304 when the request's If-None-Match / If-Modified-Since match.
    HEAD gets the same headers and no body (Werkzeug drops it). ``links`` may be a ready Link header value."""
    response = Response(body, mimetype=media_type)
    response.set_etag(etag or etag_of(body))
    if last_modified is not None:
        response.last_modified = datetime.fromtimestamp(int(last_modified), tz=timezone.utc)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if links:
        response.headers["Link"] = links if isinstance(links, str) else link_header(list(links))
    if content_location:
        response.headers["Content-Location"] = content_location
    response.vary.add("Accept")
    return response.make_conditional(req or request)


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
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Access-Control-Expose-Headers", _EXPOSED)
        response.vary.add("Accept")  # every response may depend on Accept (pages, errors)
        return response
