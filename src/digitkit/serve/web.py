"""The drawing page's API (/api/v1/draw, /api/v1/feedback, /api/v1/samples) and its static pages."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, Field

from digitkit.errors import ImageError
from digitkit.serve.decode import decode_any_image, decode_base64
from digitkit.serve.security import require_admin
from digitkit.serve.state import service

if TYPE_CHECKING:
    from digitkit.runtime import Model
    from digitkit.store.db import FeedbackStore

# The drawing page's heavier dependencies (scipy for segmentation, SQLAlchemy for the store) are imported
# on its first request, so the contract service starts small and fast.

STATIC_DIR = Path(__file__).resolve().parent / "static"
router = APIRouter(tags=["drawing"])


class DrawRequest(BaseModel):
    image: str = Field(description="the canvas as a PNG data URI")
    model: str | None = None


class DigitOut(BaseModel):
    box: tuple[int, int, int, int] = Field(description="x, y, width, height in canvas pixels")
    label: int | None = Field(description="the digit, or null for 'not a digit'")
    confidence: float
    probabilities: list[float]
    reason: str = Field(description="why it is not a digit; empty for digits")


class DrawResponse(BaseModel):
    number: str = Field(description="the digits left to right; '?' stands for a non-digit")
    digits: list[DigitOut]
    model: str


class FeedbackDigit(BaseModel):
    box: tuple[int, int, int, int]
    predicted: int | None = Field(description="what the page showed (null: not a digit)")
    label: int = Field(ge=-1, le=9, description="the person's answer: 0-9, or -1 for not a digit")


class FeedbackRequest(BaseModel):
    image: str = Field(description="the canvas as a PNG data URI, exactly as sent to /api/v1/draw")
    digits: list[FeedbackDigit] = Field(min_length=1)
    model: str | None = None


class LabelRequest(BaseModel):
    label: int = Field(ge=-1, le=9)


def _detector(request: Request) -> Model | None:
    """The shipped digit/non-digit detector, loaded on first use; None when the package ships none."""
    from digitkit.runtime import load_model, shipped_models

    state = request.app.state
    if not hasattr(state, "detector"):
        state.detector = load_model("detector") if "detector" in shipped_models() else None
    detector: Model | None = state.detector
    return detector


def _store(request: Request) -> FeedbackStore:
    """Opened on first use, so the service starts (and serves predictions) even when the database is down."""
    from digitkit.store.db import FeedbackStore

    state = request.app.state
    if getattr(state, "store", None) is None:
        state.store = FeedbackStore(service(request).settings.feedback_url())
    store: FeedbackStore = state.store
    return store


async def _read_canvas(request: Request, text: str) -> tuple[bytes, np.ndarray]:
    settings = service(request).settings
    data = decode_base64(text, settings.max_body_bytes, "canvas")
    gray = await asyncio.get_running_loop().run_in_executor(None, decode_any_image, data, settings.max_pixels, "canvas")
    return data, gray


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")


@router.get("/review", include_in_schema=False)
async def review_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "review.html")


@router.post("/api/v1/draw", response_model=DrawResponse)
async def draw(body: DrawRequest, request: Request) -> DrawResponse:
    """Find, classify and box every digit of a drawing; non-digits are answered as such."""
    from digitkit.serve.drawing import recognise

    batcher = service(request).batcher(body.model)
    _, gray = await _read_canvas(request, body.image)
    found = await recognise(gray, batcher, _detector(request))
    digits = [
        DigitOut(box=f.box, label=f.label, confidence=f.confidence, probabilities=f.probabilities, reason=f.reason)
        for f in found
    ]
    number = "".join("?" if d.label is None else str(d.label) for d in digits)
    return DrawResponse(number=number, digits=digits, model=batcher.model.name)


@router.post("/api/v1/feedback", status_code=201)
async def feedback(body: FeedbackRequest, request: Request) -> dict[str, int]:
    """Store the drawing, its crops, what the model said and the person's labels."""
    from digitkit.serve.drawing import crop_png, recognise
    from digitkit.store.db import DigitIn
    from digitkit.store.tables import NOT_A_DIGIT

    batcher = service(request).batcher(body.model)
    data, gray = await _read_canvas(request, body.image)
    found = {f.box: f for f in await recognise(gray, batcher, _detector(request))}
    rows = []
    for digit in body.digits:
        seen = found.get(digit.box)
        if seen is None:
            raise ImageError(f"no digit at box {list(digit.box)} in this drawing; send the boxes /api/v1/draw returned")
        predicted = NOT_A_DIGIT if seen.label is None else seen.label
        rows.append(DigitIn(digit.box, crop_png(seen.crop), predicted, seen.confidence, digit.label))
    meta = batcher.model.meta
    sample_id = await asyncio.get_running_loop().run_in_executor(
        None, lambda: _store(request).add(drawing_png=data, model=f"{meta.name}/{meta.recipe}", digits=rows)
    )
    return {"id": sample_id}


@router.get("/api/v1/samples", dependencies=[Depends(require_admin)])
async def samples(request: Request, limit: int = 100) -> list[dict[str, object]]:
    """Stored drawings, those with a corrected digit first."""
    rows = await asyncio.get_running_loop().run_in_executor(None, _store(request).samples, min(max(limit, 1), 1000))
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


@router.put("/api/v1/digits/{digit_id}/label", dependencies=[Depends(require_admin)])
async def relabel(digit_id: int, body: LabelRequest, request: Request) -> dict[str, int]:
    await asyncio.get_running_loop().run_in_executor(None, _store(request).relabel, digit_id, body.label)
    return {"id": digit_id, "label": body.label}


@router.delete("/api/v1/samples/{sample_id}", status_code=204, dependencies=[Depends(require_admin)])
async def delete(sample_id: int, request: Request) -> Response:
    await asyncio.get_running_loop().run_in_executor(None, _store(request).delete, sample_id)
    return Response(status_code=204)
