"""Read a record given as JSON: the ground-truth fields of the corpus plus ``text`` (the body).

See docs/JSON-FORMAT.md for the fields. Types are checked field by field and every problem is reported as a
``RecordError`` naming the field; keys docket does not know (``url``, ``notes`` ...) are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ld.apparatus import read_apparatus
from ld.dates import parse_date
from ld.errors import RecordError
from ld.readers.text import translator_from_citation
from ld.record import PrintedDate, Record

__all__ = ["read_json"]


class _Fields:
    """Typed access to the fields of one JSON object; errors name the field and the source."""

    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source

    def fail(self, key: str, problem: str) -> RecordError:
        return RecordError(self.source, f"field {key!r}: {problem}")

    def string(self, *keys: str, required: bool = False) -> str | None:
        """The first of ``keys`` present, as a trimmed string (``None`` for null or blank); numbers for IDs."""
        for key in keys:
            if key not in self.data or self.data[key] is None:
                continue
            value = self.data[key]
            if isinstance(value, int) and not isinstance(value, bool) and key == "record_id":
                value = str(value)
            if not isinstance(value, str):
                raise self.fail(key, f"expected a string, got {_kind(value)}")
            if value.strip():
                return value.strip()
        if required:
            raise self.fail(keys[0], "missing or empty (required)")
        return None

    def strings(self, *keys: str) -> tuple[str, ...] | None:
        """The first of ``keys`` present, as a tuple of trimmed strings; ``None`` when none is present."""
        for key in keys:
            if key not in self.data or self.data[key] is None:
                continue
            value = self.data[key]
            if not isinstance(value, list):
                raise self.fail(key, f"expected a list of strings, got {_kind(value)}")
            for position, item in enumerate(value):
                if not isinstance(item, str):
                    raise self.fail(key, f"item {position} is {_kind(item)}, expected a string")
            return tuple(dict.fromkeys(item.strip() for item in value if item.strip()))
        return None

    def date(self, key: str, *, required: bool = False) -> PrintedDate | None:
        printed = self.string(key, required=required)
        if printed is None:
            return None
        try:
            return parse_date(printed)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None


def _kind(value: object) -> str:
    """A JSON-ish name for the type of ``value``, for messages."""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _load(text: str, source: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(source, f"not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise RecordError(source, f"not a JSON record: expected an object, got {_kind(data)}")
    return data


def _checked_date(fields: _Fields) -> PrintedDate:
    """The record date; ``date_iso``, when given, must agree with it."""
    date = fields.date("date", required=True)
    assert date is not None
    iso = fields.string("date_iso")
    if iso is not None and iso != date.iso:
        raise fields.fail("date_iso", f"{iso!r} disagrees with date {date.text!r} (read as {date.iso})")
    return date


def _associated(fields: _Fields) -> tuple[str, ...]:
    """``associated_people_orgs`` when given, else the annotated ``people`` and ``organizations`` together."""
    given = fields.strings("associated_people_orgs", "associated")
    if given is not None:
        return given
    return tuple(dict.fromkeys((*(fields.strings("people") or ()), *(fields.strings("organizations") or ()))))


def read_json(text: str, *, source: str, checksum: str, notices: Sequence[str] = ()) -> Record:
    """Read a record in docket's JSON format (already decoded) into a ``Record``; ``RecordError`` names bad fields."""
    fields = _Fields(_load(text, source), source)
    date = _checked_date(fields)
    body = fields.string("text") or ""
    apparatus = read_apparatus(body, date)
    citation = fields.string("source_citation")
    donors = fields.strings("donors") or ()
    return Record(
        source=source,
        checksum=checksum,
        date=date,
        title=fields.string("title", required=True) or "",
        text=body,
        summary=fields.string("summary"),
        funders=tuple(dict.fromkeys((*(fields.strings("funders") or ()), *donors))),
        authors=fields.strings("authors") or (),
        associated=_associated(fields),
        contributors=fields.strings("document_contributors", "contributors") or (),
        places=fields.strings("places") or (),
        subjects=fields.strings("subjects") or (),
        source_citation=citation,
        original_archive=fields.string("original_archive"),
        rights=fields.string("rights"),
        language=fields.string("language"),
        record_id=fields.string("record_id"),
        classification=fields.string("classification") or apparatus.classification,
        translator=fields.string("translator") or translator_from_citation(citation),
        genre=fields.string("type", "genre"),
        uploaded=fields.date("original_uploaded_date") or fields.date("uploaded"),
        donors=donors,
        apparatus=apparatus,
        notices=tuple(notices),
    )
