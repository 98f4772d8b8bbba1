"""The one place exceptions become HTTP answers: always JSON, 4xx for the client's fault, 503/504 for the
server's known faults (store unavailable, timeout), 500 otherwise."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from digitkit.errors import DigitkitError

log = logging.getLogger(__name__)


async def digitkit_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DigitkitError)
    return JSONResponse({"error": str(exc)}, status_code=exc.status)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)


async def timeout_error(request: Request, exc: Exception) -> JSONResponse:
    """Decoding, segmentation and prediction ran past DIGITKIT_REQUEST_TIMEOUT_S: a server-side 504."""
    return JSONResponse(
        {"error": "the request took longer than the server's timeout (DIGITKIT_REQUEST_TIMEOUT_S); try a smaller one"},
        status_code=504,
    )


async def client_gone(request: Request, exc: Exception) -> JSONResponse:
    """The client closed the connection mid-body: nothing went wrong here, and nobody is left to answer."""
    log.info("client went away before sending all of %s %s", request.method, request.url.path)
    return JSONResponse({"error": "the body ended early: the client closed the connection"}, status_code=400)


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    # Connection: close tells a pooled client not to reuse a connection whose server state is unknown.
    return JSONResponse(
        {"error": f"internal error ({exc.__class__.__name__})"}, status_code=500, headers={"connection": "close"}
    )


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DigitkitError: digitkit_error,
    HTTPException: http_error,
    asyncio.TimeoutError: timeout_error,
    ClientDisconnect: client_gone,
    Exception: internal_error,
}
