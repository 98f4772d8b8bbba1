"""Load benchmark of `digitkit serve`: one server process pinned to one core, load from another process.

Reports start-up time (process start to first 200 on /status), p50/p99 latency and throughput for 1, 8 and 64
concurrent clients sending 1 or 64 images per request, and the server's peak RSS. All traffic is loopback,
bounded by a request count and a time limit per cell.

    python benchmarks/serve_load.py [--model default] [--seconds 5] [--app full|contract|baseline]
                                    [--images mnist|suite]

``--images suite`` sends the robustness suite's "combined" corruptions (rotated, scaled, shifted, noisy
digits) instead of MNIST test digits: those take preprocessing's per-image path, as a competition's
augmented test set would.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import free_port, png, write_result  # noqa: E402

BOUNDARY = "digitkitbenchboundary"


def multipart_request(port: int, images: list[bytes]) -> bytes:
    parts = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="x"; filename="{i}.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + data
        + b"\r\n"
        for i, data in enumerate(images)
    )
    body = parts + f"--{BOUNDARY}--\r\n".encode()
    head = (
        f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def client(port: int, request: bytes, deadline: float, budget: list[int], latencies: list[float]) -> None:
    """One keep-alive connection sending the same request until the deadline or the shared budget is spent."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"unexpected answer: {head[:40]!r} {body[:100]!r}")
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def drive(port: int, request: bytes, clients: int, seconds: float, max_requests: int) -> list[float]:
    latencies: list[float] = []
    budget = [max_requests]
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(client(port, request, deadline, budget, latencies) for _ in range(clients)))
    return latencies


def load_cell(args: tuple[int, bytes, int, float, int]) -> dict[str, float]:
    port, request, clients, seconds, max_requests = args
    started = time.perf_counter()
    latencies = asyncio.run(drive(port, request, clients, seconds, max_requests))
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "requests_per_s": len(latencies) / elapsed,
        "p50_ms": float(np.percentile(ms, 50)),
        "p99_ms": float(np.percentile(ms, 99)),
    }


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(model: str, port: int, app: str) -> tuple[subprocess.Popen[bytes], float]:
    if app == "contract":
        command = [sys.executable, "-m", "digitkit.serve.submission", "127.0.0.1", str(port), model]
    elif app == "baseline":
        baseline = Path(__file__).resolve().parent / "baseline_server.py"
        command = [sys.executable, str(baseline), "127.0.0.1", str(port), model]
    else:
        command = [
            sys.executable,
            "-m",
            "digitkit.cli",
            "serve",
            "--model",
            model,
            "--port",
            str(port),
            "--no-access-log",
        ]
    env = {**os.environ, "DIGITKIT_ACCESS_LOG": "false", "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(
        ["taskset", "-c", "0", *command], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1) as response:
                if response.status == 200:
                    return process, time.perf_counter() - started
        except OSError:
            if process.poll() is not None or time.perf_counter() - started > 30:
                raise RuntimeError("server did not start") from None
            time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="default")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each cell")
    parser.add_argument("--max-requests", type=int, default=100_000, help="request cap per cell")
    parser.add_argument(
        "--app",
        choices=["full", "contract", "baseline"],
        default="full",
        help="full: `digitkit serve`; contract: the submission's Starlette-only service; "
        "baseline: benchmarks/baseline_server.py, one image at a time, no batching (a reference)",
    )
    parser.add_argument(
        "--images",
        choices=["mnist", "suite"],
        default="mnist",
        help="mnist: MNIST test digits; suite: the robustness suite's combined corruptions (needs torch)",
    )
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist

    cache = cache_dir()
    ensure_mnist(cache, progress=False)
    if args.images == "suite":
        from digitkit.data.suite import build_suite

        images = [png(im) for im in build_suite(cache, size=1000)["combined"][:64]]
    else:
        images = [png(im) for im in load_mnist("test", cache)[0][:64]]
    os.sched_setaffinity(0, {1})  # the load generator stays off the server's core
    port = free_port()
    startups = []
    for _ in range(3):  # start-up, measured on fresh processes
        process, seconds = start_server(args.model, port, args.app)
        startups.append(seconds)
        process.terminate()
        process.wait()
    process, _ = start_server(args.model, port, args.app)
    rows = []
    try:
        for per_request in (1, 64):
            request = multipart_request(port, images[:per_request])
            for clients in (1, 8, 64):
                cell = load_cell((port, request, clients, args.seconds, args.max_requests))
                cell.update(
                    clients=clients, images_per_request=per_request, images_per_s=cell["requests_per_s"] * per_request
                )
                rows.append(cell)
                print(
                    f"{clients:>3} clients x {per_request:>2} images/request: {cell['requests_per_s']:>8,.0f} req/s "
                    f"{cell['images_per_s']:>9,.0f} img/s p50 {cell['p50_ms']:6.2f} ms  p99 {cell['p99_ms']:6.2f} ms"
                )
        rss = peak_rss_mb(process.pid)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/exit", timeout=5) as response:
            json.loads(response.read())
        code = process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
    print(
        f"start-up to first 200 on /status: median {np.median(startups):.3f} s (runs: "
        f"{', '.join(f'{s:.3f}' for s in startups)})"
    )
    print(f"server peak RSS {rss:.0f} MB; /exit exit code {code}")
    write_result(
        f"serve_load_{args.app}" + ("_suite" if args.images == "suite" else ""),
        {
            "model": args.model,
            "app": args.app,
            "images": args.images,
            "startup_s": startups,
            "peak_rss_mb": rss,
            "exit_code": code,
            "cells": rows,
        },
    )


if __name__ == "__main__":
    main()
