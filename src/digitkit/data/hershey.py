"""Glyphs of the Hershey vector fonts (A. V. Hershey, 1967) as pen strokes: writing that digitkit did not draw.

The fonts are centre-line strokes, the way a pen draws a character: roman, script, Greek, Japanese and several
symbol sets. The `Hershey-Fonts` package carries them (the train extra installs it). They give the drawing
benchmarks digits and non-digits from someone else's pen (benchmarks/drawing_browser.py --strokes hershey). The
detector trains on the Latin letters (letters of several fonts, as stroke skeletons); no recipe trains on the
Greek, Japanese and symbol glyphs or on the digits: they are the benchmark's held-out families.

Families, each glyph once (a glyph that several fonts share counts for the first):
- ``digits``: 0-9 from the Latin fonts;
- ``latin``: their letters, less those written like digits (O, o, I, l, S, s, b, g, q: see data/strokes.py);
- ``greek``: that font's letters that no Latin font has;
- ``japanese``: kana and kanji;
- ``symbols``: the marker, math, meteorology and symbol fonts' own glyphs.
Straight lines and small marks (a bar, a dash, a comma, an apostrophe) are left out of every family: drawn alone
at a digit's size, a bar is a 1 and a comma is a 9.
"""

from __future__ import annotations

import functools
import string
from typing import Any

import numpy as np

from digitkit.data.strokes import Strokes, fitted, jittered, on_one_line
from digitkit.errors import UnavailableError

#: Only the single-line ("simplex") fonts: a pen writes one line. The duplex, triplex and complex fonts draw each
#: stroke as two or three close lines, which the page's pen smears into a blot (their digits: 14% rejected).
LATIN_FONTS = ("rowmans", "futural", "scripts", "cursive")
OTHER_FONTS = {
    "greek": ("greek", "greeks"),
    "japanese": ("japanese",),
    "symbols": ("markers", "mathlow", "mathupp", "meteorology", "symbolic"),
}
FAMILIES = ("latin", *OTHER_FONTS)
TRAINED = ("latin",)  #: the detector's non-digits include these (data/nondigits.py); the others are held out
LIKE_DIGITS = set("OoIlSsbgq")  #: letters no one can tell from 0, 1, 5, 6 or 9
SMALL_MARK = 10  #: font units (a capital is 21-32): glyphs no larger are punctuation and accents

Glyphs = dict[str, list[tuple[str, str, Strokes]]]  #: family -> (font, character, strokes in a unit box, y down)


def _fonts() -> Any:
    try:
        from HersheyFonts import HersheyFonts
    except ImportError as error:
        raise UnavailableError(
            "the Hershey glyphs need the Hershey-Fonts package: pip install -e '.[train]'"
        ) from error
    return HersheyFonts()


Raw = tuple[tuple[tuple[int, int], ...], ...]  #: a glyph's strokes in font units, as the package gives them


def _raw(fonts: Any, char: str) -> Raw:
    return tuple(tuple((int(x), int(y)) for x, y in stroke) for stroke in fonts.strokes_for_text(char))


def _unit(strokes: Raw) -> Strokes | None:
    """Strokes fitted to the unit box, centred; None for a small mark or a straight line."""
    arrays = [np.asarray(s, dtype=np.float64) for s in strokes if len(s) >= 2]
    if not arrays:
        return None
    if np.ptp(np.concatenate(arrays), axis=0).max() <= SMALL_MARK or on_one_line(arrays):
        return None
    return fitted(arrays)


@functools.cache
def glyphs() -> Glyphs:
    """Every family's glyphs, in a fixed order."""
    fonts = _fonts()
    seen: set[Raw] = set()
    out: Glyphs = {family: [] for family in ("digits", *FAMILIES)}

    def take(family: str, font: str, char: str) -> None:
        raw = _raw(fonts, char)
        if not raw or raw in seen:
            return
        seen.add(raw)
        unit = _unit(raw)
        if unit is not None:
            out[family].append((font, char, unit))

    for font in LATIN_FONTS:
        fonts.load_default_font(font)
        for char in string.digits:
            take("digits", font, char)
        for char in string.ascii_letters:
            if char not in LIKE_DIGITS:
                take("latin", font, char)
        for char in sorted(fonts.all_glyphs):  # punctuation: shared with the other fonts, so never theirs
            seen.add(_raw(fonts, char))
    for family, names in OTHER_FONTS.items():
        for font in names:
            fonts.load_default_font(font)
            for char in sorted(fonts.all_glyphs):
                symbol = family in ("symbols", "japanese") and char not in string.digits
                letter = char in string.ascii_letters or not char.isascii()
                if (symbol or letter) and char not in LIKE_DIGITS:
                    take(family, font, char)
    return out


def drawing(family: str, rng: np.random.Generator) -> tuple[str, Strokes]:
    """(name, strokes) of one glyph of ``family`` (or "digits": the name is the digit), jittered like a hand as
    data/strokes.py jitters its own drawings."""
    choices = glyphs()[family]
    font, char, strokes = choices[int(rng.integers(len(choices)))]
    return (char if family == "digits" else f"{font} {char}"), jittered(strokes, rng)
