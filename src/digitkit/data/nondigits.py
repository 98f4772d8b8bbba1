"""Drawings that are not digits, for the digit/non-digit detector, and MNIST digits made to look as the page sees them.

Six sources of non-digits: raster shapes drawn here (scribbles, polygons, grids, lines, blobs, spirals, font
letters), pen-stroke drawings of letters, symbols, shapes, pictures, scribbles, hatching and doodles rendered the
way the page draws them (data/strokes.py; its held-out family stays out), the Hershey fonts' Latin letters and
Lucide's icons rendered the same way (data/hershey.py, whose other families stay out, and data/icons.py), two MNIST
digits drawn over each other, and people's Quick, Draw! drawings redrawn with the page's pen (data/quickdraw.py;
its held-out subjects stay out).
Letters that look like digits (O, I, l, S, q, g, b) are left out on purpose.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitkit.data.strokes import traced
from digitkit.preprocess import normalize

LETTERS = "ACDEFHJKLMNPQRTUVWXYacdefhkmnprtuvwxy#&@%+=*"
KINDS = ("scribble", "polygon", "star", "grid", "line", "zigzag", "blob", "spiral", "letter", "cross", "dots")


def draw_non_digit(rng: np.random.Generator, size: int = 140) -> np.ndarray:
    """One uint8 (size, size) white-on-black canvas holding something that is no digit."""
    image = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(image)
    kind = KINDS[int(rng.integers(len(KINDS)))]
    width = int(rng.integers(3, 12))
    cx, cy = (size / 2 + rng.uniform(-12, 12, 2)).tolist()
    r = float(rng.uniform(0.2, 0.45) * size)
    if kind == "scribble":
        steps = np.cumsum(rng.normal(0, r / 3, (int(rng.integers(8, 50)), 2)), axis=0) + (cx, cy)
        draw.line([tuple(p) for p in np.clip(steps, 5, size - 5)], fill=255, width=width, joint="curve")
    elif kind == "polygon":
        corners = int(rng.integers(3, 7))
        angles = np.sort(rng.uniform(0, 2 * np.pi, corners))
        radii = r * rng.uniform(0.6, 1.0, corners)
        points = [(cx + a * np.cos(t), cy + a * np.sin(t)) for a, t in zip(radii, angles, strict=True)]
        draw.polygon(points, outline=255, width=width)
    elif kind == "star":
        spikes = int(rng.integers(5, 8))
        angles = np.arange(spikes + 1) * 2 * np.pi * 2 / spikes + rng.uniform(0, 1)
        draw.line([(cx + r * np.sin(a), cy - r * np.cos(a)) for a in angles], fill=255, width=width)
    elif kind == "grid":
        lines = int(rng.integers(3, 6))
        for offset in np.linspace(-r, r, lines):
            draw.line([(cx + offset, cy - r), (cx + offset, cy + r)], fill=255, width=width)
            draw.line([(cx - r, cy + offset), (cx + r, cy + offset)], fill=255, width=width)
    elif kind == "line":
        angle = rng.uniform(-0.5, 0.5)
        dx, dy = r * np.cos(angle), r * np.sin(angle)
        draw.line([(cx - dx, cy - dy), (cx + dx, cy + dy)], fill=255, width=width)
    elif kind == "zigzag":
        xs = np.linspace(cx - r, cx + r, int(rng.integers(4, 10)))
        amplitude = r * rng.uniform(0.2, 0.6)
        draw.line([(x, cy + (amplitude if i % 2 else -amplitude)) for i, x in enumerate(xs)], fill=255, width=width)
    elif kind == "blob":
        aspect = rng.uniform(0.4, 1.0)
        draw.ellipse([cx - r, cy - r * aspect, cx + r, cy + r * aspect], fill=255)
    elif kind == "spiral":
        turns = rng.uniform(2, 4)
        t = np.linspace(0, turns * 2 * np.pi, 100)
        scale = r / t[-1]
        draw.line([(cx + scale * s * np.cos(s), cy + scale * s * np.sin(s)) for s in t], fill=255, width=width)
    elif kind == "letter":
        font = ImageFont.load_default(size=int(rng.integers(60, 120)))
        draw.text((size * 0.2, size * 0.05), LETTERS[int(rng.integers(len(LETTERS)))], fill=255, font=font)
    elif kind == "cross":
        draw.line([(cx - r, cy - r), (cx + r, cy + r)], fill=255, width=width)
        draw.line([(cx - r, cy + r), (cx + r, cy - r)], fill=255, width=width)
    else:  # a row of dots
        for x in np.linspace(cx - r, cx + r, int(rng.integers(3, 7))):
            draw.ellipse([x - width, cy - width, x + width, cy + width], fill=255)
    return np.asarray(image)


def _as_mnist(image: np.ndarray) -> np.ndarray:
    return (normalize(image) * 255).round().astype(np.uint8)


def as_drawn(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """MNIST digits the way the page hands them over: enlarged 2-5 times, as a canvas crop would be, then cropped
    and fitted by the preprocessing. The non-digits all take this path, so without it the detector could learn
    the path's smoother look instead of the shapes."""
    out = np.empty_like(digits)
    for index, digit in enumerate(digits):
        side = int(28 * rng.uniform(2.0, 5.0))
        big = Image.fromarray(digit).resize((side, side), Image.Resampling.BILINEAR)
        out[index] = _as_mnist(np.asarray(big))
    return out


def penned(images: np.ndarray, rng: np.random.Generator, ink_level: int = 127, larger_side: bool = False) -> np.ndarray:
    """Drawings redrawn with the page's pen: each one's skeleton (of the pixels above ``ink_level`` at 56x56)
    traced with a round pen 6-16% of the drawing's height (or ``larger_side``) wide, as data/strokes.py renders
    the non-digits. MNIST digits need it: without them every pen-drawn training image is a non-digit, and the
    detector learns the pen's even width as a sign of 'no digit' (it rejected drawn 0s and 4s at 0.9-0.99).
    People's raster drawings (data/quickdraw.py), often wider than tall, need it to look as on the page."""
    out = np.empty_like(images)
    for index, image in enumerate(images):
        ink = np.asarray(Image.fromarray(image).resize((56, 56), Image.Resampling.BILINEAR)) > ink_level
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if rows.size == 0:
            out[index] = image
            continue
        extent = max(rows[-1] - rows[0], cols[-1] - cols[0] if larger_side else 0) + 1
        out[index] = _as_mnist((traced(ink, extent * rng.uniform(0.03, 0.08)) * 255).astype(np.uint8))
    return out


def low_resolution(digits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """MNIST digits scanned coarsely: each digit's ink box averaged down to 8-16 pixels tall, its width anywhere
    from its own proportion to the full square (box normalization, as NIST's scans of UCI's digits were made),
    then fitted back by the preprocessing. People's drawings enlarged from 28x28 look like such scans, and a
    detector that learns them without digits of this kind beside them turns down coarse digits (UCI's blocky 8x8
    1s: docs/drawing-page.md)."""
    out = np.empty_like(digits)
    for index, digit in enumerate(digits):
        rows, cols = np.flatnonzero(digit.any(axis=1)), np.flatnonzero(digit.any(axis=0))
        if rows.size == 0:
            out[index] = digit
            continue
        box = digit[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        height = int(rng.integers(8, 17))
        width = height * box.shape[1] / box.shape[0]
        width = round(width + rng.uniform(0.0, 1.0) * max(height - width, 0.0))
        small = Image.fromarray(np.pad(box, 1)).resize((max(width, 2), height), Image.Resampling.BOX)
        out[index] = _as_mnist(np.asarray(small))
    return out


def overlapping_digits(digits: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` canvases with two MNIST digits drawn over each other, the second moved by a third to two thirds
    of a digit's width: ink that no single digit makes."""
    out = np.empty((count, 28, 28), np.uint8)
    for index in range(count):
        first, second = digits[rng.integers(len(digits), size=2)]
        canvas = np.zeros((56, 56), np.uint8)
        canvas[14:42, 14:42] = first
        dx, dy = int(rng.integers(7, 14)) * int(rng.choice([-1, 1])), int(rng.integers(-5, 6))
        moved = canvas[14 + dy : 42 + dy, 14 + dx : 42 + dx]
        np.maximum(moved, second, out=moved)
        out[index] = _as_mnist(canvas)
    return out


def non_digit_set(
    count: int, seed: int, digits: np.ndarray | None = None, hand_drawn: np.ndarray | None = None
) -> np.ndarray:
    """``count`` non-digits, MNIST-normalized and stored as uint8 (N, 28, 28), like MNIST itself: raster shapes,
    pen-stroke drawings, Hershey letters, Lucide icons, (when ``digits`` are given) overlapping pairs of them and
    (when ``hand_drawn`` are given) people's drawings redrawn with the page's pen (data/quickdraw.py), each once
    while there are enough. The pen-stroke and people's drawings get twice the others' share: seven families and
    two random ones (scribbles, doodles), or hundreds of subjects by thousands of people, against one raster
    generator."""
    from digitkit.data import hershey, icons
    from digitkit.data.strokes import RASTER_INK, TRAINED, rendered_set

    rng = np.random.default_rng(seed)
    weights = [1, 2, 1, 1] + ([1] if digits is not None else []) + ([2] if hand_drawn is not None else [])
    sizes = [count * w // sum(weights) for w in weights]
    sizes[0] += count - sum(sizes)
    drawn, _ = rendered_set(TRAINED, sizes[1], seed)
    letters, _ = rendered_set(hershey.TRAINED, sizes[2], seed, hershey.drawing)
    pictures, _ = rendered_set((icons.FAMILY,), sizes[3], seed, icons.drawing)
    parts = [
        np.array([_as_mnist(draw_non_digit(rng)) for _ in range(sizes[0])], np.uint8).reshape(-1, 28, 28),
        np.array([_as_mnist(image) for image in drawn + letters + pictures], np.uint8).reshape(-1, 28, 28),
    ]
    if digits is not None:
        parts.append(overlapping_digits(digits, sizes[4], rng))
    if hand_drawn is not None:
        wanted = sizes[-1]
        picked = rng.choice(len(hand_drawn), wanted, replace=wanted > len(hand_drawn))
        parts.append(penned(hand_drawn[picked], rng, RASTER_INK, larger_side=True))
    return np.concatenate(parts)
