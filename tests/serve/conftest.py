"""A real server process on a free loopback port, and an in-process app for fast API tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import RunningServer

PAGE_TOKEN = "page-server-admin-token"  #: page_server's DIGITKIT_ADMIN_TOKEN


@pytest.fixture(scope="module")
def server(smoke_artifact: Path) -> Iterator[RunningServer]:
    running = RunningServer(["--model", str(smoke_artifact), "--no-access-log"])
    yield running
    running.stop()


@pytest.fixture
def start_server() -> Iterator[Callable[..., RunningServer]]:
    """start_server(args, env=None, fd_limit=None) -> a running server, stopped after the test."""
    started: list[RunningServer] = []

    def start(args: list[str], env: dict[str, str] | None = None, fd_limit: int | None = None) -> RunningServer:
        started.append(RunningServer(args, env, fd_limit))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="module")
def page_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The full service with the shipped default model and its own feedback database."""
    import os

    env = {**os.environ, "DIGITKIT_DATA_DIR": str(tmp_path_factory.mktemp("data")), "DIGITKIT_ADMIN_TOKEN": PAGE_TOKEN}
    running = RunningServer(["--no-access-log"], env=env)
    running.admin_token = PAGE_TOKEN
    yield running
    running.stop()
