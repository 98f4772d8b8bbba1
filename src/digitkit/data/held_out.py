"""The held-out family: corruptions that no training augmentation is related to, scored apart from the suite
and MNIST-C.

The training augmentation (data/augment.py) now has a relative of every MNIST-C kind (lines for zigzag, outlines
for Canny edges, glow for fog...), so MNIST-C measures how well those families carry over to another author's
definitions, not robustness to something never seen. This family is the part training never saw: pixelation,
each 2x2 or 3x3 block of pixels replaced by its mean on a grid at a random offset (a low-resolution scan or
camera). It is neither a blur (block edges stay hard) nor noise nor a geometric change. ``digitkit evaluate
MODEL --data held-out`` reports it; a test checks that training code never imports this module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitkit.data.mnist import load_mnist
from digitkit.files import cached_arrays

HELD_OUT_VERSION = 1
SEED = 31337
BLOCKS = {"pixelate_2": 2, "pixelate_3": 3}  #: kind -> block side in pixels


def pixelate(images: np.ndarray, block: int, rng: np.random.Generator) -> np.ndarray:
    """uint8 (N, 28, 28) -> each image's ``block`` x ``block`` cells (grid offset at random) set to their mean."""
    out = np.empty_like(images)
    side = images.shape[1]
    for i, image in enumerate(images):
        dy, dx = rng.integers(0, block, size=2)
        padded = np.pad(image.astype(np.float32), ((dy, block), (dx, block)), mode="constant")
        cells = (side + dy + block - 1) // block, (side + dx + block - 1) // block
        grid = padded[: cells[0] * block, : cells[1] * block].reshape(cells[0], block, cells[1], block)
        means = grid.mean(axis=(1, 3))
        whole = np.repeat(np.repeat(means, block, axis=0), block, axis=1)
        out[i] = np.round(whole[dy : dy + side, dx : dx + side]).astype(np.uint8)
    return out


def build_held_out(cache: Path, size: int = 10000) -> dict[str, np.ndarray]:
    """{kind: uint8 images (size, 28, 28)} plus 'labels', from the MNIST test split; cached like the suite."""

    def make() -> dict[str, np.ndarray]:
        images, labels = load_mnist("test", cache)
        sets = {"labels": labels[:size]}
        for offset, (name, block) in enumerate(BLOCKS.items()):
            sets[name] = pixelate(images[:size], block, np.random.default_rng(SEED + offset))
        return sets

    return cached_arrays(cache / f"held-out-v{HELD_OUT_VERSION}-{size}.npz", make)
