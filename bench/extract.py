"""Extraction benchmark: what mining a record's text costs at ingest, and how well it does on the corpus.

    python bench/extract.py [--records 1000] [--corpus ../shared/corpus]

Cost: the pipeline's stages in one process on the real corpus and on synthetic records (bench/synth.py), once with
extraction and once without; "added by extraction" is the mean difference per record over extract + map + validate
+ store write (an annotated record has more triples to map, check and write). Target (issue 4): at most 5 ms a record
on average. Quality: the per-kind table of `docket eval` on the corpus (ld/evaluate.py says how names are matched).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean, median

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from ingest import generate  # noqa: E402
from results import write_section  # noqa: E402

BASE = "http://bench.example.org/"
CORPUS = HERE.parents[1] / "shared" / "corpus"
STAGES = ("read", "extract", "map", "validate", "store")
ROUNDS = 5  # end-to-end runs of each configuration (the machine is noisy: +-15% between runs)
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter  # --clock cpu: this process's CPU time, steadier than wall time on a shared machine


def stage_costs(paths: list[Path], store_dir: Path, *, extract: bool, evidence: bool = True) -> dict[str, list[float]]:
    """Milliseconds per record of each stage, with or without extraction (a warm-up pass first)."""
    from ld.ingest import Pipeline
    from ld.mapper import document_key
    from ld.store import OxigraphStore

    pipeline = Pipeline(BASE)
    pipeline.mapper.evidence = evidence
    times: dict[str, list[float]] = {stage: [] for stage in STAGES}
    with OxigraphStore.open(store_dir, minter=pipeline.minter) as store:
        for path in paths[:20]:  # warm caches (regexes, lookups) as a long ingest run has them
            pipeline.map(pipeline.read(path), extract=extract)
        for path in paths:
            t0 = clock()
            record = pipeline.read(path)
            t1 = clock()
            extraction, _ = pipeline.extract(record) if extract else (None, None)
            t2 = clock()
            mapped = pipeline.map(record, document_key(record), extract=extract)
            t3 = clock()
            pipeline.validate(mapped)
            t4 = clock()
            store.replace_record(mapped.iri, mapped.graph, mapped.entities)
            t5 = clock()
            # map() extracts again: its own extraction time is taken out so that "map" is mapping alone
            again = (t2 - t1) if extract else 0.0
            for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2 - again, t4 - t3, t5 - t4)):
                times[stage].append(seconds * 1000)
    return times


def ingest_ms(paths: list[Path], store_dir: Path, *, extract: bool, evidence: bool = True) -> tuple[float, float]:
    """Wall and CPU milliseconds per record of ``Ingester.ingest`` into a fresh store, as `docket ingest` runs it
    (batched writes in bulk mode, committed in a background thread while the next records are mapped, with the
    shared cache's write tracker and the dump cache's feed beside the store): the figure issue 4's target is about.
    CPU counts all threads and the chunk helper process. Extraction is switched off by a pipeline that maps without it."""
    from ld.cli import store_caches
    from ld.ingest import Ingester, Pipeline
    from ld.store import OxigraphStore

    class Switched(Pipeline):
        def map(self, record, key=None, *, extract: bool = True):
            return super().map(record, key, extract=extract and switched_on)

    switched_on = extract
    pipeline = Switched(BASE)
    pipeline.mapper.evidence = evidence
    for path in paths[:20]:  # warm caches (regexes, lookups) as a long ingest run has them
        pipeline.map(pipeline.read(path))
    with OxigraphStore.open(store_dir, minter=pipeline.minter) as store:
        tracker, feed = store_caches(store, store_dir, pipeline.minter)
        wall, cpu = time.perf_counter(), _cpu_seconds()
        outcomes = list(Ingester(store, pipeline, tracker=tracker, dump_feed=feed).ingest(paths))
        wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
        feed.cache.close()
    failed = [o for o in outcomes if o.status != "ingested"]
    if failed:
        raise SystemExit(f"bench: {len(failed)} records not ingested, e.g. {failed[0]}")
    return wall * 1000 / len(paths), cpu * 1000 / len(paths)


def _cpu_seconds() -> float:
    """CPU seconds of this process (all its threads) and of its ended child processes: the dump feed's chunk
    helper (``ld.dump_feed.ChunkMaker``) ends with the ingest, and its work is part of what an ingest costs."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ingest_table(paths: list[Path], scratch: Path, rounds: int = ROUNDS) -> tuple[str, float]:
    """End-to-end ms per record with extraction, without its annotations, and without extraction: each run
    ``rounds`` times, interleaved, and the least of each kept (other load on a shared machine only ever adds time);
    the median of the rounds' own differences is given beside it, as the typical figure of one round.
    Returns the table and the wall milliseconds extraction adds (least against least)."""
    configs = {"with": (True, True), "bare": (True, False), "without": (False, True)}
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in configs}
    names = list(configs)
    for round_ in range(rounds):
        # each round starts with another configuration: the first ingest of a process pays for growing its heap
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:
            extract, evidence = configs[name]
            runs[name].append(ingest_ms(paths, scratch / f"ingest-{name}-{round_}", extract=extract,
                                        evidence=evidence))
    lines = ["| measure | with extraction | extraction without its annotations | without extraction |",
             "|---|---:|---:|---:|"]
    for index, label in ((0, "wall"), (1, "CPU, all threads and processes")):
        least = {name: min(run[index] for run in values) for name, values in runs.items()}
        typical = {name: median(run[index] - other[index] for run, other in zip(runs[name], runs["without"]))
                   for name in ("with", "bare")}
        lines += [f"| ms per record, {label} | {least['with']:.2f} | {least['bare']:.2f} | {least['without']:.2f} |",
                  f"| **added per record, {label}** | **{least['with'] - least['without']:.2f}** | "
                  f"**{least['bare'] - least['without']:.2f}** | |",
                  f"| added per record, {label}, median of the rounds | {typical['with']:.2f} | "
                  f"{typical['bare']:.2f} | |"]
        if index == 0:
            wall = least
    return "\n".join(lines), wall["with"] - wall["without"]


def triples_table(paths: list[Path]) -> str:
    """Mean triples per record graph with extraction, without its annotations, and without extraction."""
    from ld.ingest import Pipeline
    from ld.mapper import document_key

    pipeline = Pipeline(BASE)
    counts = []
    for extract, evidence in ((True, True), (True, False), (False, True)):
        pipeline.mapper.evidence = evidence
        counts.append(mean(len(pipeline.map(r, document_key(r), extract=extract).graph)
                           for r in map(pipeline.read, paths)))
    return f"| triples per record graph | {counts[0]:.0f} | {counts[1]:.0f} | {counts[2]:.0f} |"


def cost_table(name: str, paths: list[Path], scratch: Path) -> tuple[str, float]:
    without = stage_costs(paths, scratch / f"{name}-without", extract=False)
    bare = stage_costs(paths, scratch / f"{name}-bare", extract=True, evidence=False)
    with_ = stage_costs(paths, scratch / f"{name}-with", extract=True)
    lines = ["| stage | with extraction | extraction without its annotations | without extraction |",
             "|---|---:|---:|---:|"]
    for stage in STAGES:
        lines.append(f"| {stage} | {mean(with_[stage]):.2f} | {mean(bare[stage]):.2f} | {mean(without[stage]):.2f} |")
    added = sum(mean(with_[s]) - mean(without[s]) for s in STAGES if s != "read")
    added_bare = sum(mean(bare[s]) - mean(without[s]) for s in STAGES if s != "read")
    lines.append(f"| **added per record** | **{added:.2f}** | **{added_bare:.2f}** | |")
    lines.append(triples_table(paths))
    return "\n".join(lines), added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000, help="synthetic records timed")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall time, or this process's CPU time (all its threads): steadier on a loaded machine")
    args = parser.parse_args()
    global clock
    clock = CLOCKS[args.clock]
    from ld.evaluate import evaluate_paths

    corpus = sorted(args.corpus.glob("*.txt"))
    with tempfile.TemporaryDirectory(prefix="docket-bench-extract-") as scratch_name:
        scratch = Path(scratch_name)
        corpus_table, corpus_added = cost_table("corpus", corpus, scratch)
        generate(scratch / "records", args.records)
        synth_paths = sorted((scratch / "records").glob("*.txt"))
        synth_table, synth_added = cost_table("synth", synth_paths, scratch)
        end_table, end_added = ingest_table(synth_paths, scratch)
    report = evaluate_paths([args.corpus], base=BASE, events_gold=HERE / "gold" / "events.json")
    body = "\n".join([
        f"Clock: {'wall time' if args.clock == 'wall' else 'CPU time of the benchmark process (all its threads)'}.",
        "",
        f"Mean ms per record by stage, in one process, with text extraction (names, events, their evidence as Web "
        f"Annotations), with extraction but without the annotations, and without extraction (target: extraction adds "
        f"at most 5 ms a record on average). The machine is shared with other sessions: compare columns of one "
        f"table rather than runs.",
        "",
        f"The {len(corpus)} corpus records (mean body {mean(len(p.read_text(encoding='utf-8')) for p in corpus):,.0f} "
        f"characters of file):",
        "",
        corpus_table,
        "",
        f"{args.records:,} synthetic records (bench/synth.py):",
        "",
        synth_table,
        "",
        f"End to end: the same {args.records:,} synthetic records ingested by `Ingester` (as `docket ingest` does it:",
        "batches of 50 records committed in a background thread while the next are mapped) into fresh stores, ms",
        "per record in wall time (what an ingest's duration grows by) and in CPU time (with the dump feed's chunk",
        f"helper process); each configuration run {ROUNDS} times, interleaved, the least figure kept:",
        "",
        end_table,
        "",
        "`docket eval ../shared/corpus`: precision, recall and F1 per entity kind. Scopes: all records (each against",
        "its own ground truth: records annotated from the text against everything the record links, records with",
        "metadata lists against what the metadata names); the records annotated from the text only; the corpus",
        "halves in name order (a: 1st, 3rd, ...; b: 2nd, 4th, ...); and how much of the metadata lists the text alone",
        "finds (recall only). Names match by `ld.evaluate.match_names` (case, diacritics, brackets, honorifics and",
        "offices, word order ignored; then word-subset, one to one).",
        "",
        report.kind_table(),
        "",
        report.event_table(),
        "",
        "bench/gold/events.json was annotated by the author of the extractor, who had seen its output: indicative.",
    ])
    print(body)
    print(f"added by extraction: corpus {corpus_added:.2f} ms, synthetic {synth_added:.2f} ms, "
          f"end to end {end_added:.2f} ms (wall)")
    if not args.no_write:
        write_section("extraction", body)


if __name__ == "__main__":
    main()
