"""The one table of RDF formats docket reads and writes: media type -> rdflib / Oxigraph names, suffix, label.

The server's negotiation, the dump command and the CLI read this table; nothing else hard-codes format names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph


@dataclass(frozen=True)
class RdfFormat:
    media_type: str
    suffix: str  # URL / file suffix without the dot
    rdflib_name: str  # rdflib parser/serializer name
    oxigraph: pyoxigraph.RdfFormat | None  # Oxigraph's serializer, None where it has none (JSON-LD)
    label: str
    aliases: tuple[str, ...] = ()  # other media types and names that mean this format

    @property
    def names(self) -> tuple[str, ...]:
        return (self.media_type, self.suffix, self.rdflib_name, *self.aliases)


TURTLE = RdfFormat("text/turtle", "ttl", "turtle", pyoxigraph.RdfFormat.TURTLE, "Turtle",
                   ("application/x-turtle", "turtle"))
JSONLD = RdfFormat("application/ld+json", "jsonld", "json-ld", None, "JSON-LD", ("json-ld", "jsonld"))
RDFXML = RdfFormat("application/rdf+xml", "rdf", "xml", pyoxigraph.RdfFormat.RDF_XML, "RDF/XML",
                   ("rdfxml", "rdf/xml", "xml"))
NTRIPLES = RdfFormat("application/n-triples", "nt", "nt", pyoxigraph.RdfFormat.N_TRIPLES, "N-Triples",
                     ("ntriples", "n-triples"))
NQUADS = RdfFormat("application/n-quads", "nq", "nquads", pyoxigraph.RdfFormat.N_QUADS, "N-Quads",
                   ("nquads", "n-quads"))
TRIG = RdfFormat("application/trig", "trig", "trig", pyoxigraph.RdfFormat.TRIG, "TriG", ("trig",))

# Formats for one description (triples), in the order offered to clients; the first is the default for machines.
DESCRIPTION_FORMATS: tuple[RdfFormat, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES)
ALL_FORMATS: tuple[RdfFormat, ...] = (*DESCRIPTION_FORMATS, NQUADS, TRIG)


def lookup(name: str) -> RdfFormat:
    """The format named by a media type, suffix or alias (case-insensitive); ValueError listing the choices."""
    wanted = name.strip().lower()
    for fmt in ALL_FORMATS:
        if wanted in fmt.names:
            return fmt
    choices = ", ".join(f.suffix for f in ALL_FORMATS)
    raise ValueError(f"unknown RDF format {name!r}; choose one of {choices}")
