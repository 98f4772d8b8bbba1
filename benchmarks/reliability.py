"""Reliability probes against `digitkit serve` on loopback, each bounded in time and size.

    python benchmarks/reliability.py [--soak-seconds 180] [--fuzz 1000]

1. upload fuzzing: malformed, truncated, oversized and random uploads on every POST route; counts by status;
2. slowloris: 100 connections that never finish their headers; /status latency meanwhile;
3. fd exhaustion: a server limited to 1,024 open files, 1,100 held connections; 80 normal /status requests;
4. memory bomb: one JSON request with 16 images of 4096x4096 (tiny PNGs); the answer and the server's RSS growth;
5. draw flood: 4 clients sending 4096x4096 canvases to /api/v1/draw for 10 s; /status latency meanwhile;
6. soak: predictions, drawings and /status for --soak-seconds; RSS sampled every 10 s.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import os
import random
import resource
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import served, write_result  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def data_uri(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def status_once(port: int) -> bool:
    """GET /status on a fresh connection with a bare socket (no client library overhead in the figure)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        return answer.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def latencies(port: int, count: int, pause: float = 0.0) -> dict[str, float]:
    """/status on fresh connections: p50, p99, max in ms, and how many failed."""
    times, failed = [], 0
    for _ in range(count):
        started = time.perf_counter()
        failed += not status_once(port)
        times.append((time.perf_counter() - started) * 1000)
        time.sleep(pause)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[int(0.99 * (len(times) - 1))], 2),
        "max_ms": round(times[-1], 2),
        "failed": failed,
    }


def fuzz_cases(rng: random.Random, digit: bytes) -> list[tuple[str, dict[str, Any]]]:
    """(route, httpx.post keyword arguments) for one round of malformed uploads."""
    noise = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 3000)))
    truncated = digit[: rng.randint(1, len(digit) - 1)]
    huge = png(np.zeros((1, 1), np.uint8))[:16] + (60000).to_bytes(4, "big") + (60000).to_bytes(4, "big") + digit[24:]
    blobs = [noise, truncated, huge, digit, b"", digit * 3]
    blob = rng.choice(blobs)
    texts = [data_uri(blob), "data:image/png;base64,@@@", base64.b64encode(blob).decode(), "", "x" * 5000]
    json_bodies: list[Any] = [
        {"images": [rng.choice(texts)]},
        {"images": rng.choice(texts)},
        {"image": rng.choice(texts), "digits": [{"box": [0, 0, 5, 5], "predicted": 1, "label": 3}]},
        {"images": [rng.choice(texts)] * rng.randint(0, 20)},
        [1, 2, 3],
        {"images": None},
    ]
    return [
        ("/predict", {"files": [("x", ("a.png", blob, rng.choice(["image/png", "text/plain", ""])))]}),
        ("/predict", {"content": noise, "headers": {"content-type": "multipart/form-data; boundary=zz"}}),
        ("/api/v1/predict", {"json": rng.choice(json_bodies)}),
        ("/api/v1/draw", {"json": {"image": rng.choice(texts)}}),
        ("/api/v1/feedback", {"json": rng.choice(json_bodies)}),
        ("/api/v1/predict", {"content": noise, "headers": {"content-type": "application/json"}}),
    ]


def fuzz(url: str, rounds: int, digit: bytes) -> dict[str, int]:
    rng = random.Random(0)
    codes: Counter[str] = Counter()
    with httpx.Client(timeout=30) as client:
        for _ in range(rounds):
            for route, kwargs in fuzz_cases(rng, digit):
                try:
                    codes[str(client.post(f"{url}{route}", **kwargs).status_code)] += 1
                except httpx.HTTPError as exc:
                    codes[type(exc).__name__] += 1
    return dict(sorted(codes.items()))


def slowloris(port: int) -> dict[str, Any]:
    with contextlib.ExitStack() as stack:
        for _ in range(100):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            sock.sendall(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        return {"held": 100, "status": latencies(port, 200)}


def fd_exhaustion(model: str) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    env = {**os.environ, "DIGITKIT_HEADER_TIMEOUT_S": "120"}
    try:
        with served("--model", model, env=env, fd_limit=1024) as (port, _), contextlib.ExitStack() as stack:
            for _ in range(1100):
                stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10)).sendall(
                    b"GET / HTTP/1.1\r\n"
                )
            return {"fd_limit": 1024, "held": 1100, "status": latencies(port, 80)}
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def memory_bomb(url: str, pid: int) -> dict[str, Any]:
    big = data_uri(png(np.zeros((4096, 4096), np.uint8)))
    before = rss_mb(pid)
    response = httpx.post(f"{url}/api/v1/predict", json={"images": [big] * 16}, timeout=60)
    return {
        "images": 16,
        "side": 4096,
        "body_kb": round(len(big) * 16 / 1024),
        "status": response.status_code,
        "error": response.json().get("error", ""),
        "rss_growth_mb": round(rss_mb(pid) - before, 1),
    }


def flood(url: str, port: int, seconds: float, body: dict[str, Any], clients: int) -> dict[str, Any]:
    stop = time.monotonic() + seconds
    codes: Counter[int] = Counter()

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < stop:
                codes[http.post(f"{url}/api/v1/draw", json=body).status_code] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    status = latencies(port, int((seconds - 1) / 0.05), pause=0.04)
    for thread in threads:
        thread.join()
    return {"clients": clients, "seconds": seconds, "draw_codes": dict(codes), "status": status}


def soak(url: str, pid: int, seconds: float, digit: bytes, canvas: str) -> dict[str, Any]:
    samples, codes = [], Counter[int]()
    stop = time.monotonic() + seconds
    next_sample = time.monotonic()
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < stop:
            if time.monotonic() >= next_sample:
                samples.append(round(rss_mb(pid), 1))
                next_sample += 10
            codes[client.post(f"{url}/predict", files=[("x", ("d.png", digit, "image/png"))]).status_code] += 1
            codes[client.post(f"{url}/api/v1/draw", json={"image": canvas}).status_code] += 1
            codes[client.get(f"{url}/status").status_code] += 1
    return {"seconds": seconds, "codes": dict(codes), "rss_mb": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="default")
    parser.add_argument("--fuzz", type=int, default=200, help="fuzzing rounds (6 requests each)")
    parser.add_argument("--soak-seconds", type=float, default=180)
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir, load_mnist

    images = load_mnist("test", cache_dir())[0]
    digit = png(images[0])
    canvas = data_uri(png(255 - np.kron(np.hstack(list(images[:3])), np.ones((8, 8), np.uint8))))
    results: dict[str, Any] = {}
    with served("--model", args.model) as (port, server):
        url = f"http://127.0.0.1:{port}"
        results["idle_status"] = latencies(port, 200)
        print("idle /status", results["idle_status"], flush=True)
        results["fuzz"] = fuzz(url, args.fuzz, digit)
        print("fuzzing", results["fuzz"], flush=True)
        results["slowloris"] = slowloris(port)
        print("slowloris", results["slowloris"], flush=True)
        results["memory_bomb"] = memory_bomb(url, server.pid)
        print("memory bomb", results["memory_bomb"], flush=True)
        page = np.full((4096, 4096), 255, np.uint8)  # a 4096x4096 page with three large digits drawn on it
        page[1000 : 1000 + 28 * 40, 500 : 500 + 3 * 28 * 40] = 255 - np.kron(
            np.hstack(list(images[:3])), np.ones((40, 40), np.uint8)
        )
        results["draw_flood"] = flood(url, port, 10, {"image": data_uri(png(page))}, clients=4)
        print("draw flood", results["draw_flood"], flush=True)
        results["soak"] = soak(url, server.pid, args.soak_seconds, digit, canvas)
        print("soak", results["soak"], flush=True)
    results["fd_exhaustion"] = fd_exhaustion(args.model)
    print("fd exhaustion", results["fd_exhaustion"], flush=True)
    write_result("reliability", results)


if __name__ == "__main__":
    main()
