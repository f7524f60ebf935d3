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
from ld.pages import KIND_NAMES, entity_page, record_page
from server.negotiate import REPRESENTATIONS
from server.urls import Urls

TEMPLATES = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment of description pages: the server's templates, HTML autoescaped as Flask does."""
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       auto_reload=False)


def render_description(description: Description, minter: Minter, urls: Urls) -> str:
    """The HTML page of a record or entity description, with links built by ``urls``."""
    page = description.paging.page if description.paging else 1
    formats = [(r.label, urls.doc(description.kind, description.key, suffix=r.suffix, page=page), r.media_type)
               for r in REPRESENTATIONS if r.rdf is not None]
    if description.kind == "document":
        template, data, extra = "record.html", record_page(description, minter), {}
    else:
        template, data = "entity.html", entity_page(description, minter)
        extra = {"kind_name": KIND_NAMES[description.kind]}
    return environment().get_template(template).render(page=data, formats=formats, urls=urls, **extra)
