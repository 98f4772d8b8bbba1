"""Admin routes: the stored feedback, listed, relabelled and deleted. Each needs the admin token."""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from digitkit.serve.security import require_admin
from digitkit.serve.state import service

router = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])


MAX_ID = 2**63 - 1  #: the largest row id a database stores; larger ones are refused before any query
StoredId = Annotated[int, Path(ge=1, le=MAX_ID, description="a stored row's id")]


class LabelRequest(BaseModel):
    label: int = Field(ge=-1, le=9)


#: A page stops early once its drawings reach this many bytes (X-Next-Offset continues from there).
PAGE_BYTES = 8 * 1024 * 1024


def _within_page_bytes(rows: list[Any]) -> list[Any]:
    """The leading rows whose drawings and crops fit in PAGE_BYTES (always at least one)."""
    kept: list[Any] = []
    size = 0
    for row in rows:
        size += len(row.drawing_png) + sum(len(d.crop_png) for d in row.digits)
        if kept and size > PAGE_BYTES:
            break
        kept.append(row)
    return kept


@router.get("/api/v1/samples")
async def samples(
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100, description="drawings per page")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="drawings to skip")] = 0,
) -> list[dict[str, object]]:
    """One page of the stored drawings, those with a corrected digit first: ``limit`` drawings, or fewer once they
    reach PAGE_BYTES. ``X-Total-Count`` gives how many are stored; ``X-Next-Offset`` is where the next page
    starts, absent on the last page."""
    store = service(request).store
    loop = asyncio.get_running_loop()
    rows, total = await loop.run_in_executor(None, lambda: (store.samples(limit, offset), store.count()))
    rows = _within_page_bytes(rows)
    response.headers["X-Total-Count"] = str(total)
    if offset + len(rows) < total:
        response.headers["X-Next-Offset"] = str(offset + len(rows))
    return [
        {
            "id": s.id,
            "created_at": s.created_at.isoformat(),
            "model": s.model,
            "drawing": "data:image/png;base64," + base64.b64encode(s.drawing_png).decode(),
            "digits": [
                {
                    "id": d.id,
                    "box": [int(v) for v in d.box.split(",")],
                    "predicted": d.predicted,
                    "label": d.label,
                    "confidence": d.confidence,
                    "disagrees": d.disagrees,
                    "crop": "data:image/png;base64," + base64.b64encode(d.crop_png).decode(),
                }
                for d in s.digits
            ],
        }
        for s in rows
    ]


@router.put("/api/v1/digits/{digit_id}/label")
async def relabel(digit_id: StoredId, body: LabelRequest, request: Request) -> dict[str, int]:
    await asyncio.get_running_loop().run_in_executor(None, service(request).store.relabel, digit_id, body.label)
    return {"id": digit_id, "label": body.label}


@router.delete("/api/v1/samples/{sample_id}", status_code=204)
async def delete(sample_id: StoredId, request: Request) -> Response:
    await asyncio.get_running_loop().run_in_executor(None, service(request).store.delete, sample_id)
    return Response(status_code=204)
