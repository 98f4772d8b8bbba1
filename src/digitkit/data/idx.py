"""Reader for the IDX format MNIST ships in (raw or gzip), with errors that name the file."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from digitkit.errors import DataError

_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file of unsigned bytes (``.gz`` accepted) into an array of its declared shape."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}; run `digitkit fetch mnist`") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(f"{path} is a corrupt gzip file ({exc}); delete it and fetch again") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"{path} is not an IDX file (bad magic number); delete it and fetch again")
    if raw[2] != _UBYTE:
        raise DataError(f"{path}: expected IDX data type 0x08 (unsigned byte), got {raw[2]:#04x} instead")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated inside its header; delete it and fetch again")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise DataError(
            f"{path}: header promises {expected} bytes for shape {shape}, file has {len(raw)}; "
            "delete it and fetch again"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)
