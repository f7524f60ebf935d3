"""Link header entries of descriptions and lists (alternates, paging), built with a ``Urls``; shared by the routes
and by ``server.publish``, which stores them with the bodies."""

from __future__ import annotations

from typing import Callable

from ld.describe import Description, Paging
from server.negotiate import REPRESENTATIONS, Representation
from server.urls import Urls

LinkList = list[tuple[str, dict[str, str]]]


def alternatives(urls: Urls, kind: str, key: str, page: int,
                 but: Representation | None = None) -> list[tuple[str, str, str]]:
    """(label, media type, URL) of every representation of a description but ``but``."""
    return [(r.label, r.media_type, urls.doc(kind, key, suffix=r.suffix, page=page))
            for r in REPRESENTATIONS if r is not but]


def description_links(urls: Urls, description: Description, wanted: Representation) -> LinkList:
    """The Link header of a description sent as ``wanted``: the other formats, what it is about, its pages."""
    page = description.paging.page if description.paging else 1
    links = [(url, {"rel": "alternate", "type": media_type})
             for _, media_type, url in alternatives(urls, description.kind, description.key, page, but=wanted)]
    links.append((description.thing, {"rel": "about"}))
    if description.paging:
        links += paging_links(lambda n: urls.doc(description.kind, description.key,
                                                 suffix=wanted.suffix, page=n), description.paging)
    return links


def paging_links(url_of: Callable[[int], str], paging: Paging) -> LinkList:
    """first / prev / next / last links of a paged list (none when it has one page)."""
    if paging.last <= 1:
        return []
    links = [(url_of(1), {"rel": "first"})]
    if paging.has_prev:
        links.append((url_of(paging.page - 1), {"rel": "prev"}))
    if paging.has_next:
        links.append((url_of(paging.page + 1), {"rel": "next"}))
    links.append((url_of(paging.last), {"rel": "last"}))
    return links
