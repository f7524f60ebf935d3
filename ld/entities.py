"""Who and what a record names, from its metadata sections and archival apparatus, resolved to entities.

Mining names from the body text is ``ld.extract``'s job (a later stage); it yields the same ``Mention`` type, so the
mapper takes both alike.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, Iterator, Literal

from ld.authority import Authority, Entity
from ld.names import match_key
from ld.record import Record

Origin = Literal["metadata", "apparatus", "text"]

# Last words of the names of units of a larger group ("... Far East Department", "KWP CC", "CC CPSU Politburo").
_UNIT_WORDS = frozenset("""department bureau section division directorate office sector desk politburo presidium
secretariat cc commission committee""".split())

# Words that mark a corporate name ("Japan-China Import-Export Association", "Poland. Embassy (Canada)").
_GROUP_WORDS = re.compile(
    r"\b(ministry|ministries|committee|party|embassy|legation|consulate|department|office|council|union|"
    r"organi[sz]ation|nations|association|agency|foundation|institute|university|archives?|library|bureau|"
    r"commission|army|government|assembly|congress|presidium|politburo|secretariat|league|front|corporation|"
    r"company|bank|service|cent(?:er|re)|museum|academy|society|federation|parliament|cabinet|navy|command|"
    r"delegation|mission|press|agency|church|court|directorate|administration|state department|"
    r"prensa|xinhua|tass)\b",
    re.IGNORECASE,
)
# Library-of-Congress style hierarchy "Japan. Foreign Ministry": a word, a period, a capitalised word.
_CORPORATE_HEADING = re.compile(r"^[A-Z][\w'’-]+\.\s+[A-Z]")
_ACRONYM = re.compile(r"^[A-Z]{2,6}(?:\s+[A-Z]{2,4})*$")
_MAX_ANSWERS = 100_000  # answers a resolver keeps across records (as Authority.resolve keeps its names)


@dataclass(frozen=True)
class Mention:
    """A name a record gives, with its kind, its role in the record and where it was read."""

    name: str  # as printed
    kind: str  # person | group | place | archive
    role: str  # author, associated, contributor, place, translator, recipient, drafter, registrar, issuer,
    #            funder, keeper, mentioned
    origin: Origin
    start: int | None = None  # character offsets in ``field``, for mentions mined from text
    end: int | None = None
    field: str | None = None  # title | text | summary, for mentions mined from text
    full: str | None = None  # the fuller name a short form stands for in the same record ("Nam" -> "Nam Il")

    @property
    def lookup_name(self) -> str:
        """The name the mention is resolved by: its full form where it is printed short."""
        return self.full or self.name

    @classmethod
    def mined(cls, name: str, kind: str, role: str, start: int, end: int, field: str,
              full: str | None = None) -> "Mention":
        """A mention mined from text (origin "text"), equal in every way to ``Mention(...)`` with those fields.

        Extraction makes dozens a record, and a frozen dataclass's ``__init__`` sets each field through
        ``object.__setattr__``: 3.3 us a mention, against 0.8 filling its ``__dict__`` here (measured)."""
        mention = object.__new__(cls)
        fields = mention.__dict__
        fields["name"], fields["kind"], fields["role"], fields["origin"] = name, kind, role, "text"
        fields["start"], fields["end"], fields["field"], fields["full"] = start, end, field, full
        return mention


@dataclass(frozen=True)
class Reference:
    """A mention resolved to the entity it names."""

    mention: Mention
    entity: Entity


    @classmethod
    def of(cls, mention: Mention, entity: Entity) -> "Reference":
        """``Reference(mention, entity)``, made as ``Mention.mined`` makes a mention (a record has dozens)."""
        reference = object.__new__(cls)
        reference.__dict__["mention"], reference.__dict__["entity"] = mention, entity
        return reference


@dataclass(frozen=True)
class EventReference:
    """An event the text tells of (``ld.extract.events.Event``) with its participants, actors and place resolved."""

    event: object
    participants: tuple[Entity, ...] = ()
    actors: tuple[Entity, ...] = ()
    place: Entity | None = None


def guess_kind(name: str) -> str:
    """ "person" or "group" for a name from a mixed list such as "Associated People & Organizations"."""
    if _GROUP_WORDS.search(name) or _CORPORATE_HEADING.match(name) or _ACRONYM.match(name.strip()):
        return "group"
    return "person"


def metadata_mentions(record: Record) -> list[Mention]:
    """Every person, group, place and archive the record's metadata sections and apparatus name."""
    mentions: list[Mention] = []

    def add(names: Iterable[str | None], role: str, origin: Origin = "metadata", kind: str | None = None) -> None:
        for name in names:
            if name and name.strip():
                mentions.append(Mention(name.strip(), kind or guess_kind(name), role, origin))

    add(record.authors, "author")
    add(record.associated, "associated")
    add(record.contributors, "contributor")
    add(record.places, "place", kind="place")
    add([record.translator], "translator", kind="person")
    add([record.original_archive], "keeper", kind="archive")
    add(record.funders, "funder", kind="group")
    add(record.donors, "funder", kind="group")
    apparatus = record.apparatus
    add([d.recipient for d in apparatus.distribution if not d.to_file], "recipient", "apparatus", "person")
    add([apparatus.drafted_by], "drafter", "apparatus", "person")
    add([s.office for s in apparatus.stamps], "registrar", "apparatus", "group")
    add([apparatus.issuer], "issuer", "apparatus", "group")
    return mentions


class Resolver:
    """Resolves mentions to entities: the authority file first, then names already met (in this run or, once
    seeded, in the store), so "Ngo Dinh Nhu" and "Ngo, Dinh Nhu" stay one entity with the key of the first form."""

    def __init__(self, authority: Authority):
        self.authority = authority
        self._met: dict[tuple[str, str], Entity] = {}
        self.learned: list[tuple[tuple[str, str], Entity]] = []  # what resolve() met first, in order (not seeds)
        self._trace: list | None = None
        # What ``references`` gave each (name, kind, whether "associated"), across records: an answer comes from the
        # authority file or from ``_met``, whose entries never change once made (``adopt`` alone overwrites them,
        # and forgets these), so it is given again without ``resolve``'s lookups. Records name the same people
        # again and again: most mentions of a long ingest are answered here.
        self._answers: dict[tuple[str, str, bool], Entity] = {}

    def resolve(self, mention: Mention) -> Entity:
        """The entity ``mention`` names."""
        name = mention.lookup_name
        entity = self.authority.resolve(name, mention.kind)
        if entity.known:
            return entity
        if mention.role == "associated":
            # "Associated People & Organizations" mixes people and groups, and guess_kind only guesses: the
            # authority file's kind for the name wins ("TASS", "Politburo" are no people)
            listed = self.authority.lookup(name)
            if listed is not None and listed.kind in ("person", "group"):
                return listed
        key = (entity.kind, match_key(name))
        found = self._met.get(key)
        fresh = found is None
        if fresh:
            found = self._met[key] = entity
            self.learned.append((key, entity))
        if self._trace is not None:
            self._trace.append((key, found, fresh))
        return found

    @contextmanager
    def tracing(self) -> Iterator[list]:
        """Record, while the block runs, every answer given from names met: (name key, entity, whether it was met
        first here). ``replay`` makes another resolver give the same answers, or says it would not."""
        self._trace = []
        try:
            yield self._trace
        finally:
            self._trace = None

    def replay(self, trace: list) -> bool:
        """Take over ``trace`` (from another process's ``tracing``) if this resolver, in its present state, would
        have given every one of its answers; else change nothing and return False (the parallel ingest's check)."""
        taken: dict[tuple[str, str], Entity] = {}
        for key, entity, fresh in trace:
            known = taken.get(key) or self._met.get(key)
            if known is None:
                if not fresh:  # the other resolver knew it from something this one has not seen
                    return False
                taken[key] = entity
            elif known != entity:
                return False
        for key, entity in taken.items():
            self._met[key] = entity
            self.learned.append((key, entity))
        return True

    def adopt(self, learned: list[tuple[tuple[str, str], Entity]]) -> None:
        """Take over another resolver's decisions (``learned`` rows), over this one's own: the parallel ingest's
        workers follow the deciding process (``ld.parallel``)."""
        self._met.update(learned)
        self._answers.clear()  # (an answer given may have changed)

    def seed(self, names: Iterable[tuple[str, str, str, str]]) -> None:
        """Remember published entities: (kind, key, label, any name of it) rows, e.g. from the entities graph."""
        for kind, key, label, name in names:
            self._met.setdefault((kind, match_key(name)), Entity(kind, key, label))

    def references(self, mentions: Iterable[Mention]) -> list[Reference]:
        """Each mention paired with its entity."""
        if self._trace is not None:  # every answer is traced (see ``tracing``)
            return [Reference(m, self.resolve(m)) for m in mentions]
        # What ``resolve`` gives depends on the name, the kind and whether the role is "associated"; once given, it
        # gives it again (see ``_answers``).
        answers = self._answers
        if len(answers) >= _MAX_ANSWERS:  # a bound on memory over a long ingest: start afresh
            answers.clear()
        references = []
        for mention in mentions:
            key = (mention.full or mention.name, mention.kind, mention.role == "associated")
            entity = answers.get(key)
            if entity is None:
                entity = answers[key] = self.resolve(mention)
            references.append(Reference.of(mention, entity))
        return references

    def parents(self, references: Iterable[Reference]) -> list[tuple[Entity, Entity]]:
        """(unit, the group it is part of) for groups whose name is another group's name plus a unit word:
        "USSR MFA Far East Department" is part of "USSR MFA", "KWP CC" of "KWP", "Japan. Foreign Ministry. Asian
        Affairs Bureau" of "Japan. Foreign Ministry". The larger group must be one the authority file defines or
        one the same record names, so that no group is invented from a fragment of a name."""
        refs = list(references)
        named = {match_key(r.mention.lookup_name): r.entity for r in refs if r.entity.kind == "group"}
        named.update({match_key(r.entity.label): r.entity for r in refs if r.entity.kind == "group"})
        found: dict[str, tuple[Entity, Entity]] = {}
        tried: set[tuple[str, str, str]] = set()  # a unit named alike again finds what it found (no parent)
        for ref in refs:
            unit = ref.entity
            if unit.kind != "group" or unit.key in found:
                continue
            names = (unit.key, unit.label, ref.mention.lookup_name)
            if names in tried:
                continue
            tried.add(names)
            for name in names[1:]:
                parent = self._parent(name, named)
                if parent is not None and parent.key != unit.key:
                    found[unit.key] = (unit, parent)
                    break
        return list(found.values())

    def _parent(self, name: str, named: dict[str, Entity]) -> Entity | None:
        words = name.split()
        if len(words) < 2 or words[-1].strip(".").casefold() not in _UNIT_WORDS:
            return None
        for end in range(len(words) - 1, 0, -1):
            prefix = " ".join(words[:end]).rstrip(".")
            known = self.authority.lookup(prefix)
            if known is not None and known.kind in ("group", "archive"):
                return known
            if match_key(prefix) in named:
                return named[match_key(prefix)]
        return None


def resolve(mentions: Iterable[Mention], authority: Authority) -> list[Reference]:
    """Each mention paired with the entity the authority file (or a new key) gives it; see ``Resolver``."""
    return Resolver(authority).references(mentions)
