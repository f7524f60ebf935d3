"""A store behind a SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, Fuseki, GraphDB, QLever, Neptune ...), spoken to
with standards only: SPARQL 1.1 Query through SPARQLWrapper, SPARQL 1.1 Update for writes.

Everything docket writes is built by ``ld.store.SparqlStore``, the same text the embedded store runs. Atomicity: a
batch of records (drop each record's graph, insert its triples, add entity triples, replace the change marker) is
*one* update request, and SPARQL 1.1 Update asks an implementation to run a request's operations together; Oxigraph
server runs a request as one transaction (the contract tests check that a failing request leaves nothing behind);
Virtuoso runs a request as one SQL statement, whose transaction covers it (checked by ``make test-virtuoso``). The
remote store never diffs: a record's graph is dropped and inserted whole in that request, so no read is needed
before a write and the remote store's literal forms do not matter.

Requests are idempotent (whole graphs replaced, entity triples inserted into a set), so a request that failed on the
way (connection refused or reset, HTTP 429, 502, 503, 504) is sent again, a bounded number of times with a growing
pause. A query that ran out of time is not sent again (it would only time out again).

Credentials come from the environment only, never from a command line (which ``ps`` shows): ``DOCKET_STORE_TOKEN``
(HTTP bearer), else ``DOCKET_STORE_USER`` and ``DOCKET_STORE_PASSWORD`` (HTTP basic).
"""

from __future__ import annotations

import ast
import base64
import os
import socket
import time
import urllib.error
import warnings
from collections.abc import Iterable, Iterator, Mapping

import pyoxigraph as ox
from rdflib import URIRef
from SPARQLWrapper import POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ld.errors import QueryRejected, StoreError
from ld.iris import Minter
from ld.store import SparqlStore


class RemoteTimeout(StoreError):
    """The endpoint sent nothing for longer than the store's timeout."""


# Media types asked for and how to read them. CONSTRUCT answers are parsed by their Content-Type.
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_RESULTS_FORMATS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                    "application/json": ox.QueryResultsFormat.JSON,
                    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                    "application/xml": ox.QueryResultsFormat.XML}
_GRAPH_FORMATS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
                  "text/turtle": ox.RdfFormat.TURTLE, "application/x-turtle": ox.RdfFormat.TURTLE,
                  "text/rdf+n3": ox.RdfFormat.N3, "application/rdf+xml": ox.RdfFormat.RDF_XML}
_TRANSIENT_STATUS = {429, 502, 503, 504}


def credentials_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The ``Authorization`` header value the environment asks for (bearer token, else basic), or None."""
    environ = os.environ if environ is None else environ
    if token := environ.get("DOCKET_STORE_TOKEN"):
        return f"Bearer {token}"
    user = environ.get("DOCKET_STORE_USER")
    if user:
        secret = f"{user}:{environ.get('DOCKET_STORE_PASSWORD', '')}".encode("utf-8")
        return "Basic " + base64.b64encode(secret).decode("ascii")
    return None


class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE answer (pyoxigraph ``Triple``s), iterable once, like pyoxigraph's own
    ``QueryTriples``."""

    def __init__(self, triples: Iterator[ox.Triple]):
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._triples


class RemoteStore(SparqlStore):
    """docket's store on a SPARQL 1.1 Query endpoint (``query_url``) and Update endpoint (``update_url``; None for a
    read-only store). Safe to share between threads: every request is independent."""

    def __init__(self, query_url: str, update_url: str | None = None, *, entities_graph: URIRef,
                 timeout: float = 30.0, retries: int = 3, authorization: str | None = None,
                 system_graph_prefix: str | None = None):
        super().__init__(entities_graph=entities_graph, read_only=update_url is None,
                         system_graph_prefix=system_graph_prefix)
        self.query_url = query_url
        self.update_url = update_url
        self.timeout = timeout
        self.retries = retries
        self._authorization = authorization
        self._closed = False

    @classmethod
    def open(cls, query_url: str, update_url: str | None = None, *, base: str | None = None,
             minter: Minter | None = None, timeout: float = 30.0, retries: int = 3,
             environ: Mapping[str, str] | None = None) -> RemoteStore:
        """The store at ``query_url`` (and ``update_url`` for writing), credentials from the environment."""
        for url in (query_url, update_url):
            if url is not None and not url.startswith(("http://", "https://")):
                raise StoreError(f"not an http(s) endpoint URL: {url!r}")
        graph = (minter or (Minter(base) if base else Minter())).entities_graph
        return cls(query_url, update_url, entities_graph=graph, timeout=timeout, retries=retries,
                   authorization=credentials_from_environment(environ))

    def with_timeout(self, timeout: float) -> RemoteStore:
        """A read-only view of the same endpoint with another query timeout (the public SPARQL endpoint's limit)."""
        return RemoteStore(self.query_url, None, entities_graph=self.entities_graph, timeout=timeout, retries=0,
                           authorization=self._authorization, system_graph_prefix=self._system_prefix)

    # -- the interface --

    def query(self, sparql: str, *, use_default_graph_as_union: bool = True, default_graph: Iterable = (),
              named_graphs: Iterable = ()):
        """Run a SPARQL query on the endpoint: pyoxigraph ``QuerySolutions`` or ``QueryBoolean``, or a
        ``GraphResult`` of triples. ``default_graph`` / ``named_graphs`` (IRIs) go out as the protocol's
        ``default-graph-uri`` / ``named-graph-uri``. Without them the default graph is whatever the endpoint makes it
        (Oxigraph server: the union with ``--union-default-graph``; Virtuoso: the union); docket's own queries name
        their graphs. Raises QueryRejected when the endpoint refuses the query (HTTP 400), StoreError when it fails."""
        self._flush_pending()
        return self._query(sparql, [_value(g) for g in default_graph], [_value(g) for g in named_graphs],
                           self.retries)

    def close(self) -> None:
        """Commit pending writes; the store then refuses further use."""
        if self._closed:
            return
        try:
            self._flush_pending()
        finally:
            self._pending = None
            self._closed = True

    # -- SparqlStore's primitives --

    def _select(self, sparql: str):
        return self._query(sparql, [], [], self.retries)

    def _update(self, text: str) -> None:
        self._check_open()
        wrapper = self._wrapper(self.query_url, update=True)
        wrapper.setQuery(text)
        self._send(wrapper, self.retries, f"update of {self.update_url}")

    def _stored_lines(self, doc: URIRef) -> None:
        return None  # the remote store's literal forms are its own: records are replaced whole, never diffed

    def _check_writable(self) -> None:
        self._check_open()
        if self.update_url is None:
            raise StoreError("the store is open read-only (no update endpoint given)")

    # -- HTTP --

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the store is closed")

    def _wrapper(self, url: str, *, update: bool = False) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(url, updateEndpoint=self.update_url if update else None)
        wrapper.setMethod(POST)  # no URL length limit, nothing cached on the way
        wrapper.setRequestMethod(URLENCODED)  # the form every endpoint takes (Virtuoso has no direct update POST)
        wrapper.setOnlyConneg(True)  # no non-standard format= parameters: the Accept header says it
        wrapper.timeout = self.timeout  # setTimeout() would truncate to whole seconds (0.5 -> 0, no limit at all)
        if self._authorization:
            wrapper.addCustomHttpHeader("Authorization", self._authorization)
        return wrapper

    def _query(self, sparql: str, default_graphs: list[str], named_graphs: list[str], retries: int):
        self._check_open()
        wrapper = self._wrapper(self.query_url)
        with warnings.catch_warnings():  # SPARQLWrapper warns about text it cannot classify: the endpoint judges it
            warnings.simplefilter("ignore")
            wrapper.setQuery(sparql)
        for iri in default_graphs:
            wrapper.addDefaultGraph(iri)
        for iri in named_graphs:
            wrapper.addNamedGraph(iri)
        graph_form = wrapper.queryType in ("CONSTRUCT", "DESCRIBE")
        wrapper.addCustomHttpHeader("Accept", _GRAPH_ACCEPT if graph_form else _RESULTS_ACCEPT)
        body, media_type = self._send(wrapper, retries, f"query to {self.query_url}")
        try:
            if graph_form:
                return GraphResult(_triples(body, _format(_GRAPH_FORMATS, media_type)))
            return ox.parse_query_results(body, format=_format(_RESULTS_FORMATS, media_type))
        except SyntaxError as e:
            raise StoreError(f"the endpoint {self.query_url} sent an answer docket cannot read: {e}") from None

    def _send(self, wrapper: SPARQLWrapper, retries: int, what: str) -> tuple[bytes, str]:
        """The body and media type of the answer, retrying transient failures ``retries`` times."""
        for attempt in range(retries + 1):
            try:
                response = wrapper.query().response
                try:
                    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
                    return response.read(), media_type
                finally:
                    response.close()
            except Exception as error:  # noqa: BLE001 - sorted into the error family just below
                failure = _classify(error, what, self.timeout)
                if not isinstance(failure, _Transient) or attempt == retries:
                    raise (failure.error if isinstance(failure, _Transient) else failure) from None
                time.sleep(0.2 * 2 ** attempt)
        raise AssertionError("unreachable")


class _Transient(Exception):
    """A failure worth another try; ``error`` is what to raise when the tries are used up."""

    def __init__(self, error: StoreError):
        super().__init__(str(error))
        self.error = error


def _classify(error: Exception, what: str, timeout: float) -> Exception:
    """The docket error for a failed request, wrapped in _Transient when sending it again may help."""
    if isinstance(error, (socket.timeout, TimeoutError)) or (
            isinstance(error, urllib.error.URLError) and isinstance(error.reason, (socket.timeout, TimeoutError))):
        return RemoteTimeout(f"{what} got no answer within {timeout:g} s")
    status = getattr(error, "code", None)
    detail = _detail(error)
    if isinstance(error, urllib.error.HTTPError) or isinstance(error, SPARQLWrapperException):
        name = type(error).__name__
        if status is None:  # SPARQLWrapper's own exceptions carry no code: take it from the class
            status = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
                      "EndPointInternalError": 500}.get(name)
        if status == 400:
            return QueryRejected(f"the endpoint refused the request: {detail}")
        if status in (401, 403):
            return StoreError(f"{what} was refused ({status}): check DOCKET_STORE_TOKEN or DOCKET_STORE_USER and "
                              f"DOCKET_STORE_PASSWORD")
        if status in _TRANSIENT_STATUS:
            return _Transient(StoreError(f"{what} failed ({status}): {detail}"))
        return StoreError(f"{what} failed ({status or name}): {detail}")
    if isinstance(error, (urllib.error.URLError, ConnectionError, OSError)):
        return _Transient(StoreError(f"{what} failed: {detail}"))
    return StoreError(f"{what} failed: {type(error).__name__}: {detail}")


def _detail(error: Exception) -> str:
    if isinstance(error, SPARQLWrapperException):  # its text ends with the repr of the endpoint's own message
        text = str(error).split("Response:\n", 1)[-1]
        try:
            text = ast.literal_eval(text).decode("utf-8", "replace")
        except (ValueError, SyntaxError, AttributeError):
            pass
    else:
        text = getattr(error, "reason", None) or str(error)
    if isinstance(error, urllib.error.HTTPError):
        try:
            text = error.read().decode("utf-8", "replace") or text
        except Exception:  # noqa: BLE001 - the body is only for the message
            pass
    text = str(text).strip()
    return text[:500] + ("..." if len(text) > 500 else "")


def _format(formats: dict, media_type: str):
    try:
        return formats[media_type]
    except KeyError:
        raise StoreError(f"the endpoint answered in {media_type or 'no media type'}, which docket cannot read "
                         f"(expected one of {', '.join(formats)})") from None


def _triples(body: bytes, rdf_format: ox.RdfFormat) -> Iterator[ox.Triple]:
    quads = list(ox.parse(body, format=rdf_format))  # parsed now, so a bad answer fails inside the query call
    return (quad.triple for quad in quads)


def _value(graph) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else str(graph)
