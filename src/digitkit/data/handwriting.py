"""Handwriting fonts: digits and letters written by 30 type designers' hands, not by digitkit's generators.

Each font of ``FONTS`` (Google Fonts' handwriting faces, as the `@fontsource` npm packages ship them, version
``VERSION``; npm checks each tarball against the registry's integrity hash) draws 0-9 and the letters in its own
hand: print and cursive, neat and hurried, thin pen and marker. They are a digit source beside the Hershey fonts'
20 glyphs, and their letters a non-digit family, that no recipe trains on (benchmarks/reject_curve.py): a measure
of how the page treats writing it has never seen. Each glyph is rendered once, large, and cached as its ink;
benchmarks trace it with the page's pen (data/strokes.traced_on_canvas), as if written on the page.
"""

from __future__ import annotations

import io
import string
import tarfile
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitkit.data import npm
from digitkit.data.hershey import LIKE_DIGITS
from digitkit.errors import DataError
from digitkit.files import cached_arrays

VERSION = "5.3.0"  #: of every @fontsource package
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
SIZE = 160  #: font size in pixels the glyphs are rendered at
HEIGHT, WIDTH = 64, 192  #: each glyph's ink is stored this tall (at most this wide), keeping its shape
CACHE_VERSION = 1


def _glyph(font: ImageFont.FreeTypeFont, char: str) -> np.ndarray:
    """The ink of ``char`` in ``font``, trimmed to its box and scaled to HEIGHT (or WIDTH): uint8, white on black."""
    canvas = Image.new("L", (3 * SIZE, 3 * SIZE), 0)
    ImageDraw.Draw(canvas).text((SIZE, SIZE), char, font=font, fill=255)
    ink = np.asarray(canvas)
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0), np.flatnonzero(ink.max(axis=0) > 0)
    trimmed = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = min(HEIGHT / trimmed.shape[0], WIDTH / trimmed.shape[1])
    size = (max(1, round(trimmed.shape[1] * scale)), max(1, round(trimmed.shape[0] * scale)))
    return np.asarray(Image.fromarray(trimmed).resize(size, Image.Resampling.LANCZOS))


def _render(tarballs: dict[str, Path]) -> dict[str, np.ndarray]:
    """{"ink": uint8 (N, HEIGHT, WIDTH), each glyph at the top left, "shapes": its (height, width), "fonts" and
    "chars": (N,)}."""
    inks: list[np.ndarray] = []
    fonts: list[str] = []
    chars: list[str] = []
    for name, tarball in tarballs.items():
        with tarfile.open(tarball, "r:gz") as tar:
            handle = tar.extractfile(f"package/files/{name}-latin-400-normal.woff")
            if handle is None:
                raise DataError(f"@fontsource/{name}@{VERSION} has no latin 400 font file")
            font = ImageFont.truetype(io.BytesIO(handle.read()), SIZE)
        for char in string.digits + LETTERS:
            inks.append(_glyph(font, char))
            fonts.append(name)
            chars.append(char)
    stacked = np.zeros((len(inks), HEIGHT, WIDTH), np.uint8)
    for index, ink in enumerate(inks):
        stacked[index, : ink.shape[0], : ink.shape[1]] = ink
    shapes = np.array([ink.shape for ink in inks], np.int32)
    return {"ink": stacked, "shapes": shapes, "fonts": np.array(fonts), "chars": np.array(chars)}


def glyphs(cache: Path) -> dict[str, np.ndarray]:
    """Every font's digits and letters, fetched with npm and rendered into ``cache`` the first time (DataError
    when a font cannot be fetched: the message says how to get it)."""

    def make() -> dict[str, np.ndarray]:
        with tempfile.TemporaryDirectory() as workdir:
            tarballs = {}
            for name in FONTS:
                folder = Path(workdir) / name
                folder.mkdir()
                tarball = npm.required(f"@fontsource/{name}@{VERSION}", folder, f"the handwriting font {name}")
                tarballs[name] = tarball
            return _render(tarballs)

    return cached_arrays(cache / f"handwriting-v{CACHE_VERSION}.npz", make)


def written(cache: Path, digits: bool) -> list[tuple[str, np.ndarray]]:
    """(name, ink) of every digit (the name is the digit) or every letter ("font letter"), in a fixed order."""
    found = glyphs(cache)
    out = []
    for ink, (height, width), font, char in zip(
        found["ink"], found["shapes"], found["fonts"], found["chars"], strict=True
    ):
        if str(char).isdigit() == digits:
            out.append((str(char) if digits else f"{font} {char}", ink[:height, :width]))
    return out
