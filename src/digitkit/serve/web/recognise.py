"""Recognise every digit on a drawing: segment, normalize, classify, reject non-digits."""

from __future__ import annotations

import asyncio
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitkit.runtime import Model
from digitkit.runtime.model import softmax
from digitkit.segment import Segment, find_digits, judge
from digitkit.segment.split import Scorer, best_split
from digitkit.segment.strokes import Stroke, stroke_options
from digitkit.serve.batcher import Batcher


@dataclass
class FoundDigit:
    box: tuple[int, int, int, int]
    label: int | None  #: None: not a digit
    confidence: float
    probabilities: list[float]
    reason: str
    crop: np.ndarray  #: (28, 28) float32 the model saw


def cut_score(model: Model, detector: Model | None) -> Scorer:
    """How sure we are that each candidate piece is each digit: the classifier's probabilities, times the
    detector's that the piece is a digit at all (two digits merged, or half of one, are not)."""

    def score(crops: np.ndarray) -> np.ndarray:
        proba = softmax(model.predict_logits(crops))
        return proba if detector is None else proba * softmax(detector.predict_logits(crops))[:, :1]

    return score


def segmented(
    gray: np.ndarray,
    model: Model,
    detector: Model | None = None,
    strokes: Sequence[tuple[float, Sequence[tuple[float, float]]]] | None = None,
) -> list[Segment]:
    """The drawing's pieces, left to right: cut between ``strokes`` when the page sent them, else between columns.

    Measured on the drawing benchmark's families (PIL canvases like the page's): cuts between strokes, with the
    detector in the score, read 80% of touching 3-digit numbers (columns: 5%) and rejected more non-digits; the
    detector in the score of column cuts cost 3-6 points of non-digit rejection per family, and falling back to
    column cuts for single-stroke groups cost 5-12, so neither is done. A cut between strokes is taken whenever one
    is offered: requiring the pieces to beat the whole changed no figure there, and kept a touching "17" whole
    (read "1") in real Chromium."""
    if strokes is None:
        return best_split(find_digits(gray), cut_score(model, None))
    drawn = [Stroke(width, np.asarray(points, dtype=np.float64)) for width, points in strokes]
    by_stroke = functools.partial(stroke_options, strokes=drawn)
    return best_split(find_digits(gray), cut_score(model, detector), by_stroke, trust_cuts=True)


async def recognise(
    gray: np.ndarray,
    batcher: Batcher,
    detector: Model | None = None,
    strokes: Sequence[tuple[float, Sequence[tuple[float, float]]]] | None = None,
) -> list[FoundDigit]:
    """Segment, classify, and reject non-digits (with the detector's opinion when one is given)."""
    loop = asyncio.get_running_loop()
    # milliseconds on a big canvas: off the loop
    segments = await loop.run_in_executor(None, segmented, gray, batcher.model, detector, strokes)
    if not segments:
        return []
    crops = np.stack([s.image for s in segments])
    proba = await batcher.predict_proba(crops, normalized=True)
    others: list[float | None] = [None] * len(segments)
    if detector is not None:
        logits = await loop.run_in_executor(None, detector.predict_logits, crops)
        others = [float(p[1]) for p in softmax(logits)]
    tallest = max(s.box[3] for s in segments)
    found = []
    for segment, p, other in zip(segments, proba, others, strict=True):
        verdict = judge(p, segment.box, segment.image, tallest, other)
        found.append(
            FoundDigit(
                segment.box,
                int(p.argmax()) if verdict.is_digit else None,
                float(p.max()),
                [round(float(v), 5) for v in p],
                verdict.reason,
                segment.image,
            )
        )
    return found


def crop_png(crop: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray((np.clip(crop, 0, 1) * 255).round().astype(np.uint8), mode="L").save(buffer, format="PNG")
    return buffer.getvalue()
