"""Find the digits on a canvas: connected ink, strokes of one digit merged, ordered left to right.

Ink is labelled after a dilation proportional to the writing's height (so a pen that lifts inside a digit
still joins), then components whose
horizontal extents overlap mostly are merged: the two strokes of a 4 or a 5 overlap in x, two digits side
by side do not. Specks far smaller than the largest group are dropped as noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from digitkit.preprocess import INK_THRESHOLD, normalize, to_float, white_on_black

MERGE_OVERLAP = 0.5  #: merge two groups when their x-overlap covers this share of the narrower one
SPECK_SHARE = 0.02  #: groups with less ink than this share of the largest are noise
MAX_DIGITS = 32
JOIN_SHARE = 0.05  #: dilation radius as a share of the ink's height
FRAME = 3  #: dark pixels around a trimmed piece before it is normalized (see piece_segment)


@dataclass
class Segment:
    box: tuple[int, int, int, int]  #: x, y, width, height in canvas pixels
    image: np.ndarray  #: (28, 28) float32, MNIST-normalized
    ink_mass: float
    components: int  #: connected pieces of ink merged into this group
    ink: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.float32))  #: the raw crop


def piece_segment(part: np.ndarray, x: int, y: int) -> Segment:
    """A segment for the trimmed ink ``part`` (white on black) whose top-left corner is at canvas (x, y). It is
    normalized inside a dark frame: ink along a whole edge of a tight crop (a 7's bar) would otherwise pass for
    an inverted band at the image's border and be turned back (preprocess._unstripe), leaving a 7 as a 1."""
    image = normalize(np.pad(part, FRAME))
    return Segment((x, y, part.shape[1], part.shape[0]), image, float(part.sum()), 1, part)


def _merge_overlapping(boxes: list[list[int]]) -> list[list[int]]:
    """boxes: [x0, y0, x1, y1, pieces]; merge while any two overlap enough in x."""
    merged = True
    while merged:
        merged = False
        boxes.sort(key=lambda b: b[0])
        for i in range(len(boxes) - 1):
            a, b = boxes[i], boxes[i + 1]
            overlap = min(a[2], b[2]) - max(a[0], b[0])
            narrower = min(a[2] - a[0], b[2] - b[0]) or 1
            if overlap / narrower >= MERGE_OVERLAP:
                boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]), a[4] + b[4]]
                del boxes[i + 1]
                merged = True
                break
    return boxes


def find_digits(image: np.ndarray) -> list[Segment]:
    """A grayscale canvas (any size, either polarity) -> its digits, left to right. Empty canvas: []."""
    gray = white_on_black(to_float(image))
    peak = float(gray.max())
    if peak < 0.08:
        return []
    ink = gray > INK_THRESHOLD * peak
    rows = np.flatnonzero(ink.any(axis=1))
    # Join strokes closer than ~10% of the writing's height: a pen lifted inside one digit, not between two.
    reach = max(1, round(JOIN_SHARE * (rows[-1] - rows[0] + 1)))
    labels, count = ndimage.label(ndimage.binary_dilation(ink, iterations=reach))
    if count == 0:
        return []
    slices = ndimage.find_objects(labels)
    masses = ndimage.sum(gray, labels, index=np.arange(1, count + 1))
    boxes = [[s[1].start, s[0].start, s[1].stop, s[0].stop, 1] for s in slices if s is not None]
    keep = [b for b, m in zip(boxes, masses, strict=True) if m >= SPECK_SHARE * masses.max()]
    segments = []
    for x0, y0, x1, y1, pieces in _merge_overlapping(keep)[:MAX_DIGITS]:
        crop = np.where(labels[y0:y1, x0:x1] > 0, gray[y0:y1, x0:x1], 0.0).astype(np.float32)
        segments.append(Segment((x0, y0, x1 - x0, y1 - y0), normalize(crop), float(crop.sum()), pieces, crop))
    return segments
