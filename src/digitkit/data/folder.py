"""RAMP-style image folders: a CSV with ``id,class`` naming image files, read lazily in batches.

The CSV is read once (ids and labels are small); images are opened only when their batch is asked for, so a
data set larger than memory can be iterated, trained on or evaluated.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from digitkit.errors import DataError
from digitkit.preprocess import normalize, pil_to_gray

EXTENSIONS = ("", ".png", ".jpg", ".jpeg", ".bmp", ".gif")


@dataclass
class ImageFolder:
    """Labelled images on disk: ``csv_path`` lists ``id,class``; ``image_dir`` holds the files."""

    csv_path: Path
    image_dir: Path
    ids: list[str]
    labels: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def image_path(self, image_id: str) -> Path:
        for extension in EXTENSIONS:
            path = self.image_dir / f"{image_id}{extension}"
            if path.is_file():
                return path
        raise DataError(f"{self.csv_path}: no image file for id {image_id!r} in {self.image_dir}")

    def load(self, indices: np.ndarray | list[int]) -> np.ndarray:
        """Normalized (len(indices), 28, 28) float32 for the given rows."""
        out = np.empty((len(indices), 28, 28), dtype=np.float32)
        for slot, index in enumerate(indices):
            path = self.image_path(self.ids[int(index)])
            try:
                with Image.open(path) as image:
                    out[slot] = normalize(pil_to_gray(image))
            except (UnidentifiedImageError, OSError) as exc:
                raise DataError(f"{path} is not a readable image ({exc}); remove it from {self.csv_path}") from exc
        return out

    def batches(self, batch_size: int, indices: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (normalized images, labels) batches over ``indices`` (default: every row, in order)."""
        order = np.arange(len(self)) if indices is None else indices
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            yield self.load(chunk), self.labels[chunk]


def open_image_folder(path: Path) -> ImageFolder:
    """``path`` is the CSV, or a folder holding ``train.csv`` (or ``labels.csv``) and an ``images/`` subfolder."""
    csv_path = path
    if path.is_dir():
        candidates = [path / name for name in ("train.csv", "labels.csv", "test.csv") if (path / name).is_file()]
        if not candidates:
            raise DataError(f"{path} holds no train.csv or labels.csv (columns id,class)")
        csv_path = candidates[0]
    image_dir = csv_path.parent / "images" if (csv_path.parent / "images").is_dir() else csv_path.parent
    try:
        with csv_path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise DataError(f"cannot read {csv_path}: {exc.strerror}") from exc
    if not rows or not {"id", "class"} <= set(rows[0]):
        raise DataError(f"{csv_path}: expected a CSV with columns id,class")
    try:
        labels = np.array([int(row["class"]) for row in rows], dtype=np.int64)
    except ValueError as exc:
        raise DataError(f"{csv_path}: class must be an integer digit ({exc})") from exc
    if labels.min() < 0 or labels.max() > 9:
        raise DataError(f"{csv_path}: class must be 0-9, found {labels.min()}..{labels.max()}")
    return ImageFolder(csv_path, image_dir, [row["id"] for row in rows], labels)


def read_image_folder(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every image of the folder at once (evaluation of sets that fit in memory), normalized, with labels."""
    folder = open_image_folder(path)
    return folder.load(list(range(len(folder)))), folder.labels
