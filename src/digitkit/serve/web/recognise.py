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
    Either way a cut is scored by the classifier times the detector's "is a digit".

    Measured on the drawing benchmark's families (PIL canvases like the page's): cuts between strokes, with the
    detector in the score, read 80% of touching 3-digit numbers (columns: 5%) and rejected more non-digits. A cut
    between strokes is taken whenever one is offered: requiring the pieces to beat the whole changed no figure
    there, and kept a touching "17" whole (read "1") in real Chromium. Column cuts (images sent without strokes)
    scored by the classifier alone cut people's drawings into digit-shaped pieces. With the detector in their score
    too (session 21, the session-17 detector beside both), benchmarks/reject_curve.py: Quick, Draw!'s held-out
    subjects 72.8 -> 85.7% rejected, handwriting-font letters 78.3 -> 82.7%, MNIST digits lost 0.7 -> 0.7%;
    benchmarks/segment.py --canvases 300: non-digits 90.1 -> 94.2%, MNIST digits lost 0.65 -> 0.65%;
    benchmarks/touching.py --numbers 200: touching numbers read 70.5 / 26 / 7.5 -> 80.5 / 36 / 12.5% (advance
    1.0 / 0.8 / 0.6). Falling back to column cuts for single-stroke groups cost 5-12 points of non-digit
    rejection, so it is not done."""
    score = cut_score(model, detector)
    if strokes is None:
        return best_split(find_digits(gray), score)
    drawn = [Stroke(width, np.asarray(points, dtype=np.float64)) for width, points in strokes]
    by_stroke = functools.partial(stroke_options, strokes=drawn)
    return best_split(find_digits(gray), score, by_stroke, trust_cuts=True)


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
