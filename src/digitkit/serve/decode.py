"""Uploaded bytes of the JSON API and the drawing page -> grayscale arrays, within the configured limits."""

from __future__ import annotations

import base64
import binascii

import numpy as np
from PIL import Image

from digitkit.errors import ImageError, LimitError
from digitkit.preprocess import pil_to_gray
from digitkit.serve.contract.images import load_pixels, open_image

API_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")
URL_SAFE = str.maketrans("-_", "+/")


def open_any_image(data: bytes, max_pixels: int, what: str = "image") -> Image.Image:
    """Any common image format, header only: its declared size is checked before a pixel is decoded."""
    image = open_image(data, API_FORMATS, what)
    width, height = image.size
    if width * height > max_pixels:
        raise LimitError(f"{what}: {width}x{height} exceeds the limit of {max_pixels:,} pixels")
    if width < 1 or height < 1:
        raise ImageError(f"{what}: has no pixels")
    return image


def gray_pixels(image: Image.Image, data: bytes, what: str = "image") -> np.ndarray:
    """Decode an opened image -> float32 grayscale in [0, 1]; broken data and exotic colour modes are 400s."""
    load_pixels(image, data, what)
    try:
        return pil_to_gray(image)
    except (ValueError, OSError) as exc:  # Pillow cannot convert some modes (LAB, CMYK variants...) to grey
        raise ImageError(f"{what}: colour mode {image.mode} is not supported; send grayscale, RGB or RGBA") from exc


def decode_any_image(data: bytes, max_pixels: int, what: str = "image") -> np.ndarray:
    """Any common image format, any size up to ``max_pixels`` -> float32 grayscale in [0, 1]."""
    return gray_pixels(open_any_image(data, max_pixels, what), data, what)


def check_pixel_budget(images: list[Image.Image], budget: int) -> None:
    """Refuse a request whose images together declare more pixels than ``budget``, before decoding any."""
    total = sum(image.size[0] * image.size[1] for image in images)
    if total > budget:
        raise LimitError(
            f"the {len(images)} image(s) of this request declare {total:,} pixels together; the limit per request "
            f"is {budget:,} (DIGITKIT_MAX_REQUEST_PIXELS)"
        )


def decode_base64(text: str, max_bytes: int, what: str = "image") -> bytes:
    """A base64 string or a data URI (``data:image/png;base64,...``) -> raw bytes.

    Line breaks and spaces (GNU base64 wraps at 76 columns) are ignored, and the URL-safe alphabet and missing
    padding are accepted, as the senders people use produce them.
    """
    if text.startswith("data:"):
        header, _, text = text.partition(",")
        if ";base64" not in header:
            raise ImageError(f"{what}: expected a base64 data URI (data:image/png;base64,...)")
    text = "".join(text.split()).translate(URL_SAFE)
    if len(text) * 3 // 4 > max_bytes:
        raise LimitError(f"{what}: more than the limit of {max_bytes:,} bytes")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"{what}: not valid base64 ({exc})") from exc
