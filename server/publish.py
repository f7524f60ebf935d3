"""Descriptions and their representations: served from the shared cache when there, else built and stored there.

A representation's key says everything it was built from (``cache_key``): the code and settings that render it
(``generation``), the vocabulary graph, the URL root, the thing, page and format, and for a record its
``Store.record_token`` (read from the store on every request: two index lookups). What a key cannot say (labels of linked
entities, the records linking to an entity) is listed with the entry as dependencies and invalidated by
``docket ingest`` before it writes (``ld.freshness``, ``ld.shared_cache``). So a request costs a token query and a
SQLite lookup when the body is cached, by this worker, another worker, ``docket publish`` or an earlier run.

Descriptions (the queries) are also cached per worker and store version, so the formats of one IRI asked together
share the queries; the home page counts and browse pages are cached per worker and store version (``cached``).
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from ld.cache import VersionedCache
from ld.describe import Description, describe_thing
from ld.freshness import description_dependencies, vocabulary_digest
from ld.iris import Minter
from ld.serialize import serialize
from ld.shared_cache import Entry, SharedCache, cache_path_for
from server.http import etag_of, link_header
from server.links import description_links
from server.negotiate import Representation
from server.render import render_description
from server.store_access import Snapshot, StoreAccess
from server.urls import Urls

Body = Entry  # bytes, ETag, Link and Content-Location values
_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


# What shapes a representation besides the data: a change to any of these (a new release) keys everything anew.
_SHAPING = ("ld/describe.py", "ld/pages.py", "ld/serialize.py", "ld/jsonld.py", "ld/namespaces.py", "ld/formats.py",
            "ld/iris.py", "ld/freshness.py", "server/publish.py", "server/render.py", "server/links.py",
            "server/urls.py", "server/negotiate.py", "server/http.py", "server/templates/*.html", "vocab/*.ttl")


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of the code, templates, vocabulary files (property labels on pages) and Oxigraph version that shape
    a representation: a new release never serves old renderings."""
    digest = hashlib.blake2b(ox.__version__.encode(), digest_size=8)
    for path in sorted(p for pattern in _SHAPING for p in _ROOT.glob(pattern)):
        digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Publisher:
    """Builds, caches and hands out what the server sends about docket IRIs (one per worker process, or per
    ``docket publish`` run). ``shared`` is None when the shared cache is off (CACHE_ENTRIES=0, or unusable)."""

    def __init__(self, access: StoreAccess, minter: Minter, *, page_size: int, cache_entries: int,
                 shared: SharedCache | None = None):
        self.access = access
        self.minter = minter
        self.page_size = page_size
        self.shared = shared
        self.cache = VersionedCache(cache_entries)
        self.descriptions = VersionedCache(max(16, cache_entries // 10) if cache_entries else 0)
        self._vocab = VersionedCache(2)
        self._keys = VersionedCache(max(1000, 10 * cache_entries))  # ~300 bytes each
        # The formats of one description share its dependencies: listing them once, not per format, saved a tenth of
        # `docket publish` (large entity pages list hundreds of records).
        self._dependencies = VersionedCache(16)
        self.generation = hashlib.blake2b(f"{code_digest()} {minter.base} {page_size}".encode(),
                                          digest_size=8).hexdigest()

    def snapshot(self) -> Snapshot:
        return self.access.snapshot()

    def description(self, snap: Snapshot, kind: str, key: str, page: int = 1) -> Description:
        """The description of ``id/{kind}/{key}`` (one page of its incoming links); NotFound if there is none.

        Over a remote store the version moves only every CHECK_INTERVAL seconds, so a description is also keyed by
        a token read on every request: a record's own token, and for an entity page (which changes with any record
        linking to it) the store's change marker, which every write replaces in the same request as its data. So
        nothing is served past its update, whoever wrote it, for one small lookup."""
        token = None
        if self.access.remote:
            token = (snap.store.record_token(self.minter.thing(kind, key)) if kind == "document"
                     else snap.store.change_marker())
        return self.descriptions.get(snap.version, (kind, key, page, token), lambda: describe_thing(
            snap.store, self.minter, kind, key, page=page, page_size=self.page_size))

    def exists(self, snap: Snapshot, kind: str, key: str) -> bool:
        """Whether docket describes ``id/{kind}/{key}`` (a record: one small query)."""
        if kind == "document":
            return snap.store.record_token(self.minter.thing(kind, key)) is not None
        self.description(snap, kind, key)  # raises NotFound
        return True

    def body(self, snap: Snapshot, kind: str, key: str, page: int, representation: Representation,
             urls: Urls) -> Body:
        """The description of ``id/{kind}/{key}`` in ``representation``, its links built by ``urls``. NotFound if
        there is no such thing."""
        urls = urls.fixed()
        key_text = self.cache_key(snap, kind, key, page, representation, urls.root)
        if key_text is not None and (hit := self.shared.get(key_text)) is not None:
            return hit
        description = self.description(snap, kind, key, page)
        body = self._build(description, representation, urls)
        if key_text is not None:
            group = group_of(key_text)
            deps = self._dependencies.get(snap.version, group, lambda: description_dependencies(description))
            self.shared.put(key_text, body, deps, snap.stamp, group=group)
        return body

    def cache_key(self, snap: Snapshot, kind: str, key: str, page: int, representation: Representation,
                  root: str) -> str | None:
        """The shared-cache key of a representation, or None when it is not to be cached (cache off, no record).

        Kept per worker and store version over an embedded store, where a snapshot's record tokens cannot change:
        the formats of a record asked together, and every repeat request, skip the token lookups."""
        if self.shared is None:
            return None
        if self.access.remote:  # the version lags the data there: read the token on every request
            return self._cache_key(snap, kind, key, page, representation, root)
        return self._keys.get(snap.version, (kind, key, page, representation.suffix, root),
                              lambda: self._cache_key(snap, kind, key, page, representation, root))

    def _cache_key(self, snap: Snapshot, kind: str, key: str, page: int, representation: Representation,
                   root: str) -> str | None:
        token = ""
        if kind == "document":
            token = snap.store.record_token(self.minter.thing(kind, key))
            if token is None:
                return None  # no such record: describe_thing says so
        vocab = self._vocab.get(snap.version, "vocab", lambda: vocabulary_digest(snap.store, self.minter))
        parts = (self.generation, vocab, root, kind, key, str(page), token, representation.suffix)
        return "|".join(part.replace("%", "%25").replace("|", "%7C") for part in parts)  # unambiguous

    def cached(self, snap: Snapshot, key: tuple, build: Callable[[], object]):
        """Any other per-version value (home page counts, browse pages), cached in this worker."""
        return self.cache.get(snap.version, key, build)

    @property
    def context_url(self) -> str:
        """The JSON-LD context every JSON-LD description names: ``{base}context.jsonld``."""
        return f"{self.minter.base}context.jsonld"

    def _build(self, description: Description, representation: Representation, urls: Urls) -> Body:
        if representation.rdf is None:
            data = render_description(description, self.minter, urls).encode("utf-8")
        else:
            data = serialize(description.triples, representation.rdf, context_url=self.context_url,
                             first=description.thing)
        page = description.paging.page if description.paging else 1
        location = urls.doc(description.kind, description.key, suffix=representation.suffix, page=page)
        return Body(data, etag_of(data), link_header(description_links(urls, description, representation)),
                    location)


def group_of(cache_key: str) -> str:
    """The key without its format: the representations of one description, which share its dependencies."""
    return cache_key.rsplit("|", 1)[0]


def open_shared_cache(store: str | Path, setting: str) -> SharedCache | None:
    """The shared cache named by the SHARED_CACHE setting ("" beside the store, "off", or a file), or None when it
    is off or cannot be opened (logged: the server then builds every response, correctly, only slower)."""
    if setting.strip().lower() == "off":
        return None
    path = Path(setting) if setting.strip() else cache_path_for(store)
    try:
        return SharedCache(path)
    except (OSError, sqlite3.Error) as error:  # e.g. an unwritable folder
        log.warning("docket: no shared cache at %s (%s); serving without it", path, error)
        return None
