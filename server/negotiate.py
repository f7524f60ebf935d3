"""Content negotiation: one function over an explicit list of offers (media types), with q-values and wildcards."""

from __future__ import annotations

from dataclasses import dataclass

HTML = "text/html"


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
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        t, _, s = media.partition("/")
        ranges.append(_Range(t, s, q, order))
    return ranges


def negotiate(accept: str | None, offers: list[str], *, default: str) -> str | None:
    """The offer the client prefers; ``default`` when there is no Accept; None when nothing acceptable (406).

    A wildcard alone (``*/*``, as curl sends) yields ``default``, since then the client has no preference.
    """
    ranges = parse_accept(accept)
    if not ranges:
        return default
    best, best_key = None, None
    for index, offer in enumerate(offers):
        matched = [(r.matches(offer), r) for r in ranges if r.matches(offer) >= 0]
        if not matched:
            continue
        specificity, rng = max(matched, key=lambda m: m[0])
        if rng.q <= 0:
            continue
        is_default = offer == default
        key = (rng.q, specificity, is_default, -index)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best
