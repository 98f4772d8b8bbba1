"""Run the service under uvicorn, with /exit ending the process (or all worker processes) with code 0."""

from __future__ import annotations

import logging
import os
import signal
from typing import Any

import uvicorn
from fastapi import FastAPI

from digitkit.serve.app import create_app
from digitkit.serve.protocol import JsonErrorHttpToolsProtocol
from digitkit.serve.settings import Settings, settings_from_env

SUPERVISOR_ENV = "DIGITKIT_SUPERVISOR_PID"
log = logging.getLogger(__name__)


def app_from_env() -> FastAPI:
    """Factory for worker processes: settings travel through DIGITKIT_* variables."""
    app = create_app(settings_from_env())
    supervisor = int(os.environ.get(SUPERVISOR_ENV, "0"))
    if supervisor:
        app.state.digitkit.request_exit = lambda: os.kill(supervisor, signal.SIGTERM)
    return app


def _uvicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.port,
        "http": JsonErrorHttpToolsProtocol,
        "lifespan": "on",
        "access_log": settings.access_log,
        "timeout_graceful_shutdown": 1,
        "server_header": False,
        "log_level": "info",
    }


def run_server(settings: Settings) -> None:
    """Serve until /exit or a signal; return normally (exit code 0) in both cases."""
    if settings.workers == 1:
        app = create_app(settings)
        server = uvicorn.Server(uvicorn.Config(app, **_uvicorn_options(settings)))

        def stop() -> None:
            server.should_exit = True

        app.state.digitkit.request_exit = stop
        server.run()
        return
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    for name, value in _as_env(settings).items():
        os.environ[name] = value
    uvicorn.run(
        "digitkit.serve.server:app_from_env", factory=True, workers=settings.workers, **_uvicorn_options(settings)
    )


def _as_env(settings: Settings) -> dict[str, str]:
    from dataclasses import fields

    out = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        out[f"DIGITKIT_{f.name.upper()}"] = ",".join(value) if isinstance(value, tuple) else str(value)
    return out
