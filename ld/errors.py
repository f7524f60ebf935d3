"""docket's small error family. Library code raises these; the server maps them to HTTP once, at the edge.

Non-conformance to the SHACL shapes is *not* an error: ``ld.validate`` returns it as a report.
"""


class DocketError(Exception):
    """Base class of every error docket raises on purpose."""


class RecordError(DocketError):
    """A record cannot be read or mapped: empty, binary, no date, no title, too large, a duplicate ...

    ``source`` names the file (or other origin) and ``reason`` says what is wrong, in one line.
    """

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class NotFound(DocketError):
    """The store holds nothing under the requested IRI."""


class StoreError(DocketError):
    """The store failed (disk, lock, remote endpoint): not the caller's fault."""


class QueryRejected(DocketError):
    """A SPARQL request docket will not run: a syntax error, an update on the read-only endpoint, over a limit."""
