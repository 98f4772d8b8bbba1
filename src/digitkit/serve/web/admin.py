"""Admin routes: the stored feedback, listed, relabelled and deleted. Each needs the admin token."""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated

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


@router.get("/api/v1/samples")
async def samples(
    request: Request,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100, description="drawings per page")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="drawings to skip")] = 0,
) -> list[dict[str, object]]:
    """One page of the stored drawings, those with a corrected digit first. ``X-Total-Count`` gives how many are
    stored; ``X-Next-Offset`` is where the next page starts, absent on the last page."""
    store = service(request).store
    loop = asyncio.get_running_loop()
    rows, total = await loop.run_in_executor(None, lambda: (store.samples(limit, offset), store.count()))
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
