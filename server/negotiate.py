"""Content negotiation: one function over an explicit list of offers (media types), with q-values and wildcards,
and one table of the representations a description has (``REPRESENTATIONS``), chosen by URL suffix, ``?format=``
or Accept, in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ld.formats import DESCRIPTION_FORMATS, RdfFormat

HTML = "text/html"


@dataclass(frozen=True)
class Representation:
    """One way to show a description: HTML for people or an RDF format of ``ld.formats``."""

    media_type: str  # the Content-Type sent
    suffix: str  # URL suffix without the dot
    label: str
    accepts: tuple[str, ...]  # media types in Accept that select it, ``media_type`` first
    names: tuple[str, ...]  # values of ``?format=`` that select it
    rdf: RdfFormat | None = None  # None for HTML


def _rdf(fmt: RdfFormat, *more_accepts: str) -> Representation:
    accepts = (fmt.media_type, *(a for a in fmt.aliases if "/" in a), *more_accepts)
    return Representation(fmt.media_type, fmt.suffix, fmt.label, accepts, fmt.names, fmt)


HTML_PAGE = Representation(HTML, "html", "HTML", (HTML, "application/xhtml+xml"), ("html", HTML))
# The RDF formats first: the first is what a client without preference gets. A client that asks for plain JSON
# gets JSON-LD (it is JSON).
REPRESENTATIONS: tuple[Representation, ...] = (
    *(_rdf(f, "application/json") if f.oxigraph is None else _rdf(f) for f in DESCRIPTION_FORMATS), HTML_PAGE)
DEFAULT = REPRESENTATIONS[0]


class UnknownFormat(ValueError):
    """A ``?format=`` value that names no representation."""


def by_suffix(suffix: str) -> Representation | None:
    """The representation a URL suffix (``ttl``, ``html`` ...) names, or None."""
    return next((r for r in REPRESENTATIONS if r.suffix == suffix), None)


def choose(accept: str | None, format_param: str | None = None,
           suffix: str | None = None) -> Representation | None:
    """The representation to send: the suffix's, else ``?format=``'s (UnknownFormat if it names none), else the best
    for Accept (the default without one, HTML only when asked for); None when Accept allows none of them (406)."""
    if suffix:
        return by_suffix(suffix)
    if format_param:
        wanted = format_param.strip().lower()
        found = next((r for r in REPRESENTATIONS if wanted in r.names or wanted in r.accepts), None)
        if found is None:
            raise UnknownFormat(f"unknown format {format_param!r}; choose one of "
                                + ", ".join(r.suffix for r in REPRESENTATIONS))
        return found
    return _by_accept(accept)


_OFFERS = {r.media_type: r for r in REPRESENTATIONS}


@lru_cache(maxsize=512)
def _by_accept(accept: str | None) -> Representation | None:
    # Clients send a handful of distinct Accept headers over and over (each browser, curl, a harvester): parse
    # each once. Bounded, so a client sending endless variants costs only the parse.
    chosen = negotiate(_primary_types(accept), list(_OFFERS), default=DEFAULT.media_type)
    return _OFFERS[chosen] if chosen else None


_ALIASES = {alias: r.media_type for r in REPRESENTATIONS for alias in r.accepts[1:]}


def _primary_types(accept: str | None) -> str | None:
    # Rewrite alias media types (application/json, application/xhtml+xml ...) to the type they select, so that
    # wildcards are matched once per representation and "text/turtle;q=0" cannot be undone by an alias.
    if not accept:
        return accept
    parts = []
    for part in accept.split(","):
        media, sep, params = part.strip().partition(";")
        parts.append(_ALIASES.get(media.strip().lower(), media.strip()) + sep + params)
    return ", ".join(parts)


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match (2 exact, 1 type/*, 0 */*), or -1 for no match."""
        t, _, s = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 0
        if self.type == t and self.subtype == "*":
            return 1
        return 2 if (self.type, self.subtype) == (t, s) else -1


def parse_accept(header: str | None) -> list[_Range]:
    """The media ranges of an Accept header with their q-values (malformed parts ignored)."""
    ranges = []
    for order, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        t, _, s = media.partition("/")
        ranges.append(_Range(t, s, _qvalue(fields[1:]), order))
    return ranges


def _qvalue(params: list[str]) -> float:
    """The ``q`` of a list of ``name=value`` parameters: 1 when absent, 0 when unreadable (refuse rather than guess)."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept: str | None, offers: list[str], *, default: str) -> str | None:
    """The offer the client prefers; ``default`` when there is no Accept; None when nothing acceptable (406).

    Highest q-value first; among equals, the most specific match (``text/turtle`` over ``text/*`` over ``*/*``), then
    the range the client listed first, then ``default``, then the order of ``offers``. A wildcard alone (``*/*``, as
    curl sends) yields ``default``, since then the client has no preference.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return default
    best, best_key = None, None
    for index, offer in enumerate(offers):
        matched = [(r.matches(offer), r) for r in ranges if r.matches(offer) >= 0]
        if not matched:
            continue
        # The most specific matching range decides (RFC 9110: "text/turtle;q=0" excludes Turtle despite "*/*").
        specificity, rng = max(matched, key=lambda m: (m[0], -m[1].order))
        if rng.q <= 0:
            continue
        is_default = offer == default
        key = (rng.q, specificity, -rng.order, is_default, -index)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


@lru_cache(maxsize=256)
def prefers_gzip(accept_encoding: str | None) -> bool:
    """Whether to send gzip to a client with this Accept-Encoding (RFC 9110, 12.5.3): ``gzip`` (or ``x-gzip``, else
    ``*``) with a q-value above 0 and at least that of ``identity`` (unlisted, identity counts as 1, or as ``*``
    when that is listed). No header: identity, as a client that says nothing may not decompress (curl)."""
    if not accept_encoding:
        return False
    codings: dict[str, float] = {}
    for part in accept_encoding.split(","):
        fields = part.split(";")
        name = fields[0].strip().lower()
        if not name:
            continue
        codings[name] = _qvalue(fields[1:])
    gzip = codings.get("gzip", codings.get("x-gzip", codings.get("*", 0.0)))
    identity = codings.get("identity", codings.get("*", 1.0))
    return gzip > 0 and gzip >= identity
