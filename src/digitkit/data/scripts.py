"""Letters of eleven other writing systems, from Noto's fonts, redrawn with the page's pen: non-digits of kinds that
no Latin alphabet, symbol or picture shows.

Unseen glyphs pass the detector more than anything it trained on (Hershey's Greek, kana, kanji and symbols, about
one in four: docs/drawing-page.md), so the detector may learn letters from Cyrillic, Armenian, Georgian, Hebrew,
Arabic, Devanagari, Bengali, Tamil, Thai, Ethiopic and Cherokee. Greek and Japanese are left out: Hershey's glyphs of
them stay a measure of writing no recipe learned from. Letters drawn like a printed digit (Cyrillic З, Hebrew ו,
Armenian Օ, a Georgian ვ) are left out too, as data/hershey.py leaves out O, I and S: a detector taught that a 3 is
no digit turns down 3s.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from digitkit.data import fontsource, typeset

#: script: (the @fontsource package, its file's subset, the first and last code point of its letters)
SCRIPTS = {
    "cyrillic": ("noto-sans", "cyrillic", 0x0410, 0x044F),
    "armenian": ("noto-sans-armenian", "armenian", 0x0531, 0x0587),
    "georgian": ("noto-sans-georgian", "georgian", 0x10D0, 0x10FA),
    "hebrew": ("noto-sans-hebrew", "hebrew", 0x05D0, 0x05EA),
    "arabic": ("noto-sans-arabic", "arabic", 0x0621, 0x064A),
    "devanagari": ("noto-sans-devanagari", "devanagari", 0x0905, 0x0939),
    "bengali": ("noto-sans-bengali", "bengali", 0x0985, 0x09B9),
    "tamil": ("noto-sans-tamil", "tamil", 0x0B85, 0x0BB9),
    "thai": ("noto-sans-thai", "thai", 0x0E01, 0x0E2E),
    "ethiopic": ("noto-sans-ethiopic", "ethiopic", 0x1200, 0x128F),
    "cherokee": ("noto-sans-cherokee", "cherokee", 0x13A0, 0x13F5),
}
#: A letter whose shape correlates more than this with any print face's digit (data/typeset.py; both blurred a
#: little, at 28x28) is left out as drawn like a digit: 149 of 651 letters. At 0.8 the sheet of those kept still
#: showed a Georgian 3 and an Ethiopic 9.
LIKE_A_DIGIT = 0.75
CACHE_VERSION = 1


def letters_of(script: str) -> str:
    """The script's letters (Unicode category L*) in its range: no digits, marks or punctuation."""
    _, _, first, last = SCRIPTS[script]
    return "".join(c for c in map(chr, range(first, last + 1)) if unicodedata.category(c).startswith("L"))


def _shapes(images: np.ndarray) -> np.ndarray:
    """Each 28x28 image blurred a little, centred and scaled to unit length: a dot product is a correlation."""
    from scipy import ndimage

    flat = ndimage.gaussian_filter(images.astype(np.float32), (0, 1.0, 1.0)).reshape(len(images), -1)
    flat -= flat.mean(axis=1, keepdims=True)
    return flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-6)


def glyphs(cache: Path) -> dict[str, np.ndarray]:
    """{"images": uint8 (N, 28, 28) letters fitted like the print faces' digits, "scripts" and "chars": (N,)}:
    every script's letters less those drawn like a digit, fetched with npm and rendered into ``cache`` the first
    time (DataError when a font cannot be fetched: the message says how to get it)."""
    images, scripts, chars = [], [], []
    for script, (package, subset, _, _) in SCRIPTS.items():
        found = fontsource.rendered(
            cache / f"script-{script}-v{CACHE_VERSION}.npz", (package,), letters_of(script), "the font", subset
        )
        for ink, char in zip(fontsource.inks(found), found["chars"], strict=True):
            images.append(typeset.fitted(ink))
            scripts.append(script)
            chars.append(str(char))
    stacked = np.stack(images)
    digits = np.stack([typeset.fitted(ink) for ink in fontsource.inks(typeset.glyphs(cache))])
    kept = (_shapes(stacked) @ _shapes(digits).T).max(axis=1) <= LIKE_A_DIGIT
    return {"images": stacked[kept], "scripts": np.array(scripts)[kept], "chars": np.array(chars)[kept]}
