"""Descriptions and their representations, built once per store version and cached.

Keys carry the version of the store snapshot they were built from (``StoreAccess.snapshot``), and the cache drops
everything when a newer version shows up, so a cached body can never outlive the data it shows. A description
(two or three queries) is cached apart from its bodies, so the five formats of one IRI share the queries. Bodies
are bytes with their ETag and headers: a cache hit costs a dictionary lookup, no query, no serialization.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ld.cache import VersionedCache
from ld.describe import Description, describe_thing
from ld.iris import Minter
from ld.serialize import serialize
from server.http import etag_of
from server.negotiate import Representation
from server.store_access import Snapshot, StoreAccess


@dataclass(frozen=True)
class Body:
    """A finished representation: bytes, their strong ETag, and its Link and Content-Location header values."""

    data: bytes
    etag: str
    link: str
    location: str


class Publisher:
    """Builds and caches what the server sends about docket IRIs, for one app (one per worker process).

    Two caches: finished bodies (``CACHE_ENTRIES`` of them; a hit answers a request) and a tenth as many
    descriptions (so the formats of one IRI requested together share one query)."""

    def __init__(self, access: StoreAccess, minter: Minter, *, page_size: int, cache_entries: int):
        self.access = access
        self.minter = minter
        self.page_size = page_size
        self.cache = VersionedCache(cache_entries)
        self.descriptions = VersionedCache(max(16, cache_entries // 10))

    def snapshot(self) -> Snapshot:
        return self.access.snapshot()

    def description(self, snap: Snapshot, kind: str, key: str, page: int = 1) -> Description:
        """The description of ``id/{kind}/{key}`` (one page of its incoming links); NotFound if there is none."""
        return self.descriptions.get(snap.version, (kind, key, page), lambda: describe_thing(
            snap.store, self.minter, kind, key, page=page, page_size=self.page_size))

    def body(self, snap: Snapshot, kind: str, key: str, page: int, representation: Representation,
             render_html: Callable[[Description], str],
             headers: Callable[[Description], tuple[str, str]]) -> Body:
        """The description of ``id/{kind}/{key}`` in ``representation``; HTML is rendered by ``render_html`` (the
        view's template), the Link and Content-Location values by ``headers``. NotFound if there is no such thing."""

        def build() -> Body:
            description = self.description(snap, kind, key, page)
            if representation.rdf is None:
                data = render_html(description).encode("utf-8")
            else:
                data = serialize(description.triples, representation.rdf, context_url=self.context_url,
                                 first=description.thing)
            return Body(data, etag_of(data), *headers(description))

        return self.cache.get(snap.version, ("body", kind, key, page, representation.suffix), build)

    def cached(self, snap: Snapshot, key: tuple, build: Callable[[], object]):
        """Any other per-version value (home page counts, browse pages)."""
        return self.cache.get(snap.version, key, build)

    @property
    def context_url(self) -> str:
        """The JSON-LD context every JSON-LD description names: ``{base}context.jsonld``."""
        return f"{self.minter.base}context.jsonld"
