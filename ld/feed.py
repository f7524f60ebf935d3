"""The change feed: the change log (``ld.changes``) as an Activity Streams 2.0 ``OrderedCollection`` in the style of
IIIF Change Discovery 1.0.

Pages are numbered from the oldest activity, so a page's URL keeps its content once full (caches and harvesters can
rely on it); the collection's ``last`` is the newest page, where a harvester starts, walking ``prev`` until it
reaches activities it has seen. Within a page, activities are in the order they happened.

The issue asks for the newest page first; reversing the pages would break both IIIF Change Discovery (``last`` must
be the newest, pages stable) and the stability of page URLs. Instead the collection leads with the newest: its
``current`` (Activity Streams 2.0: "the page that contains the most recently updated member items") and ``last``
both name the newest page, and are written before ``first``.
"""

from __future__ import annotations

from datetime import datetime

from ld import changes
from ld.iris import Minter

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
# Activity Streams types of docket's kinds of things.
_OBJECT_TYPES = {"document": "Document", "person": "Person", "group": "Group", "place": "Place", "event": "Event"}


def _time(when: datetime) -> str:
    return when.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def page_count(total: int, size: int) -> int:
    """How many pages ``total`` activities fill (at least one, possibly empty)."""
    return max(1, -(-total // size))


def collection(minter: Minter, total: int, size: int) -> dict:
    """The ``OrderedCollection`` at ``{base}changes``."""
    base = minter.base
    last = page_count(total, size)
    return {
        "@context": AS_CONTEXT,
        "id": f"{base}changes",
        "type": "OrderedCollection",
        "summary": "Every Create, Update and Delete of docket's records and entities; the newest are on the current "
                   "(= last) page, older ones on its prev pages.",
        "totalItems": total,
        "current": {"id": f"{base}changes/page/{last}", "type": "OrderedCollectionPage"},
        "last": {"id": f"{base}changes/page/{last}", "type": "OrderedCollectionPage"},
        "first": {"id": f"{base}changes/page/1", "type": "OrderedCollectionPage"},
    }


def page(activities: list[changes.Activity], minter: Minter, number: int, size: int) -> dict:
    """Page ``number`` (1 = oldest) of the change feed of ``activities`` (``changes.all_activities``); ValueError
    when there is no such page."""
    total = len(activities)
    last = page_count(total, size)
    if not 1 <= number <= last:
        raise ValueError(f"the change feed has pages 1 to {last}, not {number}")
    base = minter.base
    items = [_item(minter, a) for a in activities[(number - 1) * size:number * size]]
    body = {
        "@context": AS_CONTEXT,
        "id": f"{base}changes/page/{number}",
        "type": "OrderedCollectionPage",
        "partOf": {"id": f"{base}changes", "type": "OrderedCollection", "totalItems": total},
        "startIndex": (number - 1) * size,
    }
    if number > 1:
        body["prev"] = {"id": f"{base}changes/page/{number - 1}", "type": "OrderedCollectionPage"}
    if number < last:
        body["next"] = {"id": f"{base}changes/page/{number + 1}", "type": "OrderedCollectionPage"}
    body["orderedItems"] = items
    return body


def _item(minter: Minter, activity: changes.Activity) -> dict:
    kind_key = minter.kind_and_key(activity.object)
    kind = kind_key[0] if kind_key else None
    thing = {"id": activity.object, "type": _OBJECT_TYPES.get(kind, "Object")}
    if kind_key and activity.kind != changes.DELETE:
        thing["url"] = f"{minter.base}doc/{kind}/{kind_key[1]}"
    return {"id": activity.iri, "type": activity.kind, "object": thing, "endTime": _time(activity.time)}
