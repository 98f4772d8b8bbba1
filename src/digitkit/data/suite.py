"""The robustness suite: corrupted copies of the MNIST test split, generated deterministically.

Each corruption is applied at a fixed, fairly strong severity to the first ``size`` test images; the
``combined`` set applies a random 2-4 of them to each image. The suite is cached as uint8 (what real
uploads are) in the data cache, keyed by version and size, so every model is scored on the same pixels.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import torch

from digitkit.data import augment as A
from digitkit.data.mnist import load_mnist
from digitkit.files import cached_arrays
from digitkit.progress import steps

SUITE_VERSION = 1
SEED = 20261122
Corruption = Callable[[torch.Tensor, torch.Generator], torch.Tensor]

CORRUPTIONS: dict[str, Corruption] = {
    "rotation": partial(A.affine, rotate=25.0),
    "scale": partial(A.affine, scale=(0.65, 1.25)),
    "shift": partial(A.affine, shift=4.0),
    "shear": partial(A.affine, shear=0.4),
    "elastic": partial(A.elastic, alpha=2.5, sigma=3.0),
    "thickness": partial(A.thickness, amount=1.0),
    "blur": partial(A.blur, sigma=(0.8, 1.4)),
    "noise": partial(A.noise, std=(0.1, 0.3)),
    "contrast": partial(A.contrast, low=0.5, min_range=0.2),
    "jpeg": partial(A.jpeg, quality=(5, 30)),
    "occlusion": partial(A.occlude, width=(1.5, 3.0)),
}


def combined(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Each image gets a random 2-4 of the corruptions, applied in the suite's fixed order."""
    names = list(CORRUPTIONS)
    counts = torch.randint(2, 5, (x.shape[0],), generator=gen)
    ranks = torch.rand((x.shape[0], len(names)), generator=gen).argsort(dim=1).argsort(dim=1)
    chosen = ranks < counts[:, None]  # (B, n_corruptions): each row has `count` True entries
    out = x.clone()
    for column, name in enumerate(names):
        rows = chosen[:, column]
        if bool(rows.any()):
            out[rows] = CORRUPTIONS[name](out[rows], gen)
    return out


def _generate(images: np.ndarray, name: str, seed: int) -> np.ndarray:
    gen = torch.Generator().manual_seed(seed)
    x = torch.from_numpy(images.astype(np.float32) / 255)[:, None]
    op = combined if name == "combined" else CORRUPTIONS[name]
    out = torch.cat([op(x[i : i + 1000], gen) for i in range(0, len(x), 1000)])
    return (out[:, 0].clamp(0, 1) * 255).round().to(torch.uint8).numpy()


def suite_names() -> list[str]:
    return [*CORRUPTIONS, "combined"]


def build_suite(cache: Path, size: int = 10000, progress: bool = False) -> dict[str, np.ndarray]:
    """{corruption name: uint8 images (size, 28, 28)} plus 'labels'; built once, then read from the cache."""

    def make() -> dict[str, np.ndarray]:
        images, labels = load_mnist("test", cache)
        suite = {"labels": labels[:size]}
        for offset, name in enumerate(steps(suite_names(), "building robustness suite", progress)):
            suite[name] = _generate(images[:size], name, SEED + offset)
        return suite

    return cached_arrays(cache / f"suite-v{SUITE_VERSION}-{size}.npz", make)
