"""kill -9 in the middle of feedback writes: every acknowledged drawing survives and SQLite stays intact."""

import os
import signal
import sqlite3
import threading

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
