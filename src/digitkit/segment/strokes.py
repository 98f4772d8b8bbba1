"""Cut a group of ink between pen strokes: the page knows which ink each stroke laid down, and in what order.

People write a number digit by digit, so the strokes of one digit follow one another. Where digits touch, no
column of the ink separates them, but a cut between two consecutive strokes does. Every way of cutting a group's
strokes into 2-4 runs is an option when the runs stand side by side as digits do (see ``side_by_side``) and no two
straight runs lean apart (see ``splayed``); which option wins is for the classifier to say (split.best_split), and
whether a group is cut at all, for the groups model where one ships (serve/web/recognise.stroke_cutter): a letter
in two or three strokes comes apart into digits' shapes just as touching digits do.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from digitkit.segment.digits import Segment, piece_segment

MAX_PIECES = 4
MAX_STROKES = 12  #: groups of more new strokes than this (hatching, scribbling over) are not cut by stroke
RETRACE = 0.6  #: a stroke with this share of its points on ink already drawn goes over it: no cut before it
#: Retraces included, no group of more strokes is cut by stroke: each stroke's footprint is drawn first, so this
#: bounds the work a request's strokes (up to 2,000) can cause.
MAX_GROUP_STROKES = 4 * MAX_STROKES
MIN_HEIGHT = 0.5  #: every piece is at least this tall relative to the tallest piece
#: A run is straight when its points spread across their line by at most this share of their spread along it ...
LINE_SPREAD = 0.15
#: ... and two straight runs whose slants differ by more than this many degrees lean apart like a V's strokes, not
#: like two 1s. Jittered as the drawing benchmark jitters a hand (data/strokes.jittered: up to 11 degrees of rotation
#: and 14 of slant each), no pair of 200 straight 1s, Hershey's or digitkit's, differed by this much; a V's strokes do,
#: and before this rule Hershey's V came back as 11 in 18 of 20 jitters (docs/drawing-page.md, session 27).
MAX_SPLAY = 35.0
#: A run's centre within this share of the other run's width from its edge does not count as inside it. A 1 whose
#: 7 starts its bar on the 1's ink, or a 0 that overlaps its 7, has its centre just inside: at 0.05, 12 more of
#: benchmarks/cut_veto.py's 30 hand-drawn touching 170s are read, but an n, H or p is then cut at its stem too (17, 14,
#: 10), and with the shipped groups model Hershey's Latin letters rejected fall 97.0 -> 93.5%, still 93.5% with a
#: groups model trained on the looser rule (`cut_veto.py --centre-margin`; docs/drawing-page.md, session 31).
CENTRE_MARGIN = 0.0
INSIDE = 0.5  #: a stroke belongs to a group when this share of its points lies in the group's box


@dataclass(frozen=True)
class Stroke:
    width: float  #: pen width in canvas pixels
    points: np.ndarray  #: (n, 2) x, y in canvas pixels, in drawing order


def pen_line(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: float, fill: int) -> None:
    """One stroke with a round pen, as a canvas draws it (round caps and joins)."""
    draw.line(points, fill=fill, width=max(1, round(width)), joint="curve")
    radius = width / 2
    for x, y in {points[0], points[-1]}:
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=fill)


def footprint(stroke: Stroke, origin: tuple[int, int], shape: tuple[int, int]) -> np.ndarray:
    """Boolean mask (``shape``, at canvas ``origin``) of the pixels the stroke's round pen covers, a pixel of
    margin included for the canvas's anti-aliasing."""
    mask = Image.new("1", (shape[1], shape[0]), 0)
    points = [(float(x) - origin[0], float(y) - origin[1]) for x, y in stroke.points]
    pen_line(ImageDraw.Draw(mask), points, stroke.width + 2, 1)
    return np.asarray(mask, dtype=bool)


def _inside(stroke: Stroke, box: tuple[int, int, int, int]) -> bool:
    x, y, width, height = box
    px, py = stroke.points[:, 0], stroke.points[:, 1]
    share = ((px >= x) & (px < x + width) & (py >= y) & (py < y + height)).mean()
    return bool(share >= INSIDE)


def _piece(segment: Segment, mask: np.ndarray) -> Segment | None:
    """The group's ink under ``mask``, trimmed, as a segment of its own (None when no ink is there)."""
    part = np.where(mask, segment.ink, 0.0).astype(np.float32)
    rows, columns = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
    if rows.size == 0:
        return None
    part = part[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    return piece_segment(part, segment.box[0] + int(columns[0]), segment.box[1] + int(rows[0]))


def side_by_side(extents: list[tuple[float, float]], heights: list[int]) -> bool:
    """Runs of strokes that could be digits of one number: neither's centre lies within the other's x-extent
    (see ``stroke_options``; less CENTRE_MARGIN of its width each side), and each is tall beside the tallest. A 4's
    stem, a 5's bar or a 7's crossbar has its centre inside its digit; digits written touching, 0.6 of a digit's
    width apart, have theirs apart."""
    centred_in = any(
        b[0] + CENTRE_MARGIN * (b[1] - b[0]) <= (a[0] + a[1]) / 2 <= b[1] - CENTRE_MARGIN * (b[1] - b[0])
        for a, b in itertools.permutations(extents, 2)
    )
    return not centred_in and min(heights) >= MIN_HEIGHT * max(heights)


def _direction(points: np.ndarray) -> float | None:
    """The slant of a run's points in degrees from the vertical (-90 to 90), when they lie along one straight line."""
    _, spread, axes = np.linalg.svd(points - points.mean(axis=0), full_matrices=False)
    if spread[0] < 1 or spread[-1] > LINE_SPREAD * spread[0]:  # a dot has no slant, a curve no single one
        return None
    across, down = axes[0]
    return float(np.degrees(np.arctan2(across, down)) + 90) % 180 - 90


def splayed(runs: list[np.ndarray]) -> bool:
    """Whether two straight runs (each a (n, 2) array of points) lean apart like the strokes of a V. One writer's
    1s share a slant, so two straight pieces whose slants differ by more than MAX_SPLAY are one letter or sign."""
    slants = [a for a in map(_direction, runs) if a is not None]
    return any(abs((a - b + 90) % 180 - 90) > MAX_SPLAY for a, b in itertools.combinations(slants, 2))


def _retraces(mine: list[Stroke], masks: list[np.ndarray], origin: tuple[int, int]) -> list[bool]:
    """For each stroke, whether it mostly goes over the ink of the strokes before it: a pen thickening or
    retracing a line (the Hershey script fonts draw a 5 in five such strokes), never the start of a new digit."""
    drawn = np.zeros_like(masks[0])
    found = []
    for stroke, mask in zip(mine, masks, strict=True):
        columns = np.clip(stroke.points[:, 0].round().astype(int) - origin[0], 0, mask.shape[1] - 1)
        rows = np.clip(stroke.points[:, 1].round().astype(int) - origin[1], 0, mask.shape[0] - 1)
        found.append(bool(drawn[rows, columns].mean() >= RETRACE))
        drawn |= mask
    return found


def stroke_options(segment: Segment, strokes: list[Stroke]) -> list[list[Segment]]:
    """Ways to cut ``segment`` between consecutive strokes into 2-4 side-by-side pieces, left to right."""
    mine = [s for s in strokes if _inside(s, segment.box)]
    if not 2 <= len(mine) <= MAX_GROUP_STROKES:
        return []
    x, y, width, height = segment.box
    masks = [footprint(s, (x, y), (height, width)) for s in mine]
    starts = [index for index, over in enumerate(_retraces(mine, masks, (x, y))) if index and not over]
    if not 1 <= len(starts) < MAX_STROKES:
        return []
    # Each stroke's x-extent: its path, widened by a quarter of the pen's width each side, so the stem an h, m, n
    # or r starts its arch on holds its centre inside the arch's extent. On the drawing benchmark's canvases
    # (seeds 1-3, 300 letters, 350 touching numbers) that kept 12 more letters whole, and rejected, and read the
    # same numbers; the pen's full half-width lost 17 touching numbers of 200.
    lows = [float(s.points[:, 0].min()) - s.width / 4 for s in mine]
    highs = [float(s.points[:, 0].max()) + s.width / 4 for s in mine]
    runs: dict[tuple[int, int], Segment | None] = {}

    def run(start: int, stop: int) -> Segment | None:
        if (start, stop) not in runs:
            runs[start, stop] = _piece(segment, np.logical_or.reduce(masks[start:stop]))
        return runs[start, stop]

    found = []
    for count in range(1, min(MAX_PIECES, len(starts) + 1)):
        for cuts in itertools.combinations(starts, count):
            spans = list(itertools.pairwise([0, *cuts, len(mine)]))
            pieces = [run(a, b) for a, b in spans]
            kept = [p for p in pieces if p is not None]
            if len(kept) < len(pieces):
                continue
            extents = [(min(lows[a:b]), max(highs[a:b])) for a, b in spans]
            if side_by_side(extents, [p.box[3] for p in kept]) and not splayed(
                [np.concatenate([s.points for s in mine[a:b]]) for a, b in spans]
            ):
                found.append(sorted(kept, key=lambda p: p.box[0]))
    return found
