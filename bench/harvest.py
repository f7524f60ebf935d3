"""Harvest benchmark: dumps and OAI-PMH over the 10,000-record synthetic store of bench/serve.py.

    python bench/harvest.py [--records 10000] [--small 1000] [--reuse] [--no-write]

1. Dumps: `docket dump` of the whole dataset in each format, as a separate process: triples/s and peak memory (RSS),
   without the dump cache, filling it, and from it (every later dump); and peak memory on the big store against a
   store a tenth its size (memory should not grow with the store: the dump is streamed).
2. Served dumps: the first `GET /dumps/` (every format made, gzip) and a second one (made already: a file listing).
3. OAI-PMH: a full ListRecords harvest (oai_dc, and the rdf format) and a ListIdentifiers harvest with the `sickle`
   client against `docket serve` (2 workers), following resumption tokens (100 records a response).

Target (issue 5): dump at least 200,000 triples/s, memory flat in the store's size. The stores are built once and
cached under bench/out/serve/ (shared with bench/serve.py). Every process started here is stopped on the way out.
"""

from __future__ import annotations

import argparse
import json
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

# (label, format, file, extra options): the first run reads every record from the store with no cache, the second
# fills the dump cache (ld/chunks.py), the others read unchanged records from it, as every later dump does.
RUNS = (("no cache", "nq", "docket.nq", ["--no-cache"]), ("filling the cache", "nq", "docket.nq", []),
        ("cached", "nq", "docket.nq", []), ("cached", "nq", "docket.nq.gz", []), ("cached", "nt", "docket.nt", []),
        ("cached", "ttl", "docket.ttl", []), ("cached", "jsonld", "docket.jsonld", []),
        ("cached", "jsonld", "docket.jsonld.gz", []))
# One `docket dump` in a child process that reports its own peak RSS (KiB) on its last stderr line.
# The floor under any dump: a process that imports docket, opens the store read-only and lists its records (RocksDB
# keeps index and filter blocks of the store's files in memory, which grows with the store).
_OPEN_ONLY = ("import resource, sys; from ld.store import OxigraphStore; "
              "s = OxigraphStore.open(sys.argv[1], read_only=True); n = sum(1 for _ in s.records()); s.close(); "
              "print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)")
_RUNNER = ("import resource, sys; from ld.cli import main; code = main(sys.argv[1:]); "
           "print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)")


def dump(store: Path, fmt: str, out: Path, extra: list[str] = ()) -> dict:
    """Seconds, triples, bytes and peak MiB of one `docket dump` process."""
    command = [sys.executable, "-c", _RUNNER, "dump", "--store", str(store), "--base-uri", BASE, "--format", fmt,
               "--out", str(out), *extra]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"docket dump failed: {done.stderr[-2000:]}")
    lines = done.stderr.strip().splitlines()
    triples = int(next(line for line in lines if line.endswith(" triples")).split()[0])
    peak = int(lines[-1].split()[1]) / 1024
    return {"seconds": seconds, "triples": triples, "bytes": out.stat().st_size, "peak_mib": peak}


def open_only_mib(store: Path) -> float:
    done = subprocess.run([sys.executable, "-c", _OPEN_ONLY, str(store)], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    return int(done.stderr.strip().splitlines()[-1].split()[1]) / 1024


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
    args = parser.parse_args()
    big, small = cached_store(args.records, args.reuse), cached_store(args.small, args.reuse)
    rows, memory = [], []
    for store in (big, small):  # start from no dumps and no dump cache
        shutil.rmtree(store.with_name(store.name + ".dumps"), ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="docket-harvest-") as scratch:
        for label, fmt, name, extra in RUNS:
            result = dump(big, fmt, Path(scratch, name), extra)
            rows.append((label, name, result))
            Path(scratch, name).unlink()
        for label, store in ((f"{args.small:,} records", small), (f"{args.records:,} records", big)):
            result = dump(store, "nq", Path(scratch, "m.nq"), ["--no-cache"])
            memory.append((label, result, open_only_mib(store)))
    shutil.rmtree(big.with_name(big.name + ".dumps"), ignore_errors=True)  # the server starts from nothing
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
    body = "\n".join([
        f"Over the {args.records:,}-record synthetic store of bench/serve.py (bench/synth.py + `docket ingest`).",
        "",
        "`docket dump` of the whole dataset (records, entities, vocab), one process per format, streamed:",
        "",
        "| run | file | triples | triples/s | size | seconds | peak RSS | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *[f"| {label} | {name} | {r['triples']:,} | {r['triples'] / r['seconds']:,.0f} | "
          f"{r['bytes'] / 2**20:,.1f} MiB | {r['seconds']:.1f} | {r['peak_mib']:.0f} MiB | >= 200,000/s |"
          for label, name, r in rows],
        "",
        "Seconds are wall time of the whole process (start-up ~1 s included). Reading a quad from Oxigraph's disk "
        "store costs ~10 us (each string is a lookup), which bounds a dump without the cache; with it, only records "
        "written since the last dump are read from the store.",
        "",
        "Memory against the store's size (`docket dump --format nq`):",
        "",
        "| store | triples | peak RSS of the dump | peak RSS of opening the store only | the dump's own |",
        "|---|---:|---:|---:|---:|",
        *[f"| {label} | {r['triples']:,} | {r['peak_mib']:.0f} MiB | {floor:.0f} MiB | {r['peak_mib'] - floor:.0f} MiB |"
          for label, r, floor in memory],
        "",
        f"Served dumps: after the first `GET /dumps/` (503 while a process of their own makes them), all "
        f"{len(entries)} gzip dumps were listed after {first:.1f} s; the next `GET /dumps/` "
        f"answered in {again * 1000:.0f} ms. The VoID statistics (SPARQL aggregates over every quad) are made by the "
        f"same process after the dumps: `GET /void` answered {void_first:.1f} s after the dumps were listed, then "
        f"in {void_again * 1000:.0f} ms.",
        "",
        "OAI-PMH harvests with sickle (100 items a response, resumption tokens), 2 gunicorn workers:",
        "",
        "| verb | metadataPrefix | items | seconds | items/s |", "|---|---|---:|---:|---:|",
        *[f"| {verb} | {prefix} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} |"
          for verb, prefix, seconds, count, _ in oai],
    ])
    print(body)
    if not args.no_write:
        write_section("harvest", body)


if __name__ == "__main__":
    main()
