"""What a running service holds, built in one place: models with their batchers, the model versions and which
one is the default, the detector, the database, training jobs, the metrics registry, and how to stop.

:func:`build_state` makes it; the FastAPI app (serve/web/app.py) and the contract routes it mounts are both
built from it. Versions from the registry are loaded on first use, and every worker re-reads which version
is the default every ``default_poll_s`` seconds, so a promote reaches all of them without a restart.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import os
import signal
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from prometheus_client import CollectorRegistry
from starlette.requests import Request

from digitkit.errors import DigitkitError, UnknownNameError
from digitkit.runtime import Model, load_model, read_meta, shipped_models
from digitkit.serve.batcher import Batcher
from digitkit.serve.contract.app import ContractApp
from digitkit.serve.metrics import batch_observers
from digitkit.serve.settings import Settings
from digitkit.tasks import DETECTOR, GROUPS, Task
from digitkit.versions import Registry

if TYPE_CHECKING:
    from digitkit.jobs import JobRunner
    from digitkit.store.database import Database
    from digitkit.store.db import FeedbackStore
    from digitkit.store.promotions import Promotions

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class ServiceState:
    settings: Settings
    batchers: dict[str, Batcher]  #: model or version name -> its batcher; the first is the configured default
    detector: Model | None  #: the digit / not-a-digit model for the drawing page, if one ships
    registry: CollectorRegistry  #: this service's metrics
    make_batcher: Callable[[Model], Batcher]  #: wraps a newly loaded version like the configured models
    versions: Registry  #: the model versions' folder (digitkit/versions.py)
    #: How /exit stops serving: the single-process server sets this to end uvicorn's loop; workers leave it
    #: None and ask their supervisor (``supervisor_pid``) to stop all of them.
    stop_server: Callable[[], None] | None = None
    supervisor_pid: int | None = None
    promoted: str | None = None  #: the promoted version serving as default; None: the configured default
    groups: Model | None = None  #: the drawing page's "cut this group between strokes?" model, if one ships
    _database: Database | None = field(default=None, repr=False)
    _database_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _loading: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _poller: asyncio.Task[None] | None = field(default=None, repr=False)
    _jobs: JobRunner | None = field(default=None, repr=False)
    _default_unreadable: bool = field(default=False, repr=False)

    @property
    def configured_default(self) -> str:
        return next(iter(self.batchers))

    @property
    def default_model(self) -> str:
        return self.promoted or self.configured_default

    def batcher(self, name: str | None = None) -> Batcher:
        """A loaded model's batcher (the default's without a name); :meth:`batcher_for` also loads versions."""
        name = name or self.default_model
        try:
            return self.batchers[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown model {name!r}; loaded models: {', '.join(self.batchers)}; registered versions are "
                "listed by GET /api/v1/models"
            ) from None

    async def batcher_for(self, name: str | None = None) -> Batcher:
        """Like :meth:`batcher`, loading a registered version on first use (off the event loop)."""
        name = name or self.default_model
        if name in self.batchers or not self.versions.has(name):
            return self.batcher(name)
        async with self._loading:
            if name not in self.batchers:
                loop = asyncio.get_running_loop()
                version = await loop.run_in_executor(None, self.versions.get, name)
                model = await loop.run_in_executor(
                    None, lambda: Model(version.artifact, self.settings.threads, self.settings.batch_max_images)
                )
                model.meta = dataclasses.replace(model.meta, name=version.id)  # answers name the version served
                batcher = self.make_batcher(model)
                batcher.start()
                self.batchers[name] = batcher
                log.info("loaded model version %s", name)
        return self.batchers[name]

    @property
    def database(self) -> Database:
        """The database, opened on first use (from a worker thread), so the service starts and serves
        predictions even while it is down."""
        with self._database_lock:
            if self._database is None:
                from digitkit.store.database import Database  # SQLAlchemy: only for stored data

                self._database = Database(self.settings.feedback_url())
            return self._database

    @property
    def store(self) -> FeedbackStore:
        from digitkit.store.db import FeedbackStore

        return FeedbackStore(self.database)

    @property
    def promotions(self) -> Promotions:
        from digitkit.store.promotions import Promotions

        return Promotions(self.database)

    @property
    def jobs(self) -> JobRunner:
        if self._jobs is None:
            from digitkit.jobs import JobRunner

            self._jobs = JobRunner(self.settings, lambda: self.database, self.versions)
        return self._jobs

    def base_metrics(self) -> dict[str, float]:
        """The configured default's figures: what a promote is judged against when nothing is promoted."""
        return self.batchers[self.configured_default].model.meta.metrics

    async def follow_default(self) -> None:
        """Read which version is the default; load it before switching, so no request waits for the load.
        A database or version that cannot be read leaves the current default serving."""
        loop = asyncio.get_running_loop()
        try:
            current = await loop.run_in_executor(None, lambda: self.promotions.current())
            if current is not None:
                await self.batcher_for(current)
        except DigitkitError as exc:
            if not self._default_unreadable:  # once per outage, not every poll
                log.warning("the default version cannot be read (%s); %s keeps serving", exc, self.default_model)
            self._default_unreadable = True
            return
        self._default_unreadable = False
        if current != self.promoted:
            log.info("default model: %s", current or self.configured_default)
            self.promoted = current

    async def _poll_default(self) -> None:
        """Follow the default until the service stops. An error no handler foresaw is logged and the polling goes
        on: a poller that ended would leave this worker on its old default for good (a database error of this
        kind did so to one of two workers)."""
        loop = asyncio.get_running_loop()
        try:
            lost = await loop.run_in_executor(None, lambda: self.jobs.recover())
            if lost:
                log.warning("training jobs %s were interrupted (their process is gone)", lost)
        except DigitkitError as exc:
            log.warning("training jobs cannot be checked (%s)", exc)
        except Exception:
            log.exception("training jobs cannot be checked")
        while True:
            try:
                await self.follow_default()
            except Exception:
                log.exception("the default version cannot be followed; %s keeps serving", self.default_model)
            await asyncio.sleep(self.settings.default_poll_s)

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
        self._poller = asyncio.get_running_loop().create_task(self._poll_default())

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
        if self._jobs is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._jobs.stop)
        for batcher in list(self.batchers.values()):
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

    def make_batcher(model: Model) -> Batcher:
        return Batcher(
            model, max_batch=settings.batch_max_images, max_wait_s=settings.batch_wait_ms / 1000, on_batch=observe
        )

    batchers = {name: make_batcher(model) for name, model in models.items()}
    detector, groups = shipped_helpers(DETECTOR, GROUPS)
    versions = Registry(settings.registry_path())
    return ServiceState(settings, batchers, detector, registry, make_batcher, versions, groups=groups)


def shipped_helpers(*tasks: Task) -> list[Model | None]:
    """The first shipped model of each of ``tasks`` (the drawing page's helpers), None where none ships. Each
    artifact's metadata is read once: reading it opens an onnxruntime session, at every start-up."""
    by_task: dict[str, Path] = {}
    for path in shipped_models().values():
        by_task.setdefault(read_meta(str(path)).task, path)
    return [load_model(by_task[task.name]) if task.name in by_task else None for task in tasks]


def service(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.digitkit
    return state
