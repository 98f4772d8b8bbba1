"""Per-client rate limits for the public POST routes, as pure-ASGI middleware: 429 JSON with Retry-After.

Each remote client (by address, after uvicorn applies a local reverse proxy's X-Forwarded-For) has a token
bucket: ``per_minute`` requests a minute, in bursts of up to a tenth of that. Loopback clients (and clients with
no IP address: Unix sockets, in-process test clients) are not limited: they are this machine's own tools, tests
and benchmarks, and the competition's probes. Each worker process keeps its own buckets, so with --workers N a
client may get up to N times the rate.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from typing import Any

from digitkit.serve.limits import send_json

Scope = dict[str, Any]
ASGIApp = Any
LIMITED_PATHS = ("/predict", "/api/v1/")
MAX_TRACKED_CLIENTS = 10_000  #: past this many buckets, those refilled to full are forgotten


class RateLimit:
    def __init__(self, app: ASGIApp, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.app, self.per_minute, self.clock = app, per_minute, clock
        self.rate = per_minute / 60.0  #: tokens per second
        self.burst = max(5.0, per_minute / 10.0)
        self.buckets: dict[str, tuple[float, float]] = {}  #: client -> (tokens, when last updated)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        client = (scope.get("client") or ("unknown", 0))[0]
        if (
            not self.per_minute
            or scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(LIMITED_PATHS)
            or not _is_remote(client)
        ):
            await self.app(scope, receive, send)
            return
        now = self.clock()
        tokens, last = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self.buckets[client] = (tokens, now)
            wait = (1.0 - tokens) / self.rate
            message = (
                f"too many requests from {client}: at most {self.per_minute} a minute "
                f"(DIGITKIT_RATE_LIMIT_PER_MINUTE); try again in {wait:.1f} s"
            )
            await send_json(send, 429, {"error": message}, [(b"retry-after", str(math.ceil(wait)).encode())])
            return
        self.buckets[client] = (tokens - 1.0, now)
        if len(self.buckets) > MAX_TRACKED_CLIENTS:
            self._forget_full(now)
        await self.app(scope, receive, send)

    def _forget_full(self, now: float) -> None:
        full_after = self.burst / self.rate
        self.buckets = {c: (t, last) for c, (t, last) in self.buckets.items() if now - last < full_after}


def _is_remote(client: str) -> bool:
    """An IP address other than loopback (a Unix socket or an in-process test client has none)."""
    try:
        return not ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False
