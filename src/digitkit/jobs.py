"""Training jobs started through the API: one `digitkit train` process per job, recorded in the store.

The server side (:class:`JobRunner`) checks a request, takes a slot in the jobs table (409 when none is free),
exports the feedback when the job trains on it, and starts ``digitkit train --job ID`` (under torchrun when
``nproc`` > 1) in its own process group, logging to ``<data_dir>/jobs/ID/log.txt``. The training process
reports to the same row itself (:class:`JobReporter`): it lowers its own priority, writes each epoch, registers
its version, promotes it when asked and the gate passes, and records the end. A process that dies without a
word is marked failed by the worker that started it, or interrupted by the next server start.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitkit.errors import ConfigError, ConflictError, UnavailableError, UnknownNameError
from digitkit.versions import Registry, promote

if TYPE_CHECKING:
    from digitkit.serve.settings import Settings
    from digitkit.store.database import Database
    from digitkit.store.jobs import JobStore
    from digitkit.store.tables import Job

log = logging.getLogger(__name__)
DATA_CHOICES = ("mnist", "feedback", "both")
JOB_ENV = "DIGITKIT_JOB_PARENT"  #: the pid of the server worker that started the job; the job ends with it
#: Images per corruption when a job measures the robustness suite (the promote gate needs it).
JOB_SUITE_SIZE = 2000
LOG_LINES = 20
LOG_TAIL_BYTES = 16 * 1024


@dataclass(frozen=True)
class JobRequest:
    recipe: str
    data: str = "feedback"
    epochs: int = 3
    init: str | None = "default"  #: a version id, "default" (the shipped checkpoint), or None: from scratch
    nproc: int = 1
    promote: bool = False
    force: bool = False


def _recipe_architecture(name: str) -> str:
    """The architecture a shipped recipe trains (recipes are files of the package; a job names one, no path)."""
    from digitkit.train.recipe import available_recipes, load_recipe

    if name not in available_recipes():
        raise ConfigError(f"unknown recipe {name!r}; jobs train a shipped recipe: {', '.join(available_recipes())}")
    recipe = load_recipe(name)
    if recipe.task != "digits":
        raise ConfigError(f"recipe {name!r} trains a {recipe.task} model; jobs train digit classifiers")
    return recipe.architecture


def _process_alive(pid: int | None) -> bool:
    """A live process that is ours: a recycled pid running something else does not count."""
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"digitkit" in handle.read()
    except OSError:
        return False


class JobRunner:
    def __init__(self, settings: Settings, database: Callable[[], Database], versions: Registry):
        self.settings = settings
        self._database = database
        self.versions = versions
        self.folder = settings.data_dir / "jobs"
        self._started: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def store(self) -> JobStore:
        from digitkit.store.jobs import JobStore

        return JobStore(self._database())

    def check(self, request: JobRequest) -> None:
        """Every reason to refuse a job before it takes a slot; ConfigError (400) / UnavailableError (503)."""
        architecture = _recipe_architecture(request.recipe)
        if request.data not in DATA_CHOICES:
            raise ConfigError(f"data must be one of {', '.join(DATA_CHOICES)}, got {request.data!r} instead")
        if not 1 <= request.epochs <= 100:
            raise ConfigError(f"epochs must be 1-100, got {request.epochs} instead")
        cores = os.cpu_count() or 1
        if not 1 <= request.nproc <= cores:
            raise ConfigError(f"nproc must be 1-{cores} (this machine's cores), got {request.nproc} instead")
        if request.init not in (None, "default"):
            try:
                version = self.versions.get(request.init)
            except UnknownNameError as exc:
                raise ConfigError(str(exc)) from None
            if not version.checkpoint.is_file():
                raise ConfigError(f"version {request.init} has no checkpoint to fine-tune from; pick another")
            if version.recipe.get("architecture") != architecture:
                raise ConfigError(
                    f"version {request.init} is a {version.recipe.get('architecture')}, recipe {request.recipe} "
                    f"trains a {architecture}; choose a recipe of the same architecture"
                )
        elif request.init == "default" and architecture != "convnet_default":
            raise ConfigError(f"init 'default' fine-tunes convnet_default; recipe {request.recipe} is {architecture}")
        if request.data != "mnist":
            from digitkit.store.db import FeedbackStore

            if FeedbackStore(self._database()).count_labelled() == 0:
                raise ConfigError("there is no labelled feedback to train on yet; send drawings from the page first")
        if importlib.util.find_spec("torch") is None:
            raise UnavailableError("training is not installed on this server: pip install 'digitkit[train]'")

    def submit(self, request: JobRequest) -> Job:
        self.check(request)
        job = self.store.create(
            self.settings.max_jobs,
            recipe=request.recipe,
            data=request.data,
            epochs=request.epochs,
            init_version=request.init,
            nproc=request.nproc,
            promote=request.promote,
            force=request.force,
        )
        try:
            self._start(job.id, request)
        except Exception as exc:
            self.store.finish(job.id, "failed", error=f"could not start: {exc}")
            raise
        return self.store.get(job.id)

    def _start(self, job_id: int, request: JobRequest) -> None:
        folder = self.folder / str(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        data = "mnist"
        if request.data != "mnist":
            from digitkit.store.db import FeedbackStore

            FeedbackStore(self._database()).export_folder(folder / "feedback")
            data = (
                f"folder:{folder / 'feedback'}" if request.data == "feedback" else f"mnist+folder:{folder / 'feedback'}"
            )
        train = ["-m", "digitkit", "train", request.recipe, "--data", data, "--epochs", str(request.epochs)]
        train += ["--run-dir", str(folder / "run"), "--suite-size", str(JOB_SUITE_SIZE), "--job", str(job_id)]
        if request.init is not None:
            train += ["--init-from", request.init]
        launcher = [sys.executable]
        if request.nproc > 1:
            launcher += ["-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={request.nproc}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS_")}
        env.update(
            DIGITKIT_DATABASE_URL=self.settings.feedback_url(),
            DIGITKIT_REGISTRY_DIR=str(self.settings.registry_path()),
            DIGITKIT_DATA_DIR=str(self.settings.data_dir),
            DIGITKIT_MODELS=",".join(self.settings.models),
            PYTHONUNBUFFERED="1",
        )
        env[JOB_ENV] = str(os.getpid())
        log_path = folder / "log.txt"
        with log_path.open("ab") as out:
            process = subprocess.Popen(
                [*launcher, *train], stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        self._started[job_id] = process
        self.store.started(job_id, process.pid, str(log_path))
        threading.Thread(target=self._wait, args=(job_id, process), daemon=True, name=f"job-{job_id}").start()
        log.info("job %d started: pid %d, log %s", job_id, process.pid, log_path)

    def _wait(self, job_id: int, process: subprocess.Popen[bytes]) -> None:
        code = process.wait()
        self._started.pop(job_id, None)
        with contextlib.suppress(Exception):  # the database may be down; the next start marks it interrupted
            if self.store.finish(job_id, "failed", error=f"the training process exited with code {code}"):
                log.warning("job %d ended with code %d without reporting; see its log", job_id, code)

    def cancel(self, job_id: int) -> Job:
        job = self.store.get(job_id)
        if not self.store.finish(job_id, "cancelled", error="cancelled through the API"):
            raise ConflictError(f"job {job_id} already ended ({self.store.get(job_id).state}); nothing to cancel")
        if _process_alive(job.pid):
            assert job.pid is not None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(job.pid, signal.SIGTERM)
        return self.store.get(job_id)

    def describe(self, job: Job) -> dict[str, Any]:
        """The job as the API shows it, with its log's last lines (reads the log file: call off the loop)."""
        tail: list[str] = []
        if job.log_path and Path(job.log_path).is_file():
            with open(job.log_path, "rb") as handle:
                handle.seek(max(0, handle.seek(0, os.SEEK_END) - LOG_TAIL_BYTES))
                tail = handle.read().decode(errors="replace").splitlines()[-LOG_LINES:]
        return {
            "id": job.id,
            "state": job.state,
            "recipe": job.recipe,
            "data": job.data,
            "epochs": job.epochs,
            "epoch": job.epoch,
            "train_loss": job.train_loss,
            "valid_accuracy": job.valid_accuracy,
            "init": job.init_version,
            "nproc": job.nproc,
            "pid": job.pid,
            "promote": job.promote,
            "version": job.version,
            "promoted": job.promoted,
            "error": job.error,
            "created_at": job.created_at.isoformat(),
            "updated_at": job.updated_at.isoformat(),
            "log_tail": tail,
        }

    def recover(self) -> list[int]:
        """At server start: jobs whose process is gone are interrupted (a job still running keeps running)."""
        return list(self.store.interrupt_orphans(_process_alive))

    def stop(self) -> None:
        """At server stop: the jobs this process started end with it, recorded as interrupted."""
        for job_id, process in list(self._started.items()):
            self.store.finish(job_id, "interrupted", error="the server stopped while the job ran")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)


class JobReporter:
    """The training process's side of a job: low priority, progress per epoch, the version, the end."""

    def __init__(self, job_id: int, database_url: str):
        from digitkit.store.database import Database
        from digitkit.store.jobs import JobStore

        self.job_id = job_id
        self.store = JobStore(Database(database_url))

    @staticmethod
    def lower_priority() -> None:
        """SCHED_IDLE where Linux has it (serving always goes first), else the lowest nice level."""
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except (AttributeError, OSError):
            os.nice(19)

    @staticmethod
    def end_with_parent() -> None:
        """Exit when the server worker that started the job is gone (killed, not stopped)."""
        parent = int(os.environ.get(JOB_ENV, "0"))
        if not parent:
            return

        def watch() -> None:
            while True:
                time.sleep(1.0)
                try:
                    os.kill(parent, 0)
                except ProcessLookupError:
                    os._exit(3)
                except PermissionError:
                    pass

        threading.Thread(target=watch, daemon=True, name="job-parent-watch").start()

    def epoch(self, record: dict[str, float]) -> None:
        """Write the epoch; a job cancelled meanwhile stops here."""
        if not self.store.progress(self.job_id, int(record["epoch"]), record["train_loss"], record["valid_accuracy"]):
            raise SystemExit(f"job {self.job_id} was cancelled; stopping")

    def succeeded(self, version: str, registry: Registry, base_metrics: dict[str, float]) -> str:
        """Record the version; promote it when the request asked and the gate passes (or force). Returns a line."""
        job = self.store.get(self.job_id)
        promoted, note = False, f"registered version {version}"
        if job.promote:
            from digitkit.store.promotions import Promotions

            try:
                promote(registry, Promotions(self.store.database), version, base_metrics, force=job.force)
                promoted, note = True, f"registered and promoted version {version}"
            except ConflictError as exc:
                note = f"registered version {version}, not promoted: {exc}"
        refused = note if job.promote and not promoted else None
        self.store.finish(self.job_id, "succeeded", version=version, promoted=promoted, error=refused)
        return note

    def failed(self, error: str) -> None:
        self.store.finish(self.job_id, "failed", error=error[:2000])
