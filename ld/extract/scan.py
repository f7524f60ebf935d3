"""Scanning a text with a pattern only where a match can begin.

A regular expression that opens with an assertion (``\\b``, a lookahead) is tried by ``re`` at every position of a
text, which costs about as much as a pass of Python over a few hundred characters. Where the places a match can
begin are found more cheaply, the pattern is tried there alone, with the same result as ``finditer``: the few words
it opens with, found by ``str.find`` (``occurrences``), or, for many words or variants, a pattern of them that opens
with a character set, which ``re`` skips to in C (``openings``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def anchored(pattern: re.Pattern, text: str, starts: Iterable[int]) -> Iterator[re.Match]:
    """What ``pattern.finditer(text)`` finds, for a pattern whose matches can begin only at ``starts`` (ascending;
    ``pattern.match`` at a position sees the text before it, so ``\\b`` and lookbehinds hold as in a scan)."""
    end = 0
    for start in starts:
        if start >= end:  # (matches do not overlap)
            match = pattern.match(text, start)
            if match:
                yield match
                end = match.end()


def occurrences(text: str, words: Iterable[str], start: int = 0) -> list[int]:
    """Every position from ``start`` on where one of ``words`` is printed (inside other words too), ascending."""
    found = []
    for word in words:
        at = text.find(word, start)
        while at >= 0:
            found.append(at)
            at = text.find(word, at + 1)
    found.sort()
    return found


def openings(opener: re.Pattern, text: str, start: int = 0) -> Iterator[int]:
    """Every position from ``start`` on where ``opener`` matches, ascending, for an opener no match of which can
    begin inside another (so that ``finditer`` finds them all, in C). They are found as they are asked for: a
    scan that stops at the first match it takes does not look through the rest of the text."""
    return (match.start() for match in opener.finditer(text, start))
