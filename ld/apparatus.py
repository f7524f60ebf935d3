"""Read the archival apparatus printed in a document body: markings, copy numbers, stamps, distribution, authorship.

Every rule looks at the *shape* of a line (a marking alone on a line near the top, "Nº 854" followed by a date line,
a numbered list after "Four copies" ...), never at the words of one particular record. The rules are deliberately
conservative: a value is read only when its line leaves little doubt, because a wrong marking or number published as
fact is worse than one left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ld.dates import is_date_line, try_parse_date
from ld.record import Apparatus, Dispatch, Distribution, PrintedDate, Stamp

__all__ = ["read_apparatus", "classification_in_title", "MARKING"]

# How many non-blank body lines count as "the top" where markings, copy numbers and issuer headings sit.
TOP_LINES = 14

# Security classification markings, alone or with a qualifier ("Top Secret, Special File").
MARKING = re.compile(
    r"(?:(?:top|strictly|most|highly)\s+)?(?:secret|confidential)(?:\s*[,.;/]?\s*special\s+(?:file|folder|importance))?"
    r"|restricted|classified|for\s+(?:internal|official|service)\s+use\s+only",
    re.IGNORECASE,
)
_COPY_NO = r"(?:n[º°o]\.?|no\.|number|#)?\s*"
# "Copy Nº 3", "copy No. 2", "Copy 19 of 50", "[handwritten] Copy A"; the copy designation must end the phrase.
_COPY = re.compile(
    rf"^(?:\[[^\]]*\]\s*)?copy\s+{_COPY_NO}(?P<copy>\d+|[A-Z])(?:\s+of\s+(?P<total>\d+)(?:\s+copies)?)?\.?$",
    re.IGNORECASE,
)
# "No. 2 of 40 copies": the numbered copy of a run.
_COPY_OF = re.compile(rf"^{_COPY_NO}(?P<copy>\d+)\s+of\s+(?P<total>\d+)\s+copies\.?$", re.IGNORECASE)
_ONLY_COPY = re.compile(r"^(?:the\s+)?only\s+copy\.?$", re.IGNORECASE)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12,
}
# "Four copies", "Two copies printed.", "Printed in 4 copies"
_COPIES = re.compile(
    rf"^(?:printed\s+in\s+)?(?P<n>\d+|{'|'.join(_NUMBER_WORDS)})\s+copies(?:\s+printed)?\b",
    re.IGNORECASE,
)
_OUTGOING = re.compile(r"^(?:outgoing\s+)?n[º°o]\.?\s*(?P<number>\d[\w/.-]*)\.?$", re.IGNORECASE)
_DISTRIBUTION = re.compile(r"^(?P<copy>\d{1,2})\s*(?P<sep>[-–—.)])\s*(?P<to>\S.*)$")
_HONORIFIC = re.compile(
    r"^(?:to\s+)?(?:(?:cdes?|coms?|comrades?|tov|mr|mrs|ms|dr)\.?\s+)*", re.IGNORECASE
)
_FILE = re.compile(r"^(?:to|in|into)?\s*(?:the\s+)?file\.?$", re.IGNORECASE)
_DRAFTED = re.compile(r"^(?:drafted|prepared|compiled|written)\s+by\s+(?P<who>\S.*?)\.?$", re.IGNORECASE)
_PERIOD = re.compile(r"\bfor\s+the\s+period\s+(?P<rest>.+)$", re.IGNORECASE)
_ISSUER = re.compile(
    r"\b(?:EMBASSY|CONSULATE|LEGATION|MINISTRY|MISSION|DELEGATION|DEPARTMENT|BUREAU|SECRETARIAT|CHANCELLERY)\b"
)
_STAMP_WORD = re.compile(r"\bstamp\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Line:
    """One non-blank body line with its index among non-blank lines and whether it sits inside a bracket block."""

    index: int
    text: str
    bracketed: bool


def _lines(body: str) -> list[_Line]:
    """The non-blank lines of the body, each flagged when it lies inside a multi-line ``[...]`` block."""
    found, depth = [], 0
    for raw in body.splitlines():
        text = raw.strip()
        if not text:
            continue
        inside = depth > 0 or (text.startswith("[") and text.count("[") > text.count("]"))
        found.append(_Line(len(found), text, inside))
        depth = max(0, depth + text.count("[") - text.count("]"))
    return found


def _marking(text: str) -> str | None:
    """The marking a line prints on its own, or before a copy number ("SECRET, copy No. 2"), or after a dash."""
    text = text.strip().rstrip(".")
    if MARKING.fullmatch(text):
        return text
    parts = re.split(r"\s*[,;]\s*", text, maxsplit=1)
    if len(parts) == 2 and MARKING.fullmatch(parts[0]) and _COPY.match(parts[1]):
        return parts[0]
    # "M e m o r a n d u m - for internal use only": a document heading followed by its handling marking.
    dashed = re.fullmatch(r"(?P<head>[^-–—]{1,40}?)\s+[-–—]\s+(?P<mark>.+)", text)
    if dashed and MARKING.fullmatch(dashed["mark"]) and not re.search(r"[.,;:]", dashed["head"]):
        return dashed["mark"]
    return None


def _top(lines: list[_Line]) -> list[_Line]:
    """The lines at the top of the body, outside stamps (a stamp's own "SECRET" is the receiver's, not the text's)."""
    return [line for line in lines[:TOP_LINES] if not line.bracketed]


def _classification(lines: list[_Line]) -> str | None:
    for line in _top(lines):
        found = _marking(line.text)
        if found:
            return found
    return None


def _copy_lines(lines: list[_Line]) -> tuple[str | None, int | None]:
    """Copy number and number of copies from the top lines ("Copy Nº 3", "No. 2 of 40 copies", "Only copy")."""
    for line in _top(lines):
        text = line.text
        marked = re.split(r"\s*[,;]\s*", text, maxsplit=1)
        if len(marked) == 2 and MARKING.fullmatch(marked[0]):
            text = marked[1]  # "SECRET, copy No. 2"
        match = _COPY.match(text) or _COPY_OF.match(text)
        if match:
            total = match.groupdict().get("total")
            return match["copy"], int(total) if total else None
        if _ONLY_COPY.match(text):
            return None, 1
    return None, None


def _copies_total(lines: list[_Line]) -> int | None:
    """The number of copies a line like "Four copies" or "Two copies printed." gives, anywhere outside brackets."""
    for line in lines:
        match = None if line.bracketed else _COPIES.match(line.text)
        if match:
            word = match["n"].lower()
            return int(word) if word.isdigit() else _NUMBER_WORDS[word]
    return None


def _outgoing(lines: list[_Line], reference: PrintedDate) -> Dispatch | None:
    """An outgoing number alone on its line ("Nº 854") immediately followed by a date line ("21 December 1955")."""
    for line, after in zip(lines, lines[1:]):
        match = None if line.bracketed else _OUTGOING.match(line.text)
        if not match:
            continue
        date = is_date_line(after.text, reference=reference)
        if date is not None:
            return Dispatch(match["number"], date)
    return None


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """The bracketed blocks of the body, each as its lines (a block opens with "[" and closes at depth zero)."""
    blocks: list[list[_Line]] = []
    depth = 0
    for line in lines:
        if depth == 0 and line.text.startswith("["):
            blocks.append([])
        if depth > 0 or line.text.startswith("["):
            blocks[-1].append(line)
        depth = max(0, depth + line.text.count("[") - line.text.count("]"))
    return blocks


def _stamp(block: list[_Line], reference: PrintedDate) -> Stamp | None:
    """Read one bracketed block as a registration stamp, if it says "stamp" and carries a number."""
    text = "\n".join(line.text for line in block)
    flat = " ".join(text.split())
    said = _STAMP_WORD.search(flat)
    if not said:
        return None
    office = flat[:said.start()].strip(" [:") or None
    rest = text[text.lower().index("stamp") + len("stamp"):]
    number = _stamp_number(rest)
    if number is None:
        return None
    dates = (is_date_line(line.strip(" []:"), reference=reference) for line in rest.splitlines())
    return Stamp(number=number, date=next((d for d in dates if d is not None), None), office=office, text=text)


def _stamp_number(rest: str) -> str | None:
    """The registration number in a stamp: "[[4865]]s" (handwritten, kept as 4865s) or "Incoming Nº 0404s"."""
    for line in rest.splitlines():
        token = line.strip(" :]")
        marked = re.search(r"\bincoming\s+n[º°o]\.?\s*(?P<n>\d+[a-z]?)\b", token, re.IGNORECASE)
        if marked:
            return marked["n"]
        bare = re.fullmatch(r"\[*(?P<d>\d+)\]*(?P<s>[a-z]?)", token)
        if bare:
            return bare["d"] + bare["s"]
    return None


def _stamps(lines: list[_Line], reference: PrintedDate) -> tuple[Stamp, ...]:
    found = (_stamp(block, reference) for block in _blocks(lines))
    return tuple(stamp for stamp in found if stamp is not None)


def _recipient(text: str) -> Distribution | None:
    """One distribution entry without numbering: "Cde. Molotov" -> Molotov; "to file" -> to_file."""
    text = text.strip().rstrip(".;,")
    if _FILE.match(text):
        return Distribution(0, None, to_file=True)
    name = _HONORIFIC.sub("", text).strip()
    if not name or len(name.split()) > 6:
        return None
    return Distribution(0, name)


def _distribution(lines: list[_Line]) -> tuple[Distribution, ...]:
    """The longest run of lines numbered 1, 2, 3 ... that reads as a distribution list.

    A run counts when it follows a "N copies" line, or when its numbers are dash-separated ("1 - Cde. Molotov")
    and one entry goes to file; numbered paragraphs of the text itself fail both tests.
    """
    best: tuple[Distribution, ...] = ()
    for start in range(len(lines)):
        entries = _run(lines, start)
        if len(entries) < 2 or len(entries) <= len(best):
            continue
        after_copies = start > 0 and _COPIES.match(lines[start - 1].text) is not None
        dashed = all(_DISTRIBUTION.match(lines[start + i].text)["sep"] in "-–—" for i in range(len(entries)))
        if after_copies or (dashed and any(entry.to_file for entry in entries)):
            best = entries
    return best


def _run(lines: list[_Line], start: int) -> tuple[Distribution, ...]:
    """Consecutive entries numbered 1, 2, 3 ... starting at ``lines[start]``."""
    entries = []
    for offset, line in enumerate(lines[start:]):
        match = _DISTRIBUTION.match(line.text)
        if not match or int(match["copy"]) != offset + 1:
            break
        entry = _recipient(match["to"])
        if entry is None:
            break
        entries.append(Distribution(offset + 1, entry.recipient, entry.to_file))
    return tuple(entries)


def _drafted_by(lines: list[_Line]) -> str | None:
    for line in lines:
        match = _DRAFTED.match(line.text)
        if match and not line.bracketed:
            return re.sub(r"\s*\[[^\]]*\]", "", match["who"]).strip() or None
    return None


def _covered_period(lines: list[_Line], reference: PrintedDate) -> PrintedDate | None:
    """A journal's "for the period from 4 through 15 December / 1955" (the year may wrap onto the next line)."""
    for position, line in enumerate(lines):
        match = _PERIOD.search(line.text)
        if not match:
            continue
        rest = match["rest"].rstrip(".")
        following = lines[position + 1].text if position + 1 < len(lines) else ""
        for candidate, ref in ((rest, None), (f"{rest} {following}", None), (rest, reference)):
            found = try_parse_date(candidate, reference=ref)
            if found is not None:
                return found
    return None


def _issuer(lines: list[_Line]) -> str | None:
    """An upper-case heading naming an office ("SOVIET EMBASSY IN THE DPRK") among the top lines."""
    for line in _top(lines):
        text = line.text
        letters = [c for c in text if c.isalpha()]
        if len(text.split()) <= 10 and letters and all(c.isupper() for c in letters) and _ISSUER.search(text):
            return text
    return None


def read_apparatus(body: str, record_date: PrintedDate) -> Apparatus:
    """Read the archival apparatus present in ``body``; ``record_date`` resolves dates printed without a year."""
    lines = _lines(body)
    copy_number, total = _copy_lines(lines)
    return Apparatus(
        classification=_classification(lines),
        copy_number=copy_number,
        copies_total=_copies_total(lines) or total,
        outgoing=_outgoing(lines, record_date),
        stamps=_stamps(lines, record_date),
        distribution=_distribution(lines),
        drafted_by=_drafted_by(lines),
        covered_period=_covered_period(lines, record_date),
        issuer=_issuer(lines),
    )


def classification_in_title(title: str) -> str | None:
    """A marking given as the last comma-separated part of a title ("Telegram ..., Urgent, SECRET"), if any.

    Some archives title documents with their handling ("No.084.504, Urgent, SECRET"); only a part that is exactly
    a marking counts, so "Confidential Report from ..." (a word of the title) does not.
    """
    parts = [part.strip() for part in title.split(",")]
    for part in reversed(parts[1:]):
        if MARKING.fullmatch(part):
            return part
    return None
