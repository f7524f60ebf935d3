"""Run the app under gunicorn (a production WSGI server), configured from docket's settings."""

from __future__ import annotations

from typing import Any, Mapping

from gunicorn.app.base import BaseApplication

from server.app import create_app
from server.sparql import run_queries_in_process
from server.worker import DocketWorker


class _Gunicorn(BaseApplication):
    def __init__(self, settings: Mapping[str, Any]):
        self.settings = dict(settings)
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"{self.settings['HOST']}:{self.settings['PORT']}")
        self.cfg.set("workers", self.settings["WORKERS"])
        self.cfg.set("worker_class", DocketWorker)  # gunicorn's sync worker, with a lean read of SPARQL GETs
        self.cfg.set("accesslog", self.settings["ACCESS_LOG"] or None)

    def load(self):
        app = create_app(self.settings)
        run_queries_in_process(app)  # sync workers: one request at a time, and the arbiter replaces one that ends
        return app


def serve(settings: Mapping[str, Any]) -> None:
    """Serve until interrupted."""
    _Gunicorn(settings).run()
