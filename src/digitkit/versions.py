"""Model versions: every trained or fine-tuned artifact kept in a registry folder with where it came from.

A version is a folder ``<registry>/<id>/`` holding ``model.onnx``, the weights-only ``checkpoint.pt`` it was
exported from (so it can be fine-tuned further) and ``version.json``: the recipe, the data (source, file hash,
feedback ids), the parent version, the measured figures and when it was made. Folders are built under a
temporary name and renamed, so a reader never sees half a version. Which version is the default lives in the
store (store/promotions.py), shared by every server worker; this module is torch-free, the server reads it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from digitkit.errors import ConfigError, ConflictError, UnknownNameError
from digitkit.files import current_umask
from digitkit.runtime import read_meta, resolve_artifact

RECORD = "version.json"
ARTIFACT = "model.onnx"
CHECKPOINT = "checkpoint.pt"
SHIPPED_DEFAULT = "default"  #: what ``reset`` goes back to: the artifact shipped with the package
#: A promote may lose at most this much accuracy (0.1 points) on MNIST and on the suite, unless forced.
GATE_TOLERANCE = 0.001
GATED_FIGURES = ("mnist_accuracy", "suite_accuracy")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@dataclass(frozen=True)
class Version:
    id: str
    name: str  #: the artifact's model name
    recipe: dict[str, Any]
    data: dict[str, Any]  #: {"source": ..., and "sha256" / "feedback_ids" where they apply}
    parent: str | None  #: the version (or "shipped:default") it was fine-tuned from
    metrics: dict[str, float]
    created_at: str  #: UTC, ISO 8601
    bytes: int
    folder: Path = field(compare=False)

    @property
    def artifact(self) -> Path:
        return self.folder / ARTIFACT

    @property
    def checkpoint(self) -> Path:
        return self.folder / CHECKPOINT

    def summary(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("folder")
        return out


def is_version_id(text: str) -> bool:
    return bool(_ID.match(text))


class Registry:
    def __init__(self, root: Path):
        self.root = root

    def add(
        self,
        artifact: Path,
        *,
        checkpoint: Path | None,
        recipe: dict[str, Any],
        data: dict[str, Any],
        parent: str | None,
    ) -> Version:
        """Copy an artifact (and its checkpoint) in as a new version; its figures come from its own metadata."""
        meta = read_meta(str(artifact))
        digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
        now = time.gmtime()
        base_id = f"{meta.name}-{time.strftime('%Y%m%d-%H%M%S', now)}-{digest[:8]}"
        if not is_version_id(base_id):
            raise ConfigError(f"model name {meta.name!r} cannot name a version; use letters, digits, '.', '_', '-'")
        self.root.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=self.root, prefix=f".{base_id}."))
        building.chmod(0o777 & ~current_umask())
        record = {
            "name": meta.name,
            "recipe": recipe,
            "data": data,
            "parent": parent,
            "metrics": meta.metrics,
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", now),
            "bytes": artifact.stat().st_size,
        }
        try:
            shutil.copyfile(artifact, building / ARTIFACT)
            if checkpoint is not None:
                shutil.copyfile(checkpoint, building / CHECKPOINT)
            for attempt in itertools.count(1):  # the same artifact twice in one second gets -2, -3, ...
                version_id = base_id if attempt == 1 else f"{base_id}-{attempt}"
                (building / RECORD).write_text(json.dumps({"id": version_id, **record}, indent=2, sort_keys=True))
                try:
                    os.rename(building, self.root / version_id)  # refused when that version exists
                    break
                except OSError:
                    if not (self.root / version_id).exists():
                        raise
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return self.get(version_id)

    def has(self, version_id: str) -> bool:
        return is_version_id(version_id) and (self.root / version_id / RECORD).is_file()

    def get(self, version_id: str) -> Version:
        if not self.has(version_id):
            known = ", ".join(v.id for v in self.versions()[:5]) or "none yet"
            raise UnknownNameError(
                f"no model version {version_id!r} in {self.root} (newest: {known}); `digitkit models` lists them"
            )
        return _read(self.root / version_id)

    def versions(self) -> list[Version]:
        """Every complete version, newest first."""
        if not self.root.is_dir():
            return []
        found = [_read(p) for p in self.root.iterdir() if is_version_id(p.name) and (p / RECORD).is_file()]
        return sorted(found, key=lambda v: (v.created_at, v.id), reverse=True)


def _read(folder: Path) -> Version:
    record = json.loads((folder / RECORD).read_text())
    return Version(
        id=record["id"],
        name=record["name"],
        recipe=record["recipe"],
        data=record["data"],
        parent=record["parent"],
        metrics=record["metrics"],
        created_at=record["created_at"],
        bytes=record["bytes"],
        folder=folder,
    )


def gate(candidate: dict[str, float], current: dict[str, float], tolerance: float = GATE_TOLERANCE) -> list[str]:
    """Why ``candidate`` may not replace ``current`` as the default (empty: it may): a gated figure missing, or
    lower than the current default's by more than ``tolerance``."""
    reasons = []
    for figure in GATED_FIGURES:
        if figure not in current:
            continue
        if figure not in candidate:
            reasons.append(f"it has no {figure.replace('_', ' ')} to compare")
        elif candidate[figure] < current[figure] - tolerance:
            reasons.append(
                f"its {figure.replace('_', ' ')} {candidate[figure]:.2%} is more than {tolerance * 100:.1f} points "
                f"below the current default's {current[figure]:.2%}"
            )
    return reasons


class DefaultPointer(Protocol):
    """Where the default version is kept (store/promotions.py), as this module needs it."""

    def current(self) -> str | None: ...

    def promote(self, version: str | None, forced: bool = False) -> None: ...


def configured_metrics(model: str) -> dict[str, float]:
    """The figures of a configured model (a shipped name or an artifact path), read from its metadata."""
    return read_meta(str(resolve_artifact(model))).metrics


def current_metrics(registry: Registry, pointer: DefaultPointer, base_metrics: dict[str, float]) -> dict[str, float]:
    """The figures of the current default: the promoted version's, else ``base_metrics`` (the configured model's)."""
    current = pointer.current()
    if current is None:
        return base_metrics
    try:
        return registry.get(current).metrics
    except UnknownNameError:  # its folder was removed by hand: judge against the configured model
        return base_metrics


def promote(
    registry: Registry, pointer: DefaultPointer, version_id: str, base_metrics: dict[str, float], force: bool = False
) -> Version:
    """Make a registered version the default, if it passes the no-regression gate (or ``force``)."""
    version = registry.get(version_id)
    reasons = gate(version.metrics, current_metrics(registry, pointer, base_metrics))
    if reasons and not force:
        raise ConflictError(
            f"version {version_id} is not promoted: {'; '.join(reasons)}. Promote it anyway with force "
            "(--force on the command line, ?force=true on the API)"
        )
    pointer.promote(version_id, forced=bool(reasons))
    return version
