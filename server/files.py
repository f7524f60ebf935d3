"""The vocabularies (``/vocab/``) and SHACL shapes (``/shapes/``) docket publishes, read once at start-up.

The Turtle files write docket's own concepts relative (``<id/concept/...>``), so each is parsed with the base URI
and served re-serialized with absolute IRIs, in every RDF format; the authority file stays out, as it stays out of
the vocab graph (its entities are published in the entities graph).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ld.formats import RdfFormat
from ld.resources import shapes_dir, vocab_dir
from ld.serialize import serialize
from server.http import etag_of

_LEFT_OUT = {"authority.ttl"}


@dataclass
class PublishedFile:
    """One Turtle file of vocab/ or shapes/: its name without ``.ttl``, its triples and the original text."""

    name: str
    text: str
    triples: list
    modified: float
    _bodies: dict = field(default_factory=dict)

    def body(self, fmt: RdfFormat, context_url: str) -> tuple[bytes, str]:
        """The file in ``fmt`` with its ETag, serialized on first use."""
        if fmt.suffix not in self._bodies:
            data = serialize(self.triples, fmt, context_url=context_url)
            self._bodies[fmt.suffix] = (data, etag_of(data))
        return self._bodies[fmt.suffix]


@dataclass
class Folder:
    """``vocab`` or ``shapes``: its files by name, and all of them merged (what ``/vocab/`` serves to machines)."""

    name: str
    files: dict[str, PublishedFile]
    merged: PublishedFile


def load_folder(name: str, base: str) -> Folder:
    """Parse every ``.ttl`` of the folder (``vocab`` or ``shapes``) against ``base``."""
    directory = vocab_dir() if name == "vocab" else shapes_dir()
    files = {}
    for entry in sorted(directory.iterdir(), key=lambda f: f.name):
        if not entry.name.endswith(".ttl") or entry.name in _LEFT_OUT:
            continue
        data = entry.read_bytes()
        triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE, base_iri=base)]
        stem = entry.name.removesuffix(".ttl")
        files[stem] = PublishedFile(stem, data.decode("utf-8"), triples, _mtime(entry))
    merged = PublishedFile(name, "", _distinct(t for f in files.values() for t in f.triples),
                           max((f.modified for f in files.values()), default=0.0))
    return Folder(name, files, merged)


def _distinct(triples) -> list:
    # Blank nodes are per file in pyoxigraph's parser, so merging files cannot join two files' blank nodes.
    return list(dict.fromkeys(triples))


def _mtime(entry) -> float:
    try:
        return entry.stat().st_mtime  # a pathlib.Path in a checkout
    except AttributeError:  # an importlib Traversable inside a wheel has no stat()
        return 0.0
