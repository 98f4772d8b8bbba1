"""Synthetic drawings that are not digits: scribbles, shapes, grids, lines, blobs, letters.

They teach the digit/non-digit detector what the drawing page must answer "not a digit" for. Letters that
look like digits (O, I, l, S, Z, B, G, q, g, b) are left out on purpose.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

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


def non_digit_set(count: int, seed: int) -> np.ndarray:
    """``count`` non-digits, MNIST-normalized and stored as uint8 (N, 28, 28), like MNIST itself."""
    rng = np.random.default_rng(seed)
    return np.stack([(normalize(draw_non_digit(rng)) * 255).round().astype(np.uint8) for _ in range(count)])
