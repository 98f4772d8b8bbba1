"""Job rows on SQLite and on a real PostgreSQL server: slots, final states, orphans."""

import pytest

from digitkit.errors import ConflictError, UnknownNameError
from digitkit.store.database import Database
from digitkit.store.jobs import JobStore


@pytest.fixture
def jobs(database_url):
    database = Database(database_url)
    yield JobStore(database)
    database.close()


def new(jobs, max_jobs=1):
    return jobs.create(max_jobs, recipe="smoke", data="mnist", epochs=1, init_version=None, nproc=1)


def test_one_job_at_a_time_and_the_slot_frees_when_it_ends(jobs):
    first = new(jobs)
    with pytest.raises(ConflictError, match=f"job {first.id} is already running"):
        new(jobs)
    assert jobs.started(first.id, pid=123, log_path="/x")
    assert jobs.progress(first.id, 1, 0.5, 0.9)
    assert jobs.finish(first.id, "succeeded", version="v1")
    job = jobs.get(first.id)
    assert (job.state, job.slot, job.epoch, job.version) == ("succeeded", None, 1, "v1")
    assert new(jobs).id != first.id  # the slot is free again


def test_max_jobs_allows_that_many(jobs):
    new(jobs, 2)
    new(jobs, 2)
    with pytest.raises(ConflictError):
        new(jobs, 2)


def test_the_first_final_word_wins(jobs):
    job = new(jobs)
    assert jobs.finish(job.id, "cancelled")
    assert not jobs.finish(job.id, "failed", error="exited with code -15")  # the process's death after a cancel
    assert not jobs.progress(job.id, 2, 0.1, 0.9)  # a cancelled job's training learns it should stop
    assert jobs.get(job.id).state == "cancelled"
    with pytest.raises(UnknownNameError):
        jobs.get(999)


def test_jobs_whose_process_is_gone_become_interrupted(jobs):
    lost, alive = new(jobs, 2), new(jobs, 2)
    jobs.started(lost.id, pid=1111, log_path="")
    jobs.started(alive.id, pid=2222, log_path="")
    assert jobs.interrupt_orphans(lambda pid: pid == 2222) == [lost.id]
    assert jobs.get(lost.id).state == "interrupted" and jobs.get(alive.id).state == "running"
