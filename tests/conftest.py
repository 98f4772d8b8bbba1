"""Shared fixtures: real MNIST through the project's own fetch code, a small trained artifact, test images."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist


@pytest.fixture(scope="session")
def mnist_cache() -> Path:
    """The user's MNIST cache, filled by digitkit's own fetch code if empty."""
    cache = cache_dir()
    ensure_mnist(cache, progress=False)
    return cache


@pytest.fixture(scope="session")
def mnist_test(mnist_cache: Path) -> tuple[np.ndarray, np.ndarray]:
    return load_mnist("test", mnist_cache)


@pytest.fixture(scope="session")
def smoke_artifact(tmp_path_factory: pytest.TempPathFactory, mnist_cache: Path) -> Path:
    """A tiny model trained for one epoch on 2,000 images, exported with int8 weights."""
    from digitkit.train.pipeline import run_recipe
    from digitkit.train.recipe import load_recipe

    run_dir = tmp_path_factory.mktemp("smoke-run")
    result = run_recipe(load_recipe("smoke"), cache=mnist_cache, run_dir=run_dir, suite_size=200, progress=False)
    return result.artifact


def png_bytes(array: np.ndarray, mode: str | None = None, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image = Image.fromarray(array)
    if mode is not None:
        image = image.convert(mode)
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def blob(digit: int, size: int = 28) -> np.ndarray:
    """A synthetic white-on-black 'digit': a filled rectangle whose size depends on ``digit``."""
    image = np.zeros((size, size), dtype=np.uint8)
    height = 8 + digit
    image[size // 2 - height // 2 : size // 2 + height // 2, size // 2 - 3 : size // 2 + 3] = 255
    return image


@pytest.fixture(scope="session")
def encode():
    """encode(array, mode=None, fmt='PNG') -> image file bytes."""
    return png_bytes


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def cli():
    """cli(*args, env=None) -> the finished `python -m digitkit.cli ARGS` process, output as text."""
    import subprocess
    import sys

    def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "digitkit.cli", *map(str, args)]
        return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)

    return run
