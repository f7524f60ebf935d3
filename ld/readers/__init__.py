"""Turn a record file into a ``Record``: check and decode the bytes, then hand them to the reader for their format.

``.txt`` files are read as the published text layout, ``.json`` files as docket's JSON format; anything else is
sniffed (a body starting with ``{`` is JSON). Every refusal is a ``RecordError(source, reason)`` with a one-line
reason: empty file, binary file, over the size cap, no date line, no title, unreadable date, bad JSON field.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ld.errors import RecordError
from ld.readers.json import read_json
from ld.readers.text import read_text
from ld.record import Record

__all__ = ["DEFAULT_MAX_BYTES", "read_path", "read_bytes", "decode"]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # records are a few KiB to a few hundred KiB; 5 MiB leaves ample room
# Share of control characters above which a NUL-free file still counts as binary.
_MAX_CONTROL_SHARE = 0.05
# Control characters other than the whitespace ones (\t \n \v \f \r): many of them mean binary data.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def read_path(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Record:
    """Read the record file at ``path`` (its name becomes the record's ``source``)."""
    path = Path(path)
    source = path.name
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise RecordError(source, _too_large(size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may grow between stat and read
    except OSError as exc:
        raise RecordError(source, f"cannot read file: {exc.strerror or exc}") from None
    return read_bytes(data, source, max_bytes=max_bytes)


def read_bytes(data: bytes, source: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Record:
    """Read a record from raw bytes; ``source`` names it in messages and chooses the reader by its suffix."""
    if len(data) > max_bytes:
        raise RecordError(source, _too_large(len(data), max_bytes))
    checksum = "sha256:" + hashlib.sha256(data).hexdigest()
    text, notices = decode(data, source)
    suffix = Path(source).suffix.lower()
    if suffix == ".json" or (suffix != ".txt" and text.lstrip().startswith("{")):
        return read_json(text, source=source, checksum=checksum, notices=notices)
    return read_text(text, source=source, checksum=checksum, notices=notices)


def _too_large(size: int, limit: int) -> str:
    return f"file too large: {size} bytes, over the limit of {limit} bytes ({limit / 1024 / 1024:g} MiB)"


def decode(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    """Decode record bytes to text with ``\\n`` line endings, refusing empty and binary data.

    UTF-8 (a BOM is dropped) is expected; other bytes are read as cp1252, the usual encoding of such files saved on
    Windows, falling back to latin-1 (which decodes anything), with a notice saying so.
    """
    if not data.strip():
        raise RecordError(source, "empty file")
    notices: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        notices.append("UTF-16 with byte-order mark; decoded as UTF-16")
    elif b"\x00" in data:
        raise RecordError(source, "binary file (contains NUL bytes), not a text record")
    else:
        text = _decode_8bit(data, notices)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    controls = len(_CONTROL.findall(text))
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise RecordError(source, f"binary file ({controls} control characters in {len(text)}), not a text record")
    if not text.strip():
        raise RecordError(source, "empty file")
    return text, tuple(notices)


def _decode_8bit(data: bytes, notices: list[str]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        notices.append("not UTF-8; decoded as cp1252")
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
        text = data.decode("latin-1")
        notices.append("not UTF-8; decoded as latin-1")
    return text
