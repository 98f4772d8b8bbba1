"""Prometheus metrics as pure-ASGI middleware (no per-request task overhead), plus the batch observers.

With several worker processes, prometheus_client's multiprocess mode keeps each worker's values in files under
``PROMETHEUS_MULTIPROC_DIR`` (a fresh temporary folder per `digitkit serve`), and /metrics sums them, so any
worker answers with the whole server's counts.
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from starlette.routing import BaseRoute, Match, Mount, Route

Scope = dict[str, Any]
ASGIApp = Any
MULTIPROCESS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def exposition(registry: CollectorRegistry) -> bytes:
    """The text /metrics answers: this process's registry, or every worker's values summed."""
    if not os.environ.get(MULTIPROCESS_DIR_ENV):
        return generate_latest(registry)
    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged)
    return generate_latest(merged)


def worker_exited() -> None:
    """Tell multiprocess mode this worker is gone (its live gauges stop counting)."""
    if os.environ.get(MULTIPROCESS_DIR_ENV):
        multiprocess.mark_process_dead(os.getpid())


class Metrics:
    """Requests by route template and code, latency histogram; batch sizes and images are observed by the batcher."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry, routes: list[BaseRoute]):
        self.app = app
        self.routes = routes  #: the app's live route list: plain routes and mounts are matched here
        self.requests = Counter("digitkit_requests", "HTTP requests", ["route", "code"], registry=registry)
        self.latency = Histogram(
            "digitkit_request_seconds",
            "request latency",
            ["route"],
            registry=registry,
            buckets=(0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
        )

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        code = 500
        # Plain routes and mounts are matched here, before they rewrite the scope; FastAPI records the API
        # routes it resolves (included routers too) as scope["route"]. Labels are path templates, so
        # /api/v1/samples/7 and /8 count as one route, and unknown paths as "unmatched".
        plain = next((r.path for r in self.routes if isinstance(r, Route | Mount) and _matches(r, scope)), None)

        async def recording_send(message: Any) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", None) or plain or "unmatched"
            self.requests.labels(route, str(code)).inc()
            self.latency.labels(route).observe(time.perf_counter() - started)


def _matches(route: Route | Mount, scope: Scope) -> bool:
    return route.matches(scope)[0] is not Match.NONE


def batch_observers(registry: CollectorRegistry) -> tuple[Histogram, Counter]:
    sizes = Histogram(
        "digitkit_batch_images",
        "images per runtime call",
        registry=registry,
        buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
    )
    images = Counter("digitkit_images_predicted", "images predicted", registry=registry)
    return sizes, images
