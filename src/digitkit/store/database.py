"""One database for everything the service stores: feedback, training jobs and which version is the default.

SQLite in the data folder by default; any SQLAlchemy URL (PostgreSQL for several workers or machines) otherwise.
Faults of the database itself (down, full, locked past the timeout) become :class:`UnavailableError`, which the
service answers with 503: the client did nothing wrong.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from digitkit.errors import UnavailableError
from digitkit.store.tables import Base

SCHEMA_LOCK_KEY = 0x6469676974  #: PostgreSQL advisory lock held while the tables are created ("digit")


def _sqlite_pragmas(connection: Any, _: object) -> None:
    """WAL lets readers run beside a writer (several server workers share the file); waiting writers queue for
    the busy timeout instead of failing with "database is locked"; foreign keys cascade deletes."""
    connection.execute("PRAGMA busy_timeout=5000")
    _switch_to_wal(connection)
    connection.execute("PRAGMA foreign_keys=ON")


def _switch_to_wal(connection: Any, tries: int = 50) -> None:
    """SQLite answers the switch to WAL with "database is locked" at once, not after the busy timeout, while
    another connection writes a fresh file (workers starting together), so the switch waits here: 5 s at most."""
    for attempt in range(tries):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.1)


@contextmanager
def server_faults() -> Iterator[None]:
    """A full disk, a read-only file, a lost connection: the server's fault, answered 503, never 400 or 500."""
    try:
        yield
    except (OperationalError, InterfaceError) as exc:
        raise UnavailableError(f"the database is unavailable ({exc.orig}); try again later") from exc


class Database:
    def __init__(self, url: str, lock_timeout_s: float = 5.0, connect_timeout_s: int = 5):
        sqlite = url.startswith("sqlite")
        connect_args: dict[str, Any] = {"timeout": lock_timeout_s} if sqlite else {}
        if url.startswith("postgresql"):
            connect_args["connect_timeout"] = connect_timeout_s  # an unreachable host fails fast, as a 503
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        try:
            self.engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True)
        except Exception as exc:  # bad URL or missing driver: the server's configuration, not the client's fault
            raise UnavailableError(
                f"the database URL cannot be used ({exc}); check DIGITKIT_DATABASE_URL (PostgreSQL needs the "
                "'postgres' extra: pip install 'digitkit[postgres]')"
            ) from exc
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._create_tables()

    def _create_tables(self) -> None:
        """Create what is missing, one process at a time. Server workers start together, and on a fresh database
        each would find no tables and create them: all but one then failed (PostgreSQL: a duplicate key in its
        catalog; SQLite: "table already exists"), and a worker whose first database call failed so never followed
        a promote. So PostgreSQL takes an advisory lock for the transaction, and SQLite its write lock up front."""
        with server_faults(), self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            elif connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            Base.metadata.create_all(connection)
            connection.commit()

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        """Close the pooled connections (a PostgreSQL server counts them against max_connections)."""
        self.engine.dispose()
