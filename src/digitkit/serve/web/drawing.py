"""The drawing page (/ and /review) and its public API: /api/v1/draw and /api/v1/feedback."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from pydantic import AfterValidator, BaseModel, Field

from digitkit.errors import ImageError, LimitError
from digitkit.serve.decode import decode_any_image, decode_base64
from digitkit.serve.state import service

# The drawing page's heavier dependencies (scipy for segmentation, SQLAlchemy for the store) are imported
# on its first request, so the contract service starts small and fast.

STATIC_DIR = Path(__file__).resolve().parent / "static"
router = APIRouter(tags=["drawing"])


MAX_STROKES = 2000
MAX_STROKE_POINTS = 20_000
#: All strokes together: a page full of digits has a few thousand points. Validation runs on the event loop, so
#: this (with the body limit) bounds how long one request can hold it.
MAX_POINTS = 100_000


class StrokeIn(BaseModel):
    width: float = Field(gt=0, le=1000, description="pen width in canvas pixels")
    points: list[tuple[float, float]] = Field(
        min_length=1, max_length=MAX_STROKE_POINTS, description="x, y in canvas pixels, in drawing order"
    )


def _not_too_many_points(strokes: list[StrokeIn] | None) -> list[StrokeIn] | None:
    total = sum(len(s.points) for s in strokes or [])
    if total > MAX_POINTS:
        raise ValueError(f"{total:,} points in all; at most {MAX_POINTS:,}")
    return strokes


StrokesIn = Annotated[list[StrokeIn] | None, AfterValidator(_not_too_many_points)]
STROKES_FIELD = Field(
    default=None,
    max_length=MAX_STROKES,
    description="the pen strokes that drew the canvas, in order (optional): with them, touching digits are "
    "cut between strokes instead of between columns of ink",
)


class DrawRequest(BaseModel):
    image: str = Field(description="the canvas as a PNG data URI")
    strokes: StrokesIn = STROKES_FIELD
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
    strokes: StrokesIn = STROKES_FIELD
    digits: list[FeedbackDigit] = Field(min_length=1)
    model: str | None = None


def _strokes(given: list[StrokeIn] | None) -> list[tuple[float, list[tuple[float, float]]]] | None:
    """(width, points) of each stroke: arrays are made off the event loop, in recognise."""
    return None if given is None else [(s.width, s.points) for s in given]


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
    from digitkit.serve.web.recognise import recognise

    state = service(request)
    batcher = await state.batcher_for(body.model)
    _, gray = await _read_canvas(request, body.image)
    found = await recognise(gray, batcher, state.detector, _strokes(body.strokes), state.groups)
    digits = [
        DigitOut(box=f.box, label=f.label, confidence=f.confidence, probabilities=f.probabilities, reason=f.reason)
        for f in found
    ]
    number = "".join("?" if d.label is None else str(d.label) for d in digits)
    return DrawResponse(number=number, digits=digits, model=batcher.model.name)


@router.post("/api/v1/feedback", status_code=201)
async def feedback(body: FeedbackRequest, request: Request) -> dict[str, int]:
    """Store the drawing, its crops, what the model said and the person's labels."""
    from digitkit.serve.web.recognise import crop_png, recognise
    from digitkit.store.db import DigitIn
    from digitkit.store.tables import NOT_A_DIGIT

    state = service(request)
    batcher = await state.batcher_for(body.model)
    data, gray = await _read_canvas(request, body.image)
    cap = state.settings.max_drawing_bytes
    if len(data) > cap:
        raise LimitError(
            f"the drawing is {len(data):,} bytes; feedback stores at most {cap:,} (DIGITKIT_MAX_DRAWING_BYTES)"
        )
    found = {f.box: f for f in await recognise(gray, batcher, state.detector, _strokes(body.strokes), state.groups)}
    rows = []
    for digit in body.digits:
        seen = found.get(digit.box)
        if seen is None:
            raise ImageError(
                f"no digit at box {list(digit.box)} in this drawing; send the boxes /api/v1/draw returned "
                "(and the same strokes, if it was sent strokes)"
            )
        predicted = NOT_A_DIGIT if seen.label is None else seen.label
        rows.append(DigitIn(digit.box, crop_png(seen.crop), predicted, seen.confidence, digit.label))
    meta = batcher.model.meta
    sample_id = await asyncio.get_running_loop().run_in_executor(
        None, lambda: state.store.add(drawing_png=data, model=f"{meta.name}/{meta.recipe}", digits=rows)
    )
    return {"id": sample_id}
