"""Operating routes, each behind the admin token: promote a version or reset to the configured default, and
start, watch and cancel training jobs (digitkit/jobs.py)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from digitkit.jobs import JobRequest
from digitkit.serve.security import require_admin
from digitkit.serve.state import service
from digitkit.serve.web.admin import StoredId
from digitkit.versions import promote

router = APIRouter(prefix="/api/v1", tags=["operations"], dependencies=[Depends(require_admin)])


class DefaultAnswer(BaseModel):
    default: str = Field(description="the model that now answers requests that name none")
    forced: bool = False


@router.post("/models/{version}/promote", response_model=DefaultAnswer)
async def promote_version(
    version: str,
    request: Request,
    force: Annotated[bool, Query(description="promote even if the no-regression gate refuses")] = False,
) -> DefaultAnswer:
    """Make a registered version the default in every worker (each re-reads it within DIGITKIT_DEFAULT_POLL_S).
    Refused (409) when its MNIST or suite accuracy is more than 0.1 points below the current default's."""
    state = service(request)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(
        None, lambda: promote(state.versions, state.promotions, version, state.base_metrics(), force=force)
    )
    await state.follow_default()
    return DefaultAnswer(default=state.default_model, forced=force)


@router.post("/models/reset", response_model=DefaultAnswer)
async def reset_default(request: Request) -> DefaultAnswer:
    """Go back to the configured default model (the shipped one unless --model says otherwise)."""
    state = service(request)
    await asyncio.get_running_loop().run_in_executor(None, lambda: state.promotions.promote(None))
    await state.follow_default()
    return DefaultAnswer(default=state.default_model)


class JobIn(BaseModel):
    recipe: str = Field(default="default", description="a shipped recipe")
    data: Literal["mnist", "feedback", "both"] = Field(
        default="both", description="MNIST, the collected feedback, or both (feedback with MNIST replay)"
    )
    epochs: int = Field(default=2, ge=1, le=100)
    init: str | None = Field(
        default="default", description="a version to fine-tune, 'default' (the shipped checkpoint) or null"
    )
    nproc: int = Field(default=1, ge=1, description="training processes (torchrun, DistributedDataParallel)")
    promote: bool = Field(default=False, description="promote the result if it passes the no-regression gate")
    force: bool = Field(default=False, description="with promote: promote even if the gate refuses")


@router.post("/jobs", status_code=202)
async def start_job(body: JobIn, request: Request) -> dict[str, Any]:
    """Start a training or fine-tuning job in its own low-priority process; 409 while another runs."""
    jobs = service(request).jobs
    job = JobRequest(**body.model_dump())
    return await asyncio.get_running_loop().run_in_executor(None, lambda: jobs.describe(jobs.submit(job)))


@router.get("/jobs")
async def list_jobs(request: Request) -> list[dict[str, Any]]:
    jobs = service(request).jobs
    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: [jobs.describe(job) for job in jobs.store.recent()]
    )


@router.get("/jobs/{job_id}")
async def job_status(job_id: StoredId, request: Request) -> dict[str, Any]:
    """State, epoch, loss, validation accuracy, the registered version and the log's last lines."""
    jobs = service(request).jobs
    return await asyncio.get_running_loop().run_in_executor(None, lambda: jobs.describe(jobs.store.get(job_id)))


@router.delete("/jobs/{job_id}")
async def cancel_job(job_id: StoredId, request: Request) -> dict[str, Any]:
    jobs = service(request).jobs
    return await asyncio.get_running_loop().run_in_executor(None, lambda: jobs.describe(jobs.cancel(job_id)))
