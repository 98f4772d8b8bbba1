"""Atomic file writes: a temporary name beside the target, renamed over it only when writing succeeded.

An interrupted or failed write never leaves a half-written file under the real name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_target(path: Path, suffix: str = ".part") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; it replaces ``path`` if the block ends without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> int:
    """Write ``data`` to ``path`` atomically; return the byte count."""
    with atomic_target(path) as tmp:
        tmp.write_bytes(data)
    return len(data)
