"""The one URL builder: every link the server writes (HTML, Link headers, Location, Content-Location) comes from here.

Links are root-relative paths under the application's root (Flask's ``request.script_root``, so they follow
``SCRIPT_NAME`` behind a proxy), built by string formatting rather than ``url_for``: a record page holds a few hundred
links and ``url_for`` cost a noticeable share of rendering it. The paths match the routes of ``server.views`` and
``server.sparql`` (tests/test_server.py compares them with ``url_for``). A ``Urls`` made with a fixed ``root`` works
outside any request, e.g. for ``docket publish``, which renders pages ahead of requests.

Docket IRIs (``{base}id/...``) map to their local description pages: an instance serving production IRIs from a
local address stays browsable (a Trifid-style base rewrite). IRIs of other sites are linked as they are.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import has_request_context, request

from ld.iris import Minter

BLUEPRINT = "docket"
_SAFE = "!$&'()*+,/:;=@"  # what Werkzeug leaves unquoted in a path segment, so these paths equal url_for's


class Urls:
    """Builds URLs for one app. With ``root=None`` the root is the current request's script root ("" outside a
    request); a fixed ``root`` (usually "") builds the same URLs anywhere."""

    def __init__(self, minter: Minter, root: str | None = None):
        self.minter = minter
        self._root = root
        self._id_prefix = f"{minter.base}id/"

    @property
    def root(self) -> str:
        if self._root is not None:
            return self._root
        return request.script_root if has_request_context() else ""

    def fixed(self) -> Urls:
        """A builder pinned to the current root: cheaper in loops, and usable after the request."""
        return Urls(self.minter, self.root)

    def doc(self, kind: str, key: str, *, suffix: str | None = None, page: int | None = None) -> str:
        """``/doc/{kind}/{key}[.suffix][?page=N]``; page 1 is the plain URL."""
        key = f"{key}.{suffix}" if suffix else key
        query = f"?page={int(page)}" if page and page > 1 else ""
        return f"{self.root}/doc/{quote(kind, safe=_SAFE)}/{quote(key, safe=_SAFE)}{query}"

    def id(self, kind: str, key: str) -> str:
        """``/id/{kind}/{key}``: the thing itself (answers 303)."""
        return f"{self.root}/id/{quote(kind, safe=_SAFE)}/{quote(key, safe=_SAFE)}"

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` should point: the local description of a docket IRI (its hash part kept), else
        the IRI."""
        if not iri.startswith(self._id_prefix):  # the cheap test first: most links of a page are docket IRIs
            return iri
        kind_key = self.minter.kind_and_key(iri)
        if kind_key is None:
            return iri
        _, hash_mark, fragment = iri.partition("#")
        return self.doc(*kind_key) + (f"#{fragment}" if hash_mark else "")

    def browse(self, kind: str, page: int | None = None) -> str:
        query = f"?page={int(page)}" if page and page > 1 else ""
        return f"{self.root}/browse/{quote(kind, safe=_SAFE)}{query}"

    def home(self) -> str:
        return f"{self.root}/"

    def context(self) -> str:
        return f"{self.root}/context.jsonld"

    def files(self, folder: str, name: str | None = None, suffix: str | None = None) -> str:
        """``/vocab/``, ``/shapes/`` and the files in them (``/vocab/crm.ttl``)."""
        if name is None:
            return f"{self.root}/{folder}/"
        return f"{self.root}/{folder}/{quote(f'{name}.{suffix}' if suffix else name, safe=_SAFE)}"

    def static(self, filename: str) -> str:
        return f"{self.root}/static/{quote(filename, safe=_SAFE)}"

    def sparql(self) -> str:
        """The query page (``/sparql``), served by the SPARQL blueprint."""
        return f"{self.root}/sparql"
