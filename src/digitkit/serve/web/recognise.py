"""Recognise every digit on a drawing: segment, normalize, classify, reject non-digits."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitkit.runtime import Model
from digitkit.runtime.model import softmax
from digitkit.segment import Segment, find_digits, judge
from digitkit.segment.split import MIN_PIECE_SCORE, Cutter, Scorer, best_split
from digitkit.segment.strokes import Stroke, stroke_options
from digitkit.serve.batcher import Batcher

SentStrokes = Sequence[tuple[float, Sequence[tuple[float, float]]]]  #: (pen width, [(x, y), ...]) per stroke, as sent

#: No cut between strokes for a group the groups model (tasks.GROUPS, data/groups.py) gives more than this for "one
#: drawing". benchmarks/cut_veto.py, the page in-process with and without it on the same drawings (docs/drawing-page.md,
#: sessions 29-30): at 0.8 the shipped model kept 4 of the 14 hand-drawn touching 170s the page cuts whole; at 0.9
#: none, and it still keeps the letters that the lower gate below would cut into digits.
ONE_DRAWING = 0.9
#: With the groups model vetoing cuts through letters, a cut between strokes needs each piece to score only this much
#: (split.MIN_PIECE_SCORE, 0.4, still holds for column cuts and without a groups model): a script digit the detector
#: doubts no longer keeps a touching number whole. benchmarks/cut_veto.py's drawings, in-process: Hershey's touching
#: numbers 160 -> 166 / 170 / 171 of 200 at 0.3 / 0.2 / 0.1, digitkit's 195 -> 197 / 197 / 198, every non-digit
#: family unchanged (docs/drawing-page.md, session 29).
STROKE_PIECE_SCORE = 0.2


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


def stroke_cutter(strokes: list[Stroke], groups: Model | None) -> Cutter:
    """The ways to cut a group between ``strokes`` (segment/strokes.py), none where ``groups`` takes the group for
    one drawing: a letter in several strokes comes apart into digits' shapes (an eta into 77, an h into 17)."""

    def cut(segment: Segment) -> list[list[Segment]]:
        found = stroke_options(segment, strokes)
        if found and groups is not None and softmax(groups.predict_logits(segment.image[None]))[0, 1] > ONE_DRAWING:
            return []
        return found

    return cut


def segmented(
    gray: np.ndarray,
    model: Model,
    detector: Model | None = None,
    strokes: SentStrokes | None = None,
    groups: Model | None = None,
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
    rejection, so it is not done. ``groups`` (the groups model, if one ships) vetoes cuts between strokes, and with
    it a cut between strokes needs only STROKE_PIECE_SCORE of each piece."""
    score = cut_score(model, detector)
    if strokes is None:
        return best_split(find_digits(gray), score)
    drawn = [Stroke(width, np.asarray(points, dtype=np.float64)) for width, points in strokes]
    gate = MIN_PIECE_SCORE if groups is None else STROKE_PIECE_SCORE
    return best_split(find_digits(gray), score, stroke_cutter(drawn, groups), trust_cuts=True, min_piece_score=gate)


async def recognise(
    gray: np.ndarray,
    batcher: Batcher,
    detector: Model | None = None,
    strokes: SentStrokes | None = None,
    groups: Model | None = None,
) -> list[FoundDigit]:
    """Segment, classify, and reject non-digits (with the detector's opinion when one is given)."""
    loop = asyncio.get_running_loop()
    # milliseconds on a big canvas: off the loop
    segments = await loop.run_in_executor(None, segmented, gray, batcher.model, detector, strokes, groups)
    if not segments:
        return []
    crops = np.stack([s.image for s in segments])
    proba = await batcher.predict_proba(crops, normalized=True)
    others = None if detector is None else await loop.run_in_executor(None, detector.predict_logits, crops)
    return judged(segments, proba, None if others is None else softmax(others)[:, 1])


def recognised(
    gray: np.ndarray,
    model: Model,
    detector: Model | None = None,
    strokes: SentStrokes | None = None,
    groups: Model | None = None,
) -> list[FoundDigit]:
    """What :func:`recognise` answers, worked out in the caller's thread without a batcher (benchmarks, tests)."""
    segments = segmented(gray, model, detector, strokes, groups)
    if not segments:
        return []
    crops = np.stack([s.image for s in segments])
    others = None if detector is None else softmax(detector.predict_logits(crops))[:, 1]
    return judged(segments, softmax(model.predict_logits(crops)), others)


def judged(segments: list[Segment], proba: np.ndarray, others: np.ndarray | None) -> list[FoundDigit]:
    """Each piece with the classifier's ``proba`` and the detector's "not a digit" (``others``), judged."""
    tallest = max(s.box[3] for s in segments)
    found = []
    for index, (segment, p) in enumerate(zip(segments, proba, strict=True)):
        verdict = judge(p, segment.box, segment.image, tallest, None if others is None else float(others[index]))
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
