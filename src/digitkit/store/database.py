"""One database for everything the service stores: feedback, training jobs and which version is the default.

SQLite in the data folder by default; any SQLAlchemy URL (PostgreSQL for several workers or machines) otherwise.
Faults of the database itself (down, full, locked past the timeout) become :class:`UnavailableError`, which the
service answers with 503: the client did nothing wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from digitkit.errors import UnavailableError
from digitkit.store.tables import Base


def _sqlite_pragmas(connection: Any, _: object) -> None:
    """WAL lets readers run beside a writer (several server workers share the file); waiting writers queue for
    the busy timeout instead of failing with "database is locked"; foreign keys cascade deletes."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=5000")
    connection.execute("PRAGMA foreign_keys=ON")


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
        with server_faults():
            Base.metadata.create_all(self.engine)

    def session(self) -> Session:
        return self._sessions()

    def close(self) -> None:
        """Close the pooled connections (a PostgreSQL server counts them against max_connections)."""
        self.engine.dispose()
