"""The ingest side of the dump cache (``ld.chunks``): every record ``docket ingest`` writes goes into the cache in
every dump format, made from the N-Triples lines ingest holds already, so that the first dump after an ingest reads
no record quads from Oxigraph (which reads about 80,000 quads per CPU second: a 10,000-record store took ~50 s).

With ``--jobs N`` the worker processes make the chunks (``made_chunk``) along with the mapping; the writing process
only checks that the lines it writes are those the chunk was made from (a digest; it makes the chunk itself when
they differ, e.g. after it mapped the record again) and stores it.

A chunk goes into the cache only after its record's write was committed: ``DumpFeed`` holds it until the store's
``record_token`` for the record is the token the written graph carries (the write's ``dcterms:modified`` and source
checksum), then stores it under that token. A write that never commits (a crash, a failed batch) leaves no row, and
a row whose token no longer matches is never read (the dump reads that record from the store, as without a cache).

Completeness: listing the records and their tokens from the store costs a dump memory that grows with the store
(every IRI Oxigraph returns is looked up in its string index, whose index and filter blocks load as it goes: +88 MiB
at 10,000 records). So a writer that began from a cache complete as of the store's change marker, and left a row
for every record it wrote (or removed the row of the record it withdrew), says the cache is complete as of the
marker its writes left (``ChunkCache.mark_complete``); a dump then reads the rows alone.

With ``--jobs 1`` a helper process makes the chunks (``ChunkMaker``): parsing and writing Turtle and JSON-LD and
compressing four formats cost the ingest's thread ~2 ms a record, and a thread of its own gained nothing (measured:
pyoxigraph holds the GIL while it parses and writes). The ingest's thread only sends the record's N-Triples and later
stores the chunk that came back. The helper is a fresh interpreter (``subprocess``: fork and exec at once, safe in a
process with threads; ``multiprocessing``'s spawn would also run the caller's main script again in it), used once it
says it is ready, so that a short ingest never waits for it to start. Whatever goes wrong with it (it dies, fails a
chunk, stops answering), the chunk is made in the ingest's process instead. A chunk that cannot be made there either
is logged and left out: the cache is then not complete, and dumps read that record from the store.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import pickle
import site
import struct
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from rdflib import DCTERMS, Graph, URIRef

from ld.chunks import Chunk, ChunkCache
from ld.dump import cache_system_graphs, chunk_of
from ld.namespaces import DOCKET
from ld.store import Store, record_token_text, triple_lines

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MadeChunk:
    """A record's chunk made where it was mapped, with the digest of the N-Triples it was made from."""

    digest: bytes
    chunk: Chunk


def made_chunk(doc: str, lines: Iterable[str]) -> MadeChunk:
    """Record graph ``doc``, given as its ``triple_lines``, in every dump format (what a worker sends along)."""
    lines = list(lines)
    return MadeChunk(_digest(lines), chunk_of(str(doc), _ntriples(lines)))


def _ntriples(lines: Iterable[str]) -> bytes:
    text = "\n".join(lines)
    return (text + "\n").encode() if text else b""


def _digest(lines: list[str]) -> bytes:
    # In order, not sorted (a third of the cost): a worker's lines reach the parent in their order, and the warning
    # lines both add are sorted (ld.ingest._with_warnings). Lines in another order only cost a chunk made again.
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=16).digest()


class ChunkMaker:
    """``chunk_of`` in a helper process: ``submit`` sends a graph's N-Triples (None: the helper is not ready yet, or
    has failed; make the chunk here) and ``result`` gives its chunk, made here when the helper could not. At most
    ``window`` chunks are in flight: a helper slower than the ingest holds it back, never piles work up. Graphs go
    ``batch`` at a time, and their chunks come back so: each message wakes the other process, and on a busy machine
    a wake-up can cost the ingest's thread its turn on the CPU."""

    # How long a helper that is alive may take to answer before it counts as hung (a chunk takes a few ms).
    PATIENCE = 60.0

    def __init__(self, *, window: int = 64, batch: int = 8):
        self.window, self.batch = max(window, batch), batch
        self._batch: list[tuple[int, str, bytes]] = []  # (ticket, graph, ntriples) not sent yet
        self._in_flight = 0  # sent, not answered
        self._sent: dict[int, tuple[str, bytes]] = {}  # ticket -> (graph, ntriples): in flight, made here on failure
        self._done: dict[int, Chunk] = {}  # ticket -> the helper's chunk, until asked for
        self._local: set[int] = set()  # tickets the helper could not make (still in _sent): made here
        self._dropped: set[int] = set()  # tickets whose chunk nobody will ask for
        self._next = 0
        self.ready = self.failed = False
        self.answered = 0  # chunks the helper made
        ours_in, theirs_out = os.pipe()  # helper -> us
        theirs_in, ours_out = os.pipe()  # us -> helper
        for fd in (ours_in, ours_out):
            _widen(fd)
        env = _helper_environment()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "import sys; from ld.dump_feed import serve_chunks; "
                 "serve_chunks(int(sys.argv[1]), int(sys.argv[2]))", str(theirs_in), str(theirs_out)],
                pass_fds=(theirs_in, theirs_out), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, env=env)
        except (OSError, TypeError, ValueError):  # e.g. no interpreter to run (sys.executable empty): made here
            os.close(ours_in), os.close(ours_out)
            self._process, self.failed = None, True
        finally:
            os.close(theirs_in), os.close(theirs_out)
        if self._process is not None:
            self._in, self._out = Connection(ours_in, writable=False), Connection(ours_out, readable=False)

    @property
    def pid(self) -> int | None:
        """The helper's process id (None when it could not be started, or was stopped)."""
        return self._process.pid if self._process is not None else None

    def wait_ready(self, timeout: float = PATIENCE) -> bool:
        """Wait until the helper is ready (tests use it so that every chunk goes through it); whether it is."""
        deadline = time.monotonic() + timeout
        while not (self.ready or self.failed) and time.monotonic() < deadline:
            self._receive(timeout=min(1.0, max(0.0, deadline - time.monotonic())))
        return self.ready

    def submit(self, graph: str, ntriples: bytes) -> int | None:
        """Send graph ``graph`` (its ``ntriples``) to the helper; its ticket for ``result``, or None when the helper
        cannot take it (not ready yet, or failed): then the caller makes the chunk."""
        if not self.ready:
            self.poll()
        if not self.ready or self.failed:
            return None
        ticket, self._next = self._next, self._next + 1
        self._sent[ticket] = (graph, ntriples)
        self._batch.append((ticket, graph, ntriples))
        if len(self._batch) >= self.batch:
            self._flush()
        return ticket

    def _flush(self) -> None:
        """Send the graphs batched so far (first taking in the answers there are, or waiting while the window is
        full)."""
        if not self._batch or self.failed:
            return
        self.poll()
        while self._in_flight + len(self._batch) > self.window and not self.failed:
            self._receive(timeout=self.PATIENCE)
        batch, self._batch = self._batch, []
        if self.failed:
            return
        try:
            self._out.send_bytes(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))
            self._in_flight += len(batch)
        except OSError:  # the helper is gone: the chunks are made here when asked for
            self._fail()

    def poll(self) -> None:
        """Take in whatever the helper has answered so far, without waiting."""
        while not self.failed and self._receive(timeout=0):
            pass

    def result(self, ticket: int) -> Chunk | None:
        """The chunk of ``ticket``: the helper's (waiting for it), else made here. None if it cannot be made."""
        if any(ticket == batched for batched, _, _ in self._batch):
            self._flush()
        while ticket in self._sent and ticket not in self._local and not self.failed:
            self._receive(timeout=self.PATIENCE)
        chunk = self._done.pop(ticket, None)
        made = self._sent.pop(ticket, None)
        self._local.discard(ticket)
        if chunk is None and made is not None:
            try:
                chunk = chunk_of(*made)
            except Exception as error:  # noqa: BLE001 - the cache then lacks this row; the ingest goes on
                _log.warning("dump cache: no chunk for %s (%s: %s); dumps read it from the store",
                             made[0], type(error).__name__, error)
                chunk = None
        return chunk

    def drop(self, ticket: int) -> None:
        """Nobody will ask for the chunk of ``ticket`` (its write did not commit, or was replaced)."""
        self._done.pop(ticket, None)
        answered = ticket in self._local  # the helper said it could not make it: no answer is still to come
        self._local.discard(ticket)
        unsent = len(self._batch)
        self._batch = [entry for entry in self._batch if entry[0] != ticket]
        if (self._sent.pop(ticket, None) is not None and not self.failed and not answered
                and unsent == len(self._batch)):
            self._dropped.add(ticket)

    def close(self) -> None:
        """Stop the helper: it ends when its input does; one that does not, promptly, is killed."""
        if self._process is None:
            return
        process, self._process = self._process, None
        self._in.close()
        self._out.close()
        if not self.ready:  # still starting: nothing of it is wanted
            process.kill()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _receive(self, timeout: float) -> bool:
        """Take one answer from the helper, waiting at most ``timeout`` seconds; whether one came. Silence for
        ``PATIENCE`` from a helper with work counts as hung."""
        try:
            if not self._in.poll(timeout):
                if timeout >= self.PATIENCE and self._sent:
                    self._fail()
                return False
            answer = self._in.recv()
        except Exception:  # noqa: BLE001 - it died, or wrote something broken (any unpickling error): made here
            self._fail()
            return False
        if answer == "ready":
            self.ready = True
            return True
        self._in_flight -= len(answer)
        for ticket, triples, members in answer:
            if ticket in self._dropped:
                self._dropped.discard(ticket)
            elif ticket in self._sent:
                if members is None:  # it could not make this one: made here when asked for
                    self._local.add(ticket)
                else:
                    del self._sent[ticket]
                    self._done[ticket] = Chunk(triples, members)
                    self.answered += 1
        return True

    def _fail(self) -> None:
        """The helper is of no more use: what is in flight is made here when asked for."""
        self.failed = True
        self._dropped.clear()
        self._batch = []  # still in _sent: made here when asked for
        if self._process is not None:
            self._process.kill()
            try:
                self._process.wait(timeout=1)  # reaped now, not left a zombie until close()
            except subprocess.TimeoutExpired:
                pass


# A pipe holds 64 KiB unless widened, about one record's N-Triples with its annotations: the ingest's thread would wait
# to send whenever the helper was not scheduled at that moment (measured: ~5 ms a record on a busy machine). 1 MiB
# (Linux's default limit for a pipe) holds a dozen records.
_PIPE_SIZE = 1 << 20


def _widen(fd: int) -> None:
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    except (OSError, AttributeError):  # not Linux, or above the system's limit: the default size works, slower
        pass


def _helper_environment() -> dict[str, str]:
    """The helper's environment: the package's root directory first on its path when ``ld`` was imported from a
    source tree (a checkout, a benchmark's sys.path), so that it runs this very code; nothing added when ``ld`` is
    installed in site-packages, which must not come before the standard library."""
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parent.parent)
    installed = {str(Path(p).resolve()) for p in site.getsitepackages() + [site.getusersitepackages()]}
    if package_root not in installed:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    return env


def _send_whole(fd: int, data: bytes) -> None:
    """``data`` as one message ``Connection.recv_bytes`` reads (its length first), in one write while the pipe has
    room: the ingest reads an answer once it is readable and should not wait for its second half."""
    message = memoryview(struct.pack("!i", len(data)) + data)
    while message:
        message = message[os.write(fd, message):]


def serve_chunks(read_fd: int, write_fd: int) -> None:
    """The helper process of ``ChunkMaker``: lists of (ticket, graph, ntriples) in, lists of (ticket, triples,
    members) out (members None: it could not make that chunk), in order. A thread reads the requests as they come,
    so that the ingest never waits to send one while this process waits to send an answer."""
    import queue
    import signal
    import threading

    # Ctrl-C reaches the whole process group: the ingest decides what it means; this process ends with its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests = Connection(read_fd, writable=False)
    waiting: queue.SimpleQueue = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                waiting.put(requests.recv_bytes())
        except (EOFError, OSError):
            waiting.put(None)

    threading.Thread(target=read, daemon=True).start()
    _send_whole(write_fd, pickle.dumps("ready"))
    while (request := waiting.get()) is not None:
        answer = []
        for ticket, graph, ntriples in pickle.loads(request):
            try:
                chunk = chunk_of(graph, ntriples)
                answer.append((ticket, chunk.triples, chunk.members))
            except Exception:  # noqa: BLE001 - the ingest makes this one itself
                answer.append((ticket, None, None))
        try:
            _send_whole(write_fd, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:  # the ingest is gone
            return


class DumpFeed:
    """Chunks of the records an ingest writes, put into ``cache`` once their writes are committed to ``store`` (an
    embedded store: its ``record_token`` reads committed data only). ``hold`` bounds the chunks waiting for their
    commit (bulk mode leaves two batches uncommitted at most); ``settle`` at the end stores the rest."""

    def __init__(self, store: Store, cache: ChunkCache, *, hold: int = 200):
        self.store, self.cache, self.hold = store, cache, hold
        # record graph -> (the token of its write, its chunk or the helper's ticket for it), oldest first
        self._held: dict[str, tuple[str, Chunk | int]] = {}
        self._complete = False  # the cache was complete when the writes began, and no record was left out since
        self.maker: ChunkMaker | None = None

    def begin(self, *, helper: bool = False) -> None:
        """Before the first write: whether the cache is complete as of the store's state now. A store without
        records makes it so (whatever rows there are belong to no record of it). ``helper``: make the chunks in a
        helper process (``ChunkMaker``; the caller's own processes make none, as ``--jobs 1``)."""
        if helper and self.maker is None:
            self.maker = ChunkMaker()
        if next(iter(self.store.records()), None) is None:
            self.cache.clear()
            self._complete = True
            return
        marker = self.store.change_marker()
        self._complete = marker is not None and self.cache.complete_at() == marker

    def finish(self) -> None:
        """After the last write was committed: the held chunks stored (waiting for those the helper still makes),
        and the cache said complete as of the store's state now if it was so when the writes began and every
        record written has its row."""
        self.settle()
        self.close()
        if self._complete and not self._held:
            self.cache.mark_complete(self.store.change_marker())
            cache_system_graphs(self.store, self.cache)  # then the next dump reads nothing from the store

    def close(self) -> None:
        """Stop the helper process, if any (``finish`` does; an ingest that fails half-way must too)."""
        if self.maker is not None:
            self.maker.close()
            self.maker = None

    def deleted(self, doc: URIRef) -> None:
        """Record ``doc`` was withdrawn: its row goes."""
        self.cache.drop(str(doc))

    def written(self, doc: URIRef, record: Graph, made: MadeChunk | None = None, *,
                lines: list[str] | None = None) -> None:
        """Record ``doc`` was handed to the store as ``record`` (``lines``: its ``triple_lines``, when the caller
        has them); ``made`` is a chunk a worker made, used when it was made from these very triples."""
        token = _token(doc, record)
        if token is None:  # no bookkeeping: the store gives the record no token, so no dump could use the chunk
            self._complete = False
            return
        lines = triple_lines(record) if lines is None else lines
        if made is not None and made.digest == _digest(lines):
            chunk = made.chunk
        else:
            ntriples = _ntriples(lines)
            chunk = self.maker.submit(str(doc), ntriples) if self.maker is not None else None
            if chunk is None:  # no helper (yet): made here
                chunk = chunk_of(str(doc), ntriples)
        self._forget(str(doc))  # a later write of the record replaces the earlier one
        self._held[str(doc)] = (token, chunk)
        if len(self._held) >= self.hold:
            self.settle()

    def settle(self) -> int:
        """Store the held chunks whose writes are committed; returns how many. The others wait, except the oldest
        beyond ``hold``: writes that did not commit (a record written again holds its newest write only)."""
        stored = 0
        if self.maker is not None:
            self.maker.poll()
        for doc, (token, chunk) in list(self._held.items()):
            if self.store.record_token(URIRef(doc)) == token:
                del self._held[doc]
                if isinstance(chunk, int):  # the helper's ticket: the chunk comes back (or is made here) now
                    chunk = self.maker.result(chunk) if self.maker is not None else None
                if chunk is None:  # could not be made: the cache lacks the row (a dump reads the record)
                    self._complete = False
                    continue
                self.cache.put(doc, token, chunk)
                stored += 1
        self.cache.commit()
        for doc in list(self._held)[:max(0, len(self._held) - self.hold // 2)]:
            self._forget(doc)
            self._complete = False
        return stored

    def _forget(self, doc: str) -> None:
        """Drop the held chunk of ``doc``, if any (telling the helper when it was still making it)."""
        held = self._held.pop(doc, None)
        if held is not None and isinstance(held[1], int) and self.maker is not None:
            self.maker.drop(held[1])


def _token(doc: URIRef, record: Graph) -> str | None:
    """The ``record_token`` the store will give record ``doc`` once ``record`` is committed."""
    modified = record.value(doc, DCTERMS.modified)
    if modified is None:
        return None
    checksum = record.value(doc, DOCKET.sourceChecksum)
    return record_token_text(str(modified), None if checksum is None else str(checksum))
