"""Groups of ink the drawing page could cut between strokes, for the model that says whether to (task "groups"):
several digits written touching (label 0) or one drawing in several strokes (label 1).

The page cuts a group between strokes when every piece reads as a sure digit (segment/strokes.py). Touching digits
need that cut; but a letter drawn in two or three strokes is cut the same way, since its pieces are digits' shapes
(a Greek eta came back 77, a Pi 17, a Latin h 17), and the detector cannot say which is which: it calls touching
digits no digit just as surely. The groups here are the page's own crops (its canvas, its pen, segment.find_digits),
so the model sees what the page hands it.

- Several digits: 2 or 3 of digitkit's stroke digits, 0.45-1.0 of a cell apart, kept when the page offers a cut;
  and (when MNIST digits are given, as training gives them) as many numbers of people's digits written touching,
  narrowed and traced with the page's pen (people_touching).
- One drawing: a drawing of two or more strokes from the families the detector trains on, any group of it (few of
  them get a cut offered, too few to learn from): a quarter Hershey's Latin letters, a sixth the four fifths of
  Lucide's icons the detector learns, the rest digitkit's letters, symbols, shapes, pictures, scribbles, hatching
  and doodles. Where people's digits are among the several, as many drawings are traced as theirs are, so that
  how the ink was drawn does not tell the kinds apart.
People's digits and the traced drawings came in session 30, checked on a touching 170 drawn by hand for
tests/serve/test_web.py (a straight 1, a 7 of two straight segments, an oval 0) and 29 variants of it
(benchmarks/cut_veto.hand_drawn_170s): without them the model took most of these for one drawing (median 0.97),
with them less often (median 0.60); the one that ships vetoes none that the page can cut (docs/drawing-page.md).
Hershey's digits, Greek, Japanese and symbols, Lucide's held-out icons, Tabler's icons and digitkit's objects stay
out: the benchmarks measure with them.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitkit.data import hershey, icons
from digitkit.data import strokes as own
from digitkit.data.strokes import Strokes, number_strokes, on_canvas, placed_at_random, render, traced_on_canvas
from digitkit.progress import steps
from digitkit.segment import Segment, find_digits
from digitkit.segment.strokes import Stroke, stroke_options

CANVAS, PEN = (840, 420), 30.0  #: the page's canvas (width, height) and its default pen
CHUNK = 500  #: groups of each kind drawn between two progress reports
SMALL_PEN = 2.5  #: pixels: MNIST's pen, for drawings drawn at its size (20 pixels tall)
NARROWEST = 0.5  #: of a digit's width
DIGIT_WIDTH = 14  #: pixels: an MNIST digit's usual width; touching digits overlap up to 0.4 of it


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


def traced_groups(raster: np.ndarray, rng: np.random.Generator) -> tuple[list[Segment], float, int]:
    """The page's groups of a small raster drawing (uint8, white on black, MNIST's size) traced with its pen 0.5-0.85
    of the canvas tall (less where it would not fit across), anywhere across; and the scale and left edge that take
    the raster's columns to the canvas's."""
    tall, wide = raster.shape
    height = int(min(rng.uniform(0.5, 0.85) * CANVAS[1], (CANVAS[0] - 3 * PEN) * tall / wide))
    scale = height / tall
    margin = int(2 * PEN)
    left = int(rng.integers(margin, int(max(margin + 1, CANVAS[0] - wide * scale - margin))))
    return find_digits(traced_on_canvas(raster, CANVAS, height, left, PEN)), scale, left


def narrowed(image: np.ndarray, share: float) -> np.ndarray:
    """``image`` squeezed across to ``share`` of its width (at least a pixel)."""
    width = max(1, round(image.shape[1] * share))
    return np.asarray(Image.fromarray(image).resize((width, image.shape[0]), Image.Resampling.BILINEAR))


def people_touching(count: int, digits: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """The page's crops of 2-3 of ``digits`` (MNIST, 28x28), each squeezed to NARROWEST-1 of its width (people
    write narrow digits close: a hand-drawn touching 170 is as wide as tall), side by side, each overlapping the one
    before by up to 0.4 of a digit's width (or up to 0.05 of it apart, which the pen closes), traced with the page's pen
    (traced_groups): the groups that hold two digits or more. No strokes: the page is not asked whether it would cut."""
    out: list[np.ndarray] = []
    while len(out) < count:
        picked = digits[rng.integers(len(digits), size=int(rng.integers(2, 4)))]
        inked = [narrowed(d[:, (d > 40).any(axis=0)], rng.uniform(NARROWEST, 1.0)) for d in picked]
        advances = [max(2, round(b.shape[1] + rng.uniform(-0.4, 0.05) * DIGIT_WIDTH)) for b in inked[:-1]]
        lefts = np.cumsum([0, *advances])
        strip = np.zeros((28, max(left + b.shape[1] for left, b in zip(lefts, inked, strict=True))), np.uint8)
        for left, box in zip(lefts, inked, strict=True):
            np.maximum(strip[:, left : left + box.shape[1]], box, out=strip[:, left : left + box.shape[1]])
        found, scale, left = traced_groups(strip, rng)
        centres = left + scale * (lefts + [b.shape[1] / 2 for b in inked])
        for group in found:
            x, _, width, _ = group.box
            if ((centres >= x) & (centres <= x + width)).sum() >= 2:
                out.append(group.image)
    return out[:count]


def one_drawing(count: int, rng: np.random.Generator, traced_share: float = 0.0) -> list[np.ndarray]:
    """Groups of drawings in two or more strokes; ``traced_share`` of the drawings first drawn small (MNIST's size
    and pen) and traced with the page's pen as people's digits are (people_touching), so that how the ink was
    drawn tells the two kinds apart no more than what it shows. Without them, a model that learns people's
    touching digits takes every drawing drawn as strokes for one drawing: a hand-drawn touching 170 scored 0.99."""
    sources = [(hershey.drawing, "latin")] * 3 + [(own.drawing, family) for family in own.TRAINED]
    sources += [(icons.drawing, icons.FAMILY)] * 2
    out: list[np.ndarray] = []
    while len(out) < count:
        draw, family = sources[int(rng.integers(len(sources)))]
        strokes = draw(family, rng)[1]
        if len(strokes) < 2:
            continue
        if rng.random() < traced_share:
            out += [group.image for group in traced_groups(render(strokes, 20, SMALL_PEN, 2), rng)[0]]
        else:
            out += page_groups(placed_at_random(strokes, CANVAS, rng), False)
    return out[:count]


def group_set(
    count: int, seed: int, progress: bool = False, people: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` groups of each kind as uint8 (2 * count, 28, 28) images, interleaved, and their labels (about
    50 ms a group on one core: ``progress`` reports each CHUNK). With ``people`` (MNIST digits), half the
    several-digit groups are theirs written touching, and half the drawings are traced as theirs are."""
    rng = np.random.default_rng(seed)
    several: list[np.ndarray] = []
    one: list[np.ndarray] = []
    for start in steps(range(0, count, CHUNK), f"drawing {count:,} groups of each kind", progress):
        size = min(CHUNK, count - start)
        theirs = 0 if people is None else size // 2
        several += several_digits(size - theirs, rng)
        if people is not None:
            several += people_touching(theirs, people, rng)
        one += one_drawing(size, rng, 0.0 if people is None else theirs / size)
    images = np.stack(several + one)
    labels = np.repeat(np.array([0, 1], np.uint8), count)
    order = rng.permutation(len(labels))
    return (np.clip(images, 0, 1) * 255).round().astype(np.uint8)[order], labels[order]
