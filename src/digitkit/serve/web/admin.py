"""Admin routes: the stored feedback, listed, relabelled and deleted. Each needs the admin token."""

from __future__ import annotations

import asyncio
import base64

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from digitkit.serve.security import require_admin
from digitkit.serve.state import service

router = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])


class LabelRequest(BaseModel):
    label: int = Field(ge=-1, le=9)


@router.get("/api/v1/samples")
async def samples(request: Request, limit: int = 100) -> list[dict[str, object]]:
    """Stored drawings, those with a corrected digit first."""
    rows = await asyncio.get_running_loop().run_in_executor(
        None, service(request).store.samples, min(max(limit, 1), 1000)
    )
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
async def relabel(digit_id: int, body: LabelRequest, request: Request) -> dict[str, int]:
    await asyncio.get_running_loop().run_in_executor(None, service(request).store.relabel, digit_id, body.label)
    return {"id": digit_id, "label": body.label}


@router.delete("/api/v1/samples/{sample_id}", status_code=204)
async def delete(sample_id: int, request: Request) -> Response:
    await asyncio.get_running_loop().run_in_executor(None, service(request).store.delete, sample_id)
    return Response(status_code=204)
