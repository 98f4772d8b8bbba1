"""Table rows (SQLAlchemy 2 declarative). API schemas live in serve/, not here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NOT_A_DIGIT = -1  #: the label of a crop the user says is no digit


class Base(DeclarativeBase):
    pass


class Sample(Base):
    """One submitted drawing."""

    __tablename__ = "samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  #: SHA-256 of drawing + labels: no duplicates
    drawing_png: Mapped[bytes] = mapped_column(LargeBinary)
    model: Mapped[str] = mapped_column(String(200))  #: model name and version that predicted
    digits: Mapped[list[Digit]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", order_by="Digit.position"
    )


class Digit(Base):
    """One crop of a drawing with what the model said and what the person said."""

    __tablename__ = "digits"

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_id: Mapped[int] = mapped_column(ForeignKey("samples.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  #: left-to-right index in the drawing
    box: Mapped[str] = mapped_column(String(64))  #: "x,y,w,h" in canvas pixels
    crop_png: Mapped[bytes] = mapped_column(LargeBinary)  #: the normalized 28x28 crop
    predicted: Mapped[int] = mapped_column(Integer)  #: 0-9, or NOT_A_DIGIT
    confidence: Mapped[float]
    label: Mapped[int] = mapped_column(Integer)  #: the person's answer: 0-9 or NOT_A_DIGIT
    sample: Mapped[Sample] = relationship(back_populates="digits")

    @property
    def disagrees(self) -> bool:
        return self.label != self.predicted


class Job(Base):
    """A training or fine-tuning job started through the API (digitkit/jobs.py runs it)."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    state: Mapped[str] = mapped_column(String(16))  #: queued, running, succeeded, failed, cancelled, interrupted
    #: 1..max_jobs while queued or running, NULL after: the unique index lets only that many run at once,
    #: whichever worker (or machine) starts them.
    slot: Mapped[int | None] = mapped_column(Integer, unique=True)
    recipe: Mapped[str] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(String(16))  #: mnist, feedback or both
    epochs: Mapped[int] = mapped_column(Integer)
    init_version: Mapped[str | None] = mapped_column(String(200))
    nproc: Mapped[int] = mapped_column(Integer, default=1)
    promote: Mapped[bool] = mapped_column(default=False)
    force: Mapped[bool] = mapped_column(default=False)
    pid: Mapped[int | None] = mapped_column(Integer)
    log_path: Mapped[str] = mapped_column(String(1000), default="")
    epoch: Mapped[int] = mapped_column(Integer, default=0)  #: epochs finished
    train_loss: Mapped[float | None]
    valid_accuracy: Mapped[float | None]
    version: Mapped[str | None] = mapped_column(String(200))  #: the registered result
    promoted: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)


class Promotion(Base):
    """One change of the default version; the newest row is the default (NULL: the shipped default)."""

    __tablename__ = "promotions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    version: Mapped[str | None] = mapped_column(String(200))
    forced: Mapped[bool] = mapped_column(default=False)
