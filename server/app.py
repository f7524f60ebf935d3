"""The Flask application factory: ``create_app(settings)``. Routes read the store through ``ld``; nothing here
parses documents. Per worker process: one read-only store handle (``StoreAccess``), one ``Publisher`` (per-worker
caches, and the shared cache file beside the store that all workers read and fill), the vocab and shapes files parsed
once.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from ld.iris import Minter
from server.bench_route import install_bench_route
from server.errors import install_error_handlers
from server.files import load_folder
from server.harvest import harvest_blueprint
from server.http import install_cors
from server.publish import Publisher, open_shared_cache
from server.settings import load_settings
from server.sparql import sparql_blueprint
from server.store_access import open_access
from server.urls import Urls
from server.views import docket_blueprint


def create_app(settings: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from defaults, ``DOCKET_*`` environment variables and ``settings`` (which win)."""
    config = load_settings(settings)
    app = Flask(__name__)
    app.config["DOCKET"] = config
    minter = Minter(config["BASE_URI"])
    access = open_access(config, minter)
    # The shared cache is a file beside an embedded store, kept honest by the ingest writing that store; over a remote
    # store each worker caches by the data's change marker and record tokens instead (server.publish).
    shared = (open_shared_cache(config["STORE"], config["SHARED_CACHE"])
              if config["CACHE_ENTRIES"] and not access.remote else None)
    publisher = Publisher(access, minter, page_size=config["PAGE_SIZE"], cache_entries=config["CACHE_ENTRIES"],
                          shared=shared)
    urls = Urls(minter)
    app.extensions["docket.store"] = access
    app.extensions["docket.publisher"] = publisher
    app.jinja_env.globals.update(urls=urls, base_uri=minter.base)
    folders = {name: load_folder(name, minter.base) for name in ("vocab", "shapes")}

    install_cors(app)
    install_error_handlers(app)
    app.register_blueprint(docket_blueprint(config, publisher, urls, folders))
    app.register_blueprint(sparql_blueprint(config, access))
    app.register_blueprint(harvest_blueprint(config, publisher, urls))  # dumps, VoID, OAI-PMH, changes, sitemap
    install_bench_route(app)  # /bench/ceiling for bench/serve.py, only when DOCKET_BENCH_CEILING=1
    return app
