"""Any image -> the MNIST-style 28x28 array the models are trained on. The one place all pipelines share.

MNIST digits were cropped to their ink, scaled so the longer side fits a 20x20 box, and placed in a 28x28
field with the centre of mass in the middle, white ink on black. Every image digitkit sees (training
augmentations, evaluation suites, uploads, canvas crops) goes through :func:`normalize`. Images of any other
size are cropped to their ink and fitted to that form. A 28x28 image is taken as already framed the MNIST way:
re-centred when its ink measures like a digit, fitted when it is smaller, and left alone when its ink box is
larger, because clutter (lines, specks, fog, outlines) is what makes an ink box too large, and a crop to it
would shrink the digit. MNIST digits pass through unchanged. No torch here: serving imports this module.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from digitkit.errors import ImageError

#: Bumped whenever :func:`normalize` changes what it produces; artifacts record the version they were
#: trained with and the runtime refuses one it does not know.
PREPROCESS_VERSION = 4
#: Version 2 added two steps that act only on a bright border: bright ink on a light-grey page is no longer
#: inverted, and bright edge bands are turned back. Version 3 stopped refitting 28x28 images whose ink box is
#: larger than MNIST's and centres by the ink alone. Version 4 turns edge bands back only when that leaves a dark
#: frame: a dark digit cropped tight on white paper has columns that are mostly ink, and version 3 cut it into
#: bands. Older artifacts stay loadable: MNIST passes through every version unchanged, and a test scores the
#: shipped default (trained on version 3) and the version-1 default (tests/fixtures) through this version on every
#: suite and MNIST-C kind.
KNOWN_PREPROCESS_VERSIONS = frozenset({1, 2, 3, PREPROCESS_VERSION})

SIDE = 28  #: output side in pixels
BOX = 20  #: the digit's longer side after fitting
#: Ink extents inside this range are left at their size (MNIST digits measure 18-21 by our threshold).
KEEP_SIZE = (18, 21)
#: Where MNIST puts the centre of mass (row, column), measured on the 60k training images.
CENTRE = (14.0, 14.0)
CENTRE_TOLERANCE = 1.0  #: MNIST's own centres scatter this far (in pixels) from CENTRE
INK_THRESHOLD = 0.25  #: a pixel is ink above this fraction of the image's brightest pixel
#: Centring weighs only pixels above this fraction of the brightest: faint blots and fog do not pull the digit.
CENTRE_INK = 0.35
TRIM = 0.005  #: ink mass ignored at each edge of the bounding box, so stray noise does not stretch it
FULL_INK = 0.8  #: MNIST's brightest pixel is always above this; fainter images are stretched
BLANK_LEVEL = 0.08  #: an image whose brightest pixel (after background removal) is below this is blank
BAND_BRIGHT, BAND_DARK = 0.75, 0.25  #: edge bands above this median on a page below that are re-inverted
INK_QUANTILE = 0.01  #: polarity compares the darkest and brightest 1% of pixels with the background level
#: Bands turned back must leave at most this share of the frame bright: MNIST-C's stripe leaves at most 5.4%,
#: a tight crop of dark ink on white 2% to 58% (half above 22%), measured on 1,000 MNIST test digits.
BAND_FRAME = 0.08


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
    """Invert dark-on-light images (a bright border, and ink darker than it) and lift a grey background to zero.

    ``gray``: one (H, W) image or a batch (N, H, W), float32 in [0, 1]; each image is judged on its own.
    """
    batch = _unstripe(gray[None] if gray.ndim == 2 else gray)
    border = np.concatenate([batch[:, 0], batch[:, -1], batch[:, :, 0], batch[:, :, -1]], axis=1)
    level = np.median(border, axis=1).astype(np.float64)
    invert = level > 0.5
    if invert.any():  # a bright border alone is not dark ink: bright ink on a light-grey page stays as it is
        invert[invert] = _ink_is_darker(batch[invert], level[invert])
    if invert.any():
        batch = _replaced(batch, invert, lambda images: 1.0 - images)
        level = np.where(invert, 1.0 - level, level)
    grey = level > 0.0  # MNIST-like inputs have a black border: no second median for them
    if grey.any():
        background = np.zeros_like(level)
        background[grey] = np.minimum(level[grey], np.median(_chosen(batch, grey), axis=(1, 2)))
        lift = background > 0.0
        if lift.any():
            offset = background[lift].astype(np.float32)[:, None, None]
            scale = (1.0 - background[lift]).astype(np.float32)[:, None, None]
            batch = _replaced(batch, lift, lambda images: np.clip((images - offset) / scale, 0.0, 1.0))
    return batch[0] if gray.ndim == 2 else batch


def _unstripe(batch: np.ndarray) -> np.ndarray:
    """Re-invert bright bands along the edges of an otherwise dark image (a partly inverted image, MNIST-C's
    stripe): columns at the left or right edge, then rows at the top or bottom, whose median is bright while
    the rest of the image's columns (rows) are dark, when turning them back leaves the image a dark frame, as a
    white-on-black digit has. Images with an even background are not touched."""
    for transposed in (False, True):
        view = batch.transpose(0, 2, 1) if transposed else batch
        # Only images with bright outer lines can have a band: half a band's pixels are above BAND_BRIGHT.
        edges = np.maximum(view[:, :, :2].mean(axis=(1, 2)), view[:, :, -2:].mean(axis=(1, 2)))
        candidates = np.flatnonzero(edges > BAND_BRIGHT / 2)
        if not len(candidates):
            continue
        medians = np.median(view[candidates], axis=1)  # (n, lines): each column's (row's) median
        bright = medians > BAND_BRIGHT
        first = np.cumprod(bright, axis=1).sum(axis=1)  # bright lines from the start, from the end
        last = np.cumprod(bright[:, ::-1], axis=1).sum(axis=1)
        lines = medians.shape[1]
        rest = (np.arange(lines) >= first[:, None]) & (np.arange(lines) < lines - last[:, None])
        # The rest's background: the median of its pixels (a column through a thick stroke may be bright).
        rest_level = np.array(
            [np.median(view[i][:, r]) if r.any() else 1.0 for i, r in zip(candidates, rest, strict=True)]
        )
        flip = (np.maximum(first, last) >= 2) & (rest.sum(axis=1) >= lines // 2) & (rest_level < BAND_DARK)
        if flip.any():
            batch = batch.copy()
            view = batch.transpose(0, 2, 1) if transposed else batch
            for i, lead, trail in zip(candidates[flip], first[flip], last[flip], strict=True):
                turned = view[i].copy()
                turned[:, :lead] = 1.0 - turned[:, :lead]
                turned[:, lines - trail :] = 1.0 - turned[:, lines - trail :]
                if _bright_frame_share(turned) <= BAND_FRAME:
                    view[i] = turned
    return batch


def _bright_frame_share(image: np.ndarray) -> float:
    """The share of an image's outermost pixels (its frame) that are brighter than mid-grey."""
    frame = np.concatenate([image[0], image[-1], image[1:-1, 0], image[1:-1, -1]])
    return float((frame > 0.5).mean())


def _ink_is_darker(batch: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Whether each image's extreme pixels lie at least as far below its background ``level`` as above it
    (a uniform bright image counts as dark ink on a blank page, as before)."""
    flat = batch.reshape(len(batch), -1)
    darkest, brightest = np.quantile(flat, [INK_QUANTILE, 1.0 - INK_QUANTILE], axis=1)
    return (level - darkest) >= (brightest - level)


def _chosen(batch: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``batch[mask]`` without the copy when every image is chosen."""
    return batch if mask.all() else batch[mask]


def _replaced(batch: np.ndarray, mask: np.ndarray, change: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """A new batch in which the images picked by ``mask`` are ``change(those images)``; ``batch`` is untouched."""
    if mask.all():
        return change(batch)
    out = batch.copy()
    out[mask] = change(batch[mask])
    return out


def _trimmed_spans(mass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N, L) mass per index -> first and last index holding the central (1 - 2*TRIM) of each row's mass."""
    cumulative = np.cumsum(mass, axis=1)
    total = cumulative[:, -1:]
    first = (cumulative <= total * TRIM).sum(axis=1)
    last = (cumulative < total * (1.0 - TRIM)).sum(axis=1)
    return first, np.maximum(first, last)


def _centring_shifts(crops: np.ndarray) -> np.ndarray:
    """(N, h, w) -> (N, 2) whole-pixel (down, right) shifts that bring each ink's centre of mass to CENTRE;
    within CENTRE_TOLERANCE none, so MNIST digits stay untouched."""
    peak = crops.max(axis=(1, 2), keepdims=True)
    crops = np.where(crops > CENTRE_INK * peak, crops, np.float32(0.0))
    row_mass, col_mass = crops.sum(axis=2), crops.sum(axis=1)  # float32, as the training data was centred with
    total = row_mass.sum(axis=1).astype(np.float64)
    shifts = np.empty((len(crops), 2), dtype=np.int64)
    for column, (mass, centre) in enumerate(((row_mass, CENTRE[0]), (col_mass, CENTRE[1]))):
        offset = centre - (mass.astype(np.float64) * np.arange(mass.shape[1])).sum(axis=1) / total
        shifts[:, column] = np.where(np.abs(offset) <= CENTRE_TOLERANCE, 0, np.round(offset))
    return shifts


def _placed(crop: np.ndarray, down: int, right: int) -> np.ndarray:
    """``crop`` in a SIDE x SIDE field, its top-left corner at (down, right); what falls outside is cut."""
    out = np.zeros((SIDE, SIDE), dtype=np.float32)
    src_r0, src_c0 = max(0, -down), max(0, -right)
    dst_r0, dst_c0 = max(0, down), max(0, right)
    height = min(crop.shape[0] - src_r0, SIDE - dst_r0)
    width = min(crop.shape[1] - src_c0, SIDE - dst_c0)
    if height > 0 and width > 0:
        out[dst_r0 : dst_r0 + height, dst_c0 : dst_c0 + width] = crop[src_r0 : src_r0 + height, src_c0 : src_c0 + width]
    return out


def _fitted(gray: np.ndarray, rows: tuple[int, int], cols: tuple[int, int]) -> np.ndarray:
    """The ink between ``rows`` and ``cols`` (first, last), with a margin, scaled so its longer side is BOX."""
    longest = max(rows[1] - rows[0], cols[1] - cols[0]) + 1
    margin = max(1, longest // 10)  # the faint anti-aliased edge the threshold left out
    crop = gray[
        max(0, rows[0] - margin) : min(gray.shape[0], rows[1] + margin + 1),
        max(0, cols[0] - margin) : min(gray.shape[1], cols[1] + margin + 1),
    ]
    scale = BOX / longest
    height = max(1, min(SIDE, int(round(crop.shape[0] * scale))))
    width = max(1, min(SIDE, int(round(crop.shape[1] * scale))))
    resized = Image.fromarray(crop, mode="F").resize((width, height), Image.Resampling.BILINEAR)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def normalize(image: np.ndarray) -> np.ndarray:
    """A 2-D grayscale image of any size and polarity -> MNIST-style float32 (28, 28) in [0, 1].

    A blank image comes back all zeros. MNIST digits come back unchanged.
    """
    if image.ndim != 2:
        raise ImageError(f"expected a 2-D grayscale array, got shape {image.shape} instead")
    return normalize_batch(image[None])[0]


def normalize_batch(images: np.ndarray) -> np.ndarray:
    """(N, H, W) uint8 or float -> (N, 28, 28) float32: what :func:`normalize` gives each image.

    Every step that looks at whole images runs on the batch at once; only cropping and resizing go image by
    image, and images that are already MNIST-sized and centred are not touched at all.
    """
    if images.ndim != 3:
        raise ImageError(f"expected a batch of shape (N, H, W), got {images.shape} instead")
    out = np.zeros((len(images), SIDE, SIDE), dtype=np.float32)
    if images.size == 0:
        return out
    gray = white_on_black(_pixels_to_float(images))
    peak = gray.max(axis=(1, 2)).astype(np.float64)
    live = peak >= BLANK_LEVEL  # the rest are blank: zeros
    faint = live & (peak < FULL_INK)  # faint or low-contrast ink: stretch to MNIST's full range
    if faint.any():
        stretch = peak[faint].astype(np.float32)[:, None, None]
        gray = _replaced(gray, faint, lambda images: images / stretch)
        peak[faint] = 1.0
    ink = np.where(gray > (INK_THRESHOLD * peak).astype(np.float32)[:, None, None], gray, 0.0)
    r0, r1 = _trimmed_spans(ink.sum(axis=2))
    c0, c1 = _trimmed_spans(ink.sum(axis=1))
    longest = np.maximum(r1 - r0, c1 - c0) + 1
    resize = live.copy()
    if gray.shape[1:] == (SIDE, SIDE):
        # MNIST's own frame: keep every pixel (faint edges included). Ink that measures like a digit is
        # re-centred and a small digit is fitted to the box; a larger ink box may be stretched by clutter
        # (a line, specks, fog, an outline), so that image stays as it is.
        resize = live & (longest < KEEP_SIZE[0])
        out[live & ~resize] = gray[live & ~resize]
        kept = np.flatnonzero(live & (longest >= KEEP_SIZE[0]) & (longest <= KEEP_SIZE[1]))
        shifts = _centring_shifts(gray[kept])
        moved = shifts.any(axis=1)
        for index, (down, right) in zip(kept[moved], shifts[moved]):
            out[index] = _placed(gray[index], int(down), int(right))
    for index in np.flatnonzero(resize):
        fitted = _fitted(gray[index], (int(r0[index]), int(r1[index])), (int(c0[index]), int(c1[index])))
        ((down, right),) = _centring_shifts(fitted[None])
        out[index] = _placed(fitted, int(down), int(right))
    return out
