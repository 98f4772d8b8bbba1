"""Is a crop a digit? The classifier's confidence plus the shape cues that MNIST digits never break.

A model trained on ten digits answers a digit for anything; these checks turn scribbles, letters-like
shapes, lines and dots into "not a digit". Thresholds are set on synthetic data by benchmarks/segment.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

#: The detector's probability of "not a digit" above which a crop is rejected. With the pen-trained
#: detector_medium: 0.7 rejected 0.85% of 2,000 MNIST test digits on canvases (benchmarks/segment.py; 1.15% at
#: 0.5) and 0.7% of stroke-drawn digits, and 93% of the trained non-digit families drawn as strokes (94.5% at
#: 0.5, 92% at 0.8; the drawing benchmark's families on the page's canvas). The session-13 detector (8 epochs, twice
#: the drawings) is surer of non-digits: at 0.7 it lost 1.00% of the MNIST digits and rejected 97.0% of the trained
#: families, at 0.8 0.70% and 96.6%, so 0.8 (one of 300 stroke digits lost at both).
MAX_OTHER = 0.8
MIN_CONFIDENCE = 0.45  #: below this top-class probability the crop is not trusted as a digit ...
#: ... unless the detector gives "not a digit" no more than this: whether ink is a digit is the detector's question,
#: which digit the classifier's, so such a piece is an unsure digit (the page marks it and offers its two likeliest
#: digits). Hershey's digits lost on the drawing benchmark's canvases 9 -> 5 of 300 (a roman 6 the classifier reads
#: 0, 6 or 8), MNIST digits on benchmarks/segment.py's 0.65 -> 0.40%, one more held-out object or glyph in a hundred
#: let through (docs/drawing-page.md, session 26).
SURELY_A_DIGIT = 0.05
MAX_ASPECT = 1.9  #: width / height; MNIST digits are taller than wide or square, never much wider
MIN_HEIGHT_SHARE = 0.25  #: a digit is at least this tall relative to the tallest on the canvas
MAX_CORE = 0.58  #: share of the ink surviving two erosions; strokes vanish, filled shapes keep their core
MAX_HOLES = 3  #: an 8 encloses two regions (three with a pen slip); grids and stars enclose more
BOX_HOLE_AREA = 80  #: pixels (of 784): a hole this large is a 0's ...
BOX_HOLE_FILL = 0.9  #: ... unless it fills its bounding box like a rectangle's


@dataclass
class Verdict:
    is_digit: bool
    reason: str  #: "" for digits, else why it was rejected


def holes(image: np.ndarray) -> list[tuple[int, float]]:
    """(area, share of its bounding box) of each background region the ink encloses."""
    background, count = ndimage.label(image <= 0.3)
    edge = set(np.unique(np.concatenate([background[0], background[-1], background[:, 0], background[:, -1]])))
    found = []
    for index, region in enumerate(ndimage.find_objects(background), start=1):
        if region is None or index in edge:
            continue
        area = int((background[region] == index).sum())
        if area >= 2:  # single pixels are pen texture, not loops
            found.append((area, area / ((region[0].stop - region[0].start) * (region[1].stop - region[1].start))))
    return found


def judge(
    probabilities: np.ndarray,
    box: tuple[int, int, int, int],
    image: np.ndarray,
    tallest: int,
    other: float | None = None,
) -> Verdict:
    """Decide for one crop; ``image`` is its normalized 28x28, ``tallest`` the tallest box on the canvas,
    ``other`` the detector's probability that it is no digit (None when no detector is shipped)."""
    _, _, width, height = box
    if width / max(height, 1) > MAX_ASPECT:
        return Verdict(False, "wider than any digit")
    if height < MIN_HEIGHT_SHARE * tallest:
        return Verdict(False, "too small beside the other digits")
    ink = image > 0.5
    if ndimage.binary_erosion(ink, iterations=2).sum() > MAX_CORE * max(int(ink.sum()), 1):
        return Verdict(False, "a filled shape, not pen strokes")
    if other is not None and other > MAX_OTHER:
        return Verdict(False, "looks like no digit")
    enclosed = holes(image)
    if len(enclosed) > MAX_HOLES:
        return Verdict(False, "more loops than any digit")
    if any(area > BOX_HOLE_AREA and fill > BOX_HOLE_FILL for area, fill in enclosed):
        return Verdict(False, "a box, not a digit")
    if float(probabilities.max()) < MIN_CONFIDENCE and (other is None or other > SURELY_A_DIGIT):
        return Verdict(False, "the model is not confident it is a digit")
    return Verdict(True, "")
