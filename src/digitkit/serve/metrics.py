"""Prometheus metrics as pure-ASGI middleware (no per-request task overhead), plus the batch observers."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

Scope = dict[str, Any]
ASGIApp = Any


class Metrics:
    """Requests by route and code, latency histogram; batch sizes and images are observed by the batcher."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry, routes: set[str]):
        self.app, self.routes = app, routes
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
        route = scope["path"] if scope["path"] in self.routes else "other"
        started = time.perf_counter()
        code = 500

        async def recording_send(message: Any) -> None:
            nonlocal code
            if message["type"] == "http.response.start":
                code = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.requests.labels(route, str(code)).inc()
            self.latency.labels(route).observe(time.perf_counter() - started)


def batch_observers(registry: CollectorRegistry) -> tuple[Histogram, Counter]:
    sizes = Histogram(
        "digitkit_batch_images",
        "images per runtime call",
        registry=registry,
        buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
    )
    images = Counter("digitkit_images_predicted", "images predicted", registry=registry)
    return sizes, images
