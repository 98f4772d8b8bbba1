"""Request body limit as pure-ASGI middleware: 413 JSON before a byte of an oversized body is read."""

from __future__ import annotations

import json
from typing import Any

from digitkit.errors import LimitError

Scope = dict[str, Any]
ASGIApp = Any


async def send_json(
    send: Any, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
                *(headers or []),
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
        seen, exceeded = 0, False
        too_big = f"body exceeds the limit of {self.max_bytes:,} bytes"

        async def limited_receive() -> Any:
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                exceeded = True
                raise LimitError(too_big)
            return message

        async def answering_send(message: Any) -> None:
            # A streamed (chunked) body that outgrew the limit is a 413 whatever the framework made of the
            # error while parsing it (FastAPI answers 400 for a body it could not read).
            if not exceeded:
                await send(message)
            elif message["type"] == "http.response.start":
                await send_json(send, 413, {"error": too_big})

        await self.app(scope, limited_receive, answering_send)
