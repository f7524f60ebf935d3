"""The collector settings of a long ingest run (ld.collector): set for the run, given back after it."""

import gc

from ld import collector


def test_long_run_sets_the_young_threshold_and_freezes_what_exists():
    before = gc.get_threshold()
    with collector.long_run():
        assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_long_run_gives_the_settings_back_when_the_run_fails():
    before = gc.get_threshold()
    try:
        with collector.long_run():
            raise RuntimeError("a failing ingest")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_a_long_run_are_collected_without_being_asked():
    import weakref

    class Node:
        pass

    with collector.long_run():
        a, b = Node(), Node()
        a.other, b.other = b, a
        probe = weakref.ref(a)
        del a, b
        # a long run's worth of new objects (what a few batches of records hold) sets off a collection
        held = [[] for _ in range(min(collector.YOUNG_THRESHOLD, 1_000_000) + 1_000)]
        assert probe() is None
        del held
