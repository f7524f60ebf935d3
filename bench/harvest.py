"""Harvest benchmark: dumps and OAI-PMH over the 10,000-record synthetic store of bench/serve.py.

    python bench/harvest.py [--records 10000] [--small 1000] [--reuse] [--no-write] [--no-serve]

1. Dumps: `docket dump` of the whole dataset in each format, as a separate process: triples/s (wall and CPU) and
   peak memory, first without the dump cache (`--no-cache`: every record read from the store, what a dump costs for
   records the cache lacks), then the first dumps after the ingest (every record from the cache `docket ingest`
   filled), plain and gzip; and memory on the big store against a smaller one, with what it is made of (anonymous
   vs file-backed RSS) beside a bare pyoxigraph process reading the same store.
2. Served dumps: the first `GET /dumps/` after the ingest (every format made, gzip) and a second one (made already:
   a file listing).
3. OAI-PMH: a full ListRecords harvest (oai_dc, and the rdf format) and a ListIdentifiers harvest with the `sickle`
   client against `docket serve` (2 workers), following resumption tokens (100 records a response).

Target (issue 5): dump at least 200,000 triples/s, memory flat in the store's size. The stores are built once and
cached under bench/out/serve/ (shared with bench/serve.py). Every process started here is stopped on the way out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from results import write_section  # noqa: E402
from serve import BASE, cached_store, docket_serve, free_port  # noqa: E402

# (label, format, file, read the store?): every format is dumped first without the dump cache (every record read
# from the store: what a dump costs where the cache lacks records), then from the cache as `docket ingest` left it
# (the first dump after an ingest: the cache is written only by ingest here, the runs without it leave it alone),
# plain and gzip (as served at /dumps/).
RUNS = tuple(run for fmt in ("nq", "nt", "ttl", "jsonld") for run in (
    ("no cache (store read)", fmt, f"docket.{fmt}", True), ("after ingest (cache)", fmt, f"docket.{fmt}", False),
    ("after ingest (cache)", fmt, f"docket.{fmt}.gz", False)))
# One `docket dump` in a child process that reports, on its last stderr line, its peak RSS (KiB), its CPU seconds
# (user + system, every thread) and how its resident memory is made up at exit (/proc/self/smaps_rollup, KiB):
# anonymous (heap: Python, RocksDB's block cache and table readers) and file-backed (mapped libraries).
_REPORT = ("import json, resource; u = resource.getrusage(resource.RUSAGE_SELF); "
           "r = {l.split()[0].rstrip(':'): int(l.split()[1]) for l in open('/proc/self/smaps_rollup') "
           "if l.split()[-1] == 'kB'}; "
           "print('report', json.dumps({'maxrss': u.ru_maxrss, 'cpu': u.ru_utime + u.ru_stime, "
           "'anonymous': r['Anonymous'], 'rss': r['Rss']}), file=sys.stderr)")
_RUNNER = ("import sys; from ld.cli import main; code = main(sys.argv[1:]); " + _REPORT + "; sys.exit(code)")
# Oxigraph alone, without docket: open the store read-only and read every named graph as N-Triples (what a first
# dump reads), to tell Oxigraph's memory from the dump's.
_OXIGRAPH_ONLY = ("import sys, pyoxigraph as ox; s = ox.Store.read_only(sys.argv[1]); "
                  "n = sum(len(s.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g)) for g in list(s.named_graphs()));"
                  + _REPORT)


def _report(stderr: str) -> dict:
    return json.loads(next(line for line in reversed(stderr.splitlines()) if line.startswith("report "))[7:])


def dump(store: Path, fmt: str, out: Path, uncached: bool) -> dict:
    """Seconds, CPU seconds, triples, bytes and memory (MiB) of one `docket dump` process; ``uncached``: every
    record read from the store (``--no-cache``, which neither reads nor fills the dump cache)."""
    command = [sys.executable, "-c", _RUNNER, "dump", "--store", str(store), "--base-uri", BASE, "--format", fmt,
               "--out", str(out), *(["--no-cache"] if uncached else [])]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"docket dump failed: {done.stderr[-2000:]}")
    triples = int(next(line for line in done.stderr.splitlines() if line.endswith(" triples")).split()[0])
    report = _report(done.stderr)
    return {"seconds": seconds, "cpu": report["cpu"], "triples": triples, "bytes": out.stat().st_size,
            "peak_mib": report["maxrss"] / 1024, "anonymous_mib": report["anonymous"] / 1024,
            "file_mib": (report["rss"] - report["anonymous"]) / 1024}


def oxigraph_only(store: Path) -> dict:
    """Peak and anonymous MiB of a bare pyoxigraph process reading every graph of ``store``."""
    done = subprocess.run([sys.executable, "-c", _OXIGRAPH_ONLY, str(store)], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    report = _report(done.stderr)
    return {"peak_mib": report["maxrss"] / 1024, "anonymous_mib": report["anonymous"] / 1024}


def store_mib(store: Path) -> float:
    return sum(f.stat().st_size for f in store.iterdir() if f.is_file()) / 2**20


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=3600) as response:
        body = response.read()
    return time.perf_counter() - start, body


def ready(url: str, done=lambda body: True) -> tuple[float, bytes]:
    """Seconds until ``url`` answers 200 with a body that is ``done`` (503 while the dumps are made)."""
    start = time.perf_counter()
    while True:
        try:
            _, body = get(url)
            if done(body):
                return time.perf_counter() - start, body
        except urllib.error.HTTPError as error:
            error.close()
            if error.code != 503:
                raise
        time.sleep(1)


def harvest(endpoint: str, verb: str, prefix: str) -> tuple[float, int, int]:
    """Seconds, items and responses of a full harvest with sickle."""
    from sickle import Sickle

    client = Sickle(endpoint, max_retries=2, timeout=600)
    start = time.perf_counter()
    items = getattr(client, verb)(metadataPrefix=prefix, ignore_deleted=False)
    count = sum(1 for _ in items)
    return time.perf_counter() - start, count, 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="the smaller store, for memory against size")
    parser.add_argument("--reuse", action="store_true", help="use the cached stores even if the code changed")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--no-serve", action="store_true", help="dumps only: no server, no OAI-PMH harvest")
    args = parser.parse_args()
    big, small = cached_store(args.records, args.reuse), cached_store(args.small, args.reuse)
    load_before = load_average()
    rows, memory = [], []
    with tempfile.TemporaryDirectory(prefix="docket-harvest-") as scratch:
        for label, fmt, name, uncached in RUNS:
            result = dump(big, fmt, Path(scratch, name), uncached)
            rows.append((label, name, result))
            Path(scratch, name).unlink()
        for records, store in ((args.small, small), (args.records, big)):
            cold = dump(store, "nq", Path(scratch, "m.nq"), True)
            warm = dump(store, "nq", Path(scratch, "m.nq"), False)
            memory.append((records, store_mib(store), cold, warm, oxigraph_only(store)))
    for made in big.with_name(big.name + ".dumps").glob("*"):  # the server starts from what the ingest left
        if not made.name.startswith("chunks.sqlite"):
            made.unlink()
    served = None if args.no_serve else serve(big)
    load_after = load_average()
    body = "\n".join([
        f"Over the {args.records:,}-record synthetic store of bench/serve.py (bench/synth.py + `docket ingest`). "
        f"Load average (1 min) before / after: {load_before:.2f} / {load_after:.2f} on {os.cpu_count()} cores: "
        "anything else running on the machine lowers the wall-clock rates; the CPU column (user + system seconds "
        "of the dump process, every thread) is what the dump itself cost.",
        "",
        "`docket dump` of the whole dataset (records, entities, vocab), one process per run, streamed. "
        "`docket ingest` puts every record it writes into the dump cache in every format (gzip members), so the "
        "first dump after it concatenates cached members (inflating them for a plain file); a dump without the "
        "cache (`--no-cache`, or for records the cache lacks) reads the record graphs from Oxigraph, in reader "
        "threads:",
        "",
        "| run | file | triples | wall s | triples/s (wall) | CPU s | triples per CPU s | size | peak RSS | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *[f"| {label} | {name} | {r['triples']:,} | {r['seconds']:.1f} | {r['triples'] / r['seconds']:,.0f} | "
          f"{r['cpu']:.1f} | {r['triples'] / r['cpu']:,.0f} | {r['bytes'] / 2**20:,.1f} MiB | {r['peak_mib']:.0f} MiB "
          f"| >= 200,000/s |" for label, name, r in rows],
        "",
        "Memory against the store's size (`docket dump --format nq`, without the cache and after the ingest), "
        "beside a bare pyoxigraph "
        "process reading every graph (no docket). Resident memory at exit is split into anonymous (heap) and "
        "file-backed (mapped libraries; RocksDB reads its files with pread, so the page cache is not in RSS):",
        "",
        "| records | store on disk | run | triples | peak RSS | anonymous at exit | file-backed at exit | "
        "pyoxigraph alone: peak / anonymous |",
        "|---:|---:|---|---:|---:|---:|---:|---:|",
        *[f"| {records:,} | {size:,.0f} MiB | {label} | {r['triples']:,} | {r['peak_mib']:.0f} MiB | "
          f"{r['anonymous_mib']:.0f} MiB | {r['file_mib']:.0f} MiB | {bare['peak_mib']:.0f} / "
          f"{bare['anonymous_mib']:.0f} MiB |"
          for records, size, cold, warm, bare in memory
          for label, r in (("no cache", cold), ("after ingest", warm))],
        *([] if served is None else ["", *served]),
    ])
    print(body)
    if not args.no_write:
        write_section("harvest", body)


def serve(big: Path) -> list[str]:
    """The served dumps, VoID and OAI-PMH harvests against `docket serve` over ``big``: lines of the report."""
    port = free_port()
    with docket_serve(big, port):
        origin = f"http://127.0.0.1:{port}"
        first, listing = ready(f"{origin}/dumps/?format=json",
                               lambda body: len(json.loads(body)) == 4 and all(e["current"] for e in json.loads(body)))
        entries = json.loads(listing)
        again, _ = get(f"{origin}/dumps/?format=json")
        void_first, _ = ready(f"{origin}/void?format=ttl")
        void_again, _ = get(f"{origin}/void?format=ttl")
        oai = [(verb, prefix, *harvest(f"{origin}/oai", verb, prefix))
               for verb, prefix in (("ListIdentifiers", "oai_dc"), ("ListRecords", "oai_dc"), ("ListRecords", "rdf"))]
    return [
        f"Served dumps: after the first `GET /dumps/` (503 while a process of their own makes them), all "
        f"{len(entries)} gzip dumps were listed after {first:.1f} s; the next `GET /dumps/` "
        f"answered in {again * 1000:.0f} ms. The VoID statistics (SPARQL aggregates over every quad) are made by the "
        f"same process: `GET /void` answered {void_first:.1f} s after the dumps were listed, then "
        f"in {void_again * 1000:.0f} ms.",
        "",
        "OAI-PMH harvests with sickle (100 items a response, resumption tokens), 2 gunicorn workers:",
        "",
        "| verb | metadataPrefix | items | seconds | items/s |", "|---|---|---:|---:|---:|",
        *[f"| {verb} | {prefix} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} |"
          for verb, prefix, seconds, count, _ in oai],
    ]


if __name__ == "__main__":
    main()
