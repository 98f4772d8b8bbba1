"""MNIST-C (Mu & Gilmer 2019, arXiv 1906.02337): 15 corruptions of the MNIST test split, a held-out benchmark.

Each corruption follows the paper's public reference definitions at their default severities, written here
with numpy, scipy and scikit-image (motion blur re-creates ImageMagick's one-sided Gaussian streak, which the
reference calls through Wand). Training never calls these functions (data/augment.py and the suite have their
own, different corruptions), so a model's MNIST-C figures measure robustness it was not taught. The set is
generated deterministically and cached as uint8 like the suite; ``mnist-c:DIR`` reads the official numpy
release instead (``DIR/<corruption>/test_images.npy`` and ``test_labels.npy``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import ndimage

from digitkit.data.mnist import load_mnist
from digitkit.errors import DataError
from digitkit.files import cached_arrays
from digitkit.progress import steps

MNIST_C_VERSION = 1
SEED = 19060237
SIDE = 28
CENTRE = 13.5
Corruption = Callable[[np.ndarray, np.random.Generator], np.ndarray]  #: float [0, 1] (28, 28) -> same


def _blur(x: np.ndarray, sigma: float) -> np.ndarray:
    return ndimage.gaussian_filter(x, sigma, mode="nearest", truncate=4.0)


def _warp(x: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Sample input (column, row) = matrix @ output (column, row) + t, with t keeping the centre fixed."""
    t = CENTRE * (1 - matrix.sum(axis=1))
    rows_cols = np.array([[matrix[1, 1], matrix[1, 0]], [matrix[0, 1], matrix[0, 0]]])
    return ndimage.affine_transform(x, rows_cols, offset=(t[1], t[0]), order=1, mode="constant", cval=0.0)


def _sign(rng: np.random.Generator) -> int:
    return int(rng.choice([-1, 1]))


def shot_noise(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return rng.poisson(x * 3) / 3.0


def impulse_noise(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    hit = rng.random(x.shape) < 0.17
    salt = rng.random(x.shape) < 0.5
    return np.where(hit, salt.astype(np.float64), x)


def glass_blur(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Blur, swap pixels with a neighbour up or left (two passes), blur again."""
    out = (_blur(x, 0.7) * 255).astype(np.uint8)
    positions = range(SIDE - 1, 1, -1)
    for _ in range(2):
        swap = rng.random((SIDE, SIDE)) < 0.5
        deltas = rng.integers(-1, 1, size=(SIDE, SIDE, 2))  # (dx, dy), each -1 or 0
        for h in positions:
            for w in positions:
                if swap[h, w]:
                    dx, dy = deltas[h, w]
                    out[h, w], out[h + dy, w + dx] = out[h + dy, w + dx], out[h, w]
    return _blur(out / 255.0, 0.7)


def motion_blur(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A one-sided streak: 21 taps with Gaussian weights (sigma 3) along a random angle within 45 degrees."""
    angle = np.deg2rad(rng.uniform(-45, 45))
    taps = np.arange(21)
    weights = np.exp(-(taps**2) / (2 * 3.0**2))
    weights /= weights.sum()
    rows, cols = np.mgrid[0:SIDE, 0:SIDE].astype(np.float64)
    out = np.zeros_like(x)
    for tap, weight in zip(taps, weights, strict=True):
        coords = [rows + tap * np.sin(angle), cols + tap * np.cos(angle)]
        out += weight * ndimage.map_coordinates(x, coords, order=1, mode="nearest")
    return out


def shear(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    c = 0.4 * _sign(rng)
    return _warp(x, np.array([[1.0, -np.sin(c)], [0.0, np.cos(c)]]))


def scale(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return _warp(x, np.eye(2) / 0.7)


def rotate(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    c = 0.4 * _sign(rng)
    return _warp(x, np.array([[np.cos(c), -np.sin(c)], [np.sin(c), np.cos(c)]]))


def brightness(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    return x + 0.5  # HSV value + 0.5; for a grey image that is the grey level


def translate(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    dx, dy = 3 * _sign(rng), 3 * _sign(rng)
    return ndimage.shift(x, (-dy, -dx), order=1, mode="constant", cval=0.0)


def stripe(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    out = x.copy()
    out[:, :7] = 1 - out[:, :7]
    out[:, 21:] = 1 - out[:, 21:]
    return out


def _plasma(rng: np.random.Generator, size: int = 256, decay: float = 1.4) -> np.ndarray:
    """Diamond-square height map in [0, 1]."""
    grid = np.zeros((size, size))
    step, wibble = size, 100.0
    while step >= 2:
        half = step // 2
        corners = grid[0:size:step, 0:size:step]
        square = corners + np.roll(corners, -1, axis=0)
        square += np.roll(square, -1, axis=1)
        grid[half:size:step, half:size:step] = square / 4 + wibble * rng.uniform(-wibble, wibble, square.shape)
        centres = grid[half:size:step, half:size:step]
        corners = grid[0:size:step, 0:size:step]
        left = centres + np.roll(centres, 1, axis=0) + corners + np.roll(corners, -1, axis=1)
        grid[0:size:step, half:size:step] = left / 4 + wibble * rng.uniform(-wibble, wibble, left.shape)
        top = centres + np.roll(centres, 1, axis=1) + corners + np.roll(corners, -1, axis=0)
        grid[half:size:step, 0:size:step] = top / 4 + wibble * rng.uniform(-wibble, wibble, top.shape)
        step //= 2
        wibble /= decay
    grid -= grid.min()
    return grid / grid.max()


def fog(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    peak = x.max()
    return (x + 3.0 * _plasma(rng)[:SIDE, :SIDE]) * peak / (peak + 3.0)


def spatter(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    liquid = _blur(rng.normal(0.65, 0.3, x.shape), 1.0)
    liquid[liquid < 0.65] = 0
    mud = _blur((liquid > 0.65).astype(np.float64), 1.5)
    mud[mud < 0.8] = 0
    return x * (1 - mud) + 63 / 255 * mud


def _line(c0: float, r0: float, c1: float, r1: float) -> np.ndarray:
    """A soft line from (c0, r0) to (c1, r1), about 2 px wide, fading with the distance to its axis."""
    if c1 == c0:
        return np.zeros((SIDE, SIDE))
    cols, rows = np.meshgrid(np.arange(SIDE, dtype=np.float64), np.arange(SIDE, dtype=np.float64))
    distance = np.clip(np.abs(rows - ((r1 - r0) / (c1 - c0) * (cols - c0) + r0)), 0, 2.3 - 1e-10)
    out = np.clip(np.log(1 - distance / 2.3) + 1, 0, 1)
    out[:, : int(np.floor(c0))] = 0
    out[:, int(np.ceil(c1)) :] = 0
    return out


def dotted_line(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    r0, r1 = rng.integers(0, 27, size=2)
    line = _line(0, r0, 27, r1)
    for start in range(0, SIDE, 4):
        line[:, start : start + 2] = 0
    return x + line


def zigzag(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A zigzag (segments 2 px long, 2 px high) across the image along a slightly tilted axis."""
    c0, c1 = 2, 25
    r0 = int(rng.integers(0, 27))
    r1 = r0 + int(rng.integers(-5, 5))
    theta = np.arctan((r1 - r0) / (c1 - c0))
    length = (c1 - c0) / np.cos(theta)
    points = [(0.0, 0.0)]
    last_r = 0.0
    for i in range(int((length - 2) // 4) + 1):
        last_r = (-1) ** i * 2.0
        points.append(((2 * i + 1) * 2.0, last_r))
    whole = 4 * (length // 4)
    if length != whole:
        points.append((length, last_r / (2 * (length - whole))))
    cs, rs = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]]) @ np.array(points).T
    out = x.copy()
    for i in range(1, len(cs)):
        out = np.clip(out + _line(cs[i - 1] + c0, rs[i - 1] + r0, cs[i] + c0, rs[i] + r0), 0, 1)
    return out


def canny_edges(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    from skimage import feature

    return feature.canny(x).astype(np.float64)


CORRUPTIONS: dict[str, Corruption] = {
    f.__name__: f
    for f in (
        shot_noise,
        impulse_noise,
        glass_blur,
        motion_blur,
        shear,
        scale,
        rotate,
        brightness,
        translate,
        stripe,
        fog,
        spatter,
        dotted_line,
        zigzag,
        canny_edges,
    )
}


def corrupt(images: np.ndarray, name: str, seed: int) -> np.ndarray:
    """uint8 (N, 28, 28) -> the same images with one MNIST-C corruption, as uint8; ``seed`` fixes every draw."""
    rng = np.random.default_rng(seed)
    op = CORRUPTIONS[name]
    out = np.empty_like(images)
    for i, image in enumerate(images):
        out[i] = np.round(np.clip(op(image / 255.0, rng), 0, 1) * 255).astype(np.uint8)
    return out


def build_mnist_c(cache: Path, size: int = 10000, progress: bool = False) -> dict[str, np.ndarray]:
    """{corruption: uint8 images (size, 28, 28)} plus 'labels'; generated once, then read from the cache."""

    def make() -> dict[str, np.ndarray]:
        images, labels = load_mnist("test", cache)
        sets = {"labels": labels[:size]}
        for offset, name in enumerate(steps(list(CORRUPTIONS), "building MNIST-C", progress)):
            sets[name] = corrupt(images[:size], name, SEED + offset)
        return sets

    return cached_arrays(cache / f"mnist-c-v{MNIST_C_VERSION}-{size}.npz", make)


def read_mnist_c(folder: Path, size: int = 0) -> dict[str, dict[str, np.ndarray]]:
    """The official release: {corruption: {'images', 'labels'}} for every corruption folder present."""
    if not folder.is_dir():
        raise DataError(f"--data mnist-c:{folder}: no such folder; point it at the unpacked mnist_c release")
    found: dict[str, dict[str, np.ndarray]] = {}
    for name in CORRUPTIONS:
        images_path, labels_path = folder / name / "test_images.npy", folder / name / "test_labels.npy"
        if not images_path.is_file():
            continue
        try:
            images = np.load(images_path, allow_pickle=False)
            labels = np.load(labels_path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise DataError(f"cannot read {images_path.parent}: {exc}") from exc
        images = images.reshape(len(images), SIDE, SIDE).astype(np.uint8)
        if len(labels) != len(images):
            raise DataError(f"{images_path.parent}: {len(images)} images but {len(labels)} labels")
        keep = size or len(images)
        found[name] = {"images": images[:keep], "labels": labels[:keep].astype(np.uint8)}
    if not found:
        raise DataError(f"{folder} holds none of MNIST-C's folders (<corruption>/test_images.npy), e.g. {folder}/fog")
    return found
