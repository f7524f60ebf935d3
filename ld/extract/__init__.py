"""Extraction: the people, groups, places, events and dates a record's own text names, with where it names them.

``extract(record, authority)`` reads the title, the body and the summary and returns ``Mention``s (origin "text",
with the field and character offsets they were read at) and ``Event``s (the meeting the record documents, the
events and documents it refers to, with their dates resolved against the record's date). It is rule-based and
needs no model or data beyond the authority file, so it runs offline in about a millisecond per record.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace

from ld.authority import Authority
from ld.entities import Mention
from ld.extract.recognize import Recognizer, Span
from ld.language import guess_language
from ld.names import match_key
from ld.record import Record

_new_tuple = tuple.__new__  # (a Span made without the named tuple's __new__, a Python function)

__all__ = ["Extraction", "Extractor", "extract", "join_short_forms", "FIELDS"]

# The parts of a record whose text is mined, in the order they are read; offsets count in each part's own string.
FIELDS = ("title", "text", "summary")


@dataclass
class Extraction:
    """What a record's text names: mentions (in reading order) and events."""

    mentions: list[Mention] = field(default_factory=list)
    events: list = field(default_factory=list)


class Extractor:
    """Extracts names and events from records; holds the recognizer (and so the authority file) across records."""

    def __init__(self, authority: Authority):
        self.authority = authority
        self.recognizer = Recognizer(authority)

    def spans(self, text: str) -> list[Span]:
        """The names ``text`` gives (see ``Recognizer.find``)."""
        return self.recognizer.find(text)

    def extract(self, record: Record) -> Extraction:
        """Mentions and events of ``record``'s title, body and summary."""
        from ld.extract.events import find_events

        # The parts are read as one text (a blank line apart), so a short form in the summary joins the full name
        # of the body; offsets are then given back in each part's own string.
        joined, starts = "", []
        for name in FIELDS:
            starts.append(len(joined))
            joined += _field_text(record, name) + "\n\n"
        strict = guess_language(record.text) not in (None, "eng") if record.text else False
        result = Extraction()
        by_field: dict[str, list[Span]] = {name: [] for name in FIELDS}
        mined, mentions = Mention.mined, result.mentions
        bounds = [*starts, len(joined)]
        offset, limit, name, local_spans = 0, -1, "", []
        for start, end, text, kind, full in self.recognizer.find(joined, strict=strict):
            if not offset <= start < limit:  # the field the span is in (spans come in order: it changes seldom)
                index = bisect_right(starts, start) - 1
                name, offset, limit, local_spans = FIELDS[index], starts[index], bounds[index + 1], by_field[FIELDS[index]]
            start, end = start - offset, end - offset
            local_spans.append(_new_tuple(Span, (start, end, text, kind, full)))
            mentions.append(mined(text, kind, "mentioned", start, end, name, full))
        result.events = find_events(record, by_field)
        return result


def join_short_forms(mentions: list[Mention], text_mentions: list[Mention]) -> list[Mention]:
    """Metadata and apparatus mentions printed short ("Drafted by Ivanov", "1 - Cde. Molotov") joined to the one
    fuller name of that person the text gives, so that a record never gives one person two IRIs."""
    fulls: dict[str, frozenset[str]] = {}
    for m in text_mentions:
        if m.kind == "person" and m.full is None and m.name not in fulls:
            words = frozenset(match_key(m.name).split())
            if len(words) >= 2:
                fulls[m.name] = words
    if not fulls:
        return mentions
    keys = {" ".join(sorted(w)) for w in fulls.values()}
    joined = []
    for m in mentions:
        key = match_key(m.name) if m.kind == "person" and m.full is None else None
        if key is not None and key not in keys:
            named = {w for w in key.split() if len(w) > 1}
            candidates = {" ".join(sorted(w)): name for name, w in fulls.items() if named and named < w}
            if len(candidates) == 1:
                m = replace(m, full=next(iter(candidates.values())))
        joined.append(m)
    return joined


def _field_text(record: Record, name: str) -> str:
    return {"title": record.title, "text": record.text, "summary": record.summary or ""}[name]


def extract(record: Record, authority: Authority) -> Extraction:
    """Mentions and events of one record (see ``Extractor``)."""
    return Extractor(authority).extract(record)
