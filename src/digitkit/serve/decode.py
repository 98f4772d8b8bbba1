"""Uploaded bytes -> validated grayscale arrays, with the checks and limits the endpoints promise."""

from __future__ import annotations

import base64
import binascii
import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from digitkit.errors import ImageError, LimitError
from digitkit.preprocess import SIDE, pil_to_gray

CONTRACT_FORMATS = ("PNG", "JPEG")
API_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")


def _open(data: bytes, formats: tuple[str, ...], what: str) -> Image.Image:
    if not data:
        raise ImageError(f"{what} is empty; expected a PNG or JPEG image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return Image.open(io.BytesIO(data), formats=list(formats))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise ImageError(f"{what} declares more pixels than any digit needs; refused unread") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageError(f"{what} is not a readable {' or '.join(formats)} image") from exc


def _load(image: Image.Image, what: str) -> None:
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{what} is a broken image ({exc})") from exc


def decode_contract_image(data: bytes, what: str = "image") -> np.ndarray:
    """The competition's input: a 28x28 single-channel 8-bit PNG or JPEG -> read-only uint8 (28, 28)."""
    image = _open(data, CONTRACT_FORMATS, what)
    if image.size != (SIDE, SIDE):
        raise ImageError(f"{what}: expected 28x28 pixels, got {image.size[0]}x{image.size[1]} instead")
    if image.mode != "L":
        raise ImageError(
            f"{what}: expected one 8-bit grayscale channel (mode L), got mode {image.mode} "
            f"({len(image.getbands())} channel(s)) instead"
        )
    _load(image, what)
    return np.frombuffer(image.tobytes(), dtype=np.uint8).reshape(SIDE, SIDE)  # cheaper than np.asarray


def decode_any_image(data: bytes, max_pixels: int, what: str = "image") -> np.ndarray:
    """Any common image format, any size up to ``max_pixels`` -> float32 grayscale in [0, 1]."""
    image = _open(data, API_FORMATS, what)
    width, height = image.size
    if width * height > max_pixels:
        raise LimitError(f"{what}: {width}x{height} exceeds the limit of {max_pixels:,} pixels")
    if width < 1 or height < 1:
        raise ImageError(f"{what}: has no pixels")
    _load(image, what)
    return pil_to_gray(image)


def decode_base64(text: str, max_bytes: int, what: str = "image") -> bytes:
    """A base64 string or a data URI (``data:image/png;base64,...``) -> raw bytes."""
    if text.startswith("data:"):
        header, _, text = text.partition(",")
        if ";base64" not in header:
            raise ImageError(f"{what}: expected a base64 data URI (data:image/png;base64,...)")
    if len(text) * 3 // 4 > max_bytes:
        raise LimitError(f"{what}: more than the limit of {max_bytes:,} bytes")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"{what}: not valid base64 ({exc})") from exc
