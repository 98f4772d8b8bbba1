"""Several server workers: images/s of 1 and 2 workers side by side, and how fast a promote reaches every worker.

Throughput: `digitkit serve --workers N` (no CPU pinning), then 8 keep-alive clients sending 64 MNIST digits per
multipart /predict from one load-generator process, whose own CPU time is reported beside the figures (on a
2-core machine it competes with the workers). Promote latency: a version is registered, promoted (forced)
through the API, and fresh connections ask /api/v1/predict until 50 answers in a row name the new version;
the figure is when the last stale answer came, after the promote returned. Training beside serving: the
1-worker cell again while a training job (the `fast` recipe on MNIST, started through the API) runs.

    python benchmarks/workers.py [--seconds 10] [--workers 1 2] [--database-url URL]
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import png, served, write_result  # noqa: E402
from serve_load import load_cell, multipart_request  # noqa: E402

TOKEN = "benchmark-token"


def throughput(port: int, images: list[bytes], seconds: float) -> dict[str, float]:
    """One load cell in a child process, with that process's CPU seconds."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        cell = pool.apply(load_cell, ((port, multipart_request(port, images), 8, seconds, 10**6),))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cell["images_per_s"] = cell["requests_per_s"] * len(images)
    cell["load_generator_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cell


def ask(port: int, path: str, body: dict[str, object], token: str | None = None) -> dict[str, object]:
    headers = {"content-type": "application/json"} | ({"authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=30) as response:  # a new connection each time
        answer: dict[str, object] = json.loads(response.read())
        return answer


def promote_latency(port: int, version: str, image: bytes) -> dict[str, float]:
    body = {"images": ["data:image/png;base64," + base64.b64encode(image).decode()]}
    ask(port, f"/api/v1/models/{version}/promote?force=true", {}, TOKEN)
    returned = time.perf_counter()
    answers: list[tuple[float, object]] = []
    while len(answers) < 50 or any(model != version for _, model in answers[-50:]):
        answers.append((time.perf_counter() - returned, ask(port, "/api/v1/predict", body)["model"]))
    stale = [at for at, model in answers if model != version]
    return {"last_stale_answer_ms": 1000 * max(stale, default=0.0), "answers": len(answers), "stale": len(stale)}


def during_job(port: int, images: list[bytes], seconds: float) -> dict[str, float]:
    """The throughput cell while a training job runs (started through the API, cancelled after)."""
    job = ask(port, "/api/v1/jobs", {"recipe": "fast", "data": "mnist", "epochs": 3, "init": None}, TOKEN)
    time.sleep(15)  # past torch's import and MNIST loading: the job is training
    cell = throughput(port, images, seconds)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/jobs/{job['id']}",
        method="DELETE",
        headers={"authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        state = json.loads(response.read())
    cell["job_epoch_when_cancelled"] = state["epoch"]
    while Path(f"/proc/{state['pid']}").exists():  # gone before the next measurement starts
        time.sleep(0.1)
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary data folder")
    args = parser.parse_args()
    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.runtime import resolve_artifact
    from digitkit.versions import Registry

    ensure_mnist(cache_dir(), progress=True)
    digits = [png(image) for image in load_mnist("test", cache_dir())[0][:64]]
    rows = []
    with tempfile.TemporaryDirectory(prefix="digitkit-workers-") as data:
        version = Registry(Path(data) / "models").add(
            resolve_artifact("tiny"), checkpoint=None, recipe={"name": "tiny"}, data={"source": "shipped"}, parent=None
        )
        env = {
            **os.environ,
            "DIGITKIT_DATA_DIR": data,
            "DIGITKIT_ADMIN_TOKEN": TOKEN,
            "DIGITKIT_RATE_LIMIT_PER_MINUTE": "0",
        }
        if args.database_url:
            env["DIGITKIT_DATABASE_URL"] = args.database_url
        for workers in args.workers:
            with served("--workers", str(workers), env=env) as (port, _):
                cell = throughput(port, digits, args.seconds)
                latency = promote_latency(port, version.id, digits[0]) if workers > 1 else {}
                ask(port, "/api/v1/models/reset", {}, TOKEN)
                busy = during_job(port, digits, args.seconds) if workers == 1 else None
            if busy is not None:
                print(
                    f"1 worker while a training job runs: {busy['images_per_s']:8,.0f} images/s  "
                    f"p50 {busy['p50_ms']:6.1f} ms  p99 {busy['p99_ms']:6.1f} ms",
                    flush=True,
                )
            rows.append({"workers": workers, **cell, **latency, **({"during_job": busy} if busy else {})})
            print(
                f"{workers} worker(s): {cell['images_per_s']:8,.0f} images/s  p50 {cell['p50_ms']:6.1f} ms  "
                f"p99 {cell['p99_ms']:6.1f} ms  load generator CPU {cell['load_generator_cpu_s']:.1f} s "
                f"of {cell['seconds']:.1f} s"
                + (
                    f"  promote reached every worker: last stale answer {latency['last_stale_answer_ms']:.0f} ms "
                    f"({latency['stale']} stale of {latency['answers']})"
                    if latency
                    else ""
                ),
                flush=True,
            )
    ratio = rows[-1]["images_per_s"] / rows[0]["images_per_s"]
    print(f"{rows[-1]['workers']} workers / {rows[0]['workers']} worker: {ratio:.2f}x images/s")
    write_result(
        "workers", {"cores": os.cpu_count(), "rows": rows, "ratio": ratio, "database": args.database_url or "sqlite"}
    )


if __name__ == "__main__":
    main()
