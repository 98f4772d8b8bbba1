"""What a running service holds, built in one place: models with their batchers, the detector, the store, the
metrics registry, and how to stop.

:func:`build_state` makes it; the FastAPI app (serve/web/app.py) and the contract routes it mounts are both
built from it, and nothing is attached to it later.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from prometheus_client import CollectorRegistry
from starlette.requests import Request

from digitkit.errors import UnknownNameError
from digitkit.runtime import Model, load_model, shipped_models
from digitkit.serve.batcher import Batcher
from digitkit.serve.contract.app import ContractApp
from digitkit.serve.metrics import batch_observers
from digitkit.serve.settings import Settings
from digitkit.tasks import DETECTOR

if TYPE_CHECKING:
    from digitkit.store.db import FeedbackStore

T = TypeVar("T")


@dataclass
class ServiceState:
    settings: Settings
    batchers: dict[str, Batcher]  #: model name -> its batcher; insertion order, the first is the default
    detector: Model | None  #: the digit / not-a-digit model for the drawing page, if one ships
    registry: CollectorRegistry  #: this service's metrics
    #: How /exit stops serving: the single-process server sets this to end uvicorn's loop; workers leave it
    #: None and ask their supervisor (``supervisor_pid``) to stop all of them.
    stop_server: Callable[[], None] | None = None
    supervisor_pid: int | None = None
    _store: FeedbackStore | None = field(default=None, repr=False)
    _store_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def default_model(self) -> str:
        return next(iter(self.batchers))

    def batcher(self, name: str | None = None) -> Batcher:
        name = name or self.default_model
        try:
            return self.batchers[name]
        except KeyError:
            raise UnknownNameError(f"unknown model {name!r}; loaded models: {', '.join(self.batchers)}") from None

    @property
    def store(self) -> FeedbackStore:
        """The feedback store, opened on first use (from a worker thread), so the service starts and serves
        predictions even while the database is down."""
        with self._store_lock:
            if self._store is None:
                from digitkit.store.db import FeedbackStore  # SQLAlchemy: only for the drawing page's store

                self._store = FeedbackStore(self.settings.feedback_url())
            return self._store

    def request_exit(self) -> None:
        """The one place a stop is requested: uvicorn finishes what is in flight, then the process exits 0."""
        if self.stop_server is not None:
            self.stop_server()
        else:
            os.kill(self.supervisor_pid or os.getpid(), signal.SIGTERM)

    async def within_time(self, work: Awaitable[T]) -> T:
        """Bound a request's work by the configured timeout."""
        return await asyncio.wait_for(work, self.settings.request_timeout_s)

    def start(self) -> None:
        """Inside the running loop: start the batchers, and send decoding, segmentation and store calls to a pool
        that leaves one core to the event loop and the batchers. With the default pool (cores + 4 threads) a
        flood of 4096x4096 drawings held /status at p99 22-31 ms on 2 cores; benchmarks/reliability.py."""
        cores = os.cpu_count() or 1
        work = concurrent.futures.ThreadPoolExecutor(max(1, cores - 1), thread_name_prefix="digitkit-work")
        asyncio.get_running_loop().set_default_executor(work)
        for batcher in self.batchers.values():
            batcher.start()

    async def stop(self) -> None:
        for batcher in self.batchers.values():
            await batcher.stop()

    def contract_app(self) -> ContractApp:
        """/status, /predict and /exit, answered by the default model's batcher within the request timeout."""
        return ContractApp(
            lambda images: self.within_time(self.batcher().predict_proba(images)),
            on_exit=self.request_exit,
            max_images=self.settings.max_images,
            max_body_bytes=self.settings.max_body_bytes,
        )


def load_models(settings: Settings) -> dict[str, Model]:
    """Each configured model under its own name (the artifact's name, or the argument when that clashes)."""
    loaded: dict[str, Model] = {}
    for spec in settings.models:
        model = load_model(spec, threads=settings.threads, max_batch=settings.batch_max_images)
        loaded[model.name if model.name not in loaded else Path(spec).stem] = model
    return loaded


def build_state(settings: Settings, models: dict[str, Model] | None = None) -> ServiceState:
    """Load the models (unless given), wrap each in a batcher that reports to this state's metrics."""
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
    detectors = shipped_models(DETECTOR.name)
    detector = load_model(next(iter(detectors.values()))) if detectors else None
    return ServiceState(settings, batchers, detector, registry)


def service(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.digitkit
    return state
