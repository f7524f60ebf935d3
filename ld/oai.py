"""An OAI-PMH 2.0 repository over the store: the six verbs, ``oai_dc`` and ``rdf`` (the record's graph in RDF/XML),
sets by genre and by decade, selective harvesting by datestamp, resumption tokens, persistent deleted records, and
every error condition of the protocol. No web framework: ``Repository.respond(arguments)`` returns the XML.

- Items are records; an item's identifier is the record's IRI, its datestamp the record's ``dcterms:modified``
  (seconds granularity, UTC), or for a withdrawn record the time of its deletion (``ld.changes`` tombstones).
- Sets: ``genre`` and ``genre:{key}`` (the genre concepts of ``vocab/``), ``decade`` and ``decade:{1960}`` (from
  the record's date). A set with children holds the items of all of them.
- Lists are ordered by (datestamp, identifier) and cut into pages of ``page_size``; the resumption token carries
  the request and the last (datestamp, identifier) sent, so a harvest resumes correctly even when records change
  meanwhile (a record updated during a harvest comes again at the end, with its new datestamp).
"""

from __future__ import annotations

import base64
import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ld.changes import AS, changes_graph_of, decade_spec, genre_spec
from ld.iris import Minter

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
_DC = "http://purl.org/dc/terms/"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_SET_SPEC = "https://w3id.org/docket/ns#setSpec"


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
                             "http://www.openarchives.org/OAI/2.0/oai_dc/"),
    "rdf": MetadataFormat("rdf", "http://www.openarchives.org/OAI/2.0/rdf.xsd",
                          "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
}
VERBS = {  # verb -> (required arguments, optional arguments, exclusive argument)
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_SET = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
# Characters XML 1.0 does not allow at all (not even as references): dropped from the text sent.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class OaiError(Exception):
    """An OAI-PMH error condition: ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Header:
    identifier: str
    datestamp: str  # YYYY-MM-DDThh:mm:ssZ
    deleted: bool
    sets: tuple[str, ...]


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _stamp(value: str) -> str:
    """An xsd:dateTime of the store (UTC, no zone) as an OAI datestamp."""
    return value.split(".", 1)[0].removesuffix("Z")[:19] + "Z"


def _literal(when: datetime) -> str:
    return f'"{when.strftime("%Y-%m-%dT%H:%M:%S")}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'


class Repository:
    """One OAI-PMH repository: the store (a ``Store``), the minter of its IRIs and the repository's description."""

    def __init__(self, store, minter: Minter, *, name: str, admin_email: str, page_size: int = 100,
                 cached: Callable[[tuple, Callable[[], object]], object] | None = None):
        """``cached(key, build)`` keeps values for the current data (e.g. the server's per-worker cache); without
        it, every list request reads the whole ordered list again."""
        self.store = store
        self._cached = cached or (lambda key, build: build())
        self.minter = minter
        self.base_url = f"{minter.base}oai"
        self.name, self.admin_email, self.page_size = name, admin_email, page_size
        self.changes = str(changes_graph_of(f"{minter.base}graph/"))

    # -- the protocol --

    def respond(self, arguments: dict[str, list[str]], *, now: datetime | None = None) -> bytes:
        """The XML response to a request with ``arguments`` (each name with all its values, as sent)."""
        now = now or datetime.now(timezone.utc)
        verb_values = arguments.get("verb", [])
        try:
            args = self._checked(arguments)
            body = getattr(self, f"_{args['verb']}")(args)
            request = self._request_element(args)
        except OaiError as error:
            # badVerb and badArgument responses echo no attributes (the request may not be valid); others do.
            echo = error.code not in ("badVerb", "badArgument") and len(verb_values) == 1
            request = self._request_element({k: v[0] for k, v in arguments.items()} if echo else {})
            body = f'<error code="{error.code}">{_text(error.message)}</error>'
        return self._envelope(now, request, body)

    def _checked(self, arguments: dict[str, list[str]]) -> dict[str, str]:
        verbs = arguments.get("verb", [])
        if len(verbs) != 1 or verbs[0] not in VERBS:
            raise OaiError("badVerb", "the verb argument is missing, repeated or not one of " + ", ".join(VERBS)
                           if len(verbs) != 1 else f"{verbs[0]!r} is not an OAI-PMH verb; verbs are "
                           + ", ".join(VERBS))
        verb = verbs[0]
        required, optional, exclusive = VERBS[verb]
        repeated = [name for name, values in arguments.items() if len(values) > 1]
        if repeated:
            raise OaiError("badArgument", f"argument repeated: {', '.join(sorted(repeated))}")
        args = {name: values[0] for name, values in arguments.items()}
        given = set(args) - {"verb"}
        if exclusive and exclusive in given:
            if given != {exclusive}:
                raise OaiError("badArgument", f"{exclusive} is exclusive: no other argument may come with it")
            return args
        unknown = given - required - optional
        if unknown:
            raise OaiError("badArgument", f"{verb} takes no argument {', '.join(sorted(unknown))}")
        missing = required - given
        if missing:
            raise OaiError("badArgument", f"{verb} needs the argument {', '.join(sorted(missing))}")
        return args

    def _Identify(self, args: dict[str, str]) -> str:
        earliest = self._earliest()
        return (f"<Identify><repositoryName>{_text(self.name)}</repositoryName>"
                f"<baseURL>{_text(self.base_url)}</baseURL><protocolVersion>2.0</protocolVersion>"
                f"<adminEmail>{_text(self.admin_email)}</adminEmail>"
                f"<earliestDatestamp>{earliest}</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
                f"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>")

    def _ListMetadataFormats(self, args: dict[str, str]) -> str:
        if "identifier" in args:
            self._header(args["identifier"])  # raises idDoesNotExist
        formats = "".join(f"<metadataFormat><metadataPrefix>{f.prefix}</metadataPrefix><schema>{f.schema}</schema>"
                          f"<metadataNamespace>{f.namespace}</metadataNamespace></metadataFormat>"
                          for f in FORMATS.values())
        return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"

    def _ListSets(self, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            raise OaiError("badResumptionToken", "the list of sets comes whole: there is no token to resume")
        sets = "".join(f"<set><setSpec>{spec}</setSpec><setName>{_text(name)}</setName></set>"
                       for spec, name in self.sets())
        return f"<ListSets>{sets}</ListSets>"

    def _GetRecord(self, args: dict[str, str]) -> str:
        fmt = self._format(args["metadataPrefix"])
        header = self._header(args["identifier"])
        return f"<GetRecord>{self._records([header], fmt)}</GetRecord>"

    def _ListIdentifiers(self, args: dict[str, str]) -> str:
        headers, token = self._list(args)
        return f"<ListIdentifiers>{''.join(self._header_xml(h) for h in headers)}{token}</ListIdentifiers>"

    def _ListRecords(self, args: dict[str, str]) -> str:
        headers, token = self._list(args)
        fmt = self._format(self._request_of(args)["metadataPrefix"])
        return f"<ListRecords>{self._records(headers, fmt)}{token}</ListRecords>"

    # -- lists and resumption tokens --

    def _request_of(self, args: dict[str, str]) -> dict:
        if "resumptionToken" in args:
            return _decode_token(args["resumptionToken"])
        return {k: args[k] for k in ("metadataPrefix", "from", "until", "set") if k in args}

    def _list(self, args: dict[str, str]) -> tuple[list[Header], str]:
        request = self._request_of(args)
        self._format(request.get("metadataPrefix", ""))
        start, end = _range(request.get("from"), request.get("until"))
        spec = request.get("set")
        if spec is not None and not _SET.fullmatch(spec):
            raise OaiError("badArgument", f"{spec!r} is not a valid setSpec")
        after = request.get("after")
        cursor = request.get("cursor", 0)
        total = request.get("total")
        listed = self._cached(("oai-list", start, end, spec), lambda: self._ordered(start, end, spec))
        if total is None:
            total = len(listed)
        # The page: the items after the last one sent (by datestamp, then identifier), and one more to know if
        # there are more. A record updated meanwhile sorts anew; the keyset makes a harvest resume where it was.
        first = bisect.bisect_right(listed, (after[0], after[1], True)) if after is not None else 0
        rows = listed[first:first + self.page_size + 1]
        sets = self._sets_of([i for _, i, deleted in rows if not deleted], [i for _, i, deleted in rows if deleted])
        headers = [Header(i, stamp, deleted, sets.get(i, ())) for stamp, i, deleted in rows]
        if not headers:
            if after is not None:  # the rest went away meanwhile: end the list
                return [], f'<resumptionToken completeListSize="{total}" cursor="{cursor}"/>'
            raise OaiError("noRecordsMatch", "no record matches these from, until and set arguments")
        more = len(headers) > self.page_size
        headers = headers[:self.page_size]
        token = ""
        if more or after is not None:
            if more:
                last = headers[-1]
                value = _encode_token({**{k: v for k, v in request.items() if k not in ("after", "cursor", "total")},
                                       "after": [last.datestamp, last.identifier],
                                       "cursor": cursor + len(headers), "total": total})
                token = (f'<resumptionToken completeListSize="{total}" cursor="{cursor}">{value}'
                         f"</resumptionToken>")
            else:  # the last page of a resumed list: an empty token says the list is complete
                token = f'<resumptionToken completeListSize="{total}" cursor="{cursor}"/>'
        return headers, token

    def _selection(self, start: datetime | None, end: datetime | None, spec: str | None) -> str:
        base = self.minter.base
        live, gone = [], []
        if spec:
            family, _, value = spec.partition(":")
            if family == "genre":
                concept = f"{base}id/concept/genre-{value}" if value else f"{base}id/concept/genre-"
                test = f'?t = <{concept}>' if value else f'STRSTARTS(STR(?t), "{concept}")'
                live.append(f"GRAPH ?id {{ ?id <{_DC}type> ?t }} FILTER({test})")
            elif family == "decade":
                prefix = value[:3] if value else ""
                if value and not re.fullmatch(r"\d{3}0", value):
                    live.append("FILTER(false)")
                else:
                    live.append(f'GRAPH ?id {{ ?id <{_DC}date> ?d }} FILTER(STRSTARTS(STR(?d), "{prefix}"))')
            else:
                live.append("FILTER(false)")
            gone.append(f'. ?id <{_SET_SPEC}> ?spec FILTER(?spec = "{spec}" || STRSTARTS(?spec, "{spec}:"))')
        conditions = []
        if start is not None:
            conditions.append(f"?m >= {_literal(start)}")
        if end is not None:
            conditions.append(f"?m < {_literal(end)}")
        where = f"FILTER({' && '.join(conditions)})" if conditions else ""
        return f"""{{
            {{ GRAPH ?id {{ ?id <{_DC}modified> ?m }} FILTER(STRSTARTS(STR(?id), "{base}id/document/"))
               {' '.join(live)} BIND(false AS ?deleted) }}
            UNION
            {{ GRAPH <{self.changes}> {{ ?id a <{AS.Tombstone}> ; <{AS.deleted}> ?m {' '.join(gone)} }}
               FILTER(STRSTARTS(STR(?id), "{base}id/document/")) BIND(true AS ?deleted) }}
            {where} }}"""

    def _ordered(self, start, end, spec) -> list[tuple[str, str, bool]]:
        """(datestamp, identifier, deleted) of every item selected, sorted: one query for the whole list (Oxigraph
        has no index by value to page through in order, so each page would cost as much), kept per data version
        by the caller (``cached``)."""
        query = f"SELECT DISTINCT ?id ?m ?deleted WHERE {self._selection(start, end, spec)}"
        items = {}
        for row in self.store.query(query):
            deleted = row["deleted"].value == "true"
            identifier = row["id"].value
            if identifier not in items or not deleted:  # a record written again after a deletion is live
                items[identifier] = (_stamp(row["m"].value), identifier, deleted)
        return sorted(items.values())

    # -- items --

    def _header(self, identifier: str) -> Header:
        """The header of one item; idDoesNotExist when the repository never held it."""
        kind_key = self.minter.kind_and_key(identifier)
        if kind_key is None or kind_key[0] != "document" or "#" in identifier:
            raise OaiError("idDoesNotExist", f"{identifier!r} is not the identifier of an item here")
        rows = list(self.store.query(f"SELECT ?m ?deleted WHERE {{ "
                                     f"{{ GRAPH <{identifier}> {{ <{identifier}> <{_DC}modified> ?m }} "
                                     f"BIND(false AS ?deleted) }} UNION "
                                     f"{{ GRAPH <{self.changes}> {{ <{identifier}> a <{AS.Tombstone}> ; "
                                     f"<{AS.deleted}> ?m }} BIND(true AS ?deleted) }} }}"))
        if not rows:
            raise OaiError("idDoesNotExist", f"no item {identifier} in this repository")
        row = min(rows, key=lambda r: r["deleted"].value)  # a live record wins over an old tombstone
        deleted = row["deleted"].value == "true"
        sets = self._sets_of([] if deleted else [identifier], [identifier] if deleted else [])
        return Header(identifier, _stamp(row["m"].value), deleted, sets.get(identifier, ()))

    def _sets_of(self, live: list[str], gone: list[str]) -> dict[str, tuple[str, ...]]:
        found: dict[str, set[str]] = {}
        if live:
            values = " ".join(f"<{i}>" for i in live)
            # A UNION of two bound patterns: an empty GRAPH group with OPTIONALs made Oxigraph scan (1.2 s a page).
            query = (f"SELECT ?id ?t ?d WHERE {{ VALUES ?id {{ {values} }} "
                     f"{{ GRAPH ?id {{ ?id <{_DC}type> ?t }} }} UNION {{ GRAPH ?id {{ ?id <{_DC}date> ?d }} }} }}")
            for row in self.store.query(query):
                specs = found.setdefault(row["id"].value, set())
                for spec in (genre_spec(row["t"].value if row["t"] else None),
                             decade_spec(row["d"].value if row["d"] else None)):
                    if spec:
                        specs.add(spec)
        if gone:
            values = " ".join(f"<{i}>" for i in gone)
            for row in self.store.query(f"SELECT ?id ?s WHERE {{ VALUES ?id {{ {values} }} "
                                        f"GRAPH <{self.changes}> {{ ?id <{_SET_SPEC}> ?s }} }}"):
                found.setdefault(row["id"].value, set()).add(row["s"].value)
        return {i: tuple(sorted(specs)) for i, specs in found.items()}

    def _header_xml(self, header: Header) -> str:
        status = ' status="deleted"' if header.deleted else ""
        sets = "".join(f"<setSpec>{s}</setSpec>" for s in header.sets)
        return (f"<header{status}><identifier>{_text(header.identifier)}</identifier>"
                f"<datestamp>{header.datestamp}</datestamp>{sets}</header>")

    def _records(self, headers: list[Header], fmt: MetadataFormat) -> str:
        live = [h.identifier for h in headers if not h.deleted]
        metadata = self._dublin_core(live) if fmt.prefix == "oai_dc" else {i: self._rdf(i) for i in live}
        parts = []
        for header in headers:
            body = "" if header.deleted else f"<metadata>{metadata.get(header.identifier, '')}</metadata>"
            parts.append(f"<record>{self._header_xml(header)}{body}</record>")
        return "".join(parts)

    def _rdf(self, identifier: str) -> str:
        triples = self.store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{identifier}> {{ ?s ?p ?o }} }}")
        xml = ox.serialize(triples, format=ox.RdfFormat.RDF_XML).decode("utf-8")
        if xml.startswith("<?xml"):
            xml = xml.split("?>", 1)[1]
        return _NOT_XML.sub("", xml.strip())

    def _dublin_core(self, identifiers: list[str]) -> dict[str, str]:
        """Simple Dublin Core for each record, from its ``dcterms:`` statements (linked things by their labels)."""
        if not identifiers:
            return {}
        values = " ".join(f"<{i}>" for i in identifiers)
        query = f"""SELECT ?id ?p ?o ?label WHERE {{ VALUES ?id {{ {values} }}
            GRAPH ?id {{ ?id ?p ?o FILTER(STRSTARTS(STR(?p), "{_DC}")) }}
            OPTIONAL {{ ?o <{_RDFS_LABEL}>|<{_SKOS}prefLabel> ?label }} }}"""
        fields: dict[str, dict[str, dict[str, None]]] = {i: {} for i in identifiers}
        for row in self.store.query(query):
            element = _DC_ELEMENTS.get(row["p"].value[len(_DC):])
            if element is None:
                continue
            value = row["label"].value if row["label"] else row["o"].value
            fields[row["id"].value].setdefault(element, {})[value] = None
        result = {}
        for identifier, elements in fields.items():
            elements.setdefault("identifier", {})[identifier] = None
            body = "".join(f"<dc:{element}>{_text(value)}</dc:{element}>"
                           for element in _DC_ORDER if element in elements for value in elements[element])
            result[identifier] = (
                '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
                f'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">{body}</oai_dc:dc>')
        return result

    # -- sets, formats, dates --

    def sets(self) -> list[tuple[str, str]]:
        """(setSpec, setName) of every set: the genre and decade families and their members."""
        base = self.minter.base
        found = [("genre", "Records by document genre"), ("decade", "Records by the decade of their date")]
        genres = self.store.query(f"SELECT ?c ?label WHERE {{ GRAPH <{base}graph/vocab> {{ "
                                  f"?c <{_SKOS}inScheme> <{base}id/concept/genre> ; <{_SKOS}prefLabel> ?label }} }} "
                                  f"ORDER BY ?c")
        seen = set()
        for row in genres:
            spec = genre_spec(row["c"].value)
            if spec and spec not in seen:
                seen.add(spec)
                found.append((spec, f"Genre: {row['label'].value}"))
        decades = self.store.query(f"SELECT DISTINCT ?d WHERE {{ GRAPH ?g {{ ?g <{_DC}date> ?date }} "
                                   f"FILTER(STRSTARTS(STR(?g), \"{base}id/document/\")) "
                                   f"BIND(SUBSTR(STR(?date), 1, 3) AS ?d) }} ORDER BY ?d")
        for row in decades:
            spec = decade_spec(row["d"].value + "0")
            if spec:
                found.append((spec, f"Records dated {spec[7:]}-{spec[7:10]}9"))
        return found

    def _format(self, prefix: str) -> MetadataFormat:
        fmt = FORMATS.get(prefix)
        if fmt is None:
            raise OaiError("cannotDisseminateFormat",
                           f"no metadata format {prefix!r}; formats are {', '.join(FORMATS)}")
        return fmt

    def _earliest(self) -> str:
        rows = list(self.store.query(f"SELECT (MIN(?m) AS ?first) WHERE {self._selection(None, None, None)}"))
        if rows and rows[0]["first"] is not None:
            return _stamp(rows[0]["first"].value)
        return "1970-01-01T00:00:00Z"

    # -- the envelope --

    def _request_element(self, args: dict[str, str]) -> str:
        attributes = "".join(f" {name}={quoteattr(_NOT_XML.sub('', value))}" for name, value in args.items()
                             if name in ("verb", "identifier", "metadataPrefix", "from", "until", "set",
                                         "resumptionToken"))
        return f"<request{attributes}>{_text(self.base_url)}</request>"

    def _envelope(self, now: datetime, request: str, body: str) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI_NS}" '
                f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">'
                f"<responseDate>{now.strftime('%Y-%m-%dT%H:%M:%SZ')}</responseDate>{request}{body}</OAI-PMH>\n"
                ).encode("utf-8")


# Simple Dublin Core elements from DCMI terms (refinements to their element), in the order oai_dc lists them.
_DC_ELEMENTS = {"title": "title", "creator": "creator", "subject": "subject", "description": "description",
                "publisher": "publisher", "contributor": "contributor", "date": "date", "type": "type",
                "format": "format", "identifier": "identifier", "source": "source", "language": "language",
                "relation": "relation", "isPartOf": "relation", "coverage": "coverage", "spatial": "coverage",
                "temporal": "coverage", "rights": "rights"}
_DC_ORDER = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type", "format",
             "identifier", "source", "language", "relation", "coverage", "rights")


def _parse_date(value: str, name: str) -> tuple[datetime, bool]:
    """(the UTC moment, whether it was a day) of a ``from``/``until`` value; badArgument if malformed."""
    try:
        if _DAY.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%d"), True
        if _SECOND.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ"), False
    except ValueError:
        pass
    raise OaiError("badArgument", f"{name}={value!r} is not a date (YYYY-MM-DD) or time (YYYY-MM-DDThh:mm:ssZ)")


def _range(start: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``from`` inclusive and ``until`` inclusive at its granularity, as [start, end) moments."""
    first = _parse_date(start, "from") if start is not None else None
    last = _parse_date(until, "until") if until is not None else None
    if first and last and first[1] != last[1]:
        raise OaiError("badArgument", "from and until must have the same granularity")
    end = None
    if last:
        end = last[0] + (timedelta(days=1) if last[1] else timedelta(seconds=1))
    if first and last and first[0] > last[0]:
        raise OaiError("badArgument", "from is later than until")
    return (first[0] if first else None), end


def _encode_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode("utf-8")).decode("ascii")


def _decode_token(token: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        if not isinstance(state, dict) or not isinstance(state.get("after"), list) or len(state["after"]) != 2:
            raise ValueError("malformed")
        if state.get("metadataPrefix") not in FORMATS or not isinstance(state.get("cursor"), int):
            raise ValueError("malformed")
        datetime.strptime(state["after"][0], "%Y-%m-%dT%H:%M:%SZ")
        return state
    except (ValueError, TypeError, UnicodeError, json.JSONDecodeError):
        raise OaiError("badResumptionToken", "the resumption token is not one this repository issued") from None
