"""The one place that mints IRIs. Everything docket publishes lives under one configurable base (``BASE_URI``).

Things are ``{base}id/{kind}/{key}``; nodes that exist only inside one record are hash IRIs on the record's IRI
(``{base}id/document/{key}#creation``). Each record's named graph is named by the record's IRI; entity descriptions
live once, in the entities graph.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

from rdflib import URIRef

KINDS = ("document", "person", "group", "place", "event", "concept", "archive")
TEXT_PARTS = (None, "title", "summary")  # a record's texts: the body (None), its title, its summary
DEFAULT_BASE_URI = "http://127.0.0.1:8080/"
_MAX_SLUG = 80
_MAX_REMEMBERED = 100_000  # IRIs a Minter keeps
# Fragments the mapper makes ("creation", "mention-3", "event-1-date"): nothing in them URIRef() would warn about.
_PLAIN_FRAGMENT = re.compile(r"[A-Za-z0-9._~=,-]+")


def _known_iri(text: str) -> URIRef:
    """A URIRef of ``text``, made of parts already checked: URIRef() scans every character for ones it would warn
    about (2-3 us), and a record's evidence makes two such IRIs per annotation (its node and the span it targets)."""
    return str.__new__(URIRef, text)


def check_base_uri(base: str) -> str:
    """Return ``base`` if it is an absolute http(s) URI ending in "/", else raise ValueError saying why."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base URI must be an absolute http(s) URI, got {base!r}")
    if not base.endswith("/") or parts.query or parts.fragment:
        raise ValueError(f"base URI must end with '/' and carry no query or fragment, got {base!r}")
    return base


def slugify(text: str, max_length: int = _MAX_SLUG) -> str:
    """Lower-case ASCII words joined by "-": "Ri Dong-yong" -> "ri-dong-yong"; cut at a word boundary."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug


def short_hash(text: str, length: int = 8) -> str:
    """A short stable hex digest, for disambiguating keys that collide."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


class Minter:
    """Mints every IRI docket publishes, from one base URI."""

    def __init__(self, base: str = DEFAULT_BASE_URI):
        self.base = check_base_uri(base)
        self._things: dict[tuple[str, str], URIRef] = {}

    def thing(self, kind: str, key: str) -> URIRef:
        """``{base}id/{kind}/{key}`` for a kind in ``KINDS``."""
        # A record's mapping asks for the IRIs of its entities dozens of times each, and URIRef() checks every
        # character: the IRIs are kept (a bounded number: one per entity, concept and record met).
        iri = self._things.get((kind, key))
        if iri is not None:
            return iri
        iri = self._mint(kind, key)
        if len(self._things) >= _MAX_REMEMBERED:
            self._things.clear()
        self._things[(kind, key)] = iri
        return iri

    def _mint(self, kind: str, key: str) -> URIRef:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        if not key or "/" in key or "#" in key:
            raise ValueError(f"invalid key {key!r} for kind {kind}")
        return URIRef(f"{self.base}id/{kind}/{key}")

    def document(self, key: str) -> URIRef:
        """The IRI of a record's original text (the record's own IRI)."""
        return self.thing("document", key)

    def description(self, kind: str, key: str) -> URIRef:
        """``{base}doc/{kind}/{key}``: the document (web page, RDF file) that describes ``thing(kind, key)``."""
        thing = self.thing(kind, key)
        return URIRef(f"{self.base}doc/{thing[len(self.base) + 3:]}")

    def part(self, document: URIRef, fragment: str) -> URIRef:
        """A node that exists only inside one record: ``{document}#{fragment}``."""
        if type(document) is URIRef and _PLAIN_FRAGMENT.fullmatch(fragment):
            return _known_iri(f"{document}#{fragment}")
        return URIRef(f"{document}#{fragment}")

    def span(self, text: URIRef, start: int, end: int) -> URIRef:
        """Characters ``start`` to ``end`` of a text/plain resource (``text``: an IRI of :meth:`text`), as an RFC
        5147 fragment IRI ``{text}#char=start,end``: what the evidence of a mined name targets."""
        return _known_iri(f"{text}#char={int(start)},{int(end)}")

    def text(self, key: str, part: str | None = None) -> URIRef:
        """A record's text as published, a text/plain resource: ``{base}text/{key}`` for the body,
        ``{base}text/{key}/title`` and ``.../summary`` for those. Evidence points into it with RFC 5147 fragments
        (``#char=10,16``), which a record's own hash IRIs could not carry."""
        if part not in TEXT_PARTS:
            raise ValueError(f"unknown text part {part!r}; expected one of {', '.join(map(str, TEXT_PARTS))}")
        self.document(key)  # checks the key
        return URIRef(f"{self.base}text/{key}" + (f"/{part}" if part else ""))

    def concept(self, key: str) -> URIRef:
        """A concept of docket's local SKOS schemes."""
        return self.thing("concept", key)

    @property
    def entities_graph(self) -> URIRef:
        """The named graph holding person, group, place and event descriptions, once each."""
        return URIRef(f"{self.base}graph/entities")

    @property
    def vocab_graph(self) -> URIRef:
        """The named graph holding docket's vocabularies (vocab/*.ttl), for label joins in SPARQL."""
        return URIRef(f"{self.base}graph/vocab")

    def kind_and_key(self, iri: str) -> tuple[str, str] | None:
        """The (kind, key) of an ``{base}id/...`` IRI (hash part dropped), or None for any other IRI."""
        iri = iri.split("#", 1)[0]
        prefix = f"{self.base}id/"
        if not iri.startswith(prefix):
            return None
        kind, _, key = iri[len(prefix):].partition("/")
        if kind not in KINDS or not key or "/" in key:
            return None
        return kind, key
