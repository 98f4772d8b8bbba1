"""FeedbackStore: add, list, relabel, delete and export feedback (store/database.py opens the database)."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from digitkit.errors import ConfigError, ConflictError, UnknownNameError
from digitkit.files import current_umask
from digitkit.store.database import Database, server_faults
from digitkit.store.tables import NOT_A_DIGIT, Digit, Sample


@dataclass
class DigitIn:
    box: tuple[int, int, int, int]
    crop_png: bytes
    predicted: int
    confidence: float
    label: int


def _check_label(label: int) -> int:
    if label != NOT_A_DIGIT and not 0 <= label <= 9:
        raise ConfigError(f"label must be a digit 0-9 or {NOT_A_DIGIT} (not a digit), got {label} instead")
    return label


class FeedbackStore:
    """The drawings people sent from the drawing page, with their corrected labels."""

    def __init__(self, url_or_database: str | Database, lock_timeout_s: float = 5.0):
        self.database = (
            url_or_database if isinstance(url_or_database, Database) else Database(url_or_database, lock_timeout_s)
        )

    def _session(self) -> Session:
        return self.database.session()

    def count_labelled(self) -> int:
        """Digits labelled 0-9: what a fine-tune on the feedback would train on."""
        with server_faults(), self._session() as session:
            return int(session.scalar(select(func.count(Digit.id)).where(Digit.label != NOT_A_DIGIT)) or 0)

    def count(self) -> int:
        with server_faults(), self._session() as session:
            return int(session.scalar(select(func.count(Sample.id))) or 0)

    def add(self, *, drawing_png: bytes, model: str, digits: list[DigitIn]) -> int:
        """Store a drawing and its digits in one transaction; a repeat of the same submission is refused."""
        for digit in digits:
            _check_label(digit.label)
        labels = ",".join(str(d.label) for d in digits).encode()
        fingerprint = hashlib.sha256(drawing_png + b"|" + labels).hexdigest()
        sample = Sample(
            fingerprint=fingerprint,
            drawing_png=drawing_png,
            model=model,
            digits=[
                Digit(
                    position=i,
                    box=",".join(map(str, d.box)),
                    crop_png=d.crop_png,
                    predicted=d.predicted,
                    confidence=d.confidence,
                    label=d.label,
                )
                for i, d in enumerate(digits)
            ],
        )
        try:
            with server_faults(), self._session() as session, session.begin():
                session.add(sample)
        except IntegrityError as exc:
            raise ConflictError("this drawing with these labels is already stored") from exc
        return sample.id

    def samples(self, limit: int = 100, offset: int = 0) -> list[Sample]:
        """Newest first, but drawings with a disagreement (a corrected digit) before all others; one page."""
        disagreeing = select(func.count(Digit.id)).where(Digit.sample_id == Sample.id, Digit.label != Digit.predicted)
        query = (
            select(Sample)
            .options(selectinload(Sample.digits))
            .order_by((disagreeing.scalar_subquery() > 0).desc(), Sample.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with server_faults(), self._session() as session:
            return list(session.scalars(query))

    def relabel(self, digit_id: int, label: int) -> None:
        _check_label(label)
        with server_faults(), self._session() as session, session.begin():
            digit = session.get(Digit, digit_id)
            if digit is None:
                raise UnknownNameError(f"no stored digit with id {digit_id}")
            digit.label = label

    def delete(self, sample_id: int) -> None:
        with server_faults(), self._session() as session, session.begin():
            sample = session.get(Sample, sample_id)
            if sample is None:
                raise UnknownNameError(f"no stored drawing with id {sample_id}")
            session.delete(sample)

    def export_folder(self, target: Path) -> int:
        """Write every digit labelled 0-9 as images/<id>.png plus train.csv (id,class); return the count.

        The folder is built under a temporary name and renamed, so a failed export leaves nothing behind.
        """
        if target.exists():
            raise ConfigError(f"{target} already exists; choose a new folder for the export")
        target.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
        building.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the export is the user's folder
        try:
            (building / "images").mkdir()
            count = 0
            with self._session() as session, (building / "train.csv").open("w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["id", "class"])
                for digit in session.scalars(select(Digit).where(Digit.label != NOT_A_DIGIT).order_by(Digit.id)):
                    (building / "images" / f"d{digit.id}.png").write_bytes(digit.crop_png)
                    writer.writerow([f"d{digit.id}", digit.label])
                    count += 1
            os.replace(building, target)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return count
