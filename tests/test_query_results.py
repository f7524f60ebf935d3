"""ld.query's results writing on a real on-disk Oxigraph store: each format written directly holds the same results
as the TSV path (the TSV parsed back and written in that format), and the row cap holds on both paths, for rows
whose terms hold what the cheap row count must not be fooled by (``},{``, ``<result>``, line breaks, quotes)."""

import csv
import io
import json

import pyoxigraph as ox
import pytest

from ld.query import RESULTS_FORMATS, QueryRequest, execute

EX = "http://example.org/"
# Terms a row counter could mistake for row boundaries, or that need escaping in some format.
VALUES = [ox.Literal("plain"), ox.Literal("a},{b"), ox.Literal("},{\"x\":{"), ox.Literal("<result></result>"),
          ox.Literal("two\nlines\r\n"), ox.Literal('say "hi",\tthen go'), ox.Literal("été", language="fr"),
          ox.Literal("7", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
          ox.NamedNode(f"{EX}thing?a=1&b=<2>".replace("<", "%3C").replace(">", "%3E")), ox.BlankNode("b0")]
ROWS = len(VALUES)
QUERY = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?s"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    store = ox.Store(str(tmp_path_factory.mktemp("store")))
    for index, value in enumerate(VALUES):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{index:02d}"), ox.NamedNode(f"{EX}p"), value,
                          ox.NamedNode(f"{EX}graph")))
    store.flush()
    return store


def rows(fmt: str, body: bytes) -> list:
    """The solutions in ``body`` as comparable rows: terms for JSON, XML and TSV; strings for CSV (which has no types;
    a blank node's label is the writer's choice, so it is left out)."""
    if fmt == "csv":
        return [tuple(row) for row in csv.reader(io.StringIO(body.decode(), newline=""))][1:]
    parsed = ox.parse_query_results(body, getattr(ox.QueryResultsFormat, fmt.upper()))
    return [(s["s"], None if isinstance(s["o"], ox.BlankNode) else s["o"]) for s in parsed]


def tsv_path(db, query: str, fmt: str, max_rows: int) -> bytes:
    """What the TSV path writes: the capped TSV, parsed back, written in ``fmt``."""
    tsv = execute(db, QueryRequest(query, "tsv", max_rows=max_rows)).body
    return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(
        format=getattr(ox.QueryResultsFormat, fmt.upper()))


@pytest.mark.parametrize("fmt", [f.name for f in RESULTS_FORMATS])
def test_direct_writing_holds_the_same_results_as_the_tsv_path(db, fmt):
    direct = execute(db, QueryRequest(QUERY, fmt, max_rows=1000))
    assert not direct.truncated
    expected = rows(fmt, tsv_path(db, QUERY, fmt, 1000))
    assert len(expected) == ROWS
    assert rows(fmt, direct.body) == expected
    if fmt == "json":  # every term's kind, language and datatype, as written
        bindings = json.loads(direct.body)["results"]["bindings"]
        assert {b["o"]["type"] for b in bindings} == {"literal", "uri", "bnode"}
        assert {"xml:lang": "fr", "type": "literal", "value": "été"} in [b["o"] for b in bindings]


@pytest.mark.parametrize("fmt", [f.name for f in RESULTS_FORMATS])
@pytest.mark.parametrize("max_rows", [ROWS, ROWS - 1, 3, 1])
def test_the_row_cap_holds_in_every_format(db, fmt, max_rows):
    # At max_rows == ROWS the literals make JSON's and CSV's cheap count overshoot: the answer must still be whole.
    result = execute(db, QueryRequest(QUERY, fmt, max_rows=max_rows))
    assert result.truncated is (max_rows < ROWS)
    got = rows(fmt, result.body)
    assert len(got) == max_rows
    assert got == rows(fmt, tsv_path(db, QUERY, fmt, 1000))[:max_rows]


def test_rows_without_variables_are_counted(db):
    query = "SELECT * WHERE {} VALUES () { () () () }"
    for fmt in ("json", "xml", "csv", "tsv"):
        assert execute(db, QueryRequest(query, fmt, max_rows=3)).truncated is False
        assert execute(db, QueryRequest(query, fmt, max_rows=2)).truncated is True
    capped = execute(db, QueryRequest(query, "json", max_rows=2))
    assert json.loads(capped.body)["results"]["bindings"] == [{}, {}]


@pytest.mark.parametrize("fmt", [f.name for f in RESULTS_FORMATS])
def test_the_row_cap_is_exact_over_many_written_chunks(db, fmt):
    # Rows without variables are a few bytes each, so the marks counted (JSON's "},{", XML's "<result>") fall across
    # the boundaries of the chunks pyoxigraph writes: one counted twice or missed would show here.
    count = 6000
    query = "SELECT * WHERE {} VALUES () { " + "() " * count + "}"
    for max_rows in (count, count - 1):
        result = execute(db, QueryRequest(query, fmt, max_rows=max_rows))
        assert result.truncated is (max_rows < count)
        if fmt == "csv":
            assert result.body.count(b"\r\n") - 1 == max_rows
        else:
            assert len(list(ox.parse_query_results(result.body, getattr(ox.QueryResultsFormat, fmt.upper())))) \
                == max_rows
