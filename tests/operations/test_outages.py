"""The database down: operations answer 503, predictions go on; a restart marks lost jobs as interrupted."""

import time

import pytest
from starlette.testclient import TestClient

from digitkit.serve.settings import Settings
from digitkit.serve.web.app import create_app
from digitkit.store.database import Database
from digitkit.store.jobs import JobStore
from helpers import data_uri, free_port

TOKEN = "outage-token"
ADMIN = {"authorization": f"Bearer {TOKEN}"}


def test_an_unreachable_database_is_503_and_predictions_go_on(tmp_path, mnist_test):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"  # nothing listens there
    settings = Settings(data_dir=tmp_path, database_url=url, admin_token=TOKEN, default_poll_s=0.1)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        image = data_uri(mnist_test[0][0])
        answer = client.post("/api/v1/predict", json={"images": [image]})
        assert answer.status_code == 200 and answer.json()["model"] == "default"
        assert client.get("/api/v1/models").status_code == 200
        for method, path in [("post", "/api/v1/jobs"), ("get", "/api/v1/jobs/1"), ("post", "/api/v1/models/reset")]:
            response = client.request(method, path, headers=ADMIN, json={"recipe": "default", "data": "mnist"})
            assert response.status_code == 503, (path, response.text)
            assert "database is unavailable" in response.json()["error"]


@pytest.mark.parametrize("state", ["running", "queued"])
def test_a_restart_shows_a_job_whose_process_is_gone_as_interrupted(tmp_path, state):
    settings = Settings(data_dir=tmp_path, admin_token=TOKEN)
    database = Database(settings.feedback_url())
    jobs = JobStore(database)
    job = jobs.create(recipe="default", data="mnist", epochs=1, init_version=None, nproc=1)
    if state == "running":
        jobs.started(job.id, pid=2**22 + 7, log_path="")  # no such process
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        deadline = time.monotonic() + 10
        while jobs.get(job.id).state == state and time.monotonic() < deadline:
            time.sleep(0.05)
        described = client.get(f"/api/v1/jobs/{job.id}", headers=ADMIN).json()
    assert described["state"] == "interrupted" and "process ended" in described["error"]
    database.close()


def test_an_unforeseen_error_while_following_the_default_is_logged_and_the_polling_goes_on(
    tmp_path, monkeypatch, caplog
):
    """A worker whose poller ended on an error never followed a promote again (tests/operations/test_workers.py
    caught one: its first database call had failed)."""
    from digitkit.jobs import JobRunner
    from digitkit.serve.state import ServiceState

    def broken_recover(self):
        raise RuntimeError("recover broke")

    follow = ServiceState.follow_default
    calls = []

    async def flaky_follow(self):
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("follow broke")
        await follow(self)

    monkeypatch.setattr(JobRunner, "recover", broken_recover)
    monkeypatch.setattr(ServiceState, "follow_default", flaky_follow)
    settings = Settings(data_dir=tmp_path, admin_token=TOKEN, default_poll_s=0.05)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        deadline = time.monotonic() + 10
        while len(calls) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/status").status_code == 200
    assert len(calls) >= 3
    logged = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert any("training jobs cannot be checked" in m for m in logged), logged
    assert any("cannot be followed" in m for m in logged), logged
