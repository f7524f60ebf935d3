"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: read-only, with a body cap, a row cap and a time limit.

GET ``query=``, POST form-encoded ``query=``, POST ``application/sparql-query``; ``default-graph-uri`` and
``named-graph-uri``; results by ``format=`` or Accept. Without a query, GET returns the SPARQL 1.1 Service Description
to machines and the query page to browsers. Under `docket serve` queries run in the worker itself, which ends at the
time limit once the client has its error (``ld.query.InProcessQueries``); elsewhere in ``ld.query.QueryPool`` worker
processes, killed at the time limit. This module only speaks HTTP, and maps ``ld`` errors to status codes in one place,
``_error_response``.

A GET with a query whose answer is not the HTML page (what SPARQL clients send) is answered beside Flask, straight from
the WSGI environ (``_lean_path``): Flask's request context, routing and response hooks cost about as much as a small
query itself. It reads the request with the same functions and answers with the same headers as the Flask view; any
request it does not take, and every error, goes to the view (an error as found, to be mapped in ``_error_response``).
"""

from __future__ import annotations

import atexit
import json
import socket
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from flask import Blueprint, Flask, Request, Response, current_app, render_template, request
from flask.ctx import RequestContext
from werkzeug.utils import get_content_type
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from ld.errors import DocketError, QueryRejected
from ld.formats import DESCRIPTION_FORMATS, JSONLD, RdfFormat, lookup
from ld.query import (READ_ONLY_MESSAGE, RESULTS_FORMATS, RESULTS_JSON, InProcessQueries, NotAcceptable, QueryPool,
                      QueryRequest, QueryResult, QueryTimeout, QueryTooLarge, RemoteQueries, ResultsFormat,
                      UpdateRefused, results_format)
from server.errors import status_of
from server.negotiate import HTML, negotiate
from server.store_access import StoreAccess

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")

TRUNCATED_HEADER = "X-Docket-Truncated"
_QUERY_TYPE = "application/sparql-query"
_FORM_TYPE = "application/x-www-form-urlencoded"
_METHODS = "GET, POST, OPTIONS"
# Set by `docket serve` (server/wsgi.py) on an app whose process serves one request at a time and is replaced when it
# ends: then queries run in that process (see ``ld.query.InProcessQueries``), else in the ``QueryPool``.
_IN_PROCESS = "docket.sparql_in_process"
# An error the lean path met, left in the environ for the Flask view to raise (and map to HTTP in one place).
_LEAN_ERROR = "docket.sparql_error"

# Media types offered by negotiation, each with what it means: a results format, an RDF format, or the HTML page.
_RESULTS_OFFERS: dict[str, ResultsFormat | str] = {
    **{f.media_type: f for f in RESULTS_FORMATS}, HTML: HTML,
    **{alias: f for f in RESULTS_FORMATS for alias in f.aliases}}
_GRAPH_OFFERS: dict[str, RdfFormat | str] = {
    **{f.media_type: f for f in DESCRIPTION_FORMATS}, HTML: HTML,
    **{alias: f for f in DESCRIPTION_FORMATS for alias in f.aliases if "/" in alias},
    "application/json": JSONLD}  # a JSON client asking for a graph gets JSON-LD

# W3C format IRIs for the service description's sd:resultFormat.
_FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                "tsv": "SPARQL_Results_TSV", "ttl": "Turtle", "jsonld": "JSON-LD", "rdf": "RDF_XML",
                "nt": "N-Triples"}

@dataclass(frozen=True)
class Wanted:
    """What the client will take: a results format for SELECT/ASK, an RDF format for CONSTRUCT/DESCRIBE, or the
    HTML page (then the query runs as JSON / Turtle and is rendered as a table)."""

    results: ResultsFormat | None
    graph: RdfFormat | None
    html: bool = False


def sparql_blueprint(settings: Mapping[str, Any], access: StoreAccess) -> Blueprint:
    """The ``/sparql`` endpoint over the store ``access`` reads, limited by QUERY_TIMEOUT, MAX_ROWS, MAX_BODY and
    QUERY_PROCESSES; its worker processes look for new records every CHECK_INTERVAL seconds, as ``access`` does."""
    if access.remote:  # the remote endpoint runs the query; a timeout there is an HTTP timeout here
        pool = RemoteQueries(access.get(), timeout=settings["QUERY_TIMEOUT"])
    else:
        pool = QueryPool(access.path, timeout=settings["QUERY_TIMEOUT"], processes=settings["QUERY_PROCESSES"],
                         check_interval=settings["CHECK_INTERVAL"])
    in_process = None if access.remote else InProcessQueries(access.path, timeout=settings["QUERY_TIMEOUT"],
                                                              check_interval=settings["CHECK_INTERVAL"])
    endpoint = f"{settings['BASE_URI']}sparql"
    descriptions = _service_descriptions(endpoint, settings["BASE_URI"])  # serialized once, here
    examples = example_queries(settings["BASE_URI"])
    max_rows, max_body = settings["MAX_ROWS"], settings["MAX_BODY"]
    bp = Blueprint("sparql", __name__)
    # The app keeps the pool where tests and shutdown code find it; idle workers are stopped at exit.
    bp.record_once(lambda state: state.app.extensions.setdefault("docket.sparql_pool", pool))
    atexit.register(pool.close)

    def run(app: Flask, req: Request, params, text: str, wanted: Wanted) -> QueryResult:
        """The query's answer, run in this process under `docket serve`, else in the pool."""
        query = QueryRequest(text, wanted.results and wanted.results.name, wanted.graph and wanted.graph.media_type,
                             tuple(params.getlist("default-graph-uri")), tuple(params.getlist("named-graph-uri")),
                             max_rows)
        client = req.environ.get("gunicorn.socket") if in_process and app.extensions.get(_IN_PROCESS) else None
        if client is not None:
            return in_process.run(query, on_timeout=_answer_directly(app, req, client, examples))
        return pool.run(query)

    @bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
    def sparql():
        error = request.environ.pop(_LEAN_ERROR, None)
        if error is not None:
            raise error
        if request.method == "OPTIONS":
            return _preflight()
        req = request._get_current_object()
        _limit_body(req, max_body)
        params = _params(req)
        text = _query_text(req, params)
        wanted = _wanted(req, params)
        if text is None:
            return _service_page(descriptions, examples, wanted)
        if not _answerable(wanted):  # nothing acceptable whatever the query: do not run it
            raise NotAcceptable("results are available as " + ", ".join(
                [f.media_type for f in RESULTS_FORMATS] + [f.media_type for f in DESCRIPTION_FORMATS] + [HTML]))
        result = run(current_app._get_current_object(), req, params, text, wanted)
        if wanted.html:
            return _html_result(examples, text, params.get("format"), result, max_rows)
        response = Response(result.body, mimetype=result.media_type)
        if result.truncated:
            response.headers[TRUNCATED_HEADER] = "true"
        return response

    bp.record_once(lambda state: _lean_path(state.app, run, max_body))

    @bp.errorhandler(DocketError)
    def docket_error(error: DocketError):
        return _error_response(error, examples)

    bp.after_request(_common_headers)
    return bp


def _lean_path(app: Flask, run, max_body: int) -> None:
    """Answer ``app``'s GET ``/sparql`` requests for results beside Flask (see the module's docstring)."""
    flask_wsgi = app.wsgi_app

    def answer(environ: dict) -> QueryResult | None:
        req = app.request_class(environ)
        try:
            _limit_body(req, max_body)
            params = req.args
            text = _query_text(req, params)
            wanted = _wanted(req, params)
        except Exception:  # noqa: BLE001 - the view meets it again, and answers it
            return None
        if text is None or wanted.html or not _answerable(wanted):
            return None
        try:
            return run(app, req, params, text, wanted)
        except Exception as error:  # noqa: BLE001 - answered by the view, as if it had met it (a bug: a 500)
            environ[_LEAN_ERROR] = error
            return None

    def wsgi_app(environ: dict, start_response):
        if environ.get("PATH_INFO") == "/sparql" and environ.get("REQUEST_METHOD") == "GET":
            result = answer(environ)
            if result is not None:
                start_response("200 OK", _result_headers(result))
                return [result.body]
        return flask_wsgi(environ, start_response)

    app.wsgi_app = wsgi_app


def _answerable(wanted: Wanted) -> bool:
    return wanted.results is not None or wanted.graph is not None


# The headers of a results response, as the Flask view and the after-request hooks (this module's, server.http's
# CORS) make them; a test holds the two paths to the same headers.
_LEAN_HEADERS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", TRUNCATED_HEADER),
                 ("Vary", "Accept")]


@lru_cache(maxsize=32)
def _content_type(media_type: str) -> str:
    return get_content_type(media_type, "utf-8")


def _result_headers(result: QueryResult) -> list[tuple[str, str]]:
    headers = [("Content-Type", _content_type(result.media_type)), ("Content-Length", str(len(result.body)))]
    if result.truncated:
        headers.append((TRUNCATED_HEADER, "true"))
    return headers + _LEAN_HEADERS


def run_queries_in_process(app: Flask) -> None:
    """Let ``app``'s SPARQL queries run in the serving process itself, which ends when one overruns its time limit:
    only for a process that serves one request at a time and whose supervisor replaces it (gunicorn sync workers)."""
    app.extensions[_IN_PROCESS] = True


# --- reading the request ----------------------------------------------------------------------------------------------


def _limit_body(req: Request, max_body: int) -> None:
    # Refuse before reading when the client says the body is too big; werkzeug's limit catches bodies that do not
    # say (chunked) while they are read.
    if req.content_length is not None and req.content_length > max_body:
        raise QueryTooLarge(f"the request body is larger than the limit of {max_body} bytes")
    req.max_content_length = max_body
    req.max_form_memory_size = max_body


def _params(req: Request):
    """The protocol parameters: the URL's, plus the form's for a form-encoded POST."""
    if req.method == "POST" and req.mimetype == _FORM_TYPE:
        merged = req.args.copy()
        for name, values in req.form.lists():
            merged.setlist(name, merged.getlist(name) + values)
        return merged
    return req.args


def _query_text(req: Request, params) -> str | None:
    """The query, or None when there is none (a GET for the service description or the query page)."""
    if "update" in params or req.mimetype == "application/sparql-update":
        raise UpdateRefused(READ_ONLY_MESSAGE)
    if req.method == "POST" and req.mimetype == _QUERY_TYPE:
        return req.get_data(cache=False).decode(req.mimetype_params.get("charset", "utf-8"), "replace")
    if req.method == "POST" and req.mimetype != _FORM_TYPE:
        raise QueryRejected(f"POST a query as {_QUERY_TYPE} or {_FORM_TYPE}, not {req.mimetype or 'nothing'}")
    queries = params.getlist("query")
    if len(queries) > 1:
        raise QueryRejected("give one query parameter, not several")
    if not queries or not queries[0].strip():
        if req.method == "POST":
            raise QueryRejected("no query given")
        return None
    return queries[0]


def _wanted(req: Request, params) -> Wanted:
    """The formats the client takes: ``format=`` (or ``output=``) wins over Accept."""
    name = params.get("format") or params.get("output")
    if name:
        return _wanted_by_name(name)
    return _wanted_by_accept(req.headers.get("Accept"))


@lru_cache(maxsize=512)
def _wanted_by_accept(accept: str | None) -> Wanted:
    # Each client sends the same Accept header every time: negotiate (three passes over the offers) once per header.
    if negotiate(accept, [*_RESULTS_OFFERS, *_GRAPH_OFFERS], default=RESULTS_JSON.media_type) == HTML:
        return Wanted(RESULTS_JSON, DESCRIPTION_FORMATS[0], html=True)  # a browser: the query page
    results = negotiate(accept, list(_RESULTS_OFFERS), default=RESULTS_JSON.media_type)
    graph = negotiate(accept, list(_GRAPH_OFFERS), default=DESCRIPTION_FORMATS[0].media_type)
    return Wanted(_RESULTS_OFFERS.get(results), _GRAPH_OFFERS.get(graph))


def _wanted_by_name(name: str) -> Wanted:
    # One name may mean a results format and an RDF format at once: format=xml is results XML for SELECT and
    # RDF/XML for CONSTRUCT (as SPARQLWrapper sends it), format=json results JSON or JSON-LD.
    if name.strip().lower() in ("html", HTML):
        return Wanted(RESULTS_JSON, DESCRIPTION_FORMATS[0], html=True)
    results = _try(results_format, name)
    graph = JSONLD if name.strip().lower() == "json" else _try(lookup, name)
    if graph is not None and graph not in DESCRIPTION_FORMATS:
        graph = None
    if results is None and graph is None:
        raise QueryRejected(f"unknown format {name!r}; choose one of html, "
                            + ", ".join([f.name for f in RESULTS_FORMATS] + [f.suffix for f in DESCRIPTION_FORMATS]))
    return Wanted(results, graph)


def _try(function, name: str):
    try:
        return function(name)
    except ValueError:
        return None


# --- responses --------------------------------------------------------------------------------------------------------


def _service_page(descriptions: dict[str, bytes], examples: list[dict], wanted: Wanted) -> Response:
    """The query page for browsers, else the service description in the negotiated RDF format."""
    if wanted.html:
        return Response(render_template("sparql.html", examples=examples, query=examples[0]["query"], format="html"))
    if wanted.graph is None:
        raise NotAcceptable("the service description is available as HTML, "
                            + ", ".join(f.media_type for f in DESCRIPTION_FORMATS))
    return Response(descriptions[wanted.graph.media_type], mimetype=wanted.graph.media_type)


def _html_result(examples: list[dict], text: str, format_name: str | None, result: QueryResult,
                 max_rows: int) -> Response:
    """The query page with the query in the form and its results below (everything escaped by the template)."""
    context: dict[str, Any] = {"examples": examples, "query": text, "format": format_name or "html",
                               "truncated": result.truncated, "max_rows": max_rows}
    if result.form == "graph":
        context["graph_text"] = result.body.decode()
    else:
        data = json.loads(result.body)
        if "boolean" in data:
            context["boolean"] = data["boolean"]
        else:
            variables = data["head"]["vars"]
            context["variables"] = variables
            context["rows"] = [[_cell(binding.get(v)) for v in variables] for binding in data["results"]["bindings"]]
    response = Response(render_template("sparql.html", **context))
    if result.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
    return response


def _cell(term: dict | None) -> dict | None:
    """A results-JSON term as the table shows it; only http(s) IRIs become links (never javascript: and the like)."""
    if term is None:
        return None
    value = term["value"]
    if term["type"] == "uri":
        return {"text": value, "href": value if value.startswith(("http://", "https://")) else None}
    if term["type"] == "bnode":
        return {"text": f"_:{value}", "href": None}
    note = f"@{term['xml:lang']}" if "xml:lang" in term else ""
    return {"text": value, "href": None, "note": note}


def _error_response(error: DocketError, examples: list[dict]) -> Response:
    """An ld error as HTTP: its status from ``server.errors.status_of`` (the one table), and the message as text, or
    on the query page for browsers."""
    status = status_of(error)
    message = str(error)
    if _safe_param("format") == "html" or _prefers_html():
        response = Response(render_template("sparql.html", examples=examples, query=_safe_param("query") or "",
                                            format=_safe_param("format") or "html", error=message), status)
    else:
        response = Response(message + "\n", status, mimetype="text/plain")
    if isinstance(error, QueryTimeout):
        response.headers["Retry-After"] = "60"
    return response


def _answer_directly(app: Flask, req: Request, client: socket.socket, examples: list[dict]):
    """What the time-limit watchdog does before the process ends: write the time-limit error, as ``_error_response``
    and the app's after-request hooks make it, straight to the client's socket (the WSGI server never gets to). The
    request context it needs is made then, in the watchdog's thread, around the same request: not on every query."""
    environ = req.environ

    def answer(error: QueryTimeout) -> None:
        with RequestContext(app, environ, request=req):
            response = app.process_response(_error_response(error, examples))
            head = [f"HTTP/1.1 {response.status}",
                    *(f"{k}: {v}" for k, v in response.get_wsgi_headers(environ).items()), "Connection: close", "", ""]
            client.sendall("\r\n".join(head).encode("latin-1") + response.get_data())
        client.shutdown(socket.SHUT_WR)

    return answer


def _safe_param(name: str) -> str | None:
    """A URL or form parameter, reading a form body only when it is within the cap (errors include 413)."""
    if name in request.args:
        return request.args[name]
    limit = request.max_content_length
    if request.mimetype == _FORM_TYPE and request.content_length is not None and limit is not None \
            and request.content_length <= limit:
        return request.form.get(name)
    return None


def _prefers_html() -> bool:
    return negotiate(request.headers.get("Accept"), [HTML, "text/plain"], default="text/plain") == HTML


def _preflight() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    response.headers["Access-Control-Allow-Methods"] = _METHODS
    response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = _METHODS
    return response


def _common_headers(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = TRUNCATED_HEADER
    response.vary.add("Accept")
    return response


# --- the service description and the example queries -----------------------------------------------------------------


def service_description(endpoint: str, base: str) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint (no blank nodes: its parts are ``endpoint#...`` IRIs)."""
    graph = Graph()
    graph.bind("sd", SD)
    service, dataset, default = URIRef(endpoint), URIRef(f"{endpoint}#dataset"), URIRef(f"{endpoint}#default-graph")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for iri in _FORMAT_IRIS.values():
        graph.add((service, SD.resultFormat, FORMATS_NS[iri]))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, RDFS.comment, Literal("The union of all named graphs: one per record, the entities graph, "
                                              "the vocabulary graph and the change log.", lang="en")))
    # The dataset description (VoID, DCAT) of what the endpoint holds.
    graph.add((service, RDFS.seeAlso, URIRef(f"{base}void")))
    graph.add((dataset, RDFS.seeAlso, URIRef(f"{base}void#dataset")))
    for name in ("entities", "vocab", "changes"):
        named = URIRef(f"{endpoint}#graph-{name}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(f"{base}graph/{name}")))
    return graph


def _service_descriptions(endpoint: str, base: str) -> dict[str, bytes]:
    graph = service_description(endpoint, base)
    return {f.media_type: graph.serialize(format=f.rdflib_name, encoding="utf-8") for f in DESCRIPTION_FORMATS}


_PREFIXES = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def example_queries(base: str) -> list[dict]:
    """Example queries for the query page, over docket's data (docs/MAPPING.md); the bundled example record (the
    journal of V. I. Ivanov) answers every one."""
    person = f"<{base}id/person/v-i-ivanov>"
    return [{"title": title, "query": _PREFIXES + body} for title, body in (
        ("Records that mention a person (V. I. Ivanov), by date", f"""
SELECT ?record ?date ?title WHERE {{
  ?record crm:P67_refers_to {person} ;
          dcterms:date ?date ;
          dcterms:title ?title .
}}
ORDER BY ?date"""),
        ("How many records per year", """
SELECT ?year (COUNT(?record) AS ?records) WHERE {
  ?record a crm:E31_Document ;
          dcterms:date ?date .
  BIND (SUBSTR(STR(?date), 1, 4) AS ?year)
}
GROUP BY ?year
ORDER BY ?year"""),
        ("Everything one record says (its whole named graph)", """
CONSTRUCT { ?s ?p ?o } WHERE {
  ?record dcterms:title ?title .
  FILTER (CONTAINS(?title, "Ivanov"))
  GRAPH ?record { ?s ?p ?o }
}"""),
        ("People mentioned in the same records as V. I. Ivanov", f"""
SELECT ?person ?name (COUNT(DISTINCT ?record) AS ?records) WHERE {{
  GRAPH ?record {{
    ?record crm:P67_refers_to {person}, ?person .
  }}
  ?person a crm:E21_Person ;
          rdfs:label ?name .
  FILTER (?person != {person})
}}
GROUP BY ?person ?name
ORDER BY DESC(?records) ?name"""),
        ("Titles containing a word (\u201cambassador\u201d)", """
SELECT ?record ?title WHERE {
  ?record a crm:E31_Document ;
          dcterms:title ?title .
  FILTER (CONTAINS(LCASE(?title), "ambassador"))
}
ORDER BY ?title"""),
    )]
