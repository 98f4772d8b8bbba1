"""Fonts as the `@fontsource` npm packages ship them, rendered into cached glyph ink.

Two font lists read through here: the handwriting faces (data/handwriting.py), a held-out digit source no recipe
trains on, and the print faces (data/typeset.py), whose digits the default's third stage learns.
Each glyph is rendered once, large, and cached as its ink; npm checks each tarball against the registry's
integrity hash.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from digitkit.data import npm
from digitkit.errors import DataError
from digitkit.files import cached_arrays

VERSION = "5.3.0"  #: of every @fontsource package
SIZE = 160  #: font size in pixels the glyphs are rendered at
HEIGHT, WIDTH = 64, 192  #: each glyph's ink is stored this tall (at most this wide), keeping its shape


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


def _render(tarballs: dict[str, Path], chars: str, subset: str) -> dict[str, np.ndarray]:
    """{"ink": uint8 (N, HEIGHT, WIDTH), each glyph at the top left, "shapes": its (height, width), "fonts" and
    "chars": (N,)}: ``chars`` from each font's ``subset`` file ("latin", "cyrillic", ...)."""
    inks: list[np.ndarray] = []
    fonts: list[str] = []
    found: list[str] = []
    for name, tarball in tarballs.items():
        with tarfile.open(tarball, "r:gz") as tar:
            try:
                handle = tar.extractfile(f"package/files/{name}-{subset}-400-normal.woff")
            except KeyError:  # no such member: a subset the package does not ship
                handle = None
            if handle is None:
                raise DataError(f"@fontsource/{name}@{VERSION} has no {subset} 400 font file")
            font = ImageFont.truetype(io.BytesIO(handle.read()), SIZE)
        for char in chars:
            inks.append(_glyph(font, char))
            fonts.append(name)
            found.append(char)
    stacked = np.zeros((len(inks), HEIGHT, WIDTH), np.uint8)
    for index, ink in enumerate(inks):
        stacked[index, : ink.shape[0], : ink.shape[1]] = ink
    shapes = np.array([ink.shape for ink in inks], np.int32)
    return {"ink": stacked, "shapes": shapes, "fonts": np.array(fonts), "chars": np.array(found)}


def rendered(
    cache_file: Path, fonts: tuple[str, ...], chars: str, what: str, subset: str = "latin"
) -> dict[str, np.ndarray]:
    """``chars`` in every one of ``fonts`` (their ``subset`` file), fetched with npm and rendered into
    ``cache_file`` the first time (DataError naming ``what`` when a font cannot be fetched: the message says how
    to get it)."""

    def make() -> dict[str, np.ndarray]:
        with tempfile.TemporaryDirectory() as workdir:
            tarballs = {}
            for name in fonts:
                folder = Path(workdir) / name
                folder.mkdir()
                tarballs[name] = npm.required(f"@fontsource/{name}@{VERSION}", folder, f"{what} {name}")
            return _render(tarballs, chars, subset)

    return cached_arrays(cache_file, make)


def inks(found: dict[str, np.ndarray]) -> list[np.ndarray]:
    """Each rendered glyph's ink, trimmed to its own shape."""
    return [ink[:height, :width] for ink, (height, width) in zip(found["ink"], found["shapes"], strict=True)]
