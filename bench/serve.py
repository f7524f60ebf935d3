"""Serving benchmark: `docket serve` (gunicorn, 2 sync workers) over 10,000 synthetic records, on loopback.

    python bench/serve.py [--records 10000] [--seconds 10] [--profile] [--no-write] [--only-sparql]

1. Dereferencing: requests/s and p50/p99 latency under 16 concurrent clients (wrk, 2 threads, 16 connections) for
   random record and person descriptions, in Turtle and in HTML, side by side with ``/bench/ceiling`` (a fixed
   precomputed byte string answered by the same server: the ceiling of gunicorn + Flask + docket's hooks). Run twice:
   as shipped after `docket publish` filled the shared cache, and with CACHE_ENTRIES=0 (every request builds its
   description).
2. SPARQL: median latency of five typical queries on docket's ``/sparql`` and on ``oxigraph serve-read-only`` (the
   `oxigraph` PyPI package) opened on the same store directory, one client, requests interleaved.

Targets (issue 3): record dereference >= 50% of the ceiling with p99 < 50 ms; SPARQL within 1.5x of Oxigraph.
The store is built once (bench/synth.py + `docket ingest`) and cached under bench/out/serve/ while the generator,
the library code, shapes and vocab are unchanged. ``--profile`` samples one worker with py-spy during an uncached
record run and prints where the time goes. Needs `wrk` (Debian) and `oxigraph` (PyPI): `make bench` installs both.
Every request goes to 127.0.0.1; every process started here is stopped on the way out, also on failure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from results import write_section  # noqa: E402

BASE = "http://127.0.0.1:8080/"  # the IRIs' base; the servers listen on free ports (paths are what is requested)
OUT = HERE / "out" / "serve"
BIN = Path(sys.executable).parent
CLIENTS, WRK_THREADS = 16, 2
BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
           "application/signed-exchange;v=b3;q=0.7")
GZIP = "gzip, deflate, br"  # what browsers, requests and most harvesters send
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
PREFIXES = f"PREFIX crm: <{CRM}> PREFIX dcterms: <http://purl.org/dc/terms/> "


# --- the store ----------------------------------------------------------------------------------------------------


def fingerprint(count: int) -> str:
    """A hash of everything the cached store depends on: the generator, the library, shapes, vocab, size, base."""
    digest = hashlib.sha256(f"{count} {BASE}".encode())
    files = [HERE / "synth.py", *sorted((ROOT / "ld").rglob("*.py")), *sorted((ROOT / "shapes").glob("*.ttl")),
             *sorted((ROOT / "vocab").glob("*.ttl"))]
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cached_store(count: int, reuse: bool = False) -> Path:
    """The store of ``count`` synthetic records under bench/out/serve/, rebuilt only when its fingerprint changed
    (or, with ``reuse``, only when there is none: for iterating on the server while the library changes)."""
    store, stamp = OUT / f"store-{count}", OUT / f"store-{count}.fingerprint"
    wanted = fingerprint(count)
    if store.is_dir() and stamp.exists() and (reuse or stamp.read_text().strip() == wanted):
        print(f"reusing the store {store.relative_to(ROOT)}", file=sys.stderr)
        return store
    shutil.rmtree(store, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    for cache_file in OUT.glob(f"{store.name}.cache.sqlite*"):  # the old store's renderings, and its WAL
        cache_file.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docket-bench-records-") as records:
        print(f"generating and ingesting {count:,} records (cached for next time) ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "synth.py"), "--records", str(count), "--out", records],
                       check=True, stdout=subprocess.DEVNULL)
        done = subprocess.run([str(BIN / "docket"), "ingest", records, "--store", str(store), "--base-uri", BASE,
                               "--quiet", "--jobs", str(os.cpu_count() or 1)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode not in (0, 1):  # 1: some synthetic records rejected, which the ingest bench reports
        raise SystemExit(f"docket ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    stamp.write_text(wanted)
    return store


def publish(store: Path) -> float:
    """`docket publish`: every record's representations and every entity's first page into the shared cache beside
    the store, as an archive does after an ingest. Seconds taken; quick when the cache already holds them (same code,
    same data)."""
    print("docket publish (records and entities into the shared cache) ...", file=sys.stderr)
    started = time.monotonic()
    subprocess.run([str(BIN / "docket"), "publish", "--store", str(store), "--base-uri", BASE], check=True,
                   stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.monotonic() - started


def sample_paths(store: Path) -> dict:
    """Request paths of every record and person, and the most mentioned person's IRI (for the SPARQL queries).
    The read-only handle is dropped on return, before any server opens the store."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    top = next(iter(db.query(
        f"SELECT ?p (COUNT(?d) AS ?n) WHERE {{ ?d <{CRM}P67_refers_to> ?p . ?p a <{CRM}E21_Person> }} "
        "GROUP BY ?p ORDER BY DESC(?n) LIMIT 1", use_default_graph_as_union=True)))
    return {"records": _paths_of(db, "E31_Document"), "persons": _paths_of(db, "E21_Person"),
            "person": top["p"].value, "person_records": int(top["n"].value)}


def _paths_of(db, cls: str) -> list[str]:
    """``/doc/{kind}/{key}`` of every docket IRI of CRM class ``cls``."""
    query = f"SELECT DISTINCT ?x WHERE {{ ?x a <{CRM}{cls}> FILTER(STRSTARTS(STR(?x), \"{BASE}id/\")) }}"
    return sorted("/doc/" + row["x"].value[len(BASE) + 3:] for row in db.query(query, use_default_graph_as_union=True))


# --- processes ----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """A server process in its own session (so stopping its group stops its children too), up when ``probe`` answers
    200. A context manager: stopped on the way out whatever happened."""

    def __init__(self, name: str, command: list[str], probe: str, env: dict[str, str] | None = None):
        self.name, self.command, self.probe = name, command, probe
        self.env = {**os.environ, **(env or {})}
        self.log = tempfile.TemporaryFile()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Service":
        self.process = subprocess.Popen(self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
        deadline = time.monotonic() + 60
        while not _answers(self.probe):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise SystemExit(f"{self.name} did not start: {self.command}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 15)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
        self.process.wait(timeout=15)
        self.process = None
        self.log.close()

    def workers(self) -> list[int]:
        """Process ids of the direct children (gunicorn's workers)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def docket_serve(store: Path, port: int, **settings: str) -> Service:
    """`docket serve` with 2 workers and the ceiling route, ``settings`` given as DOCKET_* variables."""
    env = {"DOCKET_BENCH_CEILING": "1", **{f"DOCKET_{k}": v for k, v in settings.items()}}
    command = [str(BIN / "docket"), "serve", "--store", str(store), "--base-uri", BASE, "--host", "127.0.0.1",
               "--port", str(port), "--workers", "2"]
    # gunicorn's output goes to the Service's log file; no access log, as `docket serve` runs by default.
    return Service("docket serve", command, f"http://127.0.0.1:{port}/bench/ceiling", env)


# --- load: wrk ----------------------------------------------------------------------------------------------------

# One Lua state per wrk thread: each picks uniformly random paths from the file and reports a JSON line at the end.
WRK_SCRIPT = r"""
local counter, paths = 0, {}
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  headers = {Accept = args[2]}
  if args[3] ~= nil and args[3] ~= "" then headers["Accept-Encoding"] = args[3] end
  math.randomseed(7919 * id)
end
function request() return wrk.format("GET", paths[math.random(#paths)], headers) end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "errors": %d, "status_errors": %d, "p50_us": %d, ' ..
    '"p99_us": %d}\n', summary.requests, summary.duration, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk(origin: str, paths: list[str], accept: str, seconds: int, scratch: Path, encoding: str = "") -> dict:
    """requests/s, p50 and p99 (ms), errors and bytes per response (headers included, as sent: compressed when
    ``encoding`` is sent as Accept-Encoding) of ``seconds`` of 16 clients asking for random ``paths``."""
    paths_file, script = scratch / "paths.txt", scratch / "bench.lua"
    paths_file.write_text("\n".join(paths) + "\n")
    script.write_text(WRK_SCRIPT)
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CLIENTS}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script),
               origin, "--", str(paths_file), accept, encoding]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("{"))
    data = json.loads(line)
    return {"rps": data["requests"] / (data["duration_us"] / 1e6), "p50": data["p50_us"] / 1000,
            "p99": data["p99_us"] / 1000, "errors": data["errors"] + data["status_errors"],
            "requests": data["requests"], "bytes": data["bytes"] / max(1, data["requests"])}


def dereference(origin: str, sample: dict, seconds: int, scratch: Path) -> dict[str, dict]:
    """The ceiling and the four description scenarios, one after the other against the same server."""
    scenarios = {
        "ceiling (precomputed bytes)": (["/bench/ceiling"], "text/turtle", ""),
        "record, Turtle": (sample["records"], "text/turtle", ""),
        "record, Turtle, gzip": (sample["records"], "text/turtle", GZIP),
        "record, HTML": (sample["records"], BROWSER, ""),
        "record, HTML, gzip": (sample["records"], BROWSER, GZIP),
        "person, Turtle": (sample["persons"], "text/turtle", ""),
        "person, HTML": (sample["persons"], BROWSER, ""),
    }
    results = {}
    for name, (paths, accept, encoding) in scenarios.items():
        results[name] = wrk(origin, paths, accept, seconds, scratch, encoding)
        print(f"  {name}: {results[name]['rps']:,.0f} req/s, p50 {results[name]['p50']:.1f} ms, "
              f"p99 {results[name]['p99']:.1f} ms, {results[name]['errors']} errors", file=sys.stderr)
    return results


# --- SPARQL ---------------------------------------------------------------------------------------------------------


def typical_queries(sample: dict) -> dict[str, str]:
    """Five queries a historian or an aggregator asks, on the union default graph."""
    record = f"{BASE}id/{sample['records'][len(sample['records']) // 2][len('/doc/'):]}"
    person = sample["person"]
    return {
        "record by IRI": f"SELECT ?p ?o WHERE {{ <{record}> ?p ?o }}",
        "records of a person": PREFIXES + f"SELECT ?doc ?date ?title WHERE {{ ?doc crm:P67_refers_to <{person}> ; "
                                          "dcterms:date ?date ; dcterms:title ?title } ORDER BY ?date",
        "count per year": PREFIXES + "SELECT ?year (COUNT(?doc) AS ?n) WHERE { ?doc a crm:E31_Document ; "
                                     "dcterms:date ?date BIND(YEAR(?date) AS ?year) } GROUP BY ?year ORDER BY ?year",
        "CONTAINS on titles": PREFIXES + "SELECT ?doc ?title WHERE { ?doc dcterms:title ?title "
                                         "FILTER(CONTAINS(LCASE(STR(?title)), \"korea\")) }",
        "co-mentions": PREFIXES + f"SELECT ?other (COUNT(DISTINCT ?doc) AS ?n) WHERE {{ ?doc crm:P67_refers_to "
                                  f"<{person}>, ?other . ?other a crm:E21_Person FILTER(?other != <{person}>) }} "
                                  "GROUP BY ?other ORDER BY DESC(?n) LIMIT 20",
    }


def ask(endpoint: str, query: str) -> tuple[float, int]:
    """Seconds for one query over a new connection (as a client without keep-alive would), and the row count."""
    url = f"{endpoint}?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        body = response.read()
    seconds = time.perf_counter() - started
    return seconds, len(json.loads(body)["results"]["bindings"])


def sparql_latency(endpoints: dict[str, str], queries: dict[str, str], repeats: int,
                   budget: float) -> dict[str, dict]:
    """Median ms per query and endpoint, requests interleaved between the endpoints; two warm-up runs each (they
    also start docket's query processes in both workers). A query stops repeating after ``budget`` seconds."""
    results = {}
    for name, query in queries.items():
        times: dict[str, list[float]] = {label: [] for label in endpoints}
        rows = {label: {ask(url, query)[1] for _ in range(2)} for label, url in endpoints.items()}
        started = time.monotonic()
        for _ in range(repeats):
            for label, url in endpoints.items():
                times[label].append(ask(url, query)[0])
            if time.monotonic() - started > budget:
                break
        results[name] = {"rows": rows, **{label: statistics.median(t) * 1000 for label, t in times.items()},
                         "runs": len(times[next(iter(endpoints))])}
        print(f"  {name}: " + ", ".join(f"{label} {results[name][label]:.1f} ms" for label in endpoints)
              + f" (rows {rows})", file=sys.stderr)
    return results


# --- profiling ----------------------------------------------------------------------------------------------------


def profile(service: Service, origin: str, paths: list[str], accept: str, seconds: int, scratch: Path) -> str:
    """py-spy samples one worker while wrk loads the server; the functions holding most samples (inclusive)."""
    worker = service.workers()[0]
    raw = OUT / "profile-record-ttl.txt"  # kept for a closer look (flame graphs: py-spy --format flamegraph)
    spy = subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(worker), "--duration", str(seconds),
                            "--rate", "250", "--format", "raw", "--output", str(raw), "--nonblocking"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wrk(origin, paths, accept, seconds, scratch)
        spy.wait(timeout=seconds + 30)
    finally:
        if spy.poll() is None:
            spy.kill()
            spy.wait()
    return summarise_profile(raw.read_text())


def summarise_profile(collapsed: str, top: int = 14) -> str:
    """From py-spy's collapsed stacks ("a;b;c count" lines): the inclusive share of samples of each function below
    Flask's dispatch (the server's plumbing above it holds every sample and says nothing), and the self share of the
    functions where samples end."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():  # not a "stack count" line (py-spy notes, idle markers)
            continue
        frames, n = stack.split(";"), int(count)
        samples += n
        own[frames[-1]] = own.get(frames[-1], 0) + n
        dispatch = next((i for i, f in enumerate(frames) if f.startswith("Flask.dispatch_request")), None)
        for frame in set(frames[dispatch:] if dispatch is not None else []):
            inclusive[frame] = inclusive.get(frame, 0) + n

    def ranked(counts: dict[str, int]) -> list[str]:
        return [f"{100 * n / samples:5.1f}%  {frame}" for frame, n in sorted(counts.items(), key=lambda i: -i[1])[:top]]

    return "\n".join([f"{samples} samples; inclusive, below Flask.dispatch_request:", *ranked(inclusive),
                      "self (where the samples end):", *ranked(own)])


# --- the report -----------------------------------------------------------------------------------------------------


def dereference_table(runs: dict[str, dict[str, dict]]) -> list[str]:
    lines = ["| server cache | what | requests/s | % of ceiling | p50 ms | p99 ms | bytes/response | errors "
             "| target met |", "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for cache, results in runs.items():
        ceiling = results["ceiling (precomputed bytes)"]["rps"]
        for name, r in results.items():
            share = r["rps"] / ceiling
            met = ("yes" if share >= 0.5 and r["p99"] < 50 and not r["errors"] else "**no**") \
                if name.startswith("record") and cache == "published" else ""  # the target: records as shipped
            lines.append(f"| {cache} | {name} | {r['rps']:,.0f} | {100 * share:.0f}% | {r['p50']:.1f} "
                         f"| {r['p99']:.1f} | {r['bytes']:,.0f} | {r['errors']} | {met} |")
    return lines


def sparql_table(results: dict[str, dict]) -> list[str]:
    lines = ["| query | docket /sparql ms | oxigraph serve ms | ratio | rows | runs |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        rows = ", ".join(str(n) for n in sorted(set().union(*r["rows"].values())))
        lines.append(f"| {name} | {r['docket']:.1f} | {r['oxigraph']:.1f} | {r['docket'] / r['oxigraph']:.2f}x "
                     f"| {rows} | {r['runs']} |")
    return lines


def report(args, sample: dict, runs: dict, sparql: dict, profile_text: str | None, load: tuple,
           publish_seconds: float) -> str:
    body = [
        f"Load average (1 min) before / after the run: {load[0]:.2f} / {load[1]:.2f} on 2 cores; anything else "
        "running on the machine lowers every row, the ceiling included, so compare rows within one run.",
        "",
        f"`docket serve` (gunicorn, 2 sync workers) over {args.records:,} synthetic records "
        f"({len(sample['records']):,} records, {len(sample['persons']):,} people), loopback, wrk with "
        f"{CLIENTS} connections ({WRK_THREADS} threads) for {args.seconds} s per row, uniformly random paths "
        "(`/doc/...`, the target of the `/id/...` 303); `ceiling` is `/bench/ceiling`, a fixed 8 KiB answered "
        "by the same server in the same run. Rows marked `gzip` send `Accept-Encoding: gzip, deflate, br` (as "
        "browsers, requests and most harvesters do) and get the shared cache's gzip bytes as stored; the others "
        "send no Accept-Encoding and get the decompressed bytes. bytes/response counts what went over the wire, "
        "headers included.",
        "",
        f"- `published`: the server as shipped, after `docket publish` rendered the five representations of every "
        f"record and of every entity's first page into the shared cache ({publish_seconds:.0f} s this run; "
        "quick when they were there already). A record request reads the record's token from the store and the "
        "body from the cache; an entity request reads the body from the cache (an ingest deletes the entries it "
        "makes stale before it writes, see `ld/freshness.py`).",
        "- `none`: CACHE_ENTRIES=0 (no shared or per-worker cache): every request queries the store and "
        "serializes (Oxigraph's serializers; rdflib is not on this path). What a record costs before it is "
        "published.",
        "",
        *dereference_table(runs),
        "",
        "Targets: record dereference >= 50% of the ceiling, p99 < 50 ms (`target met`).",
        "",
        f"SPARQL, median of up to {args.repeats} runs per query (one client, a new connection per request, "
        "results as JSON), docket's `/sparql` against `oxigraph serve-read-only --union-default-graph` on the same "
        f"store directory. The person is the most mentioned one ({sample['person_records']:,} records).",
        "",
        *sparql_table(sparql),
        "",
        "Target: docket within 1.5x of the Oxigraph server.",
    ]
    if profile_text:
        body += ["", "Where an uncached record (Turtle) request spends its time in a worker (py-spy, inclusive):",
                 "", "```", profile_text, "```"]
    return "\n".join(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10, help="seconds of load per dereferencing row")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per SPARQL query and endpoint")
    parser.add_argument("--profile", action="store_true", help="sample a worker with py-spy (uncached records)")
    parser.add_argument("--reuse-store", action="store_true",
                        help="reuse a cached store of this size even if ld/, shapes/, vocab/ or synth.py changed")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--only-remote", action="store_true", help="only the SPARQL latency over a remote store")
    parser.add_argument("--only-sparql", action="store_true",
                        help="only the SPARQL latency against Oxigraph's server (printed, never written)")
    parser.add_argument("--only-dereference", action="store_true",
                        help="only the dereferencing rows of the shipped server (no SPARQL, no uncached run); prints")
    args = parser.parse_args()
    if args.only_remote:
        return remote_store_section(args)
    if args.only_sparql:
        store = cached_store(args.records, reuse=args.reuse_store)
        print("\n".join(sparql_table(compare_sparql(store, sample_paths(store), args.repeats))))
        return None
    if not shutil.which("wrk"):
        raise SystemExit("bench/serve.py needs wrk (apt-get install wrk; `make bench` installs it)")
    store = cached_store(args.records, reuse=args.reuse_store)
    publish_seconds = publish(store)
    if args.only_dereference:
        return quick_dereference(store, args)
    load_before = os.getloadavg()[0]
    sample = sample_paths(store)
    runs, profile_text = {}, None
    with tempfile.TemporaryDirectory(prefix="docket-bench-serve-") as scratch_dir:
        scratch = Path(scratch_dir)
        for cache, entries in (("published", "5000"), ("none", "0")):
            port = free_port()
            print(f"docket serve, cache {cache}:", file=sys.stderr)
            with docket_serve(store, port, CACHE_ENTRIES=entries) as service:
                origin = f"http://127.0.0.1:{port}"
                runs[cache] = dereference(origin, sample, args.seconds, scratch)
                if cache == "none" and args.profile:
                    profile_text = profile(service, origin, sample["records"], "text/turtle", args.seconds, scratch)
        sparql = compare_sparql(store, sample, args.repeats)
    body = report(args, sample, runs, sparql, profile_text, (load_before, os.getloadavg()[0]), publish_seconds)
    print(body)
    if not args.no_write:
        write_section("serve", body)
    remote_store_section(args, store, sample)


def quick_dereference(store: Path, args) -> None:
    """The published server's dereferencing rows alone, printed (for iterating on the request path)."""
    sample = sample_paths(store)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="docket-bench-serve-") as scratch_dir:
        port = free_port()
        with docket_serve(store, port, CACHE_ENTRIES="5000") as service:
            origin = f"http://127.0.0.1:{port}"
            runs = {"published": dereference(origin, sample, args.seconds, Path(scratch_dir))}
            if args.profile:
                print(profile(service, origin, sample["records"], "text/turtle", args.seconds, Path(scratch_dir)))
    print(f"load average before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f}")
    print("\n".join(dereference_table(runs)))


def compare_sparql(store: Path, sample: dict, repeats: int) -> dict[str, dict]:
    """docket's endpoint and Oxigraph's server, both up at once on the same store directory (both read-only)."""
    docket_port, oxigraph_port = free_port(), free_port()
    oxigraph = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind",
                f"127.0.0.1:{oxigraph_port}", "--union-default-graph"]
    with ExitStack() as stack:
        stack.enter_context(docket_serve(store, docket_port))
        stack.enter_context(Service("oxigraph serve-read-only", oxigraph,
                                    f"http://127.0.0.1:{oxigraph_port}/query?query=ASK%7B%7D"))
        print("SPARQL:", file=sys.stderr)
        endpoints = {"docket": f"http://127.0.0.1:{docket_port}/sparql",
                     "oxigraph": f"http://127.0.0.1:{oxigraph_port}/query"}
        return sparql_latency(endpoints, typical_queries(sample), repeats, budget=60)


# --- a remote store (issue 6) ----------------------------------------------------------------------------------------


def remote_store_section(args, store: Path | None = None, sample: dict | None = None) -> None:
    """docket's /sparql over the embedded store beside docket's /sparql over the same data in `oxigraph serve`
    (read-only, on the same directory), as a remote store (--store-url): what forwarding costs. Its own section of
    bench/RESULTS.md ("serve-remote")."""
    store = store or cached_store(args.records, reuse=args.reuse_store)
    sample = sample or sample_paths(store)
    embedded_port, remote_port, oxigraph_port = free_port(), free_port(), free_port()
    oxigraph = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store), "--bind",
                f"127.0.0.1:{oxigraph_port}", "--union-default-graph"]
    load_before = os.getloadavg()[0]
    with ExitStack() as stack:
        stack.enter_context(Service("oxigraph serve-read-only", oxigraph,
                                    f"http://127.0.0.1:{oxigraph_port}/query?query=ASK%7B%7D"))
        stack.enter_context(docket_serve(store, embedded_port))
        stack.enter_context(docket_serve(store, remote_port, STORE_URL=f"http://127.0.0.1:{oxigraph_port}/query"))
        print("SPARQL, embedded and remote store:", file=sys.stderr)
        endpoints = {"embedded": f"http://127.0.0.1:{embedded_port}/sparql",
                     "remote": f"http://127.0.0.1:{remote_port}/sparql",
                     "oxigraph": f"http://127.0.0.1:{oxigraph_port}/query"}
        results = sparql_latency(endpoints, typical_queries(sample), args.repeats, budget=60)
    lines = [f"Load average (1 min) before / after: {load_before:.2f} / {os.getloadavg()[0]:.2f} on 2 cores.", "",
             f"SPARQL over a remote store, {args.records:,} synthetic records: docket's `/sparql` (2 workers) over the "
             "embedded store, and over the same directory served by `oxigraph serve-read-only --union-default-graph` "
             "as a remote store (`--store-url`: the query is parsed by docket, then forwarded), with the Oxigraph "
             "server asked directly for reference. Median of up to "
             f"{args.repeats} runs per query, one client, a new connection per request, results as JSON.", "",
             "| query | embedded ms | remote ms | remote / embedded | oxigraph serve ms | rows |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, r in results.items():
        rows = ", ".join(str(n) for n in sorted(set().union(*r["rows"].values())))
        lines.append(f"| {name} | {r['embedded']:.1f} | {r['remote']:.1f} | {r['remote'] / r['embedded']:.2f}x "
                     f"| {r['oxigraph']:.1f} | {rows} |")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("serve-remote", body)


if __name__ == "__main__":
    main()
