"""Run the service under uvicorn, with /exit ending the process (or all worker processes) with code 0."""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys
import tempfile
from dataclasses import fields
from typing import Any

import uvicorn
from fastapi import FastAPI

from digitkit.errors import ConfigError
from digitkit.serve.guard import GuardedProtocol, configure_guard
from digitkit.serve.metrics import MULTIPROCESS_DIR_ENV
from digitkit.serve.settings import Settings, settings_from_env
from digitkit.serve.web.app import create_app

SUPERVISOR_ENV = "DIGITKIT_SUPERVISOR_PID"
#: How often Python hands the GIL between threads (default 5 ms). Decoding and segmentation run in worker
#: threads; a shorter interval lets the event loop answer quick requests while they hold the GIL.
SWITCH_INTERVAL_S = 0.001
log = logging.getLogger(__name__)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": settings.port,
        "http": GuardedProtocol,
        "lifespan": "on",
        "access_log": settings.access_log,
        # /exit and signals let requests in flight finish: each is bounded by the request timeout.
        "timeout_graceful_shutdown": settings.request_timeout_s + 1,
        "server_header": False,
        "log_level": "info",
    }


def configure_process(settings: Settings) -> None:
    """What each serving process sets for itself (the supervisor and every worker): the HTTP guard's limits
    and the GIL switch interval."""
    configure_guard(settings)
    sys.setswitchinterval(SWITCH_INTERVAL_S)


def app_from_env() -> FastAPI:
    """Factory for worker processes: settings travel through DIGITKIT_* variables, /exit goes to the supervisor."""
    settings = settings_from_env()
    configure_process(settings)
    app = create_app(settings)
    app.state.digitkit.supervisor_pid = int(os.environ[SUPERVISOR_ENV])
    return app


def ensure_can_listen(host: str, port: int) -> None:
    """Fail with one line, before any model loads, when the address is taken or the host is not this machine's."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigError(
            f"--host {host!r} is not a usable address ({exc.strerror}); try 127.0.0.1 or 0.0.0.0"
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            hint = "choose another --port" if exc.errno == errno.EADDRINUSE else "check --host and --port"
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}; {hint}") from None


def run_server(settings: Settings) -> None:
    """Serve until /exit or a signal; return normally (exit code 0) in both cases."""
    configure_process(settings)
    if settings.workers == 1:
        app = create_app(settings)
        server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(settings)))
        app.state.digitkit.stop_server = lambda: setattr(server, "should_exit", True)
        server.run()
        return
    os.environ[SUPERVISOR_ENV] = str(os.getpid())
    os.environ.update(_as_env(settings))
    with tempfile.TemporaryDirectory(prefix="digitkit-metrics-") as metrics_dir:
        os.environ[MULTIPROCESS_DIR_ENV] = metrics_dir  # read by prometheus_client as each worker imports it
        uvicorn.run(
            "digitkit.serve.server:app_from_env", factory=True, workers=settings.workers, **uvicorn_options(settings)
        )


def _as_env(settings: Settings) -> dict[str, str]:
    out = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        out[f"DIGITKIT_{f.name.upper()}"] = ",".join(value) if isinstance(value, tuple) else str(value)
    return out
