"""Events a record's text names: the meeting or conversation it documents, the events and documents it refers to,
and the dates it prints, resolved against the record's own date ("on 5 December" in a record of 6 December 1955 is
5 December 1955).

All rules are about the shape of English diplomatic prose ("I visited Nam Il", "X was present at the conversation",
"the 29 November decree of the USSR Supreme Soviet Presidium", "on 5 December Kim Il Sung had held a conference");
none is about a particular record.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator, Literal

from ld.dates import try_parse_date
from ld.entities import Mention
from ld.extract.recognize import Span
from ld.extract.scan import anchored, occurrences, openings
from ld.record import PrintedDate, Record

EventKind = Literal["documented", "referred", "document"]

_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?")
_YEAR = r"(?:,?[ \u00a0](?:\[?1[89]\]?\d\d|\[?\d{4}\]?))?"
DATE = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?[ \u00a0]{_MONTH}{_YEAR}|{_MONTH}[ \u00a0]\d{{1,2}}(?:st|nd|rd|th)?{_YEAR}(?![\d:]))"
# Patterns that scan a whole text open with a lookahead for their first character: most positions fail it at once,
# before the alternatives are tried (the rest of the pattern still decides).
_DATE_FIRST = r"(?=[\dJFMASOND])"  # a digit or a month's initial
_DATE = re.compile(rf"{_DATE_FIRST}\b{DATE}")
_DATE_LINE = re.compile(rf"^[ \u00a0]*{DATE}[ \u00a0]*$", re.MULTILINE)

# The documented encounter, told in the first person or in the title.
_FIRST_PERSON = re.compile(
    r"(?=[iw])\b(?:I|we)[ \u00a0]+(?:visited|received|met(?:[ \u00a0]+with)?|called[ \u00a0]+on|"
    r"had[ \u00a0]+(?:a[ \u00a0]+)?(?:conversation|talk|meeting|discussion)s?[ \u00a0]+with|"
    r"spoke[ \u00a0]+with|talked[ \u00a0]+with)\b", re.IGNORECASE)
# where _FIRST_PERSON may open (scan.openings): "I" or "we" and a space, in any case (re.IGNORECASE also takes the
# Turkish dotted and dotless i for an i); no match begins inside another (none goes on with an i or a w)
_FIRST_PERSON_OPENS = re.compile("[iIwW\u0130\u0131][eE]?[ \u00a0]")
_VISITED_ME = re.compile(r"(?=[vrc])\b(?:visited|received|came[ \u00a0]+to[ \u00a0]+(?:see|visit)|called[ \u00a0]+on)[ \u00a0]+(?:me|us)\b")
_VISITED_ME_OPENS = ("visited", "received", "came", "called")  # the words _VISITED_ME opens with (scan.anchored)
_PRESENT = re.compile(r"(?=w)\b(?:was|were)[ \u00a0]+(?:also[ \u00a0]+)?present[ \u00a0]+at[ \u00a0]+the[ \u00a0]+"
                      r"(?:conversation|meeting|talks?|discussion|reception)")
_PRESENT_OPENS = ("was", "were")
_TITLE_MEETING = re.compile(r"\b(?:conversation|meeting|talks?|discussion|telephone|audience)\b", re.IGNORECASE)
_TOOK_PLACE = re.compile(rf"(?=[mcdt])\b(?:meeting|conversation|talks?|discussion)[ \u00a0]+(?:took[ \u00a0]+place|was[ \u00a0]+held)"
                         rf"[ \u00a0]+on[ \u00a0]+(?P<date>{DATE})[ \u00a0]+(?:in|at)[ \u00a0]+(?:the[ \u00a0]+)?")
_TOOK_PLACE_OPENS = ("meeting", "conversation", "talk", "discussion")  # (scan.anchored)
_WORDY = re.compile(r"[A-Za-z]{3,}")
_HEADING_WORDS = re.compile(r"\b(?:from|den|at)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b[A-Z]\.)[\"”’)\]]*\s+|\n")
_SENTENCE_END_AFTER, _SENTENCE_END_AT = (".", "!", "?"), ("\n",)  # where its matches can begin (scan.anchored)

_DOCUMENT_HEADS = ("decree", "resolution", "telegram", "letter", "declaration", "order", "memorandum", "note",
                   "directive", "instruction", "report", "appeal", "message")
_EVENT_HEADS = ("conference", "meeting", "session", "plenum", "congress", "talks", "visit", "speech",
                "conversation", "negotiations", "reception", "rally", "election", "elections")
_HEAD_WORDS = _DOCUMENT_HEADS + _EVENT_HEADS
_HEADS = "|".join(_HEAD_WORDS)
_HEAD_FIRST = "(?=[%s])" % "".join(sorted({head[0] for head in _DOCUMENT_HEADS + _EVENT_HEADS}))
# "the 29 November decree of the USSR Supreme Soviet Presidium", "the 11 October telegram"
_DATED_HEAD = re.compile(rf"{_DATE_FIRST}\b(?P<date>{DATE})[ \u00a0]+(?P<head>{_HEADS})\b")
# "on 5 December Kim Il Sung had held a conference"
_DATE_ACTOR_HEAD = re.compile(
    rf"(?=[Oo])\b[Oo]n[ \u00a0]+(?P<date>{DATE}),?[ \u00a0]+(?P<actor>[^.;\n]{{2,60}}?)[ \u00a0]+(?:had[ \u00a0]+)?"
    rf"(?:held|convened|chaired|called|gave|made|delivered|signed|sent|issued|adopted|opened)[ \u00a0]+"
    rf"(?:a|an|the|his|her|its|their)?[ \u00a0]*(?P<head>{_HEADS})\b")
# "Fidel's speech of 1 November", "a conference on 5 December"
_HEAD_DATE = re.compile(rf"{_HEAD_FIRST}\b(?P<head>{_HEADS})[ \u00a0]+(?:of|on|dated)[ \u00a0]+(?P<date>{DATE})")
_ACTOR_AFTER = re.compile(r"[ \u00a0]+(?:of|by|from)[ \u00a0]+(?:the[ \u00a0]+)?")
# Whether a date begins here (a zero-width test). Each pattern above holds a date: it is tried only where one begins
# (scan.anchored), not at every position of the text. A date names its month, and every month's name opens with one
# of these: the places a date can begin are found from where they are printed, not by a scan of every position.
_DATE_STARTS = re.compile(rf"{_DATE_FIRST}\b(?={DATE})")
# (scan.openings; no match begins inside another: each opens with a capital, none goes on with one)
_MONTH_OPENS = re.compile("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
# what a day-first date prints before its month: one or two digits, perhaps "st"/"nd"/"rd"/"th", one space
_DAY_WIDTHS = (2, 3, 4, 5)
_SPACES = " \u00a0"


@dataclass
class Event:
    """An event or document a record's text tells of, with where the text says so.

    ``participants`` and ``actors`` are mentions (resolved like any other); ``date`` is resolved against the record.
    """

    kind: EventKind
    label: str
    field: str
    start: int
    end: int
    head: str = ""  # the word naming it: conference, decree, conversation, ...
    date: PrintedDate | None = None
    participants: list[Mention] = field(default_factory=list)
    actors: list[Mention] = field(default_factory=list)
    place: Mention | None = None


@dataclass(frozen=True)
class TextDate:
    """A date the text prints, resolved against the record's date."""

    field: str
    start: int
    end: int
    date: PrintedDate


def text_dates(record: Record, field_name: str, text: str) -> list[TextDate]:
    """Every day- or month-precise date ``text`` prints, with its offsets, resolved against the record's date."""
    found = []
    for m in _DATE.finditer(text):
        parsed = try_parse_date(m.group(), reference=record.date)
        if parsed is not None:
            found.append(TextDate(field_name, m.start(), m.end(), parsed))
    return found


def find_events(record: Record, spans: dict[str, list[Span]]) -> list[Event]:
    """The documented meeting (if the record documents one) and the events and documents the body refers to."""
    events: list[Event] = []
    body = record.text or ""
    documented = _documented(record, body, spans.get("text", []), spans.get("title", []))
    if documented:
        events.append(documented)
    events.extend(_referred(record, body, spans.get("text", [])))
    return events


# ---------------------------------------------------------------------------------------------- documented meeting
def _mention(span: Span, field_name: str, role: str) -> Mention:
    return Mention.mined(span.text, span.kind, role, span.start, span.end, field_name, span.full)


def _sentence(text: str, at: int) -> tuple[int, int]:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    start = starts[-1] if starts else 0
    end_match = _SENTENCE_END.search(text, at)
    return start, end_match.start() if end_match else len(text)


class _Sentences:
    """The sentences of a text, split once however many questions are asked about them."""

    def __init__(self, text: str):
        self.text = text

    @cached_property
    def _breaks(self) -> list[tuple[int, int]]:
        text = self.text
        starts = sorted([at + 1 for at in occurrences(text, _SENTENCE_END_AFTER)] + occurrences(text, _SENTENCE_END_AT))
        return [m.span() for m in anchored(_SENTENCE_END, text, starts)]

    @cached_property
    def _ends(self) -> list[int]:
        return [end for _, end in self._breaks]

    def around(self, at: int) -> tuple[int, int]:
        """Where the sentence holding ``at`` starts and ends (as ``_sentence`` finds them)."""
        breaks, i = self._breaks, bisect_right(self._ends, at)
        if i < len(breaks) and breaks[i][0] < at:  # ``at`` inside a break, not at a word: cut the text there
            return _sentence(self.text, at)
        return (self._ends[i - 1] if i else 0), (breaks[i][0] if i < len(breaks) else len(self.text))


def _documented(record: Record, body: str, spans: list[Span], title_spans: list[Span]) -> Event | None:
    """The encounter the record documents: "I visited Nam Il", "R. Kennedy came to visit me", or a title naming a
    conversation or meeting; its participants, date and place."""
    people = [s for s in spans if s.kind == "person"]
    sentences = _Sentences(body)
    participants: list[Mention] = []
    for match in anchored(_FIRST_PERSON, body, openings(_FIRST_PERSON_OPENS, body)):
        start, end = match.start(), match.end()
        s_start, s_end = sentences.around(start)
        # the person visited or received follows the verb (a title aside): "I visited Nam Il", not "I received
        # the following telegram of Mao Zedong"
        participants = [_mention(s, "text", "participant") for s in people
                        if end <= s.start < s_end and s.start - end <= 12][:1]
        if participants:
            break
    if not participants:
        for match in anchored(_VISITED_ME, body, occurrences(body, _VISITED_ME_OPENS)):
            start, end = match.start(), match.end()
            s_start, s_end = sentences.around(start)
            participants = [_mention(s, "text", "participant") for s in people if s_start <= s.start < start]
            if participants:
                break
    if not participants:
        return _took_place(record, body, spans, _from_title(record, title_spans))
    author = _author(record, title_spans)
    if author is not None:
        participants.insert(0, author)
    for present in anchored(_PRESENT, body, occurrences(body, _PRESENT_OPENS, end)):
        p_start, _ = sentences.around(present.start())
        participants += [_mention(s, "text", "participant") for s in people if p_start <= s.start < present.start()]
    sentence = body[s_start:s_end]
    s_start += len(sentence) - len(sentence.lstrip())
    s_end = s_start + len(sentence.strip())
    event = Event("documented", body[s_start:s_end][:200], "text", s_start, s_end, head="conversation",
                  participants=participants)
    event.date = _date_of(record, body, s_start, s_end, start)
    event.place = _place_of(body, spans, start)
    return _took_place(record, body, spans, event)


def _took_place(record: Record, body: str, spans: list[Span], event: Event | None) -> Event | None:
    """ "This meeting took place on 5 March [19]56 in the Kremlin": the date and place of the encounter."""
    # (its verbs looked for first: a quick test that most texts fail)
    match = None
    if event is not None and ("took" in body or "held" in body):
        match = next(anchored(_TOOK_PLACE, body, occurrences(body, _TOOK_PLACE_OPENS)), None)  # (its first match)
    if match:
        event.date = try_parse_date(match.group("date"), reference=record.date) or event.date
        place = next((s for s in spans if s.kind == "place" and match.end() <= s.start <= match.end() + 8), None)
        if place is not None:
            event.place = _mention(place, "text", "place")
    return event


def _author(record: Record, title_spans: list[Span]) -> Mention | None:
    """Who "I" is: the first person the title names ("Journal of ... V. I. Ivanov", "Cable ... (Pavlíček)"), else
    the drafter, else the first author."""
    people = [s for s in title_spans if s.kind == "person"]
    if people:
        return _mention(people[0], "title", "participant")
    name = record.apparatus.drafted_by or next(iter(record.authors), None)
    return Mention(name, "person", "participant", "metadata") if name else None


def _from_title(record: Record, title_spans: list[Span]) -> Event | None:
    """A title such as "Memorandum of Conversation between ... Ratanov and Mengistu" names the encounter."""
    title = record.title
    match = _TITLE_MEETING.search(title)
    people = [s for s in title_spans if s.kind == "person"]
    if not match or len(people) < 2:
        return None
    places = [s for s in title_spans if s.kind == "place" and s.start > match.start()
              and title[max(0, s.start - 4):s.start] in (" in ", " at ")]
    event = Event("documented", title, "title", match.start(), match.end(), head=match.group().lower(),
                  participants=[_mention(s, "title", "participant") for s in people])
    event.date = record.date
    event.place = _mention(places[0], "title", "place") if places else None
    return event


def _date_of(record: Record, body: str, s_start: int, s_end: int, at: int) -> PrintedDate:
    """The date in the sentence, else the nearest date heading above it (a journal's "6 December"), else the
    record's date."""
    in_sentence = _DATE.search(body, s_start, s_end)
    if in_sentence:
        parsed = try_parse_date(in_sentence.group(), reference=record.date)
        if parsed:
            return parsed
    headings = [m for m in _DATE_LINE.finditer(body, 0, at)]
    if headings:
        parsed = try_parse_date(headings[-1].group().strip(), reference=record.date)
        if parsed:
            return parsed
    return record.date


def _place_of(body: str, spans: list[Span], at: int) -> Mention | None:
    """A place printed on a heading line of its own above the encounter ("Pyongyang 1955", "From: Bandung")."""
    for span in spans:
        if span.start >= at:
            break
        if span.kind != "place":
            continue
        line_start = body.rfind("\n", 0, span.start) + 1
        line_end = body.find("\n", span.end)
        line = body[line_start:line_end if line_end >= 0 else len(body)]
        rest = line.replace(span.text, "", 1)
        if len(line) <= 40 and not _WORDY.search(_HEADING_WORDS.sub("", rest)):
            return _mention(span, "text", "place")
    return None


# ---------------------------------------------------------------------------------------------- referred events
def _referred(record: Record, body: str, spans: list[Span]) -> list[Event]:
    events: list[Event] = []
    taken: list[tuple[int, int]] = []

    def add(kind_head: str, start: int, end: int, date_text: str, actors: list[Span]) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        head = kind_head.lower()
        kind: EventKind = "document" if head in _DOCUMENT_HEADS else "referred"
        event = Event(kind, " ".join(body[start:end].split()), "text", start, end, head=head,
                      date=try_parse_date(date_text, reference=record.date),
                      actors=[_mention(s, "text", "mentioned") for s in actors])
        events.append(event)

    dates = date_starts(body)
    if not dates:  # every pattern holds a date
        return events
    for m in anchored(_DATE_ACTOR_HEAD, body, _on_before(body, dates)):
        actors = [s for s in spans if m.start("actor") <= s.start < m.end("actor") and s.kind in ("person", "group")]
        if actors:
            add(m.group("head"), m.start(), m.end(), m.group("date"), actors[:1])
    for m in anchored(_DATED_HEAD, body, dates):
        end, actors = m.end(), []
        after = _ACTOR_AFTER.match(body, m.end())
        if after:
            actor = next((s for s in spans if s.start == after.end() and s.kind in ("person", "group")), None)
            if actor:
                end, actors = actor.end, [actor]
        start = m.start()
        if body[max(0, start - 4):start].lower() == "the ":
            start -= 4
        add(m.group("head"), start, end, m.group("date"), actors)
    for m in anchored(_HEAD_DATE, body, _head_before(body, dates)):
        owner = [s for s in spans if s.end <= m.start() and m.start() - s.end <= 3 and s.kind in ("person", "group")]
        add(m.group("head"), owner[-1].start if owner else m.start(), m.end(), m.group("date"), owner[-1:])
    events.sort(key=lambda e: e.start)
    return events


def date_starts(text: str) -> list[int]:
    """Every position where a date begins, overlapping ones too ("5 December 12 meeting" holds "December 12
    meeting"): the month names printed, and the days that may stand before them, tried by ``_DATE_STARTS``."""
    found = set()
    for month in openings(_MONTH_OPENS, text):
        found.add(month)
        found.update(month - width for width in _DAY_WIDTHS if month >= width)
    return [at for at in sorted(found) if _DATE_STARTS.match(text, at)]


def _spaces_before(text: str, at: int) -> int:
    """Where the run of spaces ending at ``at`` begins (``at`` when there is none)."""
    while at and text[at - 1] in _SPACES:
        at -= 1
    return at


def _on_before(text: str, dates: list[int]) -> list[int]:
    """Where an "on" stands before a date ("on 5 December ...", as ``_DATE_ACTOR_HEAD`` opens)."""
    found = []
    for date in dates:
        gap = _spaces_before(text, date)
        if gap < date and text.endswith(("on", "On"), 0, gap):
            found.append(gap - 2)
    return found


def _head_before(text: str, dates: list[int]) -> list[int]:
    """Where a head word stands before "of", "on" or "dated" and a date ("speech of 1 November", as
    ``_HEAD_DATE`` opens)."""
    found = set()
    for date in dates:
        gap = _spaces_before(text, date)
        for word in ("of", "on", "dated") if gap < date else ():
            if text.endswith(word, 0, gap):
                head_end = _spaces_before(text, gap - len(word))
                if head_end < gap - len(word):
                    found.update(head_end - len(head) for head in _HEAD_WORDS if text.endswith(head, 0, head_end))
    return sorted(found)
