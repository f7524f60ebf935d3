"""The ceiling of the stack for bench/serve.py: ``GET /bench/ceiling`` answers a fixed byte string computed once, so
a request costs only gunicorn, Flask's routing and docket's app-wide hooks (CORS), with no store, cache or
serialization. Registered only when the environment says ``DOCKET_BENCH_CEILING=1``; a served archive never has it.
"""

from __future__ import annotations

import os

from flask import Flask, Response

ENABLE = "DOCKET_BENCH_CEILING"
PATH = "/bench/ceiling"
# About the size of a synthetic record's Turtle description, so the ceiling moves as many bytes as a real answer.
BODY_BYTES = 8192


def install_bench_route(app: Flask) -> None:
    """Add ``/bench/ceiling`` to ``app`` when ``DOCKET_BENCH_CEILING`` is ``1``; otherwise do nothing."""
    if os.environ.get(ENABLE) != "1":
        return
    line = b"<urn:bench:s> <urn:bench:p> \"ceiling of the stack: precomputed bytes\" .\n"
    body = (line * (BODY_BYTES // len(line) + 1))[:BODY_BYTES]

    @app.route(PATH)
    def bench_ceiling() -> Response:
        return Response(body, mimetype="text/turtle")
