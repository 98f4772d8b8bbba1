"""Uploaded bytes -> a validated image: the checks every endpoint shares, and the contract's own input."""

from __future__ import annotations

import io
import struct
import warnings
import zlib

import numpy as np
from PIL import Image

from digitkit.errors import ImageError
from digitkit.preprocess import SIDE

CONTRACT_FORMATS = ("PNG", "JPEG")


def open_image(data: bytes, formats: tuple[str, ...], what: str) -> Image.Image:
    """The image's header read (no pixels yet): a decompression bomb or an unknown format is refused here."""
    if not data:
        raise ImageError(f"{what} is empty; expected a {' or '.join(formats)} image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(formats))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageError(f"{what} declares more pixels than any digit needs; refused unread") from exc
    except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError... for foreign bytes
        raise ImageError(f"{what} is not a readable {' or '.join(formats)} image") from exc


def load_pixels(image: Image.Image, data: bytes, what: str) -> None:
    try:
        image.load()
    except Exception as exc:  # truncated or corrupt pixel data, whatever exception the codec chose
        raise ImageError(f"{what} is a broken image ({exc})") from exc
    if image.format == "PNG" and not png_rows_complete(data):
        raise ImageError(f"{what} is a broken image (its pixel data ends before the rows its header declares)")


#: Adam7's passes: (first column, first row, column step, row step).
ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def png_rows_complete(data: bytes) -> bool:
    """Whether a PNG's compressed data holds every row its header declares: Pillow fills missing rows with
    zeros without a word, so a cut-off image would otherwise be classified as if it were whole."""
    width, height, depth, colour, _, _, interlaced = struct.unpack(">IIBBBBB", data[16:29])
    bits = depth * {2: 3, 4: 2, 6: 4}.get(colour, 1)  # samples per pixel by colour type
    need = 0
    for x, y, dx, dy in ADAM7 if interlaced else ((0, 0, 1, 1),):
        columns, rows = max(0, -(-(width - x) // dx)), max(0, -(-(height - y) // dy))
        if columns and rows:
            need += rows * (1 + -(-columns * bits // 8))  # a filter byte, then the row's bytes
    chunks, position = [], 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    try:
        return len(zlib.decompressobj().decompress(b"".join(chunks), need)) >= need
    except zlib.error:
        return False


def decode_contract_image(data: bytes, what: str = "image") -> np.ndarray:
    """The competition's input: a 28x28 single-channel 8-bit PNG or JPEG -> read-only uint8 (28, 28)."""
    image = open_image(data, CONTRACT_FORMATS, what)
    if image.size != (SIDE, SIDE):
        raise ImageError(f"{what}: expected 28x28 pixels, got {image.size[0]}x{image.size[1]} instead")
    if image.mode != "L":
        raise ImageError(
            f"{what}: expected one 8-bit grayscale channel (mode L), got mode {image.mode} "
            f"({len(image.getbands())} channel(s)) instead"
        )
    load_pixels(image, data, what)
    return np.frombuffer(image.tobytes(), dtype=np.uint8).reshape(SIDE, SIDE)  # cheaper than np.asarray
