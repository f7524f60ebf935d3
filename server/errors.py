"""The one error handler: ``ld`` errors mapped to HTTP status codes once, and every error rendered as an HTML page for
browsers, JSON for clients asking for JSON, and plain text for everyone else (curl, RDF clients).
"""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from ld.errors import DocketError, NotFound, QueryRejected, StoreError
from ld.query import NotAcceptable, QueryTimeout, QueryTooLarge, UpdateRefused
from server.negotiate import HTML, UnknownFormat, negotiate

log = logging.getLogger(__name__)

# ld's error family -> HTTP status (most specific first), for every view including the SPARQL endpoint's.
STATUS = ((NotFound, 404), (QueryTimeout, 503), (UpdateRefused, 403), (NotAcceptable, 406), (QueryTooLarge, 413),
          (QueryRejected, 400), (StoreError, 503), (UnknownFormat, 400), (DocketError, 500))


class Unacceptable(HTTPException):
    """406 Not Acceptable, naming the representations there are (media type and URL)."""

    code = 406

    def __init__(self, alternatives: list[tuple[str, str, str]]):
        self.alternatives = alternatives  # (label, media type, url)
        listed = "; ".join(f"{media_type} at {url}" for _, media_type, url in alternatives)
        super().__init__(f"None of the types in your Accept header is available. Available: {listed}.")


def status_of(error: Exception) -> int:
    """The HTTP status for an exception from ``ld`` (500 for anything unexpected)."""
    for cls, status in STATUS:
        if isinstance(error, cls):
            return status
    return 500


def install_error_handlers(app: Flask) -> None:
    """Render every HTTP error and every ``ld`` error through ``error_response``."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return error_response(error.code or 500, error.description or error.name,
                              getattr(error, "alternatives", None))

    @app.errorhandler(DocketError)
    @app.errorhandler(UnknownFormat)
    def docket_error(error: Exception):
        status = status_of(error)
        if status >= 500:
            log.error("request %s failed: %s", request.path, error)
        return error_response(status, str(error))


def error_response(status: int, message: str, alternatives: list[tuple[str, str, str]] | None = None) -> Response:
    """The error as HTML, JSON or text, whichever the client prefers (text when it does not say)."""
    wanted = negotiate(request.headers.get("Accept"), [HTML, "application/json", "text/plain"], default="text/plain")
    if wanted == HTML:
        body = render_template("error.html", status=status, message=message, alternatives=alternatives or [],
                               path=request.path)
        response = Response(body, status, mimetype=HTML)
    elif wanted == "application/json":
        document = {"status": status, "error": message}
        if alternatives:
            document["alternatives"] = [{"type": t, "href": url} for _, t, url in alternatives]
        response = Response(json.dumps(document), status, mimetype="application/json")
    else:
        lines = [f"{status} {message}"] + [f"{t}\t{url}" for _, t, url in alternatives or []]
        response = Response("\n".join(lines) + "\n", status, mimetype="text/plain")
    if alternatives:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="alternate"; type="{t}"' for _, t, url in alternatives)
    response.cache_control.no_cache = True  # a 404 today may be a record after the next ingest
    return response
