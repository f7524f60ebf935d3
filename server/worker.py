"""docket's gunicorn worker: gunicorn's sync worker, with SPARQL GET requests read without gunicorn's HTTP parser.

A SPARQL client's request is one small head, ``GET /sparql?query=... HTTP/1.1`` and a few plain header fields, on a
new connection. For a small query gunicorn's pure-Python parser, environ and response writer cost a third of the
worker's CPU per request beside the query's (measured: about 0.4 ms of CPU around 0.75 ms for the app on a 2-core
machine; this worker's read and write take about 0.25). So ``handle`` first *peeks* at the bytes the client sent
(``MSG_PEEK``: nothing is taken from the socket) and, only when they are one complete head of exactly that shape,
reads it with one regular expression per line. Anything else, or any doubt (a body or a field that announces one,
pipelined bytes, a head split over two reads, odd whitespace, obs-fold, non-ASCII, long lines, other header fields,
HTTP/0.9 or 2), goes to gunicorn's own handling untouched, which then reads the very same bytes from the socket.

Such a request is then served as ``SyncWorker.handle_request`` serves one (same hooks, max-requests count, access
log, error handling, ``Connection: close``, close), with the WSGI environ built here (the keys and values
``gunicorn.http.wsgi.create`` gives this shape of request, less ``wsgi.early_hints``); a plain answer (what the SPARQL
endpoint gives: a list of bytes with its Content-Length) is written here in one piece, byte for byte as gunicorn's
``Response`` writes it, anything else by that ``Response``. The query time limit's watchdog finds the client's socket
in the environ (``gunicorn.socket``) as before.
"""

from __future__ import annotations

import errno
import os
import re
import select
import socket
import time
from datetime import datetime
from urllib.parse import urlsplit

from gunicorn import SERVER, util
from gunicorn.http import wsgi
from gunicorn.http.message import TOKEN_RE
from gunicorn.http.body import Body, LengthReader
from gunicorn.workers.sync import StopWaiting, SyncWorker

# The request line: GET, an origin-form target on /sparql with a query string (printable ASCII, no fragment), and
# HTTP/1.0 or 1.1. Every other method, path, form or version is gunicorn's.
_REQUEST_LINE = re.compile(rb"GET (/sparql\?[!$-~]*) HTTP/1\.([01])")
# A header field: a token without ``_`` (gunicorn drops or refuses those), ": ", and a value of printable ASCII that
# neither starts nor ends with white space (so there is nothing to strip or fold). No tabs, no obs-text.
_FIELD = re.compile(rb"([!#$%&'*+.^`|~0-9A-Za-z-]+): ([!-~](?:[ !-~]*[!-~])?)")
# The fields taken, in gunicorn's upper case. None announces a body, changes the scheme (X-Forwarded-Proto and the
# like), expects an interim response, or asks to switch protocols; X-Forwarded-For and X-Real-IP, which reverse
# proxies add, change nothing in gunicorn (REMOTE_ADDR is the peer's).
_TAKEN = frozenset({"HOST", "ACCEPT", "ACCEPT-ENCODING", "ACCEPT-LANGUAGE", "USER-AGENT", "CONNECTION",
                    "CACHE-CONTROL", "PRAGMA", "REFERER", "ORIGIN", "DNT", "X-FORWARDED-FOR", "X-REAL-IP"})
_CONNECTION = frozenset({"close", "keep-alive"})
_MAX_HEAD = 8192  # what one peek looks at; a head that fills it is gunicorn's
_END = b"\r\n\r\n"


class SparqlRequest:
    """A request read by ``read_sparql_get``: what gunicorn's ``handle_request``, WSGI environ, response writer and
    access log read of gunicorn's own ``Request`` (``gunicorn.http.message``), with the same values."""

    method = "GET"
    fragment = ""
    proxy_protocol_info = None
    trailers = ()
    _expected_100_continue = False

    def __init__(self, uri: str, version: tuple[int, int], headers: list[tuple[str, str]], scheme: str, peer):
        self.uri, self.version, self.headers, self.scheme = uri, version, headers, scheme
        self.peer_addr = self.remote_addr = peer
        parts = urlsplit(uri)
        self.path, self.query = parts.path, parts.query
        self.body = Body(LengthReader(None, 0))  # no body: reading it gives b"" without touching the socket
        self.must_close = False

    def force_close(self) -> None:
        self.must_close = True

    def should_close(self) -> bool:
        # gunicorn's rule for a GET: the first Connection field decides, else HTTP/1.0 closes.
        if self.must_close:
            return True
        for name, value in self.headers:
            if name == "CONNECTION":
                return value.lower() == "close"
        return self.version <= (1, 0)


def read_sparql_get(head: bytes, cfg, peer) -> tuple[SparqlRequest, int] | None:
    """The request in ``head`` (bytes peeked from a new connection) and how many bytes it takes, when they are one
    complete plain ``GET /sparql?...`` head and nothing else; else None (gunicorn's parser then reads them)."""
    end = head.find(_END)
    if end < 0 or end + len(_END) != len(head) or len(head) >= _MAX_HEAD:
        return None
    lines = head[:end].split(b"\r\n")
    limit = cfg.limit_request_line
    line = _REQUEST_LINE.fullmatch(lines[0])
    if line is None or (limit > 0 and len(lines[0]) > limit):
        return None
    field_limit, fields_limit = cfg.limit_request_field_size, cfg.limit_request_fields
    if fields_limit > 0 and len(lines) - 1 > fields_limit:
        return None
    headers, seen = [], set()
    for raw in lines[1:]:
        field = _FIELD.fullmatch(raw)
        if field is None or (field_limit > 0 and len(raw) + 2 > field_limit):
            return None
        name, value = field.group(1).decode("ascii").upper(), field.group(2).decode("ascii")
        if name not in _TAKEN or name in seen or (name == "CONNECTION" and value.lower() not in _CONNECTION):
            return None
        seen.add(name)
        headers.append((name, value))
    version = (1, int(line.group(2)))
    return SparqlRequest(line.group(1).decode("ascii"), version, headers, "http", peer), len(head)


class DocketWorker(SyncWorker):
    """gunicorn's sync worker; a plain SPARQL GET is read by ``read_sparql_get`` (see the module's docstring)."""

    def init_process(self):
        self._base_environ = wsgi.base_environ(self.cfg)  # what gunicorn makes again for every request
        super().init_process()

    def run(self):
        # gunicorn's init_process makes the signal pipe, then calls run(): the poller is made here, after both
        self._poller = _exclusive_poller(self.sockets, self.PIPE[0])
        self._by_fd = {listener.fileno(): listener for listener in self.sockets}
        super().run()

    def wait(self, timeout):
        """``SyncWorker.wait`` without the thundering herd: gunicorn's ``select`` wakes every idle worker for each new
        connection, and all but one find nothing to accept: CPU spent beside the one that works (measured with
        sequential small queries: 0.07-0.13 ms less worker CPU a request, of 1.7-1.9). The listeners are watched with ``EPOLLEXCLUSIVE``
        (Linux 4.5), so the kernel wakes one waiting worker; elsewhere ``SyncWorker.wait`` is used as is."""
        if self._poller is None:
            return super().wait(timeout)
        self.notify()
        try:
            ready = [fd for fd, _ in self._poller.poll(timeout)]
        except OSError as error:  # as SyncWorker.wait: a listener closed under it at shutdown
            if error.errno != errno.EBADF:
                raise
            if self.nr < 0:
                return self.sockets
            raise StopWaiting from error
        if self.PIPE[0] in ready:
            os.read(self.PIPE[0], 1)  # a signal's wake-up byte, as gunicorn reads it
        return [self._by_fd.get(fd, fd) for fd in ready]

    def handle(self, listener, client, addr):
        taken = self._sparql_get(listener, client, addr)
        if taken is None:
            return super().handle(listener, client, addr)
        request, length = taken
        try:
            _consume(client, length)
            self._serve(listener, request, client, addr)
        except OSError as error:  # the client went away, as SyncWorker.handle says it
            if error.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.exception("Socket error processing request.")
            else:
                self.log.debug("Ignoring %s", errno.errorcode.get(error.errno, error.errno))
        except BaseException as error:  # noqa: BLE001 - gunicorn's answer to an application error: a 500
            self.handle_error(request, client, addr, error)
        finally:
            util.close_graceful(client)

    def _sparql_get(self, listener, client, addr) -> tuple[SparqlRequest, int] | None:
        cfg = self.cfg
        if (cfg.is_ssl or getattr(cfg, "protocol", "http") != "http" or _proxy_protocol(cfg)
                or os.environ.get("SCRIPT_NAME") or not isinstance(addr, tuple) or listener.family == socket.AF_UNIX):
            return None
        try:
            head = client.recv(_MAX_HEAD, socket.MSG_PEEK)
        except OSError:
            return None  # gunicorn's read meets it again, and handles it
        return read_sparql_get(head, cfg, addr)

    def _serve(self, listener, request: SparqlRequest, client, addr) -> None:
        """``SyncWorker.handle_request`` for a request read here: the environ built here, and the response written
        here (``_Answer``) when it is plain, else by gunicorn's ``Response``."""
        environ, answer = {}, None
        try:
            self.cfg.pre_request(self, request)
            started = datetime.now()
            environ = sparql_environ(self._base_environ, request, client, addr, listener.getsockname())
            answer = _Answer(request, client, self.cfg)
            self.nr += 1
            if self.nr >= self.max_requests:
                self.log.info("Autorestarting worker after current request.")
                self.alive = False
            body = self.wsgi(environ, answer.start_response)
            try:
                answer.send(body, environ)
            finally:
                self.log.access(answer.written, request, environ, datetime.now() - started)
                if hasattr(body, "close"):
                    body.close()
        except OSError:
            raise
        except (Exception, SystemExit):
            if answer is not None and answer.started:  # too late for a 500: gunicorn logs it and drops the client
                self.log.exception("Error handling request")
                return
            raise
        finally:
            try:
                self.cfg.post_request(self, request, environ, answer and answer.written)
            except Exception:  # noqa: BLE001 - as gunicorn does
                self.log.exception("Exception in post_request hook")


class _Answer:
    """Writes the app's response as gunicorn's ``Response`` would (same status line, Server, Date, Connection: close,
    the app's headers in order), in one ``sendall``, when it is plain: a list of byte strings as long as its one
    Content-Length says, a status with a body, header names and values as gunicorn accepts them and none hop-by-hop.
    Anything else goes through gunicorn's ``Response`` itself. ``written`` is what the access log reads."""

    def __init__(self, request: SparqlRequest, client, cfg):
        self.request, self.client, self.cfg = request, client, cfg
        self.status: str | None = None
        self.headers: list = []
        self.written = None  # gunicorn's Response, or _Written
        self.started = False

    def start_response(self, status, headers, exc_info=None):
        if exc_info is not None and self.started:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status, self.headers = status, headers
        return self._write_unbuffered

    def _write_unbuffered(self, data: bytes) -> None:  # the WSGI write() callable: gunicorn's writer does it
        self._gunicorn_response().write(data)

    def send(self, body, environ) -> None:
        head = self._plain_head(body)
        if head is None:
            resp = self._gunicorn_response()
            if isinstance(body, environ["wsgi.file_wrapper"]):
                resp.write_file(body)
            else:
                for item in body:
                    resp.write(item)
            resp.close()
            return
        self.started = True
        self.client.sendall(b"".join([head, *body]))
        self.written = _Written(self.status, self.headers, sum(map(len, body)))

    def _gunicorn_response(self):
        if self.written is None:
            self.written = wsgi.Response(self.request, self.client, self.cfg)
            self.written.force_close()  # as gunicorn's sync worker: one request per connection
            self.written.start_response(self.status, self.headers)
            self.started = True
        return self.written

    def _plain_head(self, body) -> bytes | None:
        status = self.status
        if type(body) is not list or not isinstance(status, str) or not _STATUS.fullmatch(status):
            return None
        lines = [f"HTTP/{self.request.version[0]}.{self.request.version[1]} {status}\r\n"
                 f"Server: {SERVER}\r\nDate: {_date()}\r\nConnection: close\r\n"]
        length = None
        for name, value in self.headers:
            if (not isinstance(name, str) or not isinstance(value, str) or not TOKEN_RE.fullmatch(name)
                    or not _VALUE.fullmatch(value) or util.is_hoppish(name)):
                return None
            if name.lower() == "content-length":
                if length is not None:
                    return None
                length = value
            lines.append(f"{name}: {value}\r\n")
        if length is None or not all(type(item) is bytes for item in body) \
                or length != str(sum(map(len, body))):
            return None
        lines.append("\r\n")
        return "".join(lines).encode("latin-1")


class _Written:
    """What gunicorn's access log reads of a response written by ``_Answer``."""

    def __init__(self, status: str, headers: list, sent: int):
        self.status, self.headers, self.sent = status, headers, sent
        self.response_length = sent


# A status gunicorn writes as it is (three digits, a reason), but none without a body: 1xx, 204, 304.
_STATUS = re.compile(r"(?!1|204|304)[0-9]{3} [!-~](?:[ !-~]*[!-~])?")
# A header value gunicorn writes as it is: printable ASCII, nothing to strip at either end, or empty.
_VALUE = re.compile(r"(?:[!-~](?:[ !-~]*[!-~])?)?")
_last_date: list = [0, ""]


def _date() -> str:
    """The Date header's value, formatted once a second."""
    now = int(time.time())
    if now != _last_date[0]:
        _last_date[:] = [now, util.http_date(now)]
    return _last_date[1]


def sparql_environ(base: dict, request: SparqlRequest, client, addr: tuple, server: tuple) -> dict:
    """The WSGI environ of ``request``: ``base`` (``gunicorn.http.wsgi.base_environ``) and what
    ``gunicorn.http.wsgi.create`` adds for a request of this shape (over TCP, no SCRIPT_NAME, no proxy protocol)."""
    environ = dict(base)
    environ.update({
        "wsgi.input": request.body, "gunicorn.socket": client, "REQUEST_METHOD": "GET",
        "QUERY_STRING": request.query, "RAW_URI": request.uri,
        "SERVER_PROTOCOL": f"HTTP/{request.version[0]}.{request.version[1]}",
    })
    for name, value in request.headers:  # no field twice (read_sparql_get), and none is CONTENT-*
        environ["HTTP_" + name.replace("-", "_")] = value
    environ.update({
        "wsgi.url_scheme": request.scheme, "REMOTE_ADDR": addr[0], "REMOTE_PORT": str(addr[1]),
        "SERVER_NAME": server[0], "SERVER_PORT": str(server[1]),
        "PATH_INFO": util.unquote_to_wsgi_str(request.path), "SCRIPT_NAME": "",
    })
    return environ


def _exclusive_poller(listeners, pipe: int):
    """An epoll object watching ``listeners`` with ``EPOLLEXCLUSIVE`` and gunicorn's signal pipe, or None where the
    platform has no such flag."""
    flag = getattr(select, "EPOLLEXCLUSIVE", None)
    if flag is None or not hasattr(select, "epoll"):
        return None
    poller = select.epoll()
    for listener in listeners:
        poller.register(listener.fileno(), select.EPOLLIN | flag)
    poller.register(pipe, select.EPOLLIN)
    return poller


def _proxy_protocol(cfg) -> bool:
    mode = getattr(cfg, "proxy_protocol", False)
    return mode not in (False, None, "off")


def _consume(client: socket.socket, length: int) -> None:
    """Take the peeked head from the socket (unread bytes at close would make the kernel reset the connection)."""
    while length > 0:
        data = client.recv(length)
        if not data:
            break
        length -= len(data)
