"""Is a crop a digit? The classifier's confidence plus the shape cues that MNIST digits never break.

A model trained on ten digits answers a digit for anything; these checks turn scribbles, letters-like
shapes, lines and dots into "not a digit". Thresholds are set on synthetic data by benchmarks/segment.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_CONFIDENCE = 0.70  #: below this top-class probability the crop is not trusted as a digit
MAX_ASPECT = 1.6  #: width / height; MNIST digits are taller than wide or square, never much wider
MIN_HEIGHT_SHARE = 0.25  #: a digit is at least this tall relative to the tallest on the canvas
MAX_INK_FILL = 0.80  #: share of the 20x20 box covered by ink; filled blobs and dense scribbles exceed it


@dataclass
class Verdict:
    is_digit: bool
    reason: str  #: "" for digits, else why it was rejected


def judge(probabilities: np.ndarray, box: tuple[int, int, int, int], image: np.ndarray, tallest: int) -> Verdict:
    """Decide for one crop; ``image`` is its normalized 28x28, ``tallest`` the tallest box on the canvas."""
    _, _, width, height = box
    if width / max(height, 1) > MAX_ASPECT:
        return Verdict(False, "wider than any digit")
    if height < MIN_HEIGHT_SHARE * tallest:
        return Verdict(False, "too small beside the other digits")
    if float((image > 0.5).mean()) * (28 * 28) / (20 * 20) > MAX_INK_FILL:
        return Verdict(False, "too much ink for a digit")
    if float(probabilities.max()) < MIN_CONFIDENCE:
        return Verdict(False, "the model is not confident it is a digit")
    return Verdict(True, "")
