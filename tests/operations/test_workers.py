"""Two server workers on one real PostgreSQL database: shared feedback, one default version, summed metrics."""

import os
import time

import httpx
import pytest

from digitkit.versions import Registry
from helpers import RunningServer, canvas, data_uri

TOKEN = "workers-token"
ADMIN = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def workers(tmp_path, postgres, smoke_artifact):
    url = postgres.new_database("workers")
    env = {
        **os.environ,
        "DIGITKIT_DATABASE_URL": url,
        "DIGITKIT_ADMIN_TOKEN": TOKEN,
        "DIGITKIT_DATA_DIR": str(tmp_path),
        "DIGITKIT_DEFAULT_POLL_S": "0.5",
    }
    server = RunningServer(["--workers", "2", "--no-access-log"], env=env)
    yield server
    server.stop()


def fresh(method, url, **kwargs):
    """Each call on a new connection, so the two workers share the calls."""
    with httpx.Client(timeout=30) as client:
        return client.request(method, url, **kwargs)


def test_workers_share_feedback_the_default_version_and_metrics(workers, tmp_path, smoke_artifact, mnist_test):
    images, labels = mnist_test
    for start in range(0, 12, 2):
        drawing = data_uri(canvas(images[start : start + 2]))
        drawn = fresh("post", f"{workers.url}/api/v1/draw", json={"image": drawing}).json()["digits"]
        digits = [
            {"box": d["box"], "predicted": d["label"], "label": int(y)}
            for d, y in zip(drawn, labels[start : start + 2], strict=True)
        ]
        assert (
            fresh("post", f"{workers.url}/api/v1/feedback", json={"image": drawing, "digits": digits}).status_code
            == 201
        )
    totals = {fresh("get", f"{workers.url}/api/v1/samples", headers=ADMIN).headers["x-total-count"] for _ in range(10)}
    assert totals == {"6"}

    version = Registry(tmp_path / "models").add(
        smoke_artifact, checkpoint=None, recipe={"name": "smoke"}, data={"source": "mnist"}, parent=None
    )
    image = data_uri(images[0])
    promoted = fresh("post", f"{workers.url}/api/v1/models/{version.id}/promote?force=true", headers=ADMIN)
    assert promoted.status_code == 200
    since = time.monotonic()
    answers = [fresh("post", f"{workers.url}/api/v1/predict", json={"images": [image]}).json()["model"]]
    # Each worker switches on its next poll (0.5 s) once it has loaded the version; under full CI load on 2 cores
    # that took up to 14 s (15 s fell short once, 5 s before that), so the bound is generous: the loop ends as soon
    # as 30 answers in a row come from the new version.
    while answers[-30:] != [version.id] * 30 and time.monotonic() - since < 60:
        answers.append(fresh("post", f"{workers.url}/api/v1/predict", json={"images": [image]}).json()["model"])
        time.sleep(0.05)
    # A worker left on the old default for good once: its poller had ended on the tables' creation race (fixed in
    # store/database.py); the failure shows the servers' log now.
    late = f"{time.monotonic() - since:.1f} s: {answers[-40:]}\n{workers.output()[-3000:]}"
    assert answers[-30:] == [version.id] * 30, late
    last_old = max((i for i, a in enumerate(answers) if a != version.id), default=-1)
    assert last_old < len(answers) - 30

    predicted = 2 * 12 + len(answers)  # 6 drawings of 2 digits, read by /draw and again by /feedback
    metrics = fresh("get", f"{workers.url}/metrics").text
    line = next(line for line in metrics.splitlines() if line.startswith("digitkit_images_predicted_total"))
    assert float(line.split()[-1]) == predicted
