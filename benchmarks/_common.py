"""Helpers the benchmark scripts share: results folder, JSON output, a free port, MNIST PNG bytes."""

from __future__ import annotations

import io
import json
import os
import platform
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

RESULTS = Path(__file__).resolve().parent / "results"
#: Debian's Chromium (never a downloaded browser) and the flags every browser benchmark launches it with.
CHROMIUM = os.environ.get("DIGITKIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    meta = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": platform.processor() or platform.machine()}
    path.write_text(json.dumps({**meta, **payload}, indent=2))
    print(f"\nwrote {path}")
    return path


def share(hits: int, total: int) -> dict[str, float]:
    """``hits`` of ``total`` drawings as a rate with its 95% Wilson interval (scipy): how far the true rate may lie
    from one run's figure, so that two runs are compared with their noise in view (a few hundred drawings a
    figure leave several points either way)."""
    from scipy.stats import binomtest

    interval = binomtest(hits, total).proportion_ci(confidence_level=0.95, method="wilson")
    return {"rate": hits / total, "low": float(interval.low), "high": float(interval.high)}


def shown(hits: int, total: int) -> str:
    """A report line's figure: hits/total (rate, 95% CI low-high)."""
    rate = share(hits, total)
    return f"{hits}/{total} ({rate['rate']:.1%}, 95% CI {rate['low']:.1%}-{rate['high']:.1%})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


@contextmanager
def served(
    *serve_args: str, env: dict[str, str] | None = None, fd_limit: int | None = None
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """`digitkit serve` on a free loopback port, ready (200 on /status) when the block starts; yields the port
    and the process (optionally limited to ``fd_limit`` open files)."""
    import resource

    def limit() -> None:
        if fd_limit is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    port = free_port()
    command = [sys.executable, "-m", "digitkit.cli", "serve", "--port", str(port), "--no-access-log", *serve_args]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, preexec_fn=limit)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.05)
        yield port, server
    finally:
        server.terminate()
        server.wait()


@contextmanager
def running_server(*serve_args: str) -> Iterator[int]:
    """`digitkit serve` on a free loopback port, ready when the block starts; yields the port."""
    with served(*serve_args) as (port, _):
        yield port
