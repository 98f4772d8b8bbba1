import csv
import sqlite3

import pytest

from digitkit.errors import ConfigError, ConflictError, UnavailableError, UnknownNameError
from digitkit.store import FeedbackStore
from digitkit.store.db import DigitIn


def digit(predicted, label, box=(0, 0, 10, 20)):
    return DigitIn(box=box, crop_png=b"\x89PNG fake", predicted=predicted, confidence=0.9, label=label)


@pytest.fixture
def store(database_url):
    """Each test runs on SQLite and on a real PostgreSQL server."""
    store = FeedbackStore(database_url)
    yield store
    store.database.close()


def test_disagreements_come_first(store):
    agreeing = store.add(drawing_png=b"a", model="m", digits=[digit(1, 1)])
    corrected = store.add(drawing_png=b"b", model="m", digits=[digit(1, 7), digit(2, 2, (20, 0, 10, 20))])
    newest = store.add(drawing_png=b"c", model="m", digits=[digit(3, 3)])
    assert [s.id for s in store.samples()] == [corrected, newest, agreeing]
    assert [d.label for d in store.samples()[0].digits] == [7, 2]


def test_duplicate_submission_is_refused(store):
    store.add(drawing_png=b"a", model="m", digits=[digit(1, 1)])
    with pytest.raises(ConflictError):
        store.add(drawing_png=b"a", model="m", digits=[digit(1, 1)])
    assert len(store.samples()) == 1


def test_label_outside_range_is_refused_and_nothing_written(store):
    with pytest.raises(ConfigError, match="0-9"):
        store.add(drawing_png=b"a", model="m", digits=[digit(1, 1), digit(1, 12)])
    assert store.samples() == []


def test_relabel_delete_and_unknown_ids(store):
    sample = store.add(drawing_png=b"a", model="m", digits=[digit(1, 1)])
    digit_id = store.samples()[0].digits[0].id
    store.relabel(digit_id, 4)
    assert store.samples()[0].digits[0].label == 4
    with pytest.raises(UnknownNameError):
        store.relabel(999, 4)
    store.delete(sample)
    assert store.samples() == []
    with pytest.raises(UnknownNameError):
        store.delete(sample)


def test_export_writes_digits_only_and_refuses_existing_folder(store, tmp_path):
    store.add(drawing_png=b"a", model="m", digits=[digit(1, 7), digit(5, -1, (20, 0, 10, 20))])
    count = store.export_folder(tmp_path / "export")
    with (tmp_path / "export" / "train.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert count == 1 and rows[0]["class"] == "7"
    assert (tmp_path / "export" / "images" / f"{rows[0]['id']}.png").is_file()
    with pytest.raises(ConfigError, match="already exists"):
        store.export_folder(tmp_path / "export")


def test_locked_database_answers_unavailable(tmp_path):
    path = tmp_path / "locked.sqlite3"
    store = FeedbackStore(f"sqlite:///{path}", lock_timeout_s=0.2)
    store.add(drawing_png=b"x", model="m", digits=[digit(1, 1)])
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(UnavailableError, match="try again"):
            store.add(drawing_png=b"y", model="m", digits=[digit(1, 1)])
    finally:
        blocker.rollback()
        blocker.close()
    store.add(drawing_png=b"y", model="m", digits=[digit(1, 1)])  # works again once the lock is gone


def test_workers_opening_a_fresh_database_together_all_get_its_tables(database_url):
    """Server workers start together: each one's first database call creates the tables. Without a lock all but
    one failed on a fresh database (PostgreSQL: a duplicate key in its catalog, SQLite: "table already exists" or
    "database is locked" from the switch to WAL), and a worker whose first call failed never followed a promote."""
    import threading

    from sqlalchemy import inspect

    from digitkit.store.database import Database

    start, errors, opened = threading.Barrier(4), [], []

    def open_database() -> None:
        start.wait()
        try:
            opened.append(Database(database_url))
        except Exception as exc:  # noqa: BLE001 (collected, then shown by the assert)
            errors.append(repr(exc))

    threads = [threading.Thread(target=open_database) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == [] and len(opened) == 4
        assert {"samples", "digits"} <= set(inspect(opened[0].engine).get_table_names())
    finally:
        for database in opened:
            database.close()
