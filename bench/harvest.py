"""Harvest benchmark: dumps and OAI-PMH over the 10,000-record synthetic store of bench/serve.py.

    python bench/harvest.py [--records 10000] [--small 1000] [--reuse] [--no-write]

1. Dumps: `docket dump` of the whole dataset in each format, as a separate process: triples/s and peak memory (RSS),
   on the big store and on a store a tenth its size (memory should not grow with the store: the dump is streamed).
2. Served dumps: the first `GET /dumps/` (every format made, gzip) and a second one (made already: a file listing).
3. OAI-PMH: a full ListRecords harvest (oai_dc, and the rdf format) and a ListIdentifiers harvest with the `sickle`
   client against `docket serve` (2 workers), following resumption tokens (100 records a response).

Target (issue 5): dump at least 200,000 triples/s, memory flat in the store's size. The stores are built once and
cached under bench/out/serve/ (shared with bench/serve.py). Every process started here is stopped on the way out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from results import write_section  # noqa: E402
from serve import BASE, cached_store, docket_serve, free_port  # noqa: E402

FORMATS = (("nq", "docket.nq"), ("nq", "docket.nq.gz"), ("nt", "docket.nt"), ("ttl", "docket.ttl"),
           ("jsonld", "docket.jsonld"))
# One `docket dump` in a child process that reports its own peak RSS (KiB) on its last stderr line.
_RUNNER = ("import resource, sys; from ld.cli import main; code = main(sys.argv[1:]); "
           "print('maxrss', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)")


def dump(store: Path, fmt: str, out: Path) -> dict:
    """Seconds, triples, bytes and peak MiB of one `docket dump` process."""
    command = [sys.executable, "-c", _RUNNER, "dump", "--store", str(store), "--base-uri", BASE, "--format", fmt,
               "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"docket dump failed: {done.stderr[-2000:]}")
    lines = done.stderr.strip().splitlines()
    triples = int(next(line for line in lines if line.endswith(" triples")).split()[0])
    peak = int(lines[-1].split()[1]) / 1024
    return {"seconds": seconds, "triples": triples, "bytes": out.stat().st_size, "peak_mib": peak}


def get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=3600) as response:
        body = response.read()
    return time.perf_counter() - start, body


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
    with tempfile.TemporaryDirectory(prefix="docket-harvest-") as scratch:
        for fmt, name in FORMATS:
            result = dump(big, fmt, Path(scratch, name))
            rows.append((name, result))
            Path(scratch, name).unlink()
        for label, store in ((f"{args.small:,} records", small), (f"{args.records:,} records", big)):
            result = dump(store, "nq", Path(scratch, "m.nq"))
            memory.append((label, result))
    dumps_dir = big.with_name(big.name + ".dumps")
    for stale in dumps_dir.glob("*"):
        stale.unlink()
    port = free_port()
    with docket_serve(big, port):
        origin = f"http://127.0.0.1:{port}"
        first, listing = get(f"{origin}/dumps/?format=json")
        again, _ = get(f"{origin}/dumps/?format=json")
        entries = json.loads(listing)
        void_first, _ = get(f"{origin}/void?format=ttl")
        void_again, _ = get(f"{origin}/void?format=ttl")
        oai = [(verb, prefix, *harvest(f"{origin}/oai", verb, prefix))
               for verb, prefix in (("ListIdentifiers", "oai_dc"), ("ListRecords", "oai_dc"), ("ListRecords", "rdf"))]
    body = "\n".join([
        f"Over the {args.records:,}-record synthetic store of bench/serve.py (bench/synth.py + `docket ingest`).",
        "",
        "`docket dump` of the whole dataset (records, entities, vocab), one process per format, streamed:",
        "",
        "| file | triples | triples/s | size | seconds | peak RSS | target |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[f"| {name} | {r['triples']:,} | {r['triples'] / r['seconds']:,.0f} | {r['bytes'] / 2**20:,.1f} MiB | "
          f"{r['seconds']:.1f} | {r['peak_mib']:.0f} MiB | >= 200,000/s |" for name, r in rows],
        "",
        "Memory against the store's size (`docket dump --format nq`):",
        "",
        "| store | triples | peak RSS |", "|---|---:|---:|",
        *[f"| {label} | {r['triples']:,} | {r['peak_mib']:.0f} MiB |" for label, r in memory],
        "",
        f"Served dumps: the first `GET /dumps/` made all {len(entries)} gzip dumps in {first:.1f} s; the next "
        f"answered in {again * 1000:.0f} ms. `GET /void` (SPARQL aggregates over the store): {void_first:.1f} s "
        f"first, {void_again * 1000:.0f} ms cached (per worker and data version).",
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
