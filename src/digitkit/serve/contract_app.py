"""The contract-only service (Starlette, no FastAPI, no metrics): what a competition submission runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from digitkit.runtime import Model
from digitkit.serve import contract
from digitkit.serve.batcher import Batcher
from digitkit.serve.errors import EXCEPTION_HANDLERS
from digitkit.serve.limits import BodyLimit
from digitkit.serve.settings import Settings
from digitkit.serve.state import ServiceState


def create_contract_app(settings: Settings, model: Model) -> Starlette:
    batcher = Batcher(model, max_batch=settings.batch_max_images, max_wait_s=settings.batch_wait_ms / 1000)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        batcher.start()
        yield
        await batcher.stop()

    app = Starlette(routes=contract.routes, exception_handlers=EXCEPTION_HANDLERS, lifespan=lifespan)
    app.state.digitkit = ServiceState(settings=settings, batchers={model.name: batcher})
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app
