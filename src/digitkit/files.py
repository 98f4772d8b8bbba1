"""Atomic file writes: a temporary name beside the target, renamed over it only when writing succeeded.

An interrupted or failed write never leaves a half-written file under the real name.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np


@contextmanager
def atomic_target(path: Path, suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (missing folders are created); it replaces ``path`` if the block
    ends without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{suffix}"
    # Created with mode 0666 so the umask applies, as for any file a tool writes (mkstemp would give 0600).
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> int:
    """Write ``data`` to ``path`` atomically; return the byte count."""
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)
    return len(data)


def cached_arrays(path: Path, make: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Named arrays read from the .npz at ``path``; made by ``make`` and stored there (atomically) the first time."""
    if path.is_file():
        with np.load(path, allow_pickle=False) as stored:
            return {key: stored[key] for key in stored.files}
    arrays = make()
    with atomic_target(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    return arrays
