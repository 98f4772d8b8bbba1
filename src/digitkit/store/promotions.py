"""Which model version is the default: the newest row of a log of promotions, shared by every worker."""

from __future__ import annotations

from sqlalchemy import select

from digitkit.store.database import Database, server_faults
from digitkit.store.tables import Promotion


class Promotions:
    def __init__(self, database: Database):
        self.database = database

    def current(self) -> str | None:
        """The promoted version's id; None when nothing was promoted or the last change was a reset."""
        with server_faults(), self.database.session() as session:
            return session.scalar(select(Promotion.version).order_by(Promotion.id.desc()).limit(1))

    def promote(self, version: str | None, forced: bool = False) -> None:
        """Make ``version`` the default (None: back to the shipped default)."""
        with server_faults(), self.database.session() as session, session.begin():
            session.add(Promotion(version=version, forced=forced))

    def history(self, limit: int = 20) -> list[Promotion]:
        with server_faults(), self.database.session() as session:
            return list(session.scalars(select(Promotion).order_by(Promotion.id.desc()).limit(limit)))
