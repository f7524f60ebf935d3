"""Read dates as they are printed in archival records into ``PrintedDate`` values with outer bounds.

Handled shapes (English, plus German month names for original-language memoranda):

- full dates: "December 6, 1955", "6 December 1955", "1st April, 1949", "April 9th 1973", "Saturday, 10 May 1997"
- short forms: "31 Dec 55", "31.10.62", "1.11.62", "13.7.50", ISO "2023-10-02"
- coarser dates: "November 1967", "1967", "2023-10"
- ranges: "from 4 through 15 December 1955", "4-15 December 1955", "April 9th – June 28th 1973",
  "from 20 December 1955 through 19 January 1956", "December 4-15, 1955"
- dates without a year ("6 December", "on 5 December"), resolved against a reference date

Editorial brackets around digits are dropped ("25 April [1955]", "5 March [19]56").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ld.record import Precision, PrintedDate

__all__ = ["parse_date", "try_parse_date", "is_date_line"]

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    # German originals (the Kohl-era memoranda print "Bonn, den 10 Januar 1996").
    "januar": 1, "februar": 2, "märz": 3, "maerz": 3, "mai": 5, "juni": 6, "juli": 7, "oktober": 10, "dezember": 12,
}
_ABBREVIATIONS = {name[:3]: number for name, number in _MONTHS.items() if name.isascii()} | {"sept": 9}
_MONTH_RE = r"(?P<{}>[A-Za-zä]+)\.?"
_DAY = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th|\.)?"
_YEAR = r"(?P<{}>\d{{4}}|'?\d{{2}})"
_WEEKDAY = re.compile(
    r"^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag),?\s+",
    re.IGNORECASE,
)
# Words printed before a date that do not change it.
_LEAD = re.compile(r"^(?:on|of|dated|den|from|between|since)\s+", re.IGNORECASE)
# Range separators: dashes, "through", "to", "until", "and" (after "between").
_RANGE = re.compile(r"\s*(?:–|—|-|\bthrough\b|\bthru\b|\bto\b|\buntil\b|\btill\b|\band\b|\bbis\b)\s*", re.IGNORECASE)
_BRACKETED_DIGITS = re.compile(r"\[(\d+)\]")  # "[19]56"


@dataclass(frozen=True)
class _Parts:
    """The components of one printed date; ``None`` where not printed."""

    day: int | None = None
    month: int | None = None
    year: int | None = None
    two_digit_year: bool = False


def _pattern(template: str) -> re.Pattern[str]:
    """Compile a template of D/M/Y/F (F: four-digit year) placeholders into an anchored, case-insensitive pattern."""
    # Spaces and commas first: the placeholders' own patterns contain commas ("{1,2}").
    source = template.replace(" ", r"\s+").replace(",", r",?")
    source = (
        source.replace("D", _DAY.format("day"))
        .replace("M", _MONTH_RE.format("month"))
        .replace("Y", _YEAR.format("year"))
        .replace("F", r"(?P<year>\d{4})")
    )
    return re.compile(f"^{source}$", re.IGNORECASE)


# Order matters only for readability: each pattern is anchored, so at most one shape fits a given string.
_SHAPES = [
    _pattern("D M, Y"),
    _pattern("M D, Y"),
    _pattern("M D"),  # before "M, F" would matter only for 4-digit days, which do not exist
    _pattern("M, F"),  # four digits only: "December 15" is a day, not the year 1915
    _pattern("D M"),
    _pattern("D, F"),
    re.compile(r"^(?P<year>\d{4})$"),
    re.compile(r"^(?P<day>\d{1,2})(?:st|nd|rd|th)?$", re.IGNORECASE),
    re.compile(r"^(?P<month>[A-Za-zä]+)\.?$"),
    re.compile(r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})(?:-(?P<day>\d{2}))?$"),
]


def _month_number(word: str) -> int | None:
    """The month a (possibly abbreviated) month name or a numeral stands for, or ``None``."""
    if word.isdigit():
        number = int(word)
        return number if 1 <= number <= 12 else None
    word = word.lower().rstrip(".")
    return _MONTHS.get(word) or _ABBREVIATIONS.get(word)


def _parts(text: str) -> _Parts | None:
    """Split one date (no range) into its components; ``None`` when it has none of the known shapes."""
    for shape in _SHAPES:
        match = shape.match(text)
        if not match:
            continue
        found = match.groupdict()
        month = None
        if found.get("month") is not None:
            month = _month_number(found["month"])
            if month is None:
                return None
        year_text = (found.get("year") or "").lstrip("'")
        return _Parts(
            day=int(found["day"]) if found.get("day") else None,
            month=month,
            year=int(year_text) if year_text else None,
            two_digit_year=len(year_text) == 2,
        )
    return None


def _clean(text: str) -> str:
    """Normalise the printed text: drop brackets around digits, a weekday, a leading "on", trailing punctuation."""
    text = _BRACKETED_DIGITS.sub(r"\1", text)
    text = " ".join(text.split()).strip(" ,;:")
    text = text.rstrip(".")
    text = _WEEKDAY.sub("", text)
    while _LEAD.match(text):
        text = _LEAD.sub("", text, count=1)
    return text.strip(" ,")


def _precision(parts: _Parts) -> Precision:
    """The finest unit the parts name."""
    return "day" if parts.day else "month" if parts.month else "year"


def _bounds(parts: _Parts) -> tuple[datetime, datetime]:
    """First and last second covered by the parts (which carry a year)."""
    assert parts.year is not None
    if parts.month is None:
        return datetime(parts.year, 1, 1), datetime(parts.year, 12, 31, 23, 59, 59)
    last_day = calendar.monthrange(parts.year, parts.month)[1]
    if parts.day is None:
        return datetime(parts.year, parts.month, 1), datetime(parts.year, parts.month, last_day, 23, 59, 59)
    if not 1 <= parts.day <= last_day:
        raise ValueError(f"day {parts.day} is out of range for {calendar.month_name[parts.month]} {parts.year}")
    begin = datetime(parts.year, parts.month, parts.day)
    return begin, begin + timedelta(hours=23, minutes=59, seconds=59)


def _with_year(parts: _Parts, year: int) -> _Parts:
    return _Parts(parts.day, parts.month, year, False)


def _century(parts: _Parts, reference: PrintedDate | None) -> _Parts:
    """Expand a two-digit year: the century nearest the reference, else the 1900s (the records are 20th-century)."""
    if not parts.two_digit_year or parts.year is None:
        return parts
    if reference is None:
        return _with_year(parts, 1900 + parts.year)
    ref = reference.begin.year
    candidates = [century + parts.year for century in (ref // 100 * 100 - 100, ref // 100 * 100, ref // 100 * 100 + 100)]
    return _with_year(parts, min(candidates, key=lambda year: abs(year - ref)))


def _nearest_year(parts: _Parts, reference: PrintedDate) -> _Parts:
    """Give a year-less date the year that puts it nearest the reference (ties go to the earlier date)."""
    ref = reference.begin
    options = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        try:
            begin, _ = _bounds(_with_year(parts, year))
        except ValueError:  # 29 February in a common year
            continue
        options.append((abs((begin - ref).total_seconds()), begin > ref, year))
    if not options:
        raise ValueError("no year makes this date valid")
    return _with_year(parts, min(options)[2])


def _fill(first: _Parts, last: _Parts) -> tuple[_Parts, _Parts]:
    """Share components between the two ends of a range: "4-15 December 1955", "December 4-15, 1955"."""
    if last.month is None and first.month is not None and last.day is not None:
        last = _Parts(last.day, first.month, last.year, last.two_digit_year)
    month = first.month if first.month is not None else (last.month if first.day is not None else None)
    year, two = (first.year, first.two_digit_year) if first.year is not None else (last.year, last.two_digit_year)
    return _Parts(first.day, month, year, two), last


def _split_range(text: str) -> tuple[str, str] | None:
    """The two ends of a printed range, or ``None`` when the text has no range separator between two parts."""
    pieces = _RANGE.split(text, maxsplit=1)
    if len(pieces) != 2 or not pieces[0] or not pieces[1]:
        return None
    return pieces[0].strip(" ,"), pieces[1].strip(" ,")


def _resolve(parts: _Parts, reference: PrintedDate | None, text: str) -> _Parts:
    """Complete the year of the parts: expand two digits, or borrow it from the reference."""
    parts = _century(parts, reference)
    if parts.year is not None:
        return parts
    if reference is None:
        raise ValueError(f"cannot read date {text!r}: no year, and no reference date to take it from")
    return _nearest_year(parts, reference)


def _single(text: str) -> _Parts | None:
    """Parts of a stand-alone date: a bare day number or bare month word is not a date on its own."""
    parts = _parts(text)
    if parts is None or (parts.month is None and parts.year is None):
        return None
    if parts.year is None and parts.day is None:
        return None  # "May" alone is a word, not a date
    return parts


def parse_date(text: str, *, reference: PrintedDate | None = None) -> PrintedDate:
    """Read a date (or date range) as printed into a ``PrintedDate`` with outer bounds.

    ``reference`` (normally the record's own date) supplies the year of dates printed without one ("6 December")
    and the century of two-digit years ("31 Dec 55"). Raises ``ValueError`` naming the text when it cannot be read.
    """
    printed = " ".join(text.split())
    cleaned = _clean(printed)
    if not cleaned:
        raise ValueError(f"cannot read date {printed!r}: empty")
    single = _single(cleaned)
    if single is not None:
        return _printed(printed, _resolve(single, reference, printed), None, reference)
    ends = _split_range(cleaned)
    if ends is None:
        raise ValueError(f"cannot read date {printed!r}")
    first, last = (_parts(_clean(end)) for end in ends)
    if first is None or last is None or (last.year is None and last.month is None):
        raise ValueError(f"cannot read date {printed!r}")
    first, last = _fill(first, last)
    if first.month is None and (first.year is None or first.day is not None):  # "4 - 1956" names no month
        raise ValueError(f"cannot read date {printed!r}")
    return _printed(printed, first, last, reference)


def _printed(printed: str, first: _Parts, last: _Parts | None, reference: PrintedDate | None) -> PrintedDate:
    """Build the ``PrintedDate`` of a single date (``last`` is ``None``) or of a range."""
    try:
        if last is None:
            begin, end = _bounds(first)
            return PrintedDate(printed, begin, end, _precision(first))
        if last.year is None and first.year is None:
            first = _resolve(first, reference, printed)
            last = _with_year(last, first.year)
            if _bounds(last)[1] < _bounds(first)[0]:  # "28 December - 3 January" crosses a year
                last = _with_year(last, first.year + 1)
        first, last = _resolve(first, reference, printed), _resolve(last, reference, printed)
        begin, end = _bounds(first)[0], _bounds(last)[1]
    except ValueError as exc:
        if str(exc).startswith("cannot read date"):
            raise
        raise ValueError(f"cannot read date {printed!r}: {exc}") from None
    if end < begin:
        raise ValueError(f"cannot read date {printed!r}: the range ends before it begins")
    coarser = max(_precision(first), _precision(last), key=["day", "month", "year"].index)
    return PrintedDate(printed, begin, end, coarser)  # type: ignore[arg-type]


def try_parse_date(text: str, *, reference: PrintedDate | None = None) -> PrintedDate | None:
    """Like ``parse_date`` but ``None`` instead of an error: for probing whether a line is a date."""
    try:
        return parse_date(text, reference=reference)
    except ValueError:
        return None


def is_date_line(line: str, *, reference: PrintedDate | None = None) -> PrintedDate | None:
    """The date a whole line prints, if the line is nothing but a day-precise or month-precise date."""
    if not re.search(r"\d", line) or len(line) > 60:
        return None
    found = try_parse_date(line, reference=reference)
    return found if found is not None and found.precision != "year" else None
