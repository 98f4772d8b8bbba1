"""Groups of ink the drawing page could cut between strokes, for the model that says whether to (task "groups"):
several digits written touching (label 0) or one drawing in several strokes (label 1).

The page cuts a group between strokes when every piece reads as a sure digit (segment/strokes.py). Touching digits
need that cut; but a letter drawn in two or three strokes is cut the same way, since its pieces are digits' shapes
(a Greek eta came back 77, a Pi 17, a Latin h 17), and the detector cannot say which is which: it calls touching
digits no digit just as surely. The groups here are the page's own crops (its canvas, its pen, segment.find_digits),
so the model sees what the page hands it.

- Several digits: 2 or 3 of digitkit's stroke digits, 0.45-1.0 of a cell apart, kept when the page offers a cut.
- One drawing: a drawing of two or more strokes from the families the detector trains on, any group of it (few of
  them get a cut offered, too few to learn from): a quarter Hershey's Latin letters, a sixth the four fifths of
  Lucide's icons the detector learns, the rest digitkit's letters, symbols, shapes, pictures, scribbles, hatching
  and doodles.
Hershey's digits, Greek, Japanese and symbols, Lucide's held-out icons, Tabler's icons and digitkit's objects stay
out: the benchmarks measure with them.
"""

from __future__ import annotations

import numpy as np

from digitkit.data import hershey, icons
from digitkit.data import strokes as own
from digitkit.data.strokes import Strokes, number_strokes, on_canvas, placed_at_random
from digitkit.progress import steps
from digitkit.segment import find_digits
from digitkit.segment.strokes import Stroke, stroke_options

CANVAS, PEN = (840, 420), 30.0  #: the page's canvas (width, height) and its default pen
CHUNK = 500  #: groups of each kind drawn between two progress reports


def page_groups(strokes: Strokes, cuttable_only: bool) -> list[np.ndarray]:
    """The page's 28x28 crops of the groups of ink ``strokes`` (canvas pixels) make; only those it could cut
    between strokes if ``cuttable_only``."""
    drawn = [Stroke(PEN, np.asarray(s, dtype=np.float64)) for s in strokes]
    groups = find_digits(on_canvas(strokes, CANVAS[::-1], PEN))
    return [g.image for g in groups if not cuttable_only or stroke_options(g, drawn)]


def several_digits(count: int, rng: np.random.Generator) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    while len(out) < count:
        digits = [own.drawing("digits", rng)[1] for _ in range(int(rng.integers(2, 4)))]
        height = float(rng.uniform(0.35, 0.75)) * CANVAS[1]
        out += page_groups(number_strokes(digits, float(rng.uniform(0.45, 1.0)), height, CANVAS), True)
    return out[:count]


def one_drawing(count: int, rng: np.random.Generator) -> list[np.ndarray]:
    sources = [(hershey.drawing, "latin")] * 3 + [(own.drawing, family) for family in own.TRAINED]
    sources += [(icons.drawing, icons.FAMILY)] * 2
    out: list[np.ndarray] = []
    while len(out) < count:
        draw, family = sources[int(rng.integers(len(sources)))]
        strokes = draw(family, rng)[1]
        if len(strokes) >= 2:
            out += page_groups(placed_at_random(strokes, CANVAS, rng), False)
    return out[:count]


def group_set(count: int, seed: int, progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``count`` groups of each kind as uint8 (2 * count, 28, 28) images, interleaved, and their labels (about
    30 ms a group on one core: ``progress`` reports each CHUNK)."""
    rng = np.random.default_rng(seed)
    several: list[np.ndarray] = []
    one: list[np.ndarray] = []
    for start in steps(range(0, count, CHUNK), f"drawing {count:,} groups of each kind", progress):
        several += several_digits(min(CHUNK, count - start), rng)
        one += one_drawing(min(CHUNK, count - start), rng)
    images = np.stack(several + one)
    labels = np.repeat(np.array([0, 1], np.uint8), count)
    order = rng.permutation(len(labels))
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)[order], labels[order]
