"""Helpers several test modules share: a free port, image encoding, canvases of digits, placeholder metadata,
Hershey's Greek letters that the page cuts into digits without the groups model."""

from __future__ import annotations

import base64
import io
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

import httpx
import numpy as np
from PIL import Image

from cut_veto import touching_170  # benchmarks/cut_veto.py: the same drawing and its variants
from digitkit.runtime.artifact import ArtifactMeta

#: How long a test server may take to answer /status: a few seconds normally, much more on a stalled CI machine.
STARTUP_S = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def png_bytes(array: np.ndarray, mode: str | None = None, fmt: str = "PNG") -> bytes:
    """An image file of ``array`` (uint8), optionally converted to PIL ``mode``, in format ``fmt``."""
    buffer = io.BytesIO()
    image = Image.fromarray(array)
    if mode is not None:
        image = image.convert(mode)
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def data_uri(array: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(array)).decode()


def canvas(
    digits: Sequence[np.ndarray],
    scale: int | Sequence[int] = 4,
    size: tuple[int, int] = (140, 420),
    gap: int = 18,
    invert: bool = True,
) -> np.ndarray:
    """MNIST digits (white on black) enlarged ``scale`` times, left to right with ``gap`` pixels between them,
    on a canvas of ``size``; ``invert`` gives black ink on white, as the drawing page sends."""
    scales = [scale] * len(digits) if isinstance(scale, int) else list(scale)
    out = np.zeros(size, np.uint8)
    x = gap
    for digit, factor in zip(digits, scales, strict=True):
        big = np.kron(digit, np.ones((factor, factor), np.uint8))
        top = max(0, (size[0] - big.shape[0]) // 2)
        region = out[top : top + big.shape[0], x : x + big.shape[1]]
        np.maximum(region, big, out=region)
        x += big.shape[1] + gap
    return 255 - out if invert else out


#: A 1, a 7 whose bar starts on the 1's ink and a 0 that touches the 7: one piece of ink, three strokes.
TOUCHING_170 = touching_170()


def placeholder_meta(name: str = "t", **overrides: object) -> ArtifactMeta:
    """Metadata for artifacts exported in tests; the figures do not matter there."""
    values: dict[str, object] = {
        "name": name,
        "recipe": "smoke",
        "architecture": "convnet_tiny",
        "parameters": 1,
        "preprocess_version": 1,
        "data": "test",
        "quantization": "none",
        **overrides,
    }
    return ArtifactMeta(**values)  # type: ignore[arg-type]


class RunningServer:
    def __init__(self, args: list[str], env: dict[str, str] | None = None, fd_limit: int | None = None):
        self.admin_token = ""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "digitkit.cli", "serve", "--port", str(self.port), *args]
        # A file, not a pipe: an unread pipe fills up and blocks the server's access log.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop)

        def limit_fds() -> None:  # in the child, before it starts: the soft limit on open files
            if fd_limit is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (fd_limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env=env, preexec_fn=limit_fds
        )
        deadline = time.monotonic() + STARTUP_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/status", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start within {STARTUP_S} s")

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


#: Hershey's Greek letters (font, character, jitter seed) that the page cuts into digits without the groups model
#: (Lambda 11, Pi 17, eta 11, omega 60). The groups model never saw a Greek letter (data/groups.py).
CUT_GREEK = [("greek", "L", 0), ("greek", "L", 1), ("greek", "P", 0), ("greek", "n", 1), ("greek", "w", 2)]


def greek_letter(font: str, char: str, seed: int, left: float = 300, top: float = 90, height: float = 240):
    """Hershey's Greek ``char`` jittered with ``seed``, ``height`` pixels tall, its box's corner at (left, top)."""
    from digitkit.data import hershey
    from digitkit.data.strokes import jittered, placed

    glyph = next(strokes for f, c, strokes in hershey.glyphs()["greek"] if (f, c) == (font, char))
    return placed(jittered(glyph, np.random.default_rng(seed)), left, top, height)
