"""Running SPARQL queries for the public endpoint: read-only, a row cap, and a time limit that really stops the work.

``execute(db, request)`` runs one query on a pyoxigraph store in the calling process and returns the serialized
answer. pyoxigraph cannot cancel a running query from Python, so the only sure way to stop one at its time limit (and
free the CPU) is to end the process running it. Two ways to run queries do that:

- ``InProcessQueries`` runs each query in the calling process, which a watchdog thread ends past the time limit
  (after the client got its error): for a process that serves one request at a time and is replaced when it ends,
  as `docket serve`'s gunicorn sync workers are. No process hop, so nothing is added to a short query.
- ``QueryPool`` runs queries in a few worker subprocesses, each with its own read-only handle on the store, for any
  other host (the Flask test client, a WSGI server with threads). A worker is reused for query after query; one that
  overran is killed with SIGKILL, reaped and replaced. Requests and answers cross a socket pair as small pickles
  (the answer is the already serialized body).

No web framework here: ``server/sparql.py`` speaks HTTP and maps the errors below to status codes.
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ld.errors import DocketError, QueryRejected, StoreError
from ld.oxopen import open_read_only
from ld.shared_cache import directory_stamp
from ld.formats import DESCRIPTION_FORMATS, RdfFormat, lookup


# --- errors (all QueryRejected but the store's own faults) ----------------------------------------------------------


class QueryTimeout(QueryRejected):
    """The query ran past the time limit and was stopped."""


class UpdateRefused(QueryRejected):
    """The text is a SPARQL Update (or asks for one): this endpoint only reads."""


class NotAcceptable(QueryRejected):
    """The client accepts no format in which this kind of result can be written."""


class QueryTooLarge(QueryRejected):
    """The request is larger than the body cap."""


_ERRORS: dict[str, type[DocketError]] = {cls.__name__: cls for cls in (
    QueryRejected, QueryTimeout, UpdateRefused, NotAcceptable, QueryTooLarge, StoreError)}


# --- the results formats (SELECT and ASK); RDF formats for CONSTRUCT and DESCRIBE come from ld.formats ----------------


@dataclass(frozen=True)
class ResultsFormat:
    name: str  # the ``format=`` value
    media_type: str
    oxigraph: ox.QueryResultsFormat
    label: str
    aliases: tuple[str, ...] = ()  # other media types that mean this format


RESULTS_JSON = ResultsFormat("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON, "JSON",
                             ("application/json",))
RESULTS_XML = ResultsFormat("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML, "XML",
                            ("application/xml",))
RESULTS_CSV = ResultsFormat("csv", "text/csv", ox.QueryResultsFormat.CSV, "CSV")
RESULTS_TSV = ResultsFormat("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, "TSV")

# In the order offered to clients; the first is the default.
RESULTS_FORMATS: tuple[ResultsFormat, ...] = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)


def results_format(name: str) -> ResultsFormat:
    """The results format named by ``name`` (a ``format=`` value or media type); ValueError listing the choices."""
    wanted = name.strip().lower()
    for fmt in RESULTS_FORMATS:
        if wanted in (fmt.name, fmt.media_type, *fmt.aliases):
            return fmt
    raise ValueError(f"unknown results format {name!r}; choose one of {', '.join(f.name for f in RESULTS_FORMATS)}")


# --- one query, in this process ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryRequest:
    """What to run and how to write the answer. A format left None means the client accepts none for that kind of
    result (SELECT/ASK use ``results_format``, CONSTRUCT/DESCRIBE ``graph_format``, a media type of
    ``ld.formats.DESCRIPTION_FORMATS``)."""

    text: str
    results_format: str | None = RESULTS_JSON.name
    graph_format: str | None = DESCRIPTION_FORMATS[0].media_type
    default_graphs: tuple[str, ...] = ()  # empty: the union of all graphs
    named_graphs: tuple[str, ...] = ()  # empty: every named graph
    max_rows: int = 10_000


@dataclass(frozen=True)
class QueryResult:
    body: bytes
    media_type: str
    form: str  # "solutions", "boolean" or "graph"
    truncated: bool  # True when rows (or triples) beyond ``max_rows`` were left out


def execute(db, request: QueryRequest) -> QueryResult:
    """Run ``request`` on ``db`` (a pyoxigraph store, or a ``RemoteStore``: both take the same arguments and answer
    with pyoxigraph results) and serialize the answer. No time limit here (see ``QueryPool``, ``RemoteQueries``).

    Raises QueryRejected with the parser's message for a syntax error, UpdateRefused for an update, NotAcceptable when
    the requested format does not fit the kind of result, StoreError when the store fails."""
    _refuse_federation(request.text)
    try:
        result = db.query(request.text, **_dataset(request))
        if isinstance(result, ox.QueryBoolean):
            return _boolean(result, request)
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, request, lambda: db.query(request.text, **_dataset(request)))
        return _graph(result, request)  # pyoxigraph's QueryTriples, or a remote store's GraphResult
    except SyntaxError as e:
        if looks_like_update(request.text):
            raise UpdateRefused(READ_ONLY_MESSAGE) from None
        raise QueryRejected(f"invalid SPARQL query: {e}") from None
    except (OSError, RuntimeError) as e:
        raise StoreError(f"query failed: {e}") from e


READ_ONLY_MESSAGE = "this endpoint is read-only; SPARQL Update is not accepted"


def _dataset(request: QueryRequest) -> dict:
    # The protocol's default-graph-uri / named-graph-uri replace the whole dataset; without them the default graph is
    # the union of all graphs (records, entities, vocab), so queries need no GRAPH clause.
    if not (request.default_graphs or request.named_graphs):
        return {"use_default_graph_as_union": True}
    try:
        return {"default_graph": [ox.NamedNode(iri) for iri in request.default_graphs],
                "named_graphs": [ox.NamedNode(iri) for iri in request.named_graphs]}
    except ValueError as e:
        raise QueryRejected(f"invalid graph IRI: {e}") from None


def _boolean(result: ox.QueryBoolean, request: QueryRequest) -> QueryResult:
    fmt = _results_format_or_refuse(request)
    return QueryResult(result.serialize(format=fmt.oxigraph), fmt.media_type, "boolean", False)


def _solutions(result: ox.QuerySolutions, request: QueryRequest, again) -> QueryResult:
    # pyoxigraph serializes a whole result set natively but cannot stop after n rows. So the requested format is
    # written directly into a sink that counts, cheaply, an upper bound of the rows written so far; a result that
    # stays within the cap by that bound (nearly all) is done in one pass. Past it, the query runs again (``again``)
    # as TSV (one line per row, newlines in terms escaped) into a sink that stops once a row beyond the cap has come,
    # and the other formats are that TSV parsed back and serialized natively: rows never become Python objects, a
    # huge result is not written past the cap, and every format is written the way Oxigraph writes it.
    fmt = _results_format_or_refuse(request)
    if fmt is not RESULTS_TSV:
        sink = _RowBound(fmt, request.max_rows)
        try:
            result.serialize(sink, format=fmt.oxigraph)
            return QueryResult(sink.data(), fmt.media_type, "solutions", False)
        except _RowBound.Enough:
            result = again()
    lines = _LineCap(request.max_rows + 1)  # the header line, then the rows
    try:
        result.serialize(lines, format=ox.QueryResultsFormat.TSV)
    except _LineCap.Enough:
        pass
    tsv, truncated = lines.text()
    if fmt is not RESULTS_TSV:
        tsv = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(format=fmt.oxigraph)
    return QueryResult(tsv, fmt.media_type, "solutions", truncated)


class _RowBound:
    """A file-like sink for results serialized by pyoxigraph that raises ``Enough`` (out of the serializer) once what
    it holds might be more than ``max_rows`` rows, by a count no smaller than the rows: in JSON ``},{`` between two
    rows (it is also counted when a literal holds it, never missed: no other place outside strings has it), in XML
    each ``<result>`` (exact: ``<`` in text is escaped), in CSV each line end after the header (a literal with a line
    break counts twice)."""

    class Enough(Exception):
        pass

    # (the mark counted, rows = marks + offset): JSON has one separator fewer than rows, CSV a header line more.
    _MARKS = {RESULTS_JSON.name: (b"},{", 1), RESULTS_XML.name: (b"<result>", 0), RESULTS_CSV.name: (b"\n", -1)}

    def __init__(self, fmt: ResultsFormat, max_rows: int):
        self._mark, offset = self._MARKS[fmt.name]
        self._limit = max_rows - offset  # more marks than this: maybe more rows than max_rows
        self._chunks: list[bytes] = []
        self._marks = 0
        self._keep = len(self._mark) - 1
        self._tail = b""  # the end of what came before, for a mark split between two chunks

    def write(self, chunk) -> int:
        chunk = bytes(chunk)
        self._chunks.append(chunk)
        joined = self._tail + chunk
        self._marks += joined.count(self._mark)
        self._tail = joined[len(joined) - self._keep:]
        if self._marks > self._limit:
            raise self.Enough()
        return len(chunk)

    def flush(self) -> None:
        pass

    def data(self) -> bytes:
        return b"".join(self._chunks)


class _LineCap:
    """A file-like sink keeping the first ``keep`` lines of what is written to it; it raises ``Enough`` (out of the
    serializer) once a line beyond them has been seen, which also tells that something was left out."""

    class Enough(Exception):
        pass

    def __init__(self, keep: int):
        self.keep = keep
        self._chunks: list[bytes] = []
        self._lines = 0

    def write(self, chunk) -> int:
        chunk = bytes(chunk)
        self._chunks.append(chunk)
        self._lines += chunk.count(b"\n")
        if self._lines > self.keep:
            raise self.Enough()
        return len(chunk)

    def flush(self) -> None:
        pass

    def text(self) -> tuple[bytes, bool]:
        """The first ``keep`` lines, and whether anything was left out."""
        data = b"".join(self._chunks)
        if self._lines < self.keep or (self._lines == self.keep and data.endswith(b"\n")):
            return data, False
        end = -1
        for _ in range(self.keep):
            end = data.index(b"\n", end + 1)
        return data[:end + 1], True


def _graph(result, request: QueryRequest) -> QueryResult:
    if request.graph_format is None:
        raise NotAcceptable("CONSTRUCT and DESCRIBE results are available as "
                            + ", ".join(f.media_type for f in DESCRIPTION_FORMATS))
    fmt: RdfFormat = lookup(request.graph_format)
    triples = list(itertools.islice(result, request.max_rows + 1))
    truncated = len(triples) > request.max_rows
    # JSON-LD too: pyoxigraph 0.5 writes it natively (ld.formats leaves JSONLD.oxigraph None for rdflib's sake).
    oxigraph_format = fmt.oxigraph or ox.RdfFormat.JSON_LD
    body = ox.serialize(triples[:request.max_rows], format=oxigraph_format)
    return QueryResult(body, fmt.media_type, "graph", truncated)


def _results_format_or_refuse(request: QueryRequest) -> ResultsFormat:
    if request.results_format is None:
        raise NotAcceptable("SELECT and ASK results are available as "
                            + ", ".join(f.media_type for f in RESULTS_FORMATS))
    return results_format(request.results_format)


# --- reading the query text without parsing it ------------------------------------------------------------------------

# Strings, IRIs and comments, whose content must not be mistaken for keywords; then words.
_SKIP = "|".join((
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",  # long strings
    r'"(?:[^"\\\n]|\\.)*"', r"'(?:[^'\\\n]|\\.)*'",  # short strings
    r'<[^<>"{}|^`\\\x00-\x20]*>',  # IRIs (a "<" followed by a space is less-than, no IRI)
    r"#[^\n]*",  # comments
))
_TOKENS = re.compile(rf"(?:{_SKIP})|(?<![?$:\w])([A-Za-z]+)(?![:\w])", re.DOTALL)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_PROLOGUE_WORDS = {"PREFIX", "BASE"}


def _keywords(text: str):
    for match in _TOKENS.finditer(text):
        if match.group(1):
            yield match.group(1).upper()


def looks_like_update(text: str) -> bool:
    """Whether ``text`` reads as a SPARQL Update: its first keyword after the prologue is an update operation.
    Only asked after the query parser refused the text, so a valid query is never taken for an update."""
    for word in _keywords(text):
        if word not in _PROLOGUE_WORDS:
            return word in _UPDATE_WORDS
    return False


def _refuse_federation(text: str) -> None:
    # pyoxigraph would fetch SERVICE <url> itself: on a public endpoint that lets anyone make the server send
    # requests to any address (its own network included), so federated queries are refused.
    if "SERVICE" in text.upper() and "SERVICE" in _keywords(text):
        raise QueryRejected("federated queries (SERVICE) are not supported by this endpoint")


# --- the worker process -----------------------------------------------------------------------------------------------

class _Snapshot:
    """The worker's read-only store handle, reopened when the store directory changed (a writer committed); looked at
    no more often than every ``check_interval`` seconds, as server/store_access.py does."""

    def __init__(self, path: str, check_interval: float):
        self.path = Path(path)
        self.check_interval = check_interval
        self._db: ox.Store | None = None
        self._stamp: float | None = None
        self._checked = 0.0

    def get(self) -> ox.Store:
        now = time.monotonic()
        if self._db is None or now - self._checked >= self.check_interval:
            self._checked = now
            try:
                stamp = directory_stamp(self.path)
            except FileNotFoundError:
                raise StoreError(f"no store at {self.path}; run `docket ingest` first") from None
            if self._db is None or stamp != self._stamp:
                self._db, self._stamp = _open_read_only(self.path), stamp
        return self._db


def _open_read_only(path: Path) -> ox.Store:
    try:
        return open_read_only(path)
    except (OSError, RuntimeError) as e:
        raise StoreError(f"cannot open the store at {path}: {e}") from None


def _backstop(seconds: float) -> None:
    # A deadline the kernel keeps, for when nothing else can stop the query (the pool's parent died, or the watchdog
    # thread cannot get the GIL): SIGALRM, left at its default action, ends the process `seconds` from now; 0 disarms.
    # One cheap syscall (the CPU-time limit used before read the process's usage over all its threads, which cost up
    # to milliseconds per query in a process with RocksDB's threads). Skipped where the host handles SIGALRM itself.
    if signal.getsignal(signal.SIGALRM) == signal.SIG_DFL:
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _worker_main(fd: int, store_path: str, backstop: float, check_interval: float) -> None:
    """A worker's loop: answer queries from the parent until it hangs up. Each answer is ("ok", QueryResult) or
    ("error", error class name, message)."""
    conn = Connection(fd)
    snapshot = _Snapshot(store_path, check_interval)
    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        _backstop(backstop)
        try:
            reply = ("ok", execute(snapshot.get(), request))
        except DocketError as e:
            reply = ("error", type(e).__name__, str(e))
        except Exception as e:  # a bug: reported as the store's fault (500), and the worker lives on
            reply = ("error", StoreError.__name__, f"query failed: {type(e).__name__}: {e}")
        finally:
            _backstop(0)  # an idle worker waits for its next query as long as it takes
        conn.send(reply)


# --- the parent side --------------------------------------------------------------------------------------------------

_WORKER_CODE = ("import sys; from ld.query import _worker_main; "
                "_worker_main(int(sys.argv[1]), sys.argv[2], *map(float, sys.argv[3:]))")


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self, store_path: str, backstop: float, check_interval: float):
        parent, child = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _WORKER_CODE, str(child.fileno()), store_path, str(backstop),
                 str(check_interval)],
                pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        self._ready = False

    def call(self, request: QueryRequest, deadline: float) -> tuple:
        """Send ``request`` and wait for the reply (see ``_worker_main``) until ``deadline`` (time.monotonic()):
        QueryTimeout after that, the worker then being dead; EOFError/OSError when the worker died on its own."""
        if not self._ready:
            self._wait(deadline)  # starting up (imports, opening the store) counts against the query's limit
            self.conn.recv()  # ("ready",)
            self._ready = True
        self.conn.send(request)
        self._wait(deadline)
        return self.conn.recv()

    def _wait(self, deadline: float) -> None:
        if not self.conn.poll(max(0.0, deadline - time.monotonic())):
            self.kill()
            raise QueryTimeout("the query was stopped at the time limit")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process (the query stops at once, its CPU is freed) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.conn.close()


class QueryPool:
    """Runs queries with a time limit in at most ``processes`` worker subprocesses over the store at ``store_path``.

    Thread-safe. Workers start on demand and are kept for reuse; a query that overruns has its worker killed. A
    request waiting for a free worker counts that wait against its own time limit. After a fork (a server that
    preloads the app) the child process starts its own workers."""

    def __init__(self, store_path: str | os.PathLike, *, timeout: float, processes: int = 2,
                 check_interval: float = 1.0):
        if timeout <= 0 or processes < 1:
            raise ValueError("a query pool needs a positive timeout and at least one process")
        self.store_path = str(store_path)
        self.timeout = timeout
        self.processes = processes
        self.check_interval = check_interval
        self._lock = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy = 0
        self._pid = os.getpid()

    def run(self, request: QueryRequest) -> QueryResult:
        """The answer to ``request``, or QueryTimeout when it takes longer than ``timeout`` seconds."""
        deadline = time.monotonic() + self.timeout
        for attempt in (1, 2):  # a worker that died idle (killed from outside) is replaced once
            worker = self._acquire(deadline)
            try:
                reply = worker.call(request, deadline)
            except QueryTimeout:
                self._release(None)
                raise QueryTimeout(f"the query ran longer than the time limit of {self.timeout:g} s and was stopped")
            except (EOFError, OSError) as e:
                worker.kill()
                self._release(None)
                if attempt == 2:
                    raise StoreError(f"the query process failed: {e}") from None
                continue
            self._release(worker)
            if reply[0] == "ok":
                return reply[1]
            raise _ERRORS.get(reply[1], StoreError)(reply[2])
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stop the idle workers (busy ones are stopped by their callers' time limits)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()

    def worker_pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._lock:
            return [w.process.pid for w in self._idle]

    def _acquire(self, deadline: float) -> _Worker:
        with self._lock:
            self._forget_after_fork()
            while not self._idle and self._busy >= self.processes:
                if not self._lock.wait(max(0.0, deadline - time.monotonic())) and time.monotonic() >= deadline:
                    raise QueryTimeout(f"all query processes stayed busy for the time limit of {self.timeout:g} s")
            self._busy += 1
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.kill()
        try:
            return _Worker(self.store_path, self.timeout + 2, self.check_interval)
        except OSError as e:
            self._release(None)
            raise StoreError(f"cannot start a query process: {e}") from None

    def _release(self, worker: _Worker | None) -> None:
        with self._lock:
            self._busy -= 1
            if worker is not None:
                self._idle.append(worker)
            self._lock.notify()

    def _forget_after_fork(self) -> None:
        # Workers and their sockets belong to the process that started them; a forked copy must not talk to them.
        if os.getpid() != self._pid:
            self._pid, self._idle, self._busy = os.getpid(), [], 0


# --- in the serving process, for a process that may end itself ---------------------------------------------------------


class InProcessQueries:
    """Runs each query in the calling process, on its own read-only handle, with no process hop: for a process that
    serves one request at a time and is replaced when it ends (a gunicorn sync worker under `docket serve`).

    The time limit still really stops the work, for every query: pyoxigraph cannot cancel a query, so when one runs
    past the limit a watchdog thread calls ``on_timeout`` (which answers the client) and then ends this whole process
    with ``os._exit``, as ``QueryPool`` kills its worker; the supervisor starts a fresh one (about a second) while its
    other processes go on serving. The watchdog can act while a query runs because pyoxigraph releases the GIL while
    it evaluates; a SIGALRM backstop covers the case it could not (the kernel ends the process).
    A query that does not overrun costs an uncontended lock twice and, mostly, no wakeup of the watchdog."""

    EXIT_CODE = 75  # EX_TEMPFAIL; not 3 or 4, which make gunicorn's arbiter stop the whole server

    def __init__(self, store_path: str | os.PathLike, *, timeout: float, check_interval: float = 1.0):
        if timeout <= 0:
            raise ValueError("in-process queries need a positive timeout")
        self.timeout = timeout
        self._snapshot = _Snapshot(str(store_path), check_interval)
        self._watchdog = _Watchdog()

    def run(self, request: QueryRequest, on_timeout) -> QueryResult:
        """The answer to ``request``; past the time limit, ``on_timeout(error)`` is called from another thread with
        the QueryTimeout to report, and the process ends when it returns (or raises)."""
        error = QueryTimeout(f"the query ran longer than the time limit of {self.timeout:g} s and was stopped")
        self._watchdog.arm(time.monotonic() + self.timeout, lambda: on_timeout(error))
        _backstop(self.timeout + 2)
        try:
            return execute(self._snapshot.get(), request)
        finally:
            _backstop(0)  # this process goes on serving pages
            self._watchdog.disarm()


class _Watchdog:
    """One daemon thread per process that sleeps until the armed deadline; past it, it runs the armed action and ends
    the process. It wakes only at a deadline (a query that ended in time was disarmed by then: it sleeps again until
    the latest one) or when armed while idle, so a busy server's queries do not hand the GIL to it every time."""

    def __init__(self):
        self._cond = threading.Condition()  # held for good once the action runs: a late disarm waits for the end
        self._deadline: float | None = None
        self._action = None
        self._idle = False
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def arm(self, deadline: float, action) -> None:
        if self._thread is None or self._pid != os.getpid():  # started on first use, again in a forked child
            self._pid, self._cond = os.getpid(), threading.Condition()
            self._thread = threading.Thread(target=self._watch, name="docket-query-watchdog", daemon=True)
            self._thread.start()
        with self._cond:
            self._action, self._deadline = action, deadline
            if self._idle:
                self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._deadline = None

    def _watch(self) -> None:
        self._cond.acquire()  # released only while waiting; never after the action
        while True:
            if self._deadline is None:
                self._idle = True
                self._cond.wait()
                self._idle = False
                continue
            remaining = self._deadline - time.monotonic()
            if remaining > 0:
                self._cond.wait(remaining)  # deadlines only grow (a fixed limit from now): sleeping longer is safe
                continue
            try:
                self._action()
            except BaseException as e:  # the client may be gone; the work must stop all the same
                print(f"docket: answering a stopped query failed: {type(e).__name__}: {e}", file=sys.stderr)
            finally:
                print(f"docket: a SPARQL query ran past its time limit; process {os.getpid()} ends to stop it",
                      file=sys.stderr, flush=True)
                os._exit(InProcessQueries.EXIT_CODE)


# --- a remote store ---------------------------------------------------------------------------------------------------


class RemoteQueries:
    """The endpoint's queries forwarded to a remote store's SPARQL endpoint, with the same interface as ``QueryPool``
    (``run``, ``close``). The time limit is the HTTP timeout (the remote endpoint should have its own, e.g.
    ``oxigraph serve --timeout-s``); the row cap is applied to the answer as it is read. The text is parsed here first,
    so that an update, or anything but a SPARQL 1.1 query, never reaches an endpoint that might accept it (Virtuoso
    runs updates sent to its query endpoint when the user may write)."""

    def __init__(self, store, *, timeout: float):
        self.store = store.with_timeout(timeout)
        self.timeout = timeout
        self._parser = ox.Store()  # empty, in memory: only parses

    def run(self, request: QueryRequest) -> QueryResult:
        """The answer to ``request``; QueryTimeout when the endpoint sends nothing for ``timeout`` seconds."""
        from ld.remote_store import RemoteTimeout

        try:
            self._parser.query(request.text)  # lazy: parses without evaluating
        except SyntaxError as e:
            if looks_like_update(request.text):
                raise UpdateRefused(READ_ONLY_MESSAGE) from None
            raise QueryRejected(f"invalid SPARQL query: {e}") from None
        try:
            return execute(self.store, request)
        except RemoteTimeout:
            raise QueryTimeout(f"the query ran longer than the time limit of {self.timeout:g} s and was "
                               "stopped") from None

    def close(self) -> None:
        """Nothing to stop: every query is its own HTTP request."""
