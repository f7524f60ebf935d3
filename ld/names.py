"""Name handling shared by the authority file and extraction: cleaning printed names and matching variants."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Honorifics and offices printed before names ("Cde. Molotov", "Ambassador Ivanov"); stripped for matching/labels.
HONORIFICS = (
    "cde", "comrade", "comrades", "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "madame", "mme",
    "ambassador", "minister", "premier", "president", "chairman", "general", "marshal", "colonel", "secretary",
    "deputy", "vice", "prime", "foreign", "chancellor", "counsellor", "counselor", "envoy", "consul", "tov",
)
_HONORIFIC_RE = re.compile(r"^(?:(?:%s)\.?\s+)+" % "|".join(HONORIFICS), re.IGNORECASE)
_PAREN_RE = re.compile(r"\s*\([^)]*\)")
_SPACE_RE = re.compile(r"\s+")
WORD_RE = re.compile(r"[a-z0-9]+")  # the words of a folded name


def clean(name: str) -> str:
    """The printed name with honorifics, surrounding punctuation and repeated spaces removed."""
    name = _SPACE_RE.sub(" ", name).strip(" \t.,;:-–—")
    stripped = _HONORIFIC_RE.sub("", name)
    return stripped if stripped else name


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form: "Satō" -> "sato", "Pavlíček" -> "pavlicek"."""
    if text.isascii():  # nothing to decompose (most names): at once, not character by character
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)  # names recur (in a record and across records) and are keyed many times each
def match_key(name: str) -> str:
    """Key under which name variants meet.

    Parenthesised variants are dropped, honorifics stripped, case and diacritics folded, and the words sorted, so
    "Kohl, Helmut", "Helmut Kohl" and "Cde. Helmut KOHL" share one key, and "Kim Il-sung" meets "Kim Il Sung".
    """
    words = WORD_RE.findall(fold(clean(_PAREN_RE.sub("", name))))
    return " ".join(sorted(words))


def direct_order(name: str) -> str:
    """ "Kohl, Helmut" -> "Helmut Kohl"; names without one comma are returned cleaned, unchanged."""
    cleaned = clean(_PAREN_RE.sub("", name))
    surname, sep, given = cleaned.partition(", ")
    if sep and surname and given and "," not in given:
        return f"{given} {surname}"
    return cleaned
