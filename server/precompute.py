"""Rendering descriptions before anyone asks: ``docket publish`` and ``docket ingest --precompute``.

Runs the server's own ``Publisher`` over a read-only snapshot with links at the root path "", so what it stores in
the shared cache is byte for byte what a worker would build, under the key a worker looks up. ``docket publish``
renders the first page of every entity too (a random person's page is otherwise a miss, 5-10x slower than a stored
one); ``ingest --precompute`` renders only the records it wrote: a popular person is listed by thousands of records
and its pages change with each of them, so rendering them at every ingest would cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ld.errors import NotFound
from ld.iris import Minter
from server.negotiate import REPRESENTATIONS
from server.publish import Publisher, open_shared_cache
from server.settings import load_settings
from server.store_access import StoreAccess
from server.urls import Urls


def precompute(store: str | Path, base: str, iris: Iterable[str] | None = None, *, entities: bool = False,
               step: Callable[[], None] = lambda: None) -> int:
    """Render every representation of the records ``iris`` (default: all records; with ``entities``, also the
    first page of every entity they link to) into the shared cache; returns how many representations were
    stored or found there. ``step`` is called once per thing."""
    settings = load_settings({"STORE": str(store), "BASE_URI": base})
    minter = Minter(base)
    shared = open_shared_cache(settings["STORE"], settings["SHARED_CACHE"])
    if shared is None:
        return 0
    access = StoreAccess(settings["STORE"], minter, check_interval=float("inf"))
    publisher = Publisher(access, minter, page_size=settings["PAGE_SIZE"], cache_entries=100, shared=shared)
    urls, snap = Urls(minter, root=""), publisher.snapshot()
    shared.retain(publisher.generation)  # renderings of other releases or settings: never asked for again
    try:
        records = list(iris) if iris is not None else [str(doc) for doc in snap.store.records()]
        things = _with_entities(snap.store, minter, records) if entities else records
        done = 0
        for iri in things:
            kind_key = minter.kind_and_key(iri)
            if kind_key is None:
                continue
            for representation in REPRESENTATIONS:
                try:
                    publisher.body(snap, *kind_key, 1, representation, urls)
                    done += 1
                except NotFound:  # removed since
                    break
            step()
        return done
    finally:
        access.close()


def _with_entities(store, minter: Minter, records: list[str]) -> list[str]:
    """The records, then every docket IRI they link to (once each)."""
    seen = dict.fromkeys(records)
    for record in records:
        for row in store.query(f"SELECT DISTINCT ?o WHERE {{ GRAPH <{record}> {{ ?s ?p ?o FILTER(isIRI(?o)) }} }}"):
            iri = row["o"].value
            if "#" not in iri and minter.kind_and_key(iri) is not None:
                seen.setdefault(iri)
    return list(seen)
