"""Read the published text layout of a record.

The layout, top to bottom::

    December 6, 1955                        <- line 1: the date as printed
    Journal of Soviet Ambassador ...        <- line 2: the title
    This document was made possible ...     <- optional funder line(s)
    ... body ...                            <- the document, with bracketed editorial notes
    Nam Il tells Ivanov that ...            <- summary paragraph (may be absent)
    Associated Places                       <- labelled metadata sections, labels possibly without values,
    ...                                        values possibly without labels (under "Document Information")

The older site layout puts "Search in / Digital Archive ... / • Citation / get citation / <summary> / "<title>,"
<date>, History and Public Policy Program Digital Archive, <source citation> / • share document / English HTML"
between the header and the body.

The summary has no label: it is the last paragraph before the metadata (or the end) when that paragraph reads like
an editor's abstract: a complete third-person sentence, no editorial brackets, no numbering. When the text stops
part-way, its last line is cut off and fails those tests, so nothing of the body is mistaken for a summary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ld.apparatus import classification_in_title, read_apparatus
from ld.dates import parse_date, try_parse_date
from ld.errors import RecordError
from ld.record import PrintedDate, Record

__all__ = ["read_text", "translator_from_citation", "LABELS"]

# Section label (lower-cased) -> the section it opens.
LABELS = {
    "author(s):": "authors", "author(s)": "authors", "authors": "authors", "authors:": "authors",
    "associated people & organizations": "associated", "associated people and organizations": "associated",
    "document contributors": "contributors",
    "associated places": "places",
    "associated topics": "subjects", "subjects discussed": "subjects",
    "related documents": "related",
    "document information": "information",
    "source": "source",
    "original archive": "archive",
    "rights": "rights",
    "original uploaded date": "uploaded",
    "type": "genre",
    "language": "language",
    "record id": "record_id",
    "original classification": "classification",
    "donors": "donors",
}
# Labels plain enough to occur as a line of a document ("Source", "Language"); they only count once a distinctive
# label has opened the metadata.
_PLAIN_LABELS = {"source", "rights", "type", "language", "donors", "authors", "authors:"}
_FUNDER = re.compile(r"^this document was made possible with support from\s+(?:the\s+)?(?P<who>.+?)\.?$", re.IGNORECASE)
_RIGHTS_SHAPE = re.compile(
    r"welcomes reuse|copyright|rights status|permission for commercial use|all rights reserved|creative commons",
    re.IGNORECASE,
)
_OLD_CHROME = {"search in", "digital archive international history declassified", "• citation", "citation",
               "get citation", "• share document", "share document"}
_TAB = re.compile(r"^\w+(?: \w+)? (?:HTML|PDF|Transcript|Translation)$")
_CITATION = re.compile(
    r"^[\"“].+?[,.]?[\"”],?\s+(?P<date>[^,]+(?:,\s*\d{4})?),\s+History and Public Policy Program Digital Archive,\s*"
    r"(?P<source>.+)$"
)
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|van|von|de|der|den|da|del|dos|du|la|le|bin|al)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD})*"
_TRANSLATOR = re.compile(
    rf"\b(?i:translat(?:ed|ion))\b(?:\s+(?:for|from)\s+[\w.&-]+)?\s+by\s+(?P<name>{_NAME}(?:\s+and\s+{_NAME})?)"
)
_TERMINAL = re.compile(r"[.!?][\"”’')\]]*$")
_FIRST_PERSON = re.compile(r"\bI\b|\b(?:[Mm]e|[Mm]y|[Ww]e|us|[Oo]urs?|[Yy]ou|[Yy]ours?)\b")
_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’")
_NUMBERED = re.compile(r"^\(?(?:\d+|[IVXivx]+|[a-z])[.)]\s")


@dataclass
class _Sections:
    """Metadata values by section, in order of appearance."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, section: str, value: str) -> None:
        self.values.setdefault(section, []).append(value)

    def get(self, section: str) -> list[str]:
        return self.values.get(section, [])

    def joined(self, section: str, sep: str = " ") -> str | None:
        return sep.join(self.get(section)) or None


@dataclass
class _Layout:
    """Where the parts of a record sit in its lines."""

    body: list[str]
    summary: str | None
    citation: str | None  # the old layout's citation block
    funders: list[str]
    sections: _Sections


def _header(lines: Sequence[str], source: str) -> tuple[PrintedDate, str, int]:
    """Date (line 1), title (line 2) and the index of the first line after them; ``RecordError`` if missing."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise RecordError(source, "empty file")
    printed = lines[first].strip()
    if not re.search(r"\d", printed):
        raise RecordError(source, f"line {first + 1}: no date line (found {_clip(printed)!r})")
    try:
        date = parse_date(printed)
    except ValueError as exc:
        raise RecordError(source, f"line {first + 1}: {exc}") from None
    title = lines[first + 1].strip() if first + 1 < len(lines) else ""
    if not title:
        raise RecordError(source, f"line {first + 2}: no title after the date line")
    return date, title, first + 2


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(line: str) -> str | None:
    """The section a line opens, if it is a metadata label."""
    return LABELS.get(" ".join(line.split()).lower())


def _metadata_start(lines: Sequence[str], start: int) -> int:
    """Index of the first distinctive metadata label at or after ``start``; ``len(lines)`` when there is none."""
    for index in range(start, len(lines)):
        key = " ".join(lines[index].split()).lower()
        if key in LABELS and key not in _PLAIN_LABELS:
            return index
    return len(lines)


def _sections(lines: Sequence[str]) -> _Sections:
    """Group metadata lines under their labels; values under "Document Information" are sorted by shape."""
    sections, current = _Sections(), None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        label = _label(line)
        if label is not None:
            current = label
        elif current == "information":
            # Source and rights printed without their labels: the rights boilerplate is unmistakable, and the site
            # prints the source citation first.
            sections.add("rights" if _RIGHTS_SHAPE.search(line) else "source", line)
        elif current is not None:
            sections.add(current, line)
    return sections


def _old_layout(lines: Sequence[str], start: int) -> tuple[int, str | None, str | None] | None:
    """For the older site layout: (index where the body starts, summary, citation); ``None`` for the current one."""
    window = [" ".join(line.split()).lower() for line in lines[start:start + 30]]
    if "get citation" not in window or not any(w.endswith("share document") for w in window):
        return None
    opened = start + window.index("get citation") + 1
    closed = start + next(i for i, w in enumerate(window) if w.endswith("share document"))
    block = [line.strip() for line in lines[opened:closed] if line.strip()]
    citation = next((line for line in block if _CITATION.match(line)), None)
    summary = " ".join(line for line in block if line != citation) or None
    body = closed + 1
    while body < len(lines) and (not lines[body].strip() or _TAB.match(lines[body].strip())):
        body += 1
    return body, summary, citation


def _looks_like_summary(line: str) -> bool:
    """Whether a paragraph reads like the editor's abstract rather than a line of the document."""
    text = line.strip()
    if len(text) < 40 or len(text.split()) < 6 or not _TERMINAL.search(text):
        return False
    if "[" in text or _NUMBERED.match(text) or _label(text) or _FUNDER.match(text):
        return False
    if not (text[0].isupper() or text[0] in "\"“'‘"):
        return False
    # Abstracts speak of the participants in the third person; the documents themselves say "I", "we", "you".
    return not _FIRST_PERSON.search(_QUOTED.sub("", text))


def _split_summary(region: list[str]) -> tuple[list[str], str | None]:
    """Separate the trailing summary paragraph(s) from the body lines before it."""
    filled = [i for i, line in enumerate(region) if line.strip()]
    if len(filled) < 2 or not _looks_like_summary(region[filled[-1]]):
        return region, None
    start = filled[-1]
    # A summary of several paragraphs keeps its blank lines; in a body printed without blank lines, a blank line
    # near the end can only be the summary's own paragraph break.
    while True:
        above = [i for i in filled if i < start]
        if len(above) < 2 or above[-1] == start - 1 or not _looks_like_summary(region[above[-1]]):
            break
        if any(not line.strip() for line in region[filled[0]: above[-1]]):
            break
        start = above[-1]
    summary = "\n\n".join(region[i].strip() for i in filled if i >= start)
    return region[:start], summary


def _layout(lines: Sequence[str], start: int) -> _Layout:
    """Find body, summary, funders and metadata sections in the lines after the header."""
    meta = _metadata_start(lines, start)
    funders = [m["who"].strip() for line in lines[start:meta] if (m := _FUNDER.match(line.strip()))]
    old = _old_layout(lines, start)
    if old is not None:
        body_start, summary, citation = old
        region = [line for line in lines[body_start:meta] if not _FUNDER.match(line.strip())]
    else:
        citation = None
        region = [line for line in lines[start:meta] if not _FUNDER.match(line.strip())]
        region, summary = _split_summary(region)
    return _Layout(_trim(region), summary, citation, funders, _sections(lines[meta:]))


def _trim(lines: list[str]) -> list[str]:
    """Lines without trailing whitespace and without leading or trailing blank lines."""
    stripped = [line.rstrip() for line in lines]
    while stripped and not stripped[0].strip():
        stripped.pop(0)
    while stripped and not stripped[-1].strip():
        stripped.pop()
    return stripped


def translator_from_citation(citation: str | None) -> str | None:
    """The translator named in a source citation ("... and translated by Stephen Mercado." -> "Stephen Mercado")."""
    if not citation:
        return None
    match = _TRANSLATOR.search(citation)
    if not match:
        return None
    name = match["name"].strip()
    if name.endswith(".") and not re.search(r"\b[A-Z]\.$", name):  # keep the period of a final initial
        name = name[:-1]
    return name or None


def _dedupe(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _uploaded(sections: _Sections, notices: list[str]) -> PrintedDate | None:
    printed = sections.joined("uploaded")
    if printed is None:
        return None
    found = try_parse_date(printed)
    if found is None:
        notices.append(f"Original Uploaded Date: cannot read date {printed!r}; left out")
    return found


def _source_citation(layout: _Layout) -> str | None:
    if layout.citation is not None:
        return _CITATION.match(layout.citation)["source"].strip()  # type: ignore[index]
    return layout.sections.joined("source")


def read_text(text: str, *, source: str, checksum: str, notices: Sequence[str] = ()) -> Record:
    """Read a record in the published text layout (already decoded, ``\\n`` line endings) into a ``Record``."""
    lines = text.split("\n")
    date, title, start = _header(lines, source)
    layout = _layout(lines, start)
    sections = layout.sections
    remarks = list(notices)
    body = "\n".join(layout.body)
    apparatus = read_apparatus(body, date)
    citation = _source_citation(layout)
    donors = _dedupe(sections.get("donors"))
    return Record(
        source=source,
        checksum=checksum,
        date=date,
        title=title,
        text=body,
        summary=layout.summary,
        funders=_dedupe([*layout.funders, *donors]),
        authors=_dedupe(sections.get("authors")),
        associated=_dedupe(sections.get("associated")),
        contributors=_dedupe(sections.get("contributors")),
        places=_dedupe(sections.get("places")),
        subjects=_dedupe(sections.get("subjects")),
        source_citation=citation,
        original_archive=sections.joined("archive"),
        rights=sections.joined("rights", "\n"),
        language=sections.joined("language", ", "),
        record_id=sections.joined("record_id"),
        classification=(sections.joined("classification") or apparatus.classification
                        or classification_in_title(title)),
        translator=translator_from_citation(citation),
        genre=sections.joined("genre"),
        uploaded=_uploaded(sections, remarks),
        donors=donors,
        apparatus=apparatus,
        notices=tuple(remarks),
    )
