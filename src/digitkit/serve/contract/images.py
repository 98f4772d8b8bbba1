"""Uploaded bytes -> a validated image: the checks every endpoint shares, and the contract's own input."""

from __future__ import annotations

import io
import warnings

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


def load_pixels(image: Image.Image, what: str) -> None:
    try:
        image.load()
    except Exception as exc:  # truncated or corrupt pixel data, whatever exception the codec chose
        raise ImageError(f"{what} is a broken image ({exc})") from exc


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
    load_pixels(image, what)
    return np.frombuffer(image.tobytes(), dtype=np.uint8).reshape(SIDE, SIDE)  # cheaper than np.asarray
