"""Load benchmark: one server process pinned to core 0, load from another process on core 1.

Reports start-up time (process start to first 200 on /status), p50/p99 latency, throughput and the server's CPU
per request for 1, 8 and 64 concurrent clients sending 1 or 64 images per request, and the server's peak RSS.
Several apps given together are measured one after the other in the same run and compared, with the ratio of
the first to the last. All traffic is loopback, bounded by a request count and a time limit per cell.

    python benchmarks/serve_load.py [--app full|archive|baseline ...] [--model default] [--seconds 5]
                                    [--clients 1 8 64] [--images-per-request 1 64] [--images mnist|suite]

The competition figure (the archive against the organizers' baseline, 8 clients, one image per request):

    python benchmarks/keras_baseline.py train     # once: the baseline's 12 epochs
    python benchmarks/serve_load.py --app archive --app baseline --clients 8 --images-per-request 1

``--images suite`` sends the robustness suite's "combined" corruptions (rotated, scaled, shifted, noisy
digits) instead of MNIST test digits: those take preprocessing's per-image path, as a competition's
augmented test set would.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its waited-for children (run.sh's exec keeps one pid)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def server_command(app: str, model: str, port: int, workdir: Path) -> list[str]:
    """The command that starts ``app`` on 127.0.0.1:``port``."""
    if app == "archive":  # the competition archive itself, unpacked and started by its run.sh
        from digitkit.package.build import archive_bytes

        folder = workdir / "submit"
        if not folder.exists():
            data, _ = archive_bytes(model)
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                archive.extractall(folder)
        return ["sh", str(folder / "run.sh"), "127.0.0.1", str(port)]
    if app == "baseline":
        from keras_baseline import DEFAULT_MODEL

        if not DEFAULT_MODEL.is_file():
            sys.exit(f"no trained baseline at {DEFAULT_MODEL}: run `python benchmarks/keras_baseline.py train` first")
        return [
            sys.executable,
            str(Path(__file__).resolve().parent / "keras_baseline.py"),
            "serve",
            "127.0.0.1",
            str(port),
            str(DEFAULT_MODEL),
        ]
    return [
        sys.executable,
        "-m",
        "digitkit.cli",
        "serve",
        "--model",
        model,
        "--port",
        str(port),
        "--no-access-log",
        "--allow-exit",
    ]


def start_server(command: list[str], port: int) -> tuple[subprocess.Popen[bytes], float]:
    env = {**os.environ, "DIGITKIT_ACCESS_LOG": "false", "OMP_NUM_THREADS": "1", "PYTHON": sys.executable}
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
            if process.poll() is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"server did not start: {' '.join(command)}") from None
            time.sleep(0.005)


def measure(app: str, args: argparse.Namespace, images: list[bytes], workdir: Path) -> dict[str, object]:
    """Start-up (3 fresh starts), then every cell against one server process, then its RSS and /exit."""
    port = free_port()
    command = server_command(app, args.model, port, workdir)
    startups = []
    for _ in range(3):
        process, seconds = start_server(command, port)
        startups.append(seconds)
        process.terminate()
        process.wait()
    process, _ = start_server(command, port)
    rows = []
    try:
        for per_request in args.images_per_request:
            request = multipart_request(port, images[:per_request])
            for clients in args.clients:
                cpu_before = cpu_seconds(process.pid)
                cell = load_cell((port, request, clients, args.seconds, args.max_requests))
                cpu = cpu_seconds(process.pid) - cpu_before
                cell.update(
                    clients=clients,
                    images_per_request=per_request,
                    images_per_s=cell["requests_per_s"] * per_request,
                    cpu_ms_per_request=1000 * cpu / max(1, cell["requests"]),
                )
                rows.append(cell)
                print(
                    f"{app:>8} {clients:>3} clients x {per_request:>2} images: {cell['images_per_s']:>9,.0f} img/s "
                    f"p50 {cell['p50_ms']:7.2f} ms  p99 {cell['p99_ms']:7.2f} ms  "
                    f"CPU {cell['cpu_ms_per_request']:6.2f} ms/request",
                    flush=True,
                )
        rss = peak_rss_mb(process.pid)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/exit", timeout=5) as response:
            json.loads(response.read())
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    return {"app": app, "startup_s": startups, "peak_rss_mb": rss, "exit_code": code, "cells": rows}


def comparison(results: list[dict[str, object]]) -> str:
    """Each app's figures per cell, and the first app's images/s over the last's."""
    first, last = results[0], results[-1]
    lines = [f"{'cell':<24}" + "".join(f"{r['app']:>30}" for r in results) + f"{'ratio':>10}"]
    for i, cell in enumerate(first["cells"]):  # type: ignore[arg-type]
        name = f"{cell['clients']} clients x {cell['images_per_request']} img"
        figures = [r["cells"][i] for r in results]  # type: ignore[index]
        text = "".join(f"{f['images_per_s']:>10,.0f} img/s p99 {f['p99_ms']:7.1f} ms" for f in figures)
        ratio = figures[0]["images_per_s"] / max(figures[-1]["images_per_s"], 1e-9)
        lines.append(f"{name:<24}{text}{ratio:>9.1f}x")
    for key, unit in (("startup_s", "s"), ("peak_rss_mb", "MB")):
        values = [float(np.median(r[key])) for r in results]  # type: ignore[arg-type]
        lines.append(f"{key:<24}" + "".join(f"{v:>27.2f} {unit:<2}" for v in values))
    if first is not last:
        lines.append(f"({first['app']} / {last['app']}, measured in this one run)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="default")
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each cell")
    parser.add_argument("--max-requests", type=int, default=100_000, help="request cap per cell")
    parser.add_argument(
        "--app",
        action="append",
        choices=["full", "archive", "baseline"],
        help="full: `digitkit serve`; archive: the competition archive of --model, started by its run.sh; "
        "baseline: the organizers' Keras+Tornado baseline (benchmarks/keras_baseline.py). Repeat to measure "
        "several side by side in one run [default: full]",
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 64], help="concurrent clients per cell")
    parser.add_argument(
        "--images-per-request", type=int, nargs="+", default=[1, 64], help="images in each request, per cell"
    )
    parser.add_argument(
        "--images",
        choices=["mnist", "suite"],
        default="mnist",
        help="mnist: MNIST test digits; suite: the robustness suite's combined corruptions (needs torch)",
    )
    args = parser.parse_args()
    apps = args.app or ["full"]

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist

    cache = cache_dir()
    ensure_mnist(cache, progress=False)
    if args.images == "suite":
        from digitkit.data.suite import build_suite

        images = [png(im) for im in build_suite(cache, size=1000)["combined"][:64]]
    else:
        images = [png(im) for im in load_mnist("test", cache)[0][:64]]
    os.sched_setaffinity(0, {1})  # the load generator stays off the server's core
    with tempfile.TemporaryDirectory(prefix="digitkit-bench-") as tmp:
        results = [measure(app, args, images, Path(tmp)) for app in apps]
    print()
    print(comparison(results))
    write_result(
        "serve_load_" + "_vs_".join(apps) + ("_suite" if args.images == "suite" else ""),
        {"model": args.model, "images": args.images, "apps": results},
    )


if __name__ == "__main__":
    main()
