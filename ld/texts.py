"""A record's texts as published (its body, title and summary), each a text/plain resource at ``{base}text/{key}``
(``.../title``, ``.../summary``): the evidence of extraction points into them with RFC 5147 fragments
(``#char=start,end``), so the server serves them as they are stored, the ``crm:P190_has_symbolic_content`` of the
node that holds each text in the record's graph (docs/MAPPING.md).
"""

from __future__ import annotations

from ld.errors import NotFound
from ld.iris import TEXT_PARTS, Minter
from ld.namespaces import CRM
from ld.store import Store


def published_text(store: Store, minter: Minter, key: str, part: str | None = None) -> str:
    """The text ``part`` (None: the body; "title"; "summary") of record ``key`` exactly as the record's graph holds
    it, so that character offsets into it count as the evidence's do. NotFound for an unknown record or part, or a
    record without that text."""
    if part not in TEXT_PARTS:
        raise NotFound(f"a record has no text {part!r}; its texts are the body, title and summary")
    try:
        doc = minter.document(key)
    except ValueError as error:
        raise NotFound(str(error)) from None
    # the body is held by the translation where there is one, else by the record (MAPPING.md, level 2)
    holders = (f"{doc}#translation", str(doc)) if part is None else (f"{doc}#{part}",)
    values = " ".join(f"<{h}>" for h in holders)
    rows = store.query(f"SELECT ?h ?text WHERE {{ GRAPH <{doc}> {{ VALUES ?h {{ {values} }} "
                       f"?h <{CRM.P190_has_symbolic_content}> ?text }} }}")
    found = {row[0].value: row[1].value for row in rows}
    for holder in holders:
        if holder in found:
            return found[holder]
    raise NotFound(f"no {part or 'body'} text for record {doc}")
