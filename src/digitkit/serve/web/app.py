"""Build the full service from its state: routes, limits, metrics, CORS and docs. No logic of its own."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from digitkit import __version__
from digitkit.runtime import Model
from digitkit.serve.contract.app import METHODS
from digitkit.serve.errors import EXCEPTION_HANDLERS
from digitkit.serve.limits import BodyLimit
from digitkit.serve.metrics import Metrics, exposition, worker_exited
from digitkit.serve.rate import RateLimit
from digitkit.serve.security import HostAndHeaders, allowed_hosts
from digitkit.serve.settings import Settings
from digitkit.serve.state import build_state
from digitkit.serve.web import admin, api, drawing, operations
from digitkit.serve.web.drawing import STATIC_DIR

log = logging.getLogger(__name__)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return JSONResponse({"error": f"invalid request body at {where}: {first.get('msg', 'invalid')}"}, status_code=400)


def create_app(settings: Settings, models: dict[str, Model] | None = None) -> FastAPI:
    state = build_state(settings, models)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.start()
        yield
        await state.stop()
        worker_exited()

    app = FastAPI(
        title="digitkit",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="Handwritten-digit recognition. The competition contract (/status, /predict, /exit) and a "
        "JSON API under /api/v1.",
        exception_handlers={**EXCEPTION_HANDLERS, RequestValidationError: _validation_error},
    )
    app.state.digitkit = state
    contract = state.contract_app()
    for path, method in METHODS.items():
        if path != "/exit" or settings.allow_exit:  # any web page could stop the server otherwise
            app.router.routes.append(Route(path, contract, methods=[method]))
    app.include_router(api.router)
    app.include_router(drawing.router)
    app.include_router(admin.router)
    app.include_router(operations.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_docs(app)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(exposition(state.registry), media_type=CONTENT_TYPE_LATEST)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, per_minute=settings.rate_limit_per_minute)
    app.add_middleware(Metrics, registry=state.registry, routes=app.router.routes)
    app.add_middleware(HostAndHeaders, hosts=allowed_hosts(settings.allowed_hosts, settings.host))
    return app


def _add_docs(app: FastAPI) -> None:
    """Swagger UI served from the swagger-ui-bundle package: the docs work offline, no CDN."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # pragma: no cover - docs are optional for the bare contract service
        return
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_path), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="digitkit API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
        )
