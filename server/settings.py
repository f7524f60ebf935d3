"""Every server setting, declared once: name, default, type and help. The README's settings table lists them all
(a test checks), ``DOCKET_<NAME>`` environment variables set them, and ``create_app`` overrides win over both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ld.iris import DEFAULT_BASE_URI, check_base_uri


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("STORE", "var/store", "Directory of the embedded Oxigraph store."),
    Setting("STORE_URL", "", "SPARQL 1.1 Query endpoint of a remote store, used instead of `STORE` (see Deployment); "
                             "credentials from `DOCKET_STORE_TOKEN`, or `DOCKET_STORE_USER` and "
                             "`DOCKET_STORE_PASSWORD`."),
    Setting("UPDATE_URL", "", "SPARQL 1.1 Update endpoint of the remote store; `docket ingest` needs it, `docket "
                              "serve` only reads."),
    Setting("STORE_TIMEOUT", 30.0, "Seconds docket waits for the remote store to answer one of its own requests "
                                   "(transient failures are retried 3 times).", float),
    Setting("BASE_URI", DEFAULT_BASE_URI, "Base of every published IRI; must match the base used at ingest.",
            check_base_uri),
    Setting("HOST", "127.0.0.1", "Address `docket serve` listens on."),
    Setting("PORT", 8080, "Port `docket serve` listens on.", int),
    Setting("WORKERS", 2, "Worker processes of `docket serve`.", int),
    Setting("ACCESS_LOG", "", "Where `docket serve` writes a line per request: empty for nowhere (the reverse proxy in "
                              "front of a production server logs requests; a line each costs every request), `-` "
                              "for standard output, or a file path."),
    Setting("PAGE_SIZE", 100, "Incoming links (records) per page of an entity description, and things per page "
                              "of a browse list.", int),
    Setting("CHECK_INTERVAL", 1.0, "Seconds between checks whether `docket ingest` changed the store; new records "
                                   "appear after at most this long.", float),
    Setting("CACHE_ENTRIES", 5000, "Descriptions kept per worker (least recently used first out; all dropped when "
                                   "the store changes); 0 turns every cache off, the shared one too.", int),
    Setting("SHARED_CACHE", "", "Finished representations shared by all workers and kept across restarts and "
                                "ingests, in a SQLite file: empty for `{STORE}.cache.sqlite` beside the store, a "
                                "path, or `off`. `docket publish` fills it ahead of requests."),
    Setting("MAX_AGE", 60, "`Cache-Control: max-age` (seconds) of descriptions and pages; after it, clients "
                           "revalidate cheaply with `ETag` / `Last-Modified`.", int),
    Setting("QUERY_TIMEOUT", 10.0, "Seconds a SPARQL query may run before it is stopped (HTTP 503).", float),
    Setting("MAX_ROWS", 10_000, "SPARQL results (rows or triples) returned at most; more sets `X-Docket-Truncated`.",
            int),
    Setting("MAX_BODY", 1_048_576, "Bytes a SPARQL request body may hold (HTTP 413 beyond).", int),
    Setting("DUMPS", "", "Folder of the gzip dumps served at `/dumps/` (made again when the data changed): empty for "
                         "`{STORE}.dumps` beside the store, or a path. `docket dump --refresh` makes them ahead."),
    Setting("DUMP_WAIT", 20.0, "Seconds a request for `/dumps/` waits for dumps being remade (by a process of their "
                               "own) before it answers with the previous ones, or 503 when there are none yet.", float),
    Setting("LICENSE", "https://creativecommons.org/publicdomain/zero/1.0/", "Licence IRI of the published metadata "
                                                                             "(VoID/DCAT `dcterms:license`)."),
    Setting("PUBLISHER", "docket", "Publisher's name in the dataset description (VoID/DCAT)."),
    Setting("OAI_REPOSITORY_NAME", "docket", "`repositoryName` of the OAI-PMH Identify response."),
    Setting("OAI_ADMIN_EMAIL", "admin@example.org", "`adminEmail` of the OAI-PMH Identify response."),
    Setting("OAI_PAGE_SIZE", 100, "Records or headers per OAI-PMH list response; a resumption token gives the rest.",
            int),
    Setting("CHANGES_PAGE_SIZE", 100, "Activities per page of the change feed (`/changes`).", int),
    Setting("SITEMAP_SIZE", 50_000, "URLs per sitemap file; beyond, `/sitemap.xml` is an index of parts.", int),
    Setting("QUERY_PROCESSES", 2, "SPARQL query subprocesses per app when it is not run by `docket serve` (whose "
            "workers run each query themselves); more concurrent queries wait.", int),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def load_settings(overrides: Mapping[str, Any] | None = None,
                  environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults, then ``DOCKET_*`` environment variables, then ``overrides``; unknown names raise ValueError."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    for setting in SETTINGS:
        raw = environ.get(f"DOCKET_{setting.name}")
        if raw is not None:
            values[setting.name] = _parse(setting, raw)
    for name, value in (overrides or {}).items():
        if name not in _BY_NAME:
            raise ValueError(f"unknown setting {name!r}; known: {', '.join(_BY_NAME)}")
        values[name] = _parse(_BY_NAME[name], value) if isinstance(value, str) else value
    return values


def _parse(setting: Setting, raw: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as error:
        raise ValueError(f"setting {setting.name}: {error}") from None
