"""Build the service: load models, wire routes, limits, metrics, CORS and docs. No logic of its own."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from digitkit import __version__
from digitkit.runtime import Model, load_model
from digitkit.serve import api, web
from digitkit.serve.batcher import Batcher
from digitkit.serve.contract.app import METHODS, ContractApp
from digitkit.serve.errors import EXCEPTION_HANDLERS
from digitkit.serve.limits import BodyLimit
from digitkit.serve.metrics import Metrics, batch_observers
from digitkit.serve.security import HostAndHeaders, allowed_hosts
from digitkit.serve.settings import Settings
from digitkit.serve.state import ServiceState

log = logging.getLogger(__name__)


def load_models(settings: Settings) -> dict[str, Model]:
    """Each configured model under its own name (the artifact's name, or the argument when that clashes)."""
    loaded: dict[str, Model] = {}
    for spec in settings.models:
        model = load_model(spec, threads=settings.threads, max_batch=settings.batch_max_images)
        loaded[model.name if model.name not in loaded else Path(spec).stem] = model
    return loaded


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()))
    return JSONResponse({"error": f"invalid request body at {where}: {first.get('msg', 'invalid')}"}, status_code=400)


def create_app(settings: Settings, models: dict[str, Model] | None = None) -> FastAPI:
    models = models if models is not None else load_models(settings)
    registry = CollectorRegistry()
    batch_sizes, images_predicted = batch_observers(registry)

    def observe(size: int) -> None:
        batch_sizes.observe(size)
        images_predicted.inc(size)

    batchers = {
        name: Batcher(
            model, max_batch=settings.batch_max_images, max_wait_s=settings.batch_wait_ms / 1000, on_batch=observe
        )
        for name, model in models.items()
    }
    state = ServiceState(settings=settings, batchers=batchers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        for batcher in batchers.values():
            batcher.start()
        yield
        for batcher in batchers.values():
            await batcher.stop()

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
    contract = ContractApp(
        lambda images: state.within_time(state.batcher().predict_proba(images)),
        on_exit=lambda: state.request_exit(),  # looked up when called: the runner sets it after this
        max_images=settings.max_images,
        max_body_bytes=settings.max_body_bytes,
    )
    for path, method in METHODS.items():
        if path != "/exit" or settings.allow_exit:  # any web page could stop the server otherwise
            app.router.routes.append(Route(path, contract, methods=[method]))
    app.include_router(api.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    _add_docs(app)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    # Metrics label requests by route: every fixed path the app serves (mounts and the rest count as "other").
    known = {route.path for route in app.routes if isinstance(route, Route | APIRoute)}
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["content-type"],
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(Metrics, registry=registry, routes=known)
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
