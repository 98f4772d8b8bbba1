"""Helpers the benchmark scripts share: results folder, JSON output, a free port, MNIST PNG bytes."""

from __future__ import annotations

import io
import json
import platform
import socket
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

RESULTS = Path(__file__).resolve().parent / "results"


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    meta = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": platform.processor() or platform.machine()}
    path.write_text(json.dumps({**meta, **payload}, indent=2))
    print(f"\nwrote {path}")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
