"""Run the service under uvicorn, with /exit ending the process (or all worker processes) with code 0."""

from __future__ import annotations

import logging
import os
import signal

import uvicorn
from fastapi import FastAPI

from digitkit.serve.app import create_app
from digitkit.serve.runner import serve_app, uvicorn_options
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


def run_server(settings: Settings) -> None:
    """Serve until /exit or a signal; return normally (exit code 0) in both cases."""
    if settings.workers == 1:
        serve_app(create_app(settings), settings)
        return
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    os.environ.update(_as_env(settings))
    uvicorn.run(
        "digitkit.serve.server:app_from_env", factory=True, workers=settings.workers, **uvicorn_options(settings)
    )


def _as_env(settings: Settings) -> dict[str, str]:
    from dataclasses import fields

    out = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        out[f"DIGITKIT_{f.name.upper()}"] = ",".join(value) if isinstance(value, tuple) else str(value)
    return out
