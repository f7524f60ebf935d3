"""HTML of descriptions (record and entity pages) with Jinja alone, no Flask: the server renders through it, and so
does ``docket publish``, which renders pages before anyone asks for them. Links come from a ``Urls`` with a fixed
root, passed in per call, so a page rendered ahead of time equals the one the server would render at that root.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from ld.describe import Description
from ld.iris import Minter
from ld.pages import KIND_NAMES, Statement, entity_page, record_page
from server.negotiate import REPRESENTATIONS
from server.urls import Urls

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment of description pages: the server's templates, HTML autoescaped as Flask does."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      auto_reload=False)
    env.filters["in_page"] = in_page
    return env


_OA = "http://www.w3.org/ns/oa#"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PARTS = {f"{_OA}hasTarget", f"{_OA}hasSelector", f"{_OA}refinedBy"}


def without_annotations(statements: list[Statement]) -> tuple[list[Statement], int]:
    """The statements a person reads in a record's table, and how many were left out: those about Web Annotation
    nodes (``oa:`` types: which characters of the text name whom, with their selectors). They are most of a record's
    triples and mean nothing as rows; the page shows them as the links in the text, the data formats carry them."""
    nodes = {s.subject.iri for s in statements
             if s.predicate.iri == _TYPE and not isinstance(s.value, str) and s.value.iri.startswith(_OA)}
    while True:  # with their targets and selectors, whatever their types (not the sources: the record, its text)
        parts = {s.value.iri for s in statements if s.subject.iri in nodes and s.predicate.iri in _PARTS
                 and not isinstance(s.value, str) and "#" in s.value.iri} - nodes  # never the record itself
        if not parts:
            break
        nodes |= parts
    kept = [s for s in statements if s.subject.iri not in nodes]
    return kept, len(statements) - len(kept)


def in_page(iri: str, thing: str) -> str | None:
    """The fragment (``#creation``) when ``iri`` is a node of ``thing``'s own page, else None: such links stay in
    the page, and are much shorter than the page's own URL repeated (a record has hundreds of them)."""
    return iri[len(thing):] if iri.startswith(thing) and iri[len(thing):len(thing) + 1] == "#" else None


def render_description(description: Description, minter: Minter, urls: Urls) -> str:
    """The HTML page of a record or entity description, with links built by ``urls``."""
    page = description.paging.page if description.paging else 1
    formats = [(r.label, urls.doc(description.kind, description.key, suffix=r.suffix, page=page), r.media_type)
               for r in REPRESENTATIONS if r.rdf is not None]
    if description.kind == "document":
        template, data = "record.html", record_page(description, minter)
        statements, annotations = without_annotations(data.statements)
        extra = {"statements": statements, "annotation_statements": annotations}
    else:
        template, data = "entity.html", entity_page(description, minter)
        extra = {"kind_name": KIND_NAMES[description.kind]}
    return environment().get_template(template).render(page=data, formats=formats, urls=urls, **extra)
