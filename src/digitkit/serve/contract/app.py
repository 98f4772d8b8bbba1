"""The contract as a bare ASGI app: every answer JSON, 4xx for the client's fault, 500 for ours.

No framework: routing three paths needs none, and Starlette's request and response objects cost as much
per request as the model (benchmarks/serve_load.py). The full server mounts the same app for these paths.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import numpy as np

from digitkit.errors import DigitkitError, ImageError, LimitError
from digitkit.preprocess import SIDE
from digitkit.serve.contract.images import decode_contract_image
from digitkit.serve.contract.parts import read_parts

log = logging.getLogger("digitkit.contract")
FIELD = "x"
EXAMPLE = f"curl -F '{FIELD}=@digit.png' ..."
METHODS = {"/status": "GET", "/predict": "POST", "/exit": "GET"}


class ClientGone(Exception):
    """The client closed the connection before its request was read: nobody is left to answer."""


class ContractApp:
    def __init__(
        self,
        predict_proba: Callable[[np.ndarray], Awaitable[np.ndarray]],
        on_exit: Callable[[], None],
        max_images: int = 512,
        max_body_bytes: int = 8 << 20,
    ):
        self.predict_proba = predict_proba
        self.on_exit = on_exit  #: called once the answer to GET /exit is sent
        self.max_images = max_images
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path, method = scope["path"], scope["method"]
        expected = METHODS.get(path)
        status = 200
        try:
            if expected is None:
                status, answer = 404, {"error": f"no such path {path}; this service answers {', '.join(METHODS)}"}
            elif method != expected and not (method == "HEAD" and expected == "GET"):
                status, answer = 405, {"error": f"{path} takes {expected}, not {method}"}
            else:
                answer = await self._answer(path, scope, receive)
        except ClientGone:
            log.info("client went away before sending all of %s %s", method, path)
            return
        except DigitkitError as exc:
            status, answer = exc.status, {"error": str(exc)}
        except asyncio.TimeoutError:
            status, answer = 504, {"error": "the request took longer than the server's timeout"}
        except Exception as exc:
            log.exception("unhandled error on %s %s", method, path)
            status, answer = 500, {"error": f"internal error ({exc.__class__.__name__})"}
        body = json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 500:  # the connection's state is unknown: say so, so a pooled client does not reuse it
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        if path == "/exit" and status == 200:
            self.on_exit()

    async def _answer(self, path: str, scope: dict[str, Any], receive: Any) -> dict[str, Any]:
        if path == "/status":
            return {"status": "Ok"}
        if path == "/exit":
            return {"exit": "Ok"}
        images = await self._images(scope, receive)
        proba = await self.predict_proba(images)
        return {"y": [int(digit) for digit in proba.argmax(axis=1)]}

    async def _images(self, scope: dict[str, Any], receive: Any) -> np.ndarray:
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit():
            raise ImageError("Content-Length is not a number")
        if int(declared) > self.max_body_bytes:
            raise LimitError(f"body of {int(declared):,} bytes exceeds the limit of {self.max_body_bytes:,}")
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        parts = await read_parts(content_type, self._body(receive), self.max_images, EXAMPLE)
        uploads = [part for part in parts if part.name == FIELD]
        if not uploads:
            raise ImageError(f"no images in field '{FIELD}'; send them as {EXAMPLE}")
        images = np.empty((len(uploads), SIDE, SIDE), dtype=np.uint8)
        for index, upload in enumerate(uploads):
            what = f"image {index + 1}"
            if upload.filename is None:
                raise ImageError(f"{what} in field '{FIELD}' is a text value, not a file upload")
            if upload.filename:
                what += f" ({upload.filename})"
            images[index] = decode_contract_image(upload.data, what)
        return images

    async def _body(self, receive: Any) -> AsyncIterator[bytes]:
        """The body's chunks, then b""; a body that grows past the limit is cut off with 413."""
        seen = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_body_bytes:
                raise LimitError(f"body exceeds the limit of {self.max_body_bytes:,} bytes")
            more = message.get("more_body", False)
            yield chunk
        yield b""
