"""The sitemap (sitemaps.org 0.9): every record page and every entity page, with ``lastmod``.

A record's ``lastmod`` is its ``dcterms:modified``; an entity page changes when a record linking to it does, so its
``lastmod`` is the newest ``dcterms:modified`` among those records (else that of the newest change). Beyond
``MAX_URLS`` pages the sitemap becomes an index of child sitemaps of that many URLs each.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from ld.iris import Minter

MAX_URLS = 50_000  # the protocol's limit per sitemap file
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_MODIFIED = "http://purl.org/dc/terms/modified"


@dataclass(frozen=True)
class Page:
    loc: str
    lastmod: str  # W3C datetime, UTC


def _w3c(value: str) -> str:
    return value.split(".", 1)[0].removesuffix("Z") + "Z"


def pages(store, minter: Minter, fallback: str | None = None) -> list[Page]:
    """Every record page (by date modified) and every entity page, as absolute ``{base}doc/...`` URLs."""
    base = minter.base
    found: list[Page] = []
    records = store.query(f"SELECT ?g ?m WHERE {{ GRAPH ?g {{ ?g <{_MODIFIED}> ?m }} "
                          f"FILTER(STRSTARTS(STR(?g), \"{base}id/document/\")) }} ORDER BY ?g")
    for row in records:
        kind_key = minter.kind_and_key(row["g"].value)
        if kind_key:
            found.append(Page(f"{base}doc/{kind_key[0]}/{kind_key[1]}", _w3c(row["m"].value)))
    entities = store.query(f"""SELECT ?e (MAX(?m) AS ?last) WHERE {{
        GRAPH <{base}graph/entities> {{ ?e a ?type }}
        OPTIONAL {{ GRAPH ?g {{ ?x ?p ?e . ?g <{_MODIFIED}> ?m }} }}
      }} GROUP BY ?e ORDER BY ?e""")
    for row in entities:
        iri = row["e"].value
        kind_key = minter.kind_and_key(iri)
        if kind_key is None or "#" in iri:
            continue
        lastmod = _w3c(row["last"].value) if row["last"] else fallback
        if lastmod:
            found.append(Page(f"{base}doc/{kind_key[0]}/{kind_key[1]}", lastmod))
    return found


def urlset(chunk: list[Page]) -> bytes:
    """One sitemap file."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    lines += [f"<url><loc>{escape(p.loc)}</loc><lastmod>{p.lastmod}</lastmod></url>" for p in chunk]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def index(base: str, chunks: list[list[Page]]) -> bytes:
    """The sitemap index listing ``{base}sitemap-{n}.xml`` for each chunk."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    for n, chunk in enumerate(chunks, 1):
        newest = max(p.lastmod for p in chunk)
        lines.append(f"<sitemap><loc>{escape(base)}sitemap-{n}.xml</loc><lastmod>{newest}</lastmod></sitemap>")
    lines.append("</sitemapindex>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def chunked(found: list[Page], size: int = MAX_URLS) -> list[list[Page]]:
    """``found`` in sitemap-sized chunks."""
    return [found[i:i + size] for i in range(0, len(found), size)] or [[]]
