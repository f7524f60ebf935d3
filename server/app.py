"""The Flask application factory: ``create_app(settings)``. Routes read the store through ``ld``; nothing here
parses documents.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, Response, abort, redirect, render_template, request, url_for

from ld.describe import describe
from ld.errors import NotFound
from ld.formats import DESCRIPTION_FORMATS, lookup
from ld.iris import KINDS, Minter
from server.negotiate import HTML, negotiate
from server.settings import load_settings
from server.sparql import sparql_blueprint
from server.store_access import StoreAccess

_OFFERS = [HTML] + [f.media_type for f in DESCRIPTION_FORMATS]
_SUFFIXES = {"html": HTML, **{f.suffix: f.media_type for f in DESCRIPTION_FORMATS}}


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults, ``DOCKET_*`` environment variables and ``settings`` (which win)."""
    config = load_settings(settings)
    app = Flask(__name__)
    app.config["DOCKET"] = config
    minter = Minter(config["BASE_URI"])
    access = StoreAccess(config["STORE"], minter)
    app.extensions["docket.store"] = access

    @app.get("/")
    def home():
        records = sorted(access.get().records())
        return render_template("home.html", records=records, count=len(records))

    @app.get("/id/<kind>/<key>")
    def identify(kind: str, key: str):
        if kind not in KINDS:
            abort(404)
        return redirect(url_for("describe_thing", kind=kind, key=key), code=303)

    @app.get("/doc/<kind>/<path:key>")
    def describe_thing(kind: str, key: str):
        if kind not in KINDS:
            abort(404)
        key, dot, suffix = key.rpartition(".") if "." in key else (key, "", "")
        media_type = _SUFFIXES.get(suffix) if dot else None
        if dot and media_type is None:
            key, media_type = f"{key}.{suffix}", None
        media_type = media_type or negotiate(request.headers.get("Accept"), _OFFERS, default="text/turtle")
        if media_type is None:
            return Response("Not Acceptable. Available: " + ", ".join(_OFFERS) + "\n", 406,
                            mimetype="text/plain")
        try:
            graph = describe(access.get(), str(minter.thing(kind, key)), base=config["BASE_URI"])
        except NotFound:
            abort(404)
        if media_type == HTML:
            body = graph.serialize(format="turtle")
            return render_template("describe.html", iri=minter.thing(kind, key), turtle=body)
        fmt = lookup(media_type)
        response = Response(graph.serialize(format=fmt.rdflib_name), mimetype=fmt.media_type)
        response.headers["Vary"] = "Accept"
        return response

    app.register_blueprint(sparql_blueprint(config, access))
    return app
