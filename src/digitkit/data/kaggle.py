"""Kaggle Digit Recognizer CSVs: train.csv = label,pixel0..pixel783; test.csv = pixel0..pixel783."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from digitkit.errors import DataError
from digitkit.files import atomic_target

PIXELS = 784


def _read(path: Path, with_label: bool) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        with path.open(newline="") as handle:
            header = next(csv.reader(handle), None)
            if header is None:
                raise DataError(f"{path} is empty; expected a Kaggle digit-recognizer CSV")
            expected = (["label"] if with_label else []) + [f"pixel{i}" for i in range(PIXELS)]
            if [h.strip() for h in header] != expected:
                kind = "train.csv (label,pixel0..pixel783)" if with_label else "test.csv (pixel0..pixel783)"
                raise DataError(
                    f"{path}: expected the header of a Kaggle {kind}, got {len(header)} columns "
                    f"starting {','.join(header[:3])} instead"
                )
            try:
                table = np.loadtxt(handle, delimiter=",", dtype=np.int64, ndmin=2)
            except ValueError as exc:
                raise DataError(f"{path}: a row is not {len(expected)} integers ({exc})") from exc
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}") from exc
    if table.size == 0:
        table = table.reshape(0, len(expected))
    if table.shape[1] != len(expected):
        raise DataError(f"{path}: expected {len(expected)} columns per row, got {table.shape[1]} instead")
    pixels = table[:, 1:] if with_label else table
    if pixels.min(initial=0) < 0 or pixels.max(initial=0) > 255:
        raise DataError(f"{path}: pixel values must be 0-255")
    images = pixels.astype(np.uint8).reshape(-1, 28, 28)
    if not with_label:
        return images, None
    labels = table[:, 0]
    if labels.min(initial=0) < 0 or labels.max(initial=0) > 9:
        raise DataError(f"{path}: labels must be digits 0-9")
    return images, labels.astype(np.uint8)


def read_kaggle_train(path: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = _read(path, with_label=True)
    assert labels is not None
    return images, labels


def read_kaggle_test(path: Path) -> np.ndarray:
    return _read(path, with_label=False)[0]


def write_submission(path: Path, predictions: np.ndarray) -> None:
    """submission.csv: ImageId (from 1),Label; written to a temporary name, then renamed."""
    with atomic_target(path) as tmp, tmp.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ImageId", "Label"])
        writer.writerows((i + 1, int(label)) for i, label in enumerate(predictions))
