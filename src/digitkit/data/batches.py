"""RAMP's batch-generator builder: train/valid generators over data that need not fit in memory.

``get_train_valid_generators(batch_size, valid_ratio)`` returns ``(gen_train, gen_valid, nb_train, nb_valid)``;
both generators yield ``(X, y)`` batches forever, loading each batch only when it is asked for. X holds
MNIST-normalized float32 images (B, 28, 28), passed through the submission's ``transform`` when it has one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from digitkit.data.folder import ImageFolder

Loader = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]  #: row indices -> (images, labels)


class BatchGeneratorBuilder:
    def __init__(
        self, loader: Loader, n_rows: int, *, transform: Callable[[np.ndarray], np.ndarray] | None = None, seed: int = 0
    ):
        self.loader = loader
        self.n_rows = n_rows
        self.transform = transform
        self.seed = seed

    def _generator(
        self, indices: np.ndarray, batch_size: int, shuffle: bool
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rng = np.random.default_rng(self.seed)
        while True:
            order = rng.permutation(indices) if shuffle else indices
            for start in range(0, len(order), batch_size):
                images, labels = self.loader(order[start : start + batch_size])
                if self.transform is not None:
                    images = np.stack([self.transform(x) for x in images]).astype(np.float32)
                yield images, labels

    def get_train_valid_generators(
        self, batch_size: int = 256, valid_ratio: float = 0.1
    ) -> tuple[Iterator[tuple[np.ndarray, np.ndarray]], Iterator[tuple[np.ndarray, np.ndarray]], int, int]:
        if not 0.0 <= valid_ratio < 1.0:
            raise ValueError(f"expected valid_ratio in [0, 1), got {valid_ratio} instead")
        order = np.random.default_rng(self.seed).permutation(self.n_rows)
        nb_valid = int(round(self.n_rows * valid_ratio))
        valid, train = order[:nb_valid], order[nb_valid:]
        return (
            self._generator(train, batch_size, shuffle=True),
            self._generator(valid, batch_size, shuffle=False),
            len(train),
            nb_valid,
        )


def array_loader(images: np.ndarray, labels: np.ndarray) -> Loader:
    """Rows of in-memory uint8 images, normalized per batch (the shared preprocessing)."""
    from digitkit.preprocess import normalize_batch

    def load(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return normalize_batch(images[indices]), labels[indices].astype(np.int64)

    return load


def folder_loader(folder: ImageFolder) -> Loader:
    """Rows of an image folder (data/folder.py), read from disk batch by batch."""

    def load(indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return folder.load(indices), folder.labels[indices]

    return load
