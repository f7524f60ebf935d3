"""Which store a command works on: the embedded directory (``--store DIR``) or a remote SPARQL 1.1 endpoint
(``--store-url QUERY_URL --update-url UPDATE_URL``), opened the same way by the CLI and the server."""

from __future__ import annotations

from pathlib import Path

from ld.errors import StoreError
from ld.iris import Minter
from ld.store import OxigraphStore, SparqlStore


def open_store(*, directory: str | Path | None, query_url: str | None = None, update_url: str | None = None,
               minter: Minter, read_only: bool = False, timeout: float = 30.0) -> SparqlStore:
    """The remote store at ``query_url`` when one is given (writing needs ``update_url``), else the embedded store in
    ``directory``. Credentials for a remote store come from the environment (``ld.remote_store``)."""
    if query_url:
        from ld.remote_store import RemoteStore

        if not read_only and not update_url:
            raise StoreError("writing to a remote store needs its SPARQL Update endpoint: --update-url "
                             "(or DOCKET_UPDATE_URL)")
        return RemoteStore.open(query_url, None if read_only else update_url, minter=minter, timeout=timeout)
    if directory is None:
        raise StoreError("no store given: --store DIR, or --store-url and --update-url")
    return OxigraphStore.open(Path(directory), minter=minter, read_only=read_only)
