"""The cyclic garbage collector's settings for a long batch run (``docket ingest``'s deciding and writing process).

An ingest allocates container objects by the hundred thousand a second (rdflib graphs, index dicts, sets), and
CPython's collector, counting them, scans its generations again and again, the oldest one holding everything loaded
at start-up (vocabulary, shapes, authority file, compiled rules, resolver seed) that lives for the whole run.
Measured on 1,000 synthetic records (bench/synth.py): 3.1-3.6 ms a record in the collector, most of it 19 full
collections of ~130 ms. Freezing what exists when the records start (``gc.freeze``: never scanned again) and
collecting the youngest generation every 10,000 allocations instead of 700 cut that to 0.6-0.9 ms. Cycles are still
collected, a little later; most of a record's objects are freed by reference counting anyway. Not used in the
``--jobs N`` worker processes: two runs showed them spending more CPU with it (22-23 against 20 ms a record).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 10_000


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
