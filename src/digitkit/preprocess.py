"""Any image -> the MNIST-style 28x28 array the models are trained on. The one place all pipelines share.

MNIST digits were cropped to their ink, scaled so the longer side fits a 20x20 box, and placed in a 28x28
field with the centre of mass in the middle, white ink on black. Every image digitkit sees (training
augmentations, evaluation suites, uploads, canvas crops) goes through :func:`normalize`, so the model only
ever meets that one distribution. Shifted or resized digits come back to canonical form; MNIST digits
themselves are already canonical and pass through unchanged. No torch here: serving imports this module.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from digitkit.errors import ImageError

#: Bumped whenever :func:`normalize` changes what it produces; artifacts record the version they were
#: trained with and the runtime refuses one it does not know.
PREPROCESS_VERSION = 1
KNOWN_PREPROCESS_VERSIONS = frozenset({PREPROCESS_VERSION})

SIDE = 28  #: output side in pixels
BOX = 20  #: the digit's longer side after fitting
#: Ink extents inside this range are left at their size (MNIST digits measure 18-21 by our threshold).
KEEP_SIZE = (18, 21)
#: Where MNIST puts the centre of mass (row, column), measured on the 60k training images.
CENTRE = (14.0, 14.0)
CENTRE_TOLERANCE = 1.0  #: MNIST's own centres scatter this far (in pixels) from CENTRE
INK_THRESHOLD = 0.25  #: a pixel is ink above this fraction of the image's brightest pixel
TRIM = 0.005  #: ink mass ignored at each edge of the bounding box, so stray noise does not stretch it
FULL_INK = 0.8  #: MNIST's brightest pixel is always above this; fainter images are stretched
BLANK_LEVEL = 0.08  #: an image whose brightest pixel (after background removal) is below this is blank


def to_float(image: np.ndarray) -> np.ndarray:
    """uint8 (0-255) or float (0-1) grayscale array -> float32 in [0, 1]."""
    if image.ndim != 2:
        raise ImageError(f"expected a 2-D grayscale array, got shape {image.shape} instead")
    return _pixels_to_float(image)


def _pixels_to_float(pixels: np.ndarray) -> np.ndarray:
    """uint8 or float pixels of any shape -> a new float32 array in [0, 1]."""
    if pixels.dtype == np.uint8:
        return pixels.astype(np.float32) / np.float32(255.0)
    if np.issubdtype(pixels.dtype, np.floating):
        return np.clip(pixels.astype(np.float32), 0.0, 1.0)
    raise ImageError(f"expected uint8 or float pixels, got {pixels.dtype} instead")


def pil_to_gray(image: Image.Image) -> np.ndarray:
    """Any PIL image -> float32 grayscale in [0, 1]; transparent areas count as background."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255.0
        gray = np.asarray(rgba.convert("L"), dtype=np.float32) / 255.0
        # Drawn ink is usually opaque on a transparent page: use alpha as ink when the page is transparent.
        if alpha.min() < 0.5:
            return alpha if gray.mean() < 0.5 else 1.0 - (1.0 - gray) * alpha
        return gray
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(image, dtype=np.float32)
        top = float(arr.max()) or 1.0
        return arr / top
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def white_on_black(gray: np.ndarray) -> np.ndarray:
    """Invert dark-on-light images (judged by the border) and lift a grey background to zero."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    level = float(np.median(border))
    if level > 0.5:
        gray = 1.0 - gray
        level = 1.0 - level
    if level > 0.0:  # MNIST-like inputs have a black border: skip the second median
        background = min(level, float(np.median(gray)))
        if background > 0.0:
            gray = np.clip((gray - background) / (1.0 - background), 0.0, 1.0)
    return gray


def _trimmed_span(mass: np.ndarray) -> tuple[int, int]:
    """First and last index holding the central (1 - 2*TRIM) of the mass along one axis."""
    cumulative = np.cumsum(mass)
    total = cumulative[-1]
    first = int(np.searchsorted(cumulative, total * TRIM, side="right"))
    last = int(np.searchsorted(cumulative, total * (1.0 - TRIM), side="left"))
    return first, max(first, last)


def _shift(offset: float) -> int:
    """Whole-pixel shift towards the centre; within CENTRE_TOLERANCE none, so MNIST stays untouched."""
    return 0 if abs(offset) <= CENTRE_TOLERANCE else int(round(offset))


def _paste_centred(crop: np.ndarray) -> np.ndarray:
    """Place ``crop`` in a SIDE x SIDE field with its centre of mass at CENTRE (whole-pixel shift)."""
    out = np.zeros((SIDE, SIDE), dtype=np.float32)
    row_mass, col_mass = crop.sum(axis=1), crop.sum(axis=0)
    total = float(row_mass.sum())
    com_r = float(np.dot(np.arange(len(row_mass)), row_mass)) / total
    com_c = float(np.dot(np.arange(len(col_mass)), col_mass)) / total
    top, left = _shift(CENTRE[0] - com_r), _shift(CENTRE[1] - com_c)
    src_r0, src_c0 = max(0, -top), max(0, -left)
    dst_r0, dst_c0 = max(0, top), max(0, left)
    height = min(crop.shape[0] - src_r0, SIDE - dst_r0)
    width = min(crop.shape[1] - src_c0, SIDE - dst_c0)
    if height > 0 and width > 0:
        out[dst_r0 : dst_r0 + height, dst_c0 : dst_c0 + width] = crop[src_r0 : src_r0 + height, src_c0 : src_c0 + width]
    return out


def _resize(crop: np.ndarray, height: int, width: int) -> np.ndarray:
    resized = Image.fromarray(crop, mode="F").resize((width, height), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def normalize(image: np.ndarray) -> np.ndarray:
    """A 2-D grayscale image of any size and polarity -> MNIST-style float32 (28, 28) in [0, 1].

    A blank image comes back all zeros. MNIST digits come back unchanged.
    """
    gray = white_on_black(to_float(image))
    peak = float(gray.max())
    if peak < BLANK_LEVEL:
        return np.zeros((SIDE, SIDE), dtype=np.float32)
    if peak < FULL_INK:  # faint or low-contrast ink: stretch to MNIST's full range
        gray = gray / peak
        peak = 1.0
    ink = np.where(gray > INK_THRESHOLD * peak, gray, 0.0)
    r0, r1 = _trimmed_span(ink.sum(axis=1))
    c0, c1 = _trimmed_span(ink.sum(axis=0))
    height, width = r1 - r0 + 1, c1 - c0 + 1
    longest = max(height, width)
    if gray.shape == (SIDE, SIDE) and KEEP_SIZE[0] <= longest <= KEEP_SIZE[1]:
        # Already MNIST-sized: keep every pixel (faint edges included), only re-centre.
        return _paste_centred(gray)
    # Keep a margin for the faint anti-aliased edge the threshold left out.
    margin = max(1, longest // 10)
    crop = gray[
        max(0, r0 - margin) : min(gray.shape[0], r1 + margin + 1),
        max(0, c0 - margin) : min(gray.shape[1], c1 + margin + 1),
    ]
    scale = BOX / longest
    new_h = max(1, min(SIDE, int(round(crop.shape[0] * scale))))
    new_w = max(1, min(SIDE, int(round(crop.shape[1] * scale))))
    return _paste_centred(_resize(crop, new_h, new_w))


def normalize_batch(images: np.ndarray) -> np.ndarray:
    """(N, H, W) uint8 or float -> (N, 28, 28) float32: what :func:`normalize` gives each image.

    Served and training batches are mostly 28x28 images that are already canonical. Those are recognised in
    one vectorised pass (:func:`_already_canonical`) and only the others take the per-image path; a test
    checks that the result is bit-identical to :func:`normalize` on MNIST and the robustness suite.
    """
    if images.ndim != 3:
        raise ImageError(f"expected a batch of shape (N, H, W), got {images.shape} instead")
    if images.shape[1:] == (SIDE, SIDE):
        out = _pixels_to_float(images)
        redo = np.flatnonzero(~_already_canonical(out))
    else:
        out = np.empty((len(images), SIDE, SIDE), dtype=np.float32)
        redo = np.arange(len(images))
    for i in redo:
        out[i] = normalize(images[i])
    return out


def _already_canonical(gray: np.ndarray) -> np.ndarray:
    """(N, 28, 28) float32 in [0, 1] -> which images :func:`normalize` returns unchanged: a black border,
    full-strength ink, an MNIST-sized trimmed extent and a centre of mass within tolerance.

    Each step repeats :func:`normalize`'s arithmetic over the whole batch at once.
    """
    border = np.concatenate([gray[:, 0], gray[:, -1], gray[:, :, 0], gray[:, :, -1]], axis=1)
    peak = gray.max(axis=(1, 2))
    ink = np.where(gray > (INK_THRESHOLD * peak)[:, None, None], gray, 0.0)
    longest = np.maximum(_trimmed_extents(ink.sum(axis=2)), _trimmed_extents(ink.sum(axis=1)))
    centred = np.ones(len(gray), dtype=bool)
    positions = np.arange(SIDE)
    for axis, centre in ((2, CENTRE[0]), (1, CENTRE[1])):
        mass = gray.sum(axis=axis)
        with np.errstate(divide="ignore", invalid="ignore"):  # a blank image: NaN, never canonical
            com = (mass @ positions) / mass.sum(axis=1).astype(np.float64)
        centred &= np.abs(centre - com) <= CENTRE_TOLERANCE
    return (
        (np.median(border, axis=1) == 0.0)
        & (peak >= FULL_INK)
        & (longest >= KEEP_SIZE[0])
        & (longest <= KEEP_SIZE[1])
        & centred
    )


def _trimmed_extents(mass: np.ndarray) -> np.ndarray:
    """(N, L) mass per index -> (N,) lengths of :func:`_trimmed_span` along each row."""
    cumulative = np.cumsum(mass, axis=1)
    total = cumulative[:, -1:]
    first = (cumulative <= total * TRIM).sum(axis=1)
    last = (cumulative < total * (1.0 - TRIM)).sum(axis=1)
    return np.maximum(first, last) - first + 1
