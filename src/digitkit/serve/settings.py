"""Server settings: one typed object, from DIGITKIT_* environment variables and CLI flags, checked at start."""

from __future__ import annotations

import dataclasses
import difflib
import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from digitkit.errors import ConfigError

#: Feedback database, model versions and job folders, unless DIGITKIT_DATA_DIR says otherwise.
DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "digitkit"


@dataclass(frozen=True)
class Settings:
    models: tuple[str, ...] = ("default",)  #: names or paths; the first is the default model
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1  #: server processes sharing the port
    threads: int = 1  #: onnxruntime threads per model
    max_body_bytes: int = 8 * 1024 * 1024  #: larger bodies get 413
    max_images: int = 512  #: images per request
    max_pixels: int = 4096 * 4096  #: decoded pixels per image (decompression bombs)
    max_request_pixels: int = 4096 * 4096  #: declared pixels of all of a request's images, checked before decoding
    request_timeout_s: float = 30.0  #: decoding, segmentation and prediction of one request (504 past it)
    header_timeout_s: float = 10.0  #: a request's headers must arrive within this (408 past it)
    body_timeout_s: float = 30.0  #: a started body must be complete within this (408 past it)
    max_header_bytes: int = 64 * 1024  #: a larger request head gets 431
    max_connections: int = 900  #: open connections (lowered under the fd limit); idle ones make room (serve/guard.py)
    batch_max_images: int = 64  #: dynamic batching: most images in one runtime call (bounds activation memory)
    batch_wait_ms: float = 0.0  #: dynamic batching: extra wait for company (0: only what is already queued)
    cors_origins: tuple[str, ...] = ()  #: origins allowed to call the JSON API from a browser; "*" for any
    access_log: bool = True
    data_dir: Path = field(default_factory=lambda: DEFAULT_DATA_DIR)
    database_url: str = ""  #: SQLAlchemy URL for feedback, jobs and the default version; "" -> SQLite in data_dir
    registry_dir: str = ""  #: the model versions' folder (digitkit/versions.py); "" -> data_dir/models
    default_poll_s: float = 0.5  #: how often each worker reads which version is the default (promote latency)
    max_jobs: int = 1  #: training jobs running at once (POST /api/v1/jobs answers 409 beyond)
    allow_exit: bool = False  #: GET /exit stops the server (the competition archive always allows it)
    admin_token: str = ""  #: bearer token for routes that read stored data or change state; "" turns them off
    allowed_hosts: tuple[str, ...] = ()  #: Host headers served; () -> localhost names and the bind address; "*" any
    rate_limit_per_minute: int = 120  #: POSTs to /predict and /api/v1/ per remote client (loopback exempt); 0: off
    max_drawing_bytes: int = 1024 * 1024  #: a feedback drawing's stored image (413 beyond)

    def feedback_url(self) -> str:
        """The feedback database: the configured URL, else SQLite in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'feedback.sqlite3'}"

    def registry_path(self) -> Path:
        return Path(self.registry_dir).expanduser() if self.registry_dir else self.data_dir / "models"

    def validated(self) -> Settings:
        positive = (
            "port",
            "workers",
            "threads",
            "max_body_bytes",
            "max_images",
            "max_pixels",
            "max_request_pixels",
            "max_header_bytes",
            "max_connections",
            "batch_max_images",
            "max_drawing_bytes",
            "max_jobs",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise ConfigError(f"setting {name} must be >= 1, got {getattr(self, name)} instead")
        if not 1 <= self.port <= 65535:
            raise ConfigError(f"port must be 1-65535, got {self.port} instead")
        # NaN passes every comparison, and inf never ends a wait: both are refused with the negatives.
        if not (math.isfinite(self.request_timeout_s) and self.request_timeout_s > 0):
            raise ConfigError(f"request_timeout_s must be a finite number > 0, got {self.request_timeout_s} instead")
        for name in ("header_timeout_s", "body_timeout_s", "default_poll_s"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise ConfigError(f"{name} must be a finite number > 0, got {getattr(self, name)} instead")
        if not (math.isfinite(self.batch_wait_ms) and self.batch_wait_ms >= 0):
            raise ConfigError(f"batch_wait_ms must be a finite number >= 0, got {self.batch_wait_ms} instead")
        if self.rate_limit_per_minute < 0:
            raise ConfigError(f"rate_limit_per_minute must be >= 0 (0: off), got {self.rate_limit_per_minute} instead")
        if not self.models:
            raise ConfigError("at least one model is needed")
        return self


log = logging.getLogger(__name__)
#: DIGITKIT_* variables that are not server settings.
NOT_SETTINGS = frozenset({"DIGITKIT_CACHE", "DIGITKIT_MNIST_MIRRORS", "DIGITKIT_SUPERVISOR_PID"})


def _convert(name: str, raw: str, current: object) -> object:
    try:
        if isinstance(current, bool):
            if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError("expected true or false")
            return raw.lower() in ("1", "true", "yes")
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
        if isinstance(current, tuple):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        if isinstance(current, Path):
            return Path(raw).expanduser()
        return raw
    except ValueError as exc:
        raise ConfigError(f"DIGITKIT_{name.upper()}={raw!r}: {exc}") from exc


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Defaults < DIGITKIT_* variables < explicit overrides (CLI flags; None means 'not given')."""
    environ = dict(os.environ if environ is None else environ)
    base = Settings()
    known = {f"DIGITKIT_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    for name in sorted(n for n in environ if n.startswith("DIGITKIT_") and n not in known | NOT_SETTINGS):
        closest = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f"; did you mean {closest[0]}?" if closest else f"; known: {', '.join(sorted(known))}"
        log.warning("%s is not a digitkit setting and is ignored%s", name, hint)
    values: dict[str, object] = {}
    for f in dataclasses.fields(Settings):
        raw = environ.get(f"DIGITKIT_{f.name.upper()}")
        if raw is not None:
            values[f.name] = _convert(f.name, raw, getattr(base, f.name))
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - {f.name for f in dataclasses.fields(Settings)}
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return dataclasses.replace(base, **values).validated()  # type: ignore[arg-type]
