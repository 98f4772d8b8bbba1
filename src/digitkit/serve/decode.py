"""Uploaded bytes of the JSON API and the drawing page -> grayscale arrays, within the configured limits."""

from __future__ import annotations

import base64
import binascii

import numpy as np

from digitkit.errors import ImageError, LimitError
from digitkit.preprocess import pil_to_gray
from digitkit.serve.contract.images import load_pixels, open_image

API_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")


def decode_any_image(data: bytes, max_pixels: int, what: str = "image") -> np.ndarray:
    """Any common image format, any size up to ``max_pixels`` -> float32 grayscale in [0, 1]."""
    image = open_image(data, API_FORMATS, what)
    width, height = image.size
    if width * height > max_pixels:
        raise LimitError(f"{what}: {width}x{height} exceeds the limit of {max_pixels:,} pixels")
    if width < 1 or height < 1:
        raise ImageError(f"{what}: has no pixels")
    load_pixels(image, what)
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
