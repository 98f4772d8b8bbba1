"""A real server process on a free loopback port, and an in-process app for fast API tests."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from helpers import free_port

PAGE_TOKEN = "page-server-admin-token"  #: page_server's DIGITKIT_ADMIN_TOKEN


class RunningServer:
    def __init__(self, args: list[str], env: dict[str, str] | None = None):
        self.admin_token = ""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "digitkit.cli", "serve", "--port", str(self.port), *args]
        # A file, not a pipe: an unread pipe fills up and blocks the server's access log.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/status", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("server did not start within 30 s")

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def server(smoke_artifact: Path) -> Iterator[RunningServer]:
    running = RunningServer(["--model", str(smoke_artifact), "--no-access-log"])
    yield running
    running.stop()


@pytest.fixture
def start_server() -> Iterator[Callable[..., RunningServer]]:
    """start_server(args, env=None) -> a running server, stopped after the test."""
    started: list[RunningServer] = []

    def start(args: list[str], env: dict[str, str] | None = None) -> RunningServer:
        started.append(RunningServer(args, env))
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
