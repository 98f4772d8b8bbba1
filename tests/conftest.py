"""Shared fixtures: real MNIST through the project's own fetch code, a small trained artifact, test images."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from digitkit.data.mnist import cache_dir, fetch_mnist, load_mnist, mnist_dir
from helpers import png_bytes


@pytest.fixture(scope="session", autouse=True)
def mnist_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A cache for this test run, never the user's: MNIST fetched by digitkit's own code, copied (read-only use)
    from the user's verified cache when there is one. DIGITKIT_CACHE points the CLI subprocesses at it too.

    pytest-xdist workers share one folder; the fetch writes each file atomically, so they may race safely.
    """
    base = tmp_path_factory.getbasetemp()
    cache = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "digitkit-cache"
    users = mnist_dir(cache_dir())
    fetch_mnist(cache, source=users if users.is_dir() else None, progress=False)
    previous = os.environ.get("DIGITKIT_CACHE")
    os.environ["DIGITKIT_CACHE"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("DIGITKIT_CACHE", None)
    else:
        os.environ["DIGITKIT_CACHE"] = previous


@pytest.fixture(scope="session", autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data folder (feedback database, model versions, jobs) of this test run, never the user's: for the
    CLI and servers through DIGITKIT_DATA_DIR, and for in-process apps through Settings' default."""
    from digitkit.serve import settings

    folder = tmp_path_factory.mktemp("digitkit-data")
    previous = os.environ.get("DIGITKIT_DATA_DIR")
    os.environ["DIGITKIT_DATA_DIR"] = str(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "DEFAULT_DATA_DIR", folder)
        yield folder
    if previous is None:
        os.environ.pop("DIGITKIT_DATA_DIR", None)
    else:
        os.environ["DIGITKIT_DATA_DIR"] = previous


@pytest.fixture(scope="session")
def mnist_test(mnist_cache: Path) -> tuple[np.ndarray, np.ndarray]:
    return load_mnist("test", mnist_cache)


@pytest.fixture(scope="session")
def smoke_artifact(tmp_path_factory: pytest.TempPathFactory, mnist_cache: Path) -> Path:
    """A tiny model trained for one epoch on 2,000 images, exported (float weights) through `digitkit train`."""
    from digitkit.train.pipeline import run_recipe
    from digitkit.train.recipe import load_recipe

    run_dir = tmp_path_factory.mktemp("smoke-run")
    result = run_recipe(load_recipe("smoke"), cache=mnist_cache, run_dir=run_dir, suite_size=200, progress=False)
    return result.export.path


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


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A real PostgreSQL server for this test process (Debian's package; `make test` installs it when missing)."""
    from postgres import PostgresServer, binaries

    if binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is missing on CI: `make test` should have installed Debian's postgresql")
        pytest.skip("PostgreSQL is not installed: apt-get install postgresql")
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database: SQLite in a temporary folder, then a new database on the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'digitkit.sqlite3'}"
    import uuid

    server = request.getfixturevalue("postgres")
    return server.new_database(f"t{uuid.uuid4().hex[:12]}")
