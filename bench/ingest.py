"""Ingest benchmark: synthetic records derived from the corpus into a fresh on-disk store, end to end.

    python bench/ingest.py --records 10000 [--jobs 2]

Reports records/s and peak memory of a real `docket ingest` process (so the figure includes start-up, reading,
mapping, SHACL validation and the store), plus where the time goes per record, measured in-process on a sample.
Target (issue 2): at least 200 records/s with validation on a 2-core machine, peak memory under 1 GB. With
``--jobs N`` the same files are also ingested by `docket ingest --jobs N` into a second fresh store, reported side
by side with one process (target, issue 6: at least 1.7x with --jobs 2 on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from results import write_section  # noqa: E402

BASE = "http://bench.example.org/"


def generate(out: Path, count: int) -> None:
    subprocess.run([sys.executable, str(HERE / "synth.py"), "--records", str(count), "--out", str(out)],
                   check=True, stdout=subprocess.DEVNULL)


def run_ingest(records: Path, store: Path, extra: list[str]) -> tuple[float, float, str, float, float]:
    """Wall seconds, peak RSS (MiB) of the largest process, summary line of one `docket ingest` run, the peak of
    the RSS summed over the process and its workers (sampled every 0.2 s), and the CPU seconds all of them used
    (which other load on the machine changes less than the wall time)."""
    command = [sys.executable, "-m", "ld.cli", "ingest", str(records), "--store", str(store), "--base-uri", BASE,
               "--quiet", *extra]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True, cwd=HERE.parent)
        summed = 0
        while process.poll() is None:
            summed = max(summed, tree_rss(process.pid))
            time.sleep(0.2)
        seconds = time.perf_counter() - start
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime - cpu_before
    if process.returncode not in (0, 1):
        raise SystemExit(f"docket ingest failed ({process.returncode}): {stderr[-2000:]}")
    return seconds, max(peak, before) / 1024, stdout.strip().splitlines()[-1], summed / 1024, cpu


def tree_rss(pid: int) -> int:
    """KiB resident in process ``pid`` and its descendants now (Linux /proc; 0 where unreadable)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
        except (OSError, StopIteration, ValueError):
            continue
    return total


def stage_costs(records: Path, sample: int) -> dict[str, float]:
    """Median milliseconds per record of each stage, in one process, on the first ``sample`` files."""
    from ld.entities import metadata_mentions, resolve
    from ld.ingest import Pipeline
    from ld.mapper import document_key

    pipeline = Pipeline(BASE)
    times: dict[str, list[float]] = {"read": [], "entities": [], "extract": [], "map": [], "validate": []}
    for path in sorted(records.glob("*.txt"))[:sample]:
        t0 = time.perf_counter()
        record = pipeline.read(path)
        t1 = time.perf_counter()
        resolve(metadata_mentions(record), pipeline.authority)
        t2 = time.perf_counter()
        pipeline.extract(record)  # names, events and dates in the text (issue 4; bench/extract.py has more)
        t3 = time.perf_counter()
        mapped = pipeline.map(record, document_key(record))  # resolves, extracts again and maps
        t4 = time.perf_counter()
        pipeline.validate(mapped)
        t5 = time.perf_counter()
        for stage, seconds in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3 - (t3 - t2), t5 - t4)):
            times[stage].append(seconds * 1000)
    return {stage: median(values) for stage, values in times.items()}


def extraction_cost(records: Path, scratch: Path, sample: int) -> list[str]:
    """What text extraction adds to ingest (issue 4: at most 5 ms a record): the first ``sample`` files ingested
    in-process as `docket ingest` runs them, with extraction, with it but without its annotations, and without it
    (bench/extract.py's end-to-end table; that benchmark has the per-stage figures)."""
    if sample <= 0:
        return []
    from extract import ROUNDS, ingest_table

    paths = sorted(records.glob("*.txt"))[:sample]
    table, _ = ingest_table(paths, scratch / "extraction")
    return ["", f"What text extraction adds to ingest (issue 4, target at most 5 ms a record), the first "
                f"{len(paths):,} files ingested in-process by `Ingester` as `docket ingest` does it, each configuration "
                f"{ROUNDS} times, interleaved, the least figure kept:", "", table]


def parallel_table(count: int, jobs: int, one: tuple, many: tuple) -> list[str]:
    """One process beside `--jobs N`, both into fresh stores from the same files, in the same run."""
    return [
        "",
        f"`docket ingest --jobs {jobs}` beside one process, the same {count:,} files into fresh stores, one run "
        f"(load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; other processes on the "
        "machine slow the parallel run the most, its single writer process being the narrow part):",
        "",
        f"| measure | --jobs 1 | --jobs {jobs} |", "|---|---:|---:|",
        f"| records/s | {count / one[0]:,.0f} | {count / many[0]:,.0f} |",
        f"| wall time | {one[0]:,.1f} s | {many[0]:,.1f} s |",
        f"| speed-up | | {one[0] / many[0]:.2f}x (target >= 1.7x) |",
        f"| peak RSS, all processes together (sampled) | {one[3]:,.0f} MiB | {many[3]:,.0f} MiB |",
        f"| CPU ms per record, all processes | {1000 * one[4] / count:,.1f} | {1000 * many[4] / count:,.1f} |",
        "",
        # One process already overlaps its store writes (a background thread) with the next records, so on 2 cores
        # --jobs 2 can gain at most 2 x wall / CPU of one process, even if running in parallel cost no CPU at all.
        f"Ceiling on {os.cpu_count()} cores with no parallel overhead at all (one process already writes in a "
        f"background thread): {os.cpu_count()} x wall / CPU of --jobs 1 = "
        f"{os.cpu_count() * one[0] / one[4]:.2f}x; at the CPU --jobs {jobs} spent: "
        f"{os.cpu_count() * one[0] / many[4]:.2f}x.",
        "",
        f"Summary lines: `{one[2]}`; --jobs {jobs}: `{many[2]}`.",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=300, help="records profiled per stage")
    parser.add_argument("--jobs", type=int, default=1, help="also run `docket ingest --jobs N` beside one process")
    parser.add_argument("--extraction-sample", type=int, default=1000,
                        help="records ingested with and without text extraction (issue 4's cost); 0 skips it")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docket-bench-") as scratch:
        records, store = Path(scratch, "records"), Path(scratch, "store")
        generate(records, args.records)
        first = run_ingest(records, store, [])
        seconds, peak_mib, summary, *_ = first
        again, _, summary_again, *_ = run_ingest(records, store, [])
        parallel = run_ingest(records, Path(scratch, "store-jobs"), ["--jobs", str(args.jobs)]) if args.jobs > 1 \
            else None
        stages = stage_costs(records, args.sample)
        extraction = extraction_cost(records, Path(scratch), args.extraction_sample)
    rate = args.records / seconds
    body = "\n".join([
        f"`docket ingest` of {args.records:,} synthetic records (bench/synth.py) into a fresh on-disk store:",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
        f"| records/s, end to end with SHACL validation | {rate:,.0f} | >= 200 |",
        f"| wall time | {seconds:,.1f} s | |",
        f"| peak memory (RSS) | {peak_mib:,.0f} MiB | < 1024 MiB |",
        f"| re-ingest of the same files (all unchanged) | {again:,.1f} s | |",
        "",
        f"Summary lines: `{summary}`; again: `{summary_again}`.",
        "",
        f"Median ms per record by stage (in-process, first {args.sample} records):",
        "",
        "| stage | ms |", "|---|---:|",
        *[f"| {stage} | {ms:.2f} |" for stage, ms in stages.items()],
        *(parallel_table(args.records, args.jobs, first, parallel) if parallel else []),
        *extraction,
    ])
    print(body)
    if not args.no_write:
        write_section("ingest", body)


if __name__ == "__main__":
    main()
