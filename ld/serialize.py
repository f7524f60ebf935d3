"""Triples -> bytes in any format of the ``ld.formats`` table, without rdflib: Oxigraph's serializers for Turtle,
N-Triples and RDF/XML (about 90x faster than rdflib's), ``ld.jsonld`` for compact JSON-LD.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from ld.formats import RdfFormat
from ld.jsonld import CONTEXT_PREFIXES, to_jsonld


def serialize(triples: Sequence[ox.Triple], fmt: RdfFormat, *, context_url: str,
              first: str | None = None) -> bytes:
    """``triples`` in ``fmt``. JSON-LD refers to the context at ``context_url`` and lists ``first``'s node first."""
    if fmt.oxigraph is None:
        return to_jsonld(triples, context_url=context_url, first=first)
    prefixes = used_prefixes(triples) if fmt.oxigraph == ox.RdfFormat.TURTLE else None
    return ox.serialize(triples, format=fmt.oxigraph, prefixes=prefixes)


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The context prefixes that some IRI of ``triples`` uses (Oxigraph prints every prefix it is given, so unused
    ones would only clutter the Turtle)."""
    iris = set()
    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and not term.language:
                iris.add(term.datatype.value)
    return {prefix: namespace for prefix, namespace in CONTEXT_PREFIXES.items()
            if any(iri.startswith(namespace) for iri in iris)}
