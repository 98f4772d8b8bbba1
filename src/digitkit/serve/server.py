"""Run the service under uvicorn, with /exit ending the process (or all worker processes) with code 0."""

from __future__ import annotations

import logging
import os
from dataclasses import fields
from typing import Any

import uvicorn
from fastapi import FastAPI

from digitkit.serve.contract.server import JsonErrorProtocol
from digitkit.serve.settings import Settings, settings_from_env
from digitkit.serve.web.app import create_app

SUPERVISOR_ENV = "DIGITKIT_SUPERVISOR_PID"
log = logging.getLogger(__name__)


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


def app_from_env() -> FastAPI:
    """Factory for worker processes: settings travel through DIGITKIT_* variables, /exit goes to the supervisor."""
    app = create_app(settings_from_env())
    app.state.digitkit.supervisor_pid = int(os.environ[SUPERVISOR_ENV])
    return app


def run_server(settings: Settings) -> None:
    """Serve until /exit or a signal; return normally (exit code 0) in both cases."""
    if settings.workers == 1:
        app = create_app(settings)
        server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings)))
        app.state.digitkit.stop_server = lambda: setattr(server, "should_exit", True)
        server.run()
        return
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    os.environ.update(_as_env(settings))
    uvicorn.run(
        "digitkit.serve.server:app_from_env", factory=True, workers=settings.workers, **uvicorn_options(settings)
    )


def _as_env(settings: Settings) -> dict[str, str]:
    out = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        out[f"DIGITKIT_{f.name.upper()}"] = ",".join(value) if isinstance(value, tuple) else str(value)
    return out
