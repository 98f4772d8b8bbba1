"""Run an ASGI app under uvicorn so that /exit ends the process with code 0 within a second."""

from __future__ import annotations

from typing import Any

import uvicorn

from digitkit.serve.contract.server import JsonErrorProtocol
from digitkit.serve.settings import Settings


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.port,
        "http": JsonErrorProtocol,
        "lifespan": "on",
        "access_log": settings.access_log,
        "timeout_graceful_shutdown": 1,
        "server_header": False,
        "log_level": "info",
    }


def serve_app(app: Any, settings: Settings) -> None:
    """One process: /exit sets uvicorn's should_exit, which finishes in-flight requests and returns."""
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings)))

    def stop() -> None:
        server.should_exit = True

    app.state.digitkit.request_exit = stop
    server.run()
