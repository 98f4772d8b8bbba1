"""Split digits that touch: candidate cuts from the ink's column profile, scored by the classifier.

Connected ink that is wider than a digit usually holds several. Each valley of its column profile (few ink
pixels in that column) is a candidate cut; every way of cutting the group into 2-4 pieces whose widths a digit
can have is an option, and the classifier scores each option by the mean log-probability of its pieces' best
classes, as digit-string recognizers do. The whole group is an option too, so a wide but single digit stays
whole unless splitting is clearly surer.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
from scipy import ndimage

from digitkit.segment.digits import Segment, piece_segment

SPLIT_ASPECT = 1.15  #: groups at least this wide (width / height) are tried for splits
MAX_PIECES = 4
MAX_CUTS = 6  #: the deepest valleys considered as cuts
MIN_PIECE = 0.25  #: a piece is at least this wide, as a share of the group's height ...
MAX_PIECE = 1.1  #: ... and at most this wide
#: A cut is no option when one of its pieces scores below this (its best digit's probability, times the
#: detector's that it is a digit at all): a piece the page would reject means the cut went through a letter
#: (a k's chevron, an H's crossbar) or a digit, not between digits. The pieces of numbers read right on the
#: drawing benchmark's canvases all scored 0.44 or more (586 pieces, seeds 1 and 2, session 10).
MIN_PIECE_SCORE = 0.4
WHOLE_MARGIN = 0.1  #: a split must beat the whole group's mean log-probability by this much ...
SURELY_SEVERAL = 1.9  #: ... unless the group is this wide (width / height): then the best split is taken

Scorer = Callable[[np.ndarray], np.ndarray]  #: (N, 28, 28) crops -> (N, classes) probabilities
Cutter = Callable[[Segment], list[list[Segment]]]  #: a group -> its ways to be cut into digits


def _valleys(ink: np.ndarray) -> list[int]:
    """Columns where the (smoothed) amount of ink has a local minimum, deepest first, away from the ends."""
    profile = ndimage.uniform_filter1d(ink.sum(axis=0).astype(np.float64), size=3)
    width = len(profile)
    inner = range(max(1, int(0.12 * width)), min(width - 1, int(0.88 * width)))
    minima = [x for x in inner if profile[x] <= profile[x - 1] and profile[x] <= profile[x + 1]]
    return sorted(sorted(minima, key=lambda x: profile[x])[:MAX_CUTS])


def _piece(segment: Segment, ink: np.ndarray, x0: int, x1: int) -> Segment | None:
    """The ink between two cuts, trimmed to its rows, as a segment of its own (None when empty)."""
    part = ink[:, x0:x1]
    rows = np.flatnonzero(part.any(axis=1))
    if rows.size == 0:
        return None
    return piece_segment(part[rows[0] : rows[-1] + 1], segment.box[0] + x0, segment.box[1] + int(rows[0]))


def options(segment: Segment) -> list[list[Segment]]:
    """Ways to cut one group into 2-4 digit-sized pieces (none for a group narrower than SPLIT_ASPECT)."""
    ink = segment.ink
    height, width = ink.shape
    if width < SPLIT_ASPECT * height:
        return []
    # Valleys, plus even cuts for 2-3 pieces: where digits touch along a whole stroke no valley shows.
    even = {round(width * i / n) for n in (2, 3) for i in range(1, n)}
    cuts = sorted(set(_valleys(ink > 0)) | even)
    found = []
    for count in range(1, min(MAX_PIECES, len(cuts) + 1)):
        for chosen in itertools.combinations(cuts, count):
            edges = [0, *chosen, width]
            widths = np.diff(edges)
            if widths.min() < MIN_PIECE * height or widths.max() > MAX_PIECE * height:
                continue
            pieces = [_piece(segment, ink, a, b) for a, b in itertools.pairwise(edges)]
            if all(p is not None for p in pieces):
                found.append([p for p in pieces if p is not None])
    return found


def best_split(
    segments: list[Segment],
    score: Scorer,
    cut: Cutter = options,
    trust_cuts: bool = False,
    min_piece_score: float = MIN_PIECE_SCORE,
) -> list[Segment]:
    """Each group, or its best split (of those ``cut`` offers whose every piece scores ``min_piece_score``) when
    the classifier is clearly surer of the pieces, or whenever one is offered if ``trust_cuts``."""
    choices = [[[s], *cut(s)] for s in segments]
    crops = [p.image for group in choices for option in group for p in option]
    if len(crops) == len(segments):  # nothing to split
        return segments
    sure = score(np.stack(crops)).max(axis=1)
    confidence = np.log(np.clip(sure, 1e-6, 1.0))
    out: list[Segment] = []
    at = 0
    for group in choices:
        scored, cuts = [], []  # each option's mean log-probability; the cuts whose every piece is sure enough
        for index, option in enumerate(group):
            pieces = slice(at, at + len(option))
            scored.append(float(confidence[pieces].mean()))
            if index and sure[pieces].min() >= min_piece_score:
                cuts.append(index)
            at += len(option)
        best = max(cuts, key=scored.__getitem__, default=0)
        whole = group[0][0]
        wide = whole.box[2] >= SURELY_SEVERAL * whole.box[3]
        surer = scored[best] > scored[0] + WHOLE_MARGIN
        out.extend(group[best] if best and (trust_cuts or wide or surer) else group[0])
    return out
