"""The one URL builder: every link the server writes (HTML, Link headers, Location, Content-Location) comes from here.

Links are root-relative paths built with Flask's ``url_for`` (so they follow ``SCRIPT_NAME`` behind a proxy), and
docket IRIs (``{base}id/...``) map to their local description pages: an instance serving production IRIs from a
local address stays browsable (a Trifid-style base rewrite). IRIs of other sites are linked as they are.
"""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import BuildError

from ld.iris import Minter

BLUEPRINT = "docket"


class Urls:
    """Builds URLs for one app; call inside a request or app context."""

    def __init__(self, minter: Minter):
        self.minter = minter

    def doc(self, kind: str, key: str, *, suffix: str | None = None, page: int | None = None) -> str:
        """``/doc/{kind}/{key}[.suffix][?page=N]``; page 1 is the plain URL."""
        key = f"{key}.{suffix}" if suffix else key
        return url_for(f"{BLUEPRINT}.describe", kind=kind, key=key, page=page if page and page > 1 else None)

    def id(self, kind: str, key: str) -> str:
        """``/id/{kind}/{key}``: the thing itself (answers 303)."""
        return url_for(f"{BLUEPRINT}.identify", kind=kind, key=key)

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` should point: the local description of a docket IRI (its hash part kept), else
        the IRI."""
        kind_key = self.minter.kind_and_key(iri)
        if kind_key is None:
            return iri
        _, hash_mark, fragment = iri.partition("#")
        return self.doc(*kind_key) + (f"#{fragment}" if hash_mark else "")

    def browse(self, kind: str, page: int | None = None) -> str:
        return url_for(f"{BLUEPRINT}.browse", kind=kind, page=page if page and page > 1 else None)

    def home(self) -> str:
        return url_for(f"{BLUEPRINT}.home")

    def context(self) -> str:
        return url_for(f"{BLUEPRINT}.context")

    def files(self, folder: str, name: str | None = None, suffix: str | None = None) -> str:
        """``/vocab/``, ``/shapes/`` and the files in them (``/vocab/crm.ttl``)."""
        if name is None:
            return url_for(f"{BLUEPRINT}.{folder}_index")
        return url_for(f"{BLUEPRINT}.{folder}_file", name=f"{name}.{suffix}" if suffix else name)

    def static(self, filename: str) -> str:
        return url_for("static", filename=filename)

    def sparql(self) -> str:
        """The query page (``/sparql``), served by the SPARQL blueprint when it is registered."""
        try:
            return url_for("sparql.sparql")
        except BuildError:
            return url_for(f"{BLUEPRINT}.home").rstrip("/") + "/sparql"
