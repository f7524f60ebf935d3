"""The entities a store holds, for an archivist's review: kind, key, label, variants, how many records name each,
and whether the authority file defines it (``docket entities``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ld.authority import Authority
from ld.iris import Minter
from ld.namespaces import CRM
from ld.store import Store

_SEPARATOR = "\u001f"
_KINDS = ("person", "group", "place", "archive")


@dataclass(frozen=True)
class EntityRow:
    """One entity as ``docket entities`` lists it."""

    kind: str
    key: str
    iri: str
    label: str
    variants: tuple[str, ...]
    records: int
    known: bool  # defined by the authority file (else minted from a name as printed)


def list_entities(store: Store, minter: Minter, authority: Authority, *, kinds: Iterable[str] = _KINDS,
                  ) -> list[EntityRow]:
    """Every person, group, place and archive of the entities graph with its variants and record count, by kind
    then label."""
    wanted = set(kinds)
    counts = {row["e"].value: int(row["n"].value) for row in store.query(
        f"SELECT ?e (COUNT(DISTINCT ?g) AS ?n) WHERE {{ GRAPH ?g {{ ?g <{CRM.P67_refers_to}> ?e }} }} GROUP BY ?e")}
    known = {str(e.iri(minter)) for e in authority.entities}
    rows = []
    query = f"""SELECT ?e ?label (GROUP_CONCAT(DISTINCT ?alt; separator="{_SEPARATOR}") AS ?alts) WHERE {{
        GRAPH <{minter.entities_graph}> {{
          ?e <http://www.w3.org/2000/01/rdf-schema#label> ?label .
          OPTIONAL {{ ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?alt }} }} }} GROUP BY ?e ?label"""
    for row in store.query(query):
        iri = row["e"].value
        kind_key = minter.kind_and_key(iri)
        if not kind_key or kind_key[0] not in wanted:
            continue
        alts = row["alts"].value if row["alts"] is not None else ""
        variants = tuple(sorted(v for v in alts.split(_SEPARATOR) if v))
        rows.append(EntityRow(kind_key[0], kind_key[1], iri, row["label"].value, variants, counts.get(iri, 0),
                              iri in known))
    rows.sort(key=lambda r: (_KINDS.index(r.kind), r.label.casefold(), r.key))
    return rows


def entity_table(rows: list[EntityRow]) -> str:
    """Tab-separated lines: records, kind, key, label, "authority" or "new", variants joined with " | "."""
    lines = ["records\tkind\tkey\tlabel\tsource\tvariants"]
    for r in rows:
        lines.append(f"{r.records}\t{r.kind}\t{r.key}\t{r.label}\t{'authority' if r.known else 'new'}\t"
                     f"{' | '.join(r.variants)}")
    return "\n".join(lines)
