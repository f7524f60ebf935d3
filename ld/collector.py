"""The cyclic garbage collector's settings for a long batch run (``docket ingest``'s deciding and writing process).

An ingest allocates container objects by the hundred thousand a second (rdflib graphs, index dicts, sets), and
CPython's collector, counting them, scans its generations again and again, the oldest one holding everything loaded
at start-up (vocabulary, shapes, authority file, compiled rules, resolver seed) that lives for the whole run.
Measured on 1,000 synthetic records (bench/synth.py): 3.1-3.6 ms a record in the collector, most of it 19 full
collections of ~130 ms. Freezing what exists when the records start (``gc.freeze``: never scanned again) cut that to
0.6-0.9 ms with the youngest generation collected every 10,000 allocations instead of 700. Most of what remained
was set off by the batch being written: bulk mode holds 50 records' graphs until their batch is handed to the
writer (about 700 container objects a record with its text's annotations and entities, 270 without), and reference
counting frees them after; collections made while a batch fills find almost no garbage. Counting to 100,000 before
collecting lets a batch fill and go (measured on 1,000 records: with extraction 72-75 collections, 0.5-0.6 ms a
record, became one, under 0.1 ms; without, 0.22-0.25 ms became none), for about 15 MiB more at peak. Cycles are
still collected, a little later; most of a record's objects are freed by reference counting anyway. Not used
in the ``--jobs N`` worker processes: two runs showed them spending more CPU with it (22-23 against 20 ms a record).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 100_000


def settle() -> None:
    """Freeze every object alive now out of the collector's scans and collect the youngest generation less often,
    for the rest of the process."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


@contextmanager
def long_run() -> Iterator[None]:
    """``settle`` for the duration of a ``with`` block, then the collector as it was (frozen objects back in the
    oldest generation, so what became garbage meanwhile is collected)."""
    before = gc.get_threshold()
    settle()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
