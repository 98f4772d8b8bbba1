"""Who may do what: the admin token for routes that read stored data or change state, the Host allow-list
(DNS rebinding), and the headers that keep other sites from framing or sniffing our pages."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import HTTPException, Request

from digitkit.serve.limits import send_json

TOKEN_VARIABLE = "DIGITKIT_ADMIN_TOKEN"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
HEADERS = [
    (b"content-security-policy", b"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def require_admin(request: Request) -> None:
    """FastAPI dependency: 403 when no token is configured, 401 for a missing or wrong bearer token."""
    expected: str = request.app.state.digitkit.settings.admin_token
    if not expected:
        raise HTTPException(
            403,
            f"this route is off until an admin token is set: start the server with {TOKEN_VARIABLE}=<a long random "
            "string> and send it as 'Authorization: Bearer <token>'",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), expected.encode()):
        raise HTTPException(
            401, "this route needs the admin token as 'Authorization: Bearer <token>'", {"WWW-Authenticate": "Bearer"}
        )


def allowed_hosts(configured: tuple[str, ...], bind_host: str) -> frozenset[str]:
    """Configured hosts, else the local names plus the address the server listens on ("*": any host)."""
    hosts = set(configured) if configured else {*LOCAL_HOSTS, bind_host}
    return frozenset(host.lower().strip("[]") for host in hosts)


class HostAndHeaders:
    """Pure ASGI: 400 JSON for a Host header outside the allow-list; security headers on every answer."""

    def __init__(self, app: Any, hosts: frozenset[str]):
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
        name = host[1 : host.index("]")] if host.startswith("[") and "]" in host else host.rsplit(":", 1)[0]
        if "*" not in self.hosts and name not in self.hosts:
            await send_json(
                send,
                400,
                {"error": f"host {host!r} is not served here; add it to DIGITKIT_ALLOWED_HOSTS (comma-separated)"},
            )
            return

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
