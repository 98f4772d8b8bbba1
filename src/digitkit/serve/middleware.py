"""Pure-ASGI middleware (no per-request task overhead): body size limit and Prometheus metrics."""

from __future__ import annotations

import json
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

from digitkit.errors import LimitError

Scope = dict[str, Any]
ASGIApp = Any


async def send_json(send: Any, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class BodyLimit:
    """413 for a declared Content-Length over the limit; a streamed body that grows past it fails the same."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await send_json(send, 400, {"error": "Content-Length is not a number"})
                    return
                if declared > self.max_bytes:
                    await send_json(
                        send, 413, {"error": f"body of {declared:,} bytes exceeds the limit of {self.max_bytes:,}"}
                    )
                    return
        seen = 0

        async def limited_receive() -> Any:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise LimitError(f"body exceeds the limit of {self.max_bytes:,} bytes")
            return message

        await self.app(scope, limited_receive, send)


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
