"""Handwriting fonts: digits and letters written by 30 type designers' hands, not by digitkit's generators.

Each font of ``FONTS`` (Google Fonts' handwriting faces, as the `@fontsource` npm packages ship them:
data/fontsource.py) draws 0-9 and the letters in its own hand: print and cursive, neat and hurried, thin pen and
marker. They are a digit source beside the Hershey fonts' 20 glyphs, and their letters a non-digit family, that no
recipe trains on (benchmarks/reject_curve.py): a measure of how the page treats writing it has never seen (the
digits that are trained on come from print faces: data/typeset.py). Benchmarks trace each glyph's ink with the
page's pen (data/strokes.traced_on_canvas), as if written on the page.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np

from digitkit.data import fontsource
from digitkit.data.hershey import LIKE_DIGITS

FONTS = (
    "annie-use-your-telescope",
    "architects-daughter",
    "caveat",
    "cedarville-cursive",
    "coming-soon",
    "covered-by-your-grace",
    "dawning-of-a-new-day",
    "give-you-glory",
    "gloria-hallelujah",
    "gochi-hand",
    "handlee",
    "homemade-apple",
    "indie-flower",
    "just-another-hand",
    "kalam",
    "la-belle-aurore",
    "nanum-pen-script",
    "nothing-you-could-do",
    "over-the-rainbow",
    "patrick-hand",
    "permanent-marker",
    "reenie-beanie",
    "rock-salt",
    "schoolbell",
    "shadows-into-light",
    "sue-ellen-francisco",
    "swanky-and-moo-moo",
    "the-girl-next-door",
    "waiting-for-the-sunrise",
    "zeyada",
)
LETTERS = "".join(c for c in string.ascii_letters if c not in LIKE_DIGITS)  #: not O, I, l, S, b, g, q, ...
CACHE_VERSION = 1


def glyphs(cache: Path) -> dict[str, np.ndarray]:
    """Every font's digits and letters, fetched with npm and rendered into ``cache`` the first time (DataError
    when a font cannot be fetched: the message says how to get it)."""
    return fontsource.rendered(
        cache / f"handwriting-v{CACHE_VERSION}.npz", FONTS, string.digits + LETTERS, "the handwriting font"
    )


def written(cache: Path, digits: bool) -> list[tuple[str, np.ndarray]]:
    """(name, ink) of every digit (the name is the digit) or every letter ("font letter"), in a fixed order."""
    found = glyphs(cache)
    return [
        (str(char) if digits else f"{font} {char}", ink)
        for ink, font, char in zip(fontsource.inks(found), found["fonts"], found["chars"], strict=True)
        if str(char).isdigit() == digits
    ]
