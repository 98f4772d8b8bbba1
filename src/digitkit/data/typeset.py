"""Typeset digits: 0-9 in 24 print faces (sans, serif, slab, mono), redrawn with the page's pen.

A printed 6 curls its top over, as few MNIST 6s do; people who write like print do the same, and the drawing page
lost a quarter of the Hershey fonts' 6s (the default read them 0.35-0.45 sure). The default's third stage
(recipes/default-typeset.toml) learns these print forms beside MNIST. They come from Google Fonts' text faces
(data/fontsource.py): none of the handwriting faces, which stay held out (data/handwriting.py), and none of
Hershey's, which stay a measure of writing no recipe learned from. (A detector trained with them among its digits
rejected fewer letters of the handwriting faces, so the detector does not read them: docs/drawing-page.md.)
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
from PIL import Image

from digitkit.data import fontsource

FONTS = (
    "arvo",
    "bitter",
    "cabin",
    "crimson-text",
    "eb-garamond",
    "fira-sans",
    "ibm-plex-mono",
    "josefin-sans",
    "lato",
    "libre-baskerville",
    "lora",
    "merriweather",
    "montserrat",
    "noto-sans",
    "noto-serif",
    "nunito",
    "open-sans",
    "pt-serif",
    "raleway",
    "roboto",
    "roboto-slab",
    "source-sans-3",
    "source-serif-4",
    "ubuntu",
)
VARIANTS = 12  #: pen widths each glyph is redrawn with: 2,880 digits
CACHE_VERSION = 1


def glyphs(cache: Path) -> dict[str, np.ndarray]:
    """Every print face's digits, fetched with npm and rendered into ``cache`` the first time (DataError when a
    font cannot be fetched: the message says how to get it)."""
    return fontsource.rendered(cache / f"typeset-v{CACHE_VERSION}.npz", FONTS, string.digits, "the print font")


def fitted(ink: np.ndarray) -> np.ndarray:
    """A glyph's ink centred on a square with a margin, at MNIST's 28x28."""
    side = max(ink.shape) + 16
    square = np.zeros((side, side), np.uint8)
    top, left = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    square[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return np.asarray(Image.fromarray(square).resize((28, 28), Image.Resampling.LANCZOS))


def digits(cache: Path, variants: int = VARIANTS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 (N, 28, 28) images, labels): every glyph redrawn ``variants`` times with a round pen of random
    width (data/nondigits.penned), MNIST-normalized."""
    from digitkit.data.nondigits import penned

    found = glyphs(cache)
    squares = np.stack([fitted(ink) for ink in fontsource.inks(found)])
    rng = np.random.default_rng(seed)
    images = penned(np.repeat(squares, variants, axis=0), rng)
    labels = np.repeat(found["chars"].astype(np.uint8), variants)
    return images, labels
