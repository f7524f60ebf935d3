"""The ``Record`` type every reader produces and the mapper consumes: one archival document, as the record tells it.

Fields hold strings as printed (trimmed); nothing here is invented. Absent values are ``None`` or empty tuples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class PrintedDate:
    """A date as printed plus its outer bounds: "March 1967" is 1967-03-01T00:00:00 .. 1967-03-31T23:59:59.

    A range ("4 through 15 December 1955") has ``begin`` and ``end`` on different days; ``precision`` is the
    precision of its parts.
    """

    text: str
    begin: datetime
    end: datetime
    precision: Precision

    @property
    def iso(self) -> str:
        """The begin as YYYY-MM-DD, YYYY-MM or YYYY, by precision (what ``dcterms:date`` carries)."""
        fmt = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[self.precision]
        return self.begin.strftime(fmt)

    @property
    def is_range(self) -> bool:
        """True when begin and end are different units of the precision (e.g. two different days)."""
        return self.iso != PrintedDate(self.text, self.end, self.end, self.precision).iso


@dataclass(frozen=True)
class Stamp:
    """An incoming registration stamp: "[USSR MFA Far East Department stamp: 4865s 31 Dec 55]"."""

    number: str
    date: PrintedDate | None = None
    office: str | None = None
    text: str = ""


@dataclass(frozen=True)
class Dispatch:
    """The outgoing (dispatch) number and its date: "Nº 854 / 21 December 1955"."""

    number: str
    date: PrintedDate | None = None


@dataclass(frozen=True)
class Distribution:
    """One line of a distribution list: copy 1 went to "Molotov"; ``to_file`` for "4 - to file"."""

    copy: int
    recipient: str | None
    to_file: bool = False


@dataclass(frozen=True)
class Apparatus:
    """The archival apparatus read from the body: markings, numbers, stamps, distribution, authorship notes."""

    classification: str | None = None  # the marking as printed: "Secret", "TOP SECRET"
    copy_number: str | None = None  # "3" from "Copy Nº 3"
    copies_total: int | None = None  # 4 from "Four copies"
    outgoing: Dispatch | None = None
    stamps: tuple[Stamp, ...] = ()
    distribution: tuple[Distribution, ...] = ()
    drafted_by: str | None = None
    covered_period: PrintedDate | None = None  # a journal's "for the period from 4 through 15 December 1955"
    issuer: str | None = None  # heading naming the issuing body: "SOVIET EMBASSY IN THE DPRK"


@dataclass(frozen=True)
class Record:
    """One archival record as read from its source (published text layout or JSON)."""

    source: str  # file name (or other origin) for messages and provenance
    checksum: str  # "sha256:<hex>" of the source bytes as read
    date: PrintedDate
    title: str
    text: str = ""  # the document body (translation or original), editorial brackets kept
    summary: str | None = None
    funders: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()  # "Author(s):"
    associated: tuple[str, ...] = ()  # "Associated People & Organizations" (people and groups mixed)
    contributors: tuple[str, ...] = ()  # "Document Contributors"
    places: tuple[str, ...] = ()  # "Associated Places"
    subjects: tuple[str, ...] = ()  # "Subjects Discussed" / "Associated Topics"
    source_citation: str | None = None
    original_archive: str | None = None
    rights: str | None = None
    language: str | None = None  # language of the original, as printed ("German")
    record_id: str | None = None
    classification: str | None = None  # "Original Classification" section, else the apparatus marking
    translator: str | None = None  # from the source citation ("translated by ...")
    genre: str | None = None  # the "Type" section, as printed
    uploaded: PrintedDate | None = None  # "Original Uploaded Date"
    donors: tuple[str, ...] = ()
    apparatus: Apparatus = field(default_factory=Apparatus)
    notices: tuple[str, ...] = ()  # non-fatal remarks of the reader, e.g. "decoded as cp1252"
