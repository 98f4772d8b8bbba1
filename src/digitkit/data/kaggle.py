"""Kaggle Digit Recognizer CSVs: train.csv = label,pixel0..pixel783; test.csv = pixel0..pixel783.

Read as Kaggle users have them: plain or gzip-compressed (``.csv.gz``), LF or CRLF line endings, with or
without a UTF-8 byte-order mark, integral floats (``0.0``) accepted. Every error names the file line
(1-based; the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import gzip
import io
import warnings
from pathlib import Path
from typing import IO

import numpy as np

from digitkit.errors import DataError
from digitkit.files import atomic_target

PIXELS = 784
PIXEL_COLUMNS = [f"pixel{i}" for i in range(PIXELS)]


def _open(path: Path) -> IO[str]:
    """Text, with a BOM dropped and newlines left to the csv module (LF and CRLF both read)."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _read(path: Path, with_label: bool) -> tuple[np.ndarray, np.ndarray | None]:
    kind = "train.csv (label,pixel0..pixel783)" if with_label else "test.csv (pixel0..pixel783)"
    expected = (["label"] if with_label else []) + PIXEL_COLUMNS
    try:
        with _open(path) as handle:
            header = next(csv.reader(handle), None)
            if header is None:
                raise DataError(f"{path} is empty; expected a Kaggle digit-recognizer {kind}")
            if [h.strip() for h in header] != expected:
                raise DataError(
                    f"{path} line 1: expected the header of a Kaggle {kind}, got {len(header)} columns "
                    f"starting {','.join(header[:3])} instead"
                )
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)  # "input contained no data": said below
                    table = np.loadtxt(handle, delimiter=",", dtype=np.float32, ndmin=2)
            except ValueError:
                table = None  # found again below, slowly, to say where
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    if table is None:
        raise _first_bad_row(path, expected)
    if table.size == 0:
        raise DataError(f"{path} has a header but no rows; expected at least one image")
    if table.shape[1] != len(expected):
        raise _first_bad_row(path, expected)
    _check_values(path, table, expected, with_label)
    pixels = table[:, 1:] if with_label else table
    images = pixels.astype(np.uint8).reshape(-1, 28, 28)
    return images, table[:, 0].astype(np.uint8) if with_label else None


def _check_values(path: Path, table: np.ndarray, columns: list[str], with_label: bool) -> None:
    """Whole numbers; pixels 0-255; labels 0-9. The first offending cell is named by its line and column."""
    first = 1 if with_label else 0
    pixels = table[:, first:]
    bad = ~np.isfinite(table) | (table != np.round(table))
    bad[:, first:] |= (pixels < 0) | (pixels > 255)
    if with_label:
        bad[:, 0] |= (table[:, 0] < 0) | (table[:, 0] > 9)
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        allowed = "a digit 0-9" if with_label and column == 0 else "a whole number 0-255"
        raise DataError(
            f"{path} line {_file_line(path, row)}, column {columns[column]}: {table[row, column]:g} is not {allowed}"
        )


def _file_line(path: Path, row: int) -> int:
    """The 1-based file line of data row ``row`` (blank lines, which numpy skips, are counted)."""
    with _open(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        seen = -1
        for fields in reader:
            seen += bool(fields)
            if seen == row:
                return reader.line_num
    return row + 2


def _first_bad_row(path: Path, columns: list[str]) -> DataError:
    """The first row numpy could not read, named by file line and column."""
    with _open(path) as handle:
        reader = csv.reader(handle)
        next(reader)
        for fields in reader:
            if not fields:
                continue
            if len(fields) != len(columns):
                return DataError(
                    f"{path} line {reader.line_num}: {len(fields)} values, expected {len(columns)} "
                    f"({columns[0]}..{columns[-1]})"
                )
            for name, value in zip(columns, fields, strict=True):
                try:
                    float(value)
                except ValueError:
                    return DataError(f"{path} line {reader.line_num}, column {name}: {value!r} is not a number")
    return DataError(f"{path}: a row could not be read as {len(columns)} numbers")


def read_kaggle_train(path: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = _read(path, with_label=True)
    assert labels is not None
    return images, labels


def read_kaggle_test(path: Path) -> np.ndarray:
    return _read(path, with_label=False)[0]


def write_submission(path: Path, predictions: np.ndarray) -> None:
    """submission.csv: ImageId (from 1),Label, LF line endings; written to a temporary name, then renamed."""
    with atomic_target(path) as tmp, tmp.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ImageId", "Label"])
        writer.writerows((i + 1, int(label)) for i, label in enumerate(predictions))
