"""Recognise every digit on a drawing: segment, normalize, classify, reject non-digits."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitkit.runtime import Model
from digitkit.runtime.model import softmax
from digitkit.segment import Segment, find_digits, judge
from digitkit.segment.split import best_split
from digitkit.serve.batcher import Batcher


@dataclass
class FoundDigit:
    box: tuple[int, int, int, int]
    label: int | None  #: None: not a digit
    confidence: float
    probabilities: list[float]
    reason: str
    crop: np.ndarray  #: (28, 28) float32 the model saw


async def recognise(gray: np.ndarray, batcher: Batcher, detector: Model | None = None) -> list[FoundDigit]:
    """Segment, classify, and reject non-digits (with the detector's opinion when one is given)."""
    loop = asyncio.get_running_loop()

    def segmented() -> list[Segment]:  # milliseconds on a big canvas: off the loop
        return best_split(find_digits(gray), lambda crops: softmax(batcher.model.predict_logits(crops)))

    segments = await loop.run_in_executor(None, segmented)
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
