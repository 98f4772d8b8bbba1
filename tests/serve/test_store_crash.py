"""kill -9 in the middle of feedback writes: every acknowledged drawing survives and SQLite stays intact."""

import itertools
import os
import signal
import sqlite3
import threading
import time

import httpx
import numpy as np

from helpers import data_uri


def test_acknowledged_rows_survive_kill_9(start_server, smoke_artifact, tmp_path, mnist_test):
    env = {**os.environ, "DIGITKIT_DATA_DIR": str(tmp_path)}
    running = start_server(["--model", str(smoke_artifact), "--no-access-log"], env=env)
    acknowledged: list[int] = []
    stop = threading.Event()

    def writer(offset: int) -> None:
        for index in range(offset, 10000, 4):
            if stop.is_set():
                return
            canvas = data_uri(255 - np.kron(mnist_test[0][index % 100], np.ones((4, 4), np.uint8)))
            try:
                box = httpx.post(f"{running.url}/api/v1/draw", json={"image": canvas}).json()["digits"][0]["box"]
                body = {"image": canvas, "digits": [{"box": box, "predicted": 0, "label": index % 10}]}
                response = httpx.post(f"{running.url}/api/v1/feedback", json=body)
            except (httpx.HTTPError, KeyError, IndexError, ValueError):
                return  # the server is gone
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    while len(acknowledged) < 20:
        threads[0].join(0.05)
    os.kill(running.process.pid, signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join()
    database = sqlite3.connect(tmp_path / "feedback.sqlite3")
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    stored = {row[0] for row in database.execute("SELECT id FROM samples")}
    assert set(acknowledged) <= stored and len(acknowledged) >= 20


def test_two_workers_8_writers_12_readers_for_30_s_without_an_error(start_server, smoke_artifact, tmp_path, mnist_test):
    """SQLite in WAL mode with a busy timeout, shared by two server processes: no 'database is locked'."""
    token = "store-test-token"
    env = {**os.environ, "DIGITKIT_DATA_DIR": str(tmp_path), "DIGITKIT_ADMIN_TOKEN": token}
    running = start_server(["--model", str(smoke_artifact), "--no-access-log", "--workers", "2"], env=env)
    canvas = 255 - np.kron(mnist_test[0][0], np.ones((4, 4), np.uint8))
    # The first drawing loads the page's modules: on a busy machine that outlasts httpx's default 5 s.
    drawn = httpx.post(f"{running.url}/api/v1/draw", json={"image": data_uri(canvas)}, timeout=30)
    box = drawn.json()["digits"][0]["box"]
    statuses: list[int] = []
    deadline = time.monotonic() + 30  # the figure: 30 s of contention

    def writer(first: int) -> None:
        drawing = canvas.copy()
        with httpx.Client(timeout=30) as client:
            for count in itertools.count(first, 8):
                if time.monotonic() > deadline:
                    return
                # A new drawing each time, told apart by near-white pixels that segmentation ignores.
                drawing[0, :8] = [255 - (count // 5**k) % 5 for k in range(8)]
                body = {"image": data_uri(drawing), "digits": [{"box": box, "predicted": 0, "label": 7}]}
                statuses.append(client.post(f"{running.url}/api/v1/feedback", json=body).status_code)

    def reader() -> None:
        headers = {"authorization": f"Bearer {token}"}
        with httpx.Client(timeout=30, headers=headers) as client:
            while time.monotonic() < deadline:
                statuses.append(client.get(f"{running.url}/api/v1/samples?limit=20").status_code)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)] + [
        threading.Thread(target=reader) for _ in range(12)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = {code: statuses.count(code) for code in set(statuses)}
    assert set(counts) == {200, 201}, counts
    assert counts[201] >= 40, counts
