"""JobStore: training jobs as rows, so every worker sees them and a restart shows an interrupted job as such."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from digitkit.errors import ConflictError, UnknownNameError
from digitkit.store.database import Database, server_faults
from digitkit.store.tables import Job

ACTIVE = ("queued", "running")
FINISHED = ("succeeded", "failed", "cancelled", "interrupted")


class JobStore:
    def __init__(self, database: Database):
        self.database = database

    def create(self, max_jobs: int = 1, **fields: Any) -> Job:
        """A queued job in the first free slot; ConflictError (409) when ``max_jobs`` are queued or running."""
        for slot in range(1, max_jobs + 1):
            job = Job(state="queued", slot=slot, **fields)
            try:
                with server_faults(), self.database.session() as session, session.begin():
                    session.add(job)
                return job
            except IntegrityError:
                continue
        running = self.active()
        which = ", ".join(f"job {j.id}" for j in running) or "another job"
        raise ConflictError(
            f"{which} is already running (at most {max_jobs} at a time); wait for it, or cancel it with "
            f"DELETE /api/v1/jobs/{running[0].id if running else 'ID'}"
        )

    def get(self, job_id: int) -> Job:
        with server_faults(), self.database.session() as session:
            job = session.get(Job, job_id)
        if job is None:
            raise UnknownNameError(f"no training job with id {job_id}")
        return job

    def recent(self, limit: int = 20) -> list[Job]:
        with server_faults(), self.database.session() as session:
            return list(session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))

    def active(self) -> list[Job]:
        with server_faults(), self.database.session() as session:
            return list(session.scalars(select(Job).where(Job.state.in_(ACTIVE)).order_by(Job.id)))

    def _set(self, job_id: int, only_if: tuple[str, ...], **values: Any) -> bool:
        """Update the job if its state is one of ``only_if``; False when it was not (finished meanwhile)."""
        with server_faults(), self.database.session() as session, session.begin():
            done = session.execute(update(Job).where(Job.id == job_id, Job.state.in_(only_if)).values(**values))
            return bool(getattr(done, "rowcount", 0))

    def started(self, job_id: int, pid: int, log_path: str) -> bool:
        return self._set(job_id, ("queued",), state="running", pid=pid, log_path=log_path)

    def progress(self, job_id: int, epoch: int, train_loss: float, valid_accuracy: float) -> bool:
        return self._set(job_id, ACTIVE, epoch=epoch, train_loss=train_loss, valid_accuracy=valid_accuracy)

    def finish(self, job_id: int, state: str, **values: Any) -> bool:
        """Move an active job to a final ``state`` and free its slot; False when it had already finished (a
        cancel wins over the process's own last word)."""
        assert state in FINISHED, state
        return self._set(job_id, ACTIVE, state=state, slot=None, **values)

    def interrupt_orphans(self, alive: Callable[[int | None], bool]) -> list[int]:
        """Mark active jobs whose process is gone (a server restart, a killed machine) as interrupted."""
        lost = [job.id for job in self.active() if not alive(job.pid)]
        for job_id in lost:
            self.finish(job_id, "interrupted", error="the job's process ended without a result (server restart?)")
        return lost
