"""A loaded artifact: preprocessing + onnxruntime session -> class probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from digitkit.errors import ArtifactError, ImageError, UnknownNameError
from digitkit.preprocess import SIDE, normalize_batch
from digitkit.runtime.artifact import (
    INPUT_NAME,
    METADATA_KEY,
    WEIGHT_INT8,
    ArtifactMeta,
    open_session,
    parse_meta,
    read_meta,
)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "shipped"


def shipped_models(task: str | None = None) -> dict[str, Path]:
    """Artifacts that ship inside the package, by name; only those of ``task`` (digitkit/tasks.py) if given."""
    found = {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.onnx"))}
    return found if task is None else {n: p for n, p in found.items() if read_meta(str(p)).task == task}


def resolve_artifact(name_or_path: str | Path) -> Path:
    """A shipped model name ("default") or a path to an artifact file."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_models()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    raise UnknownNameError(
        f"no model {str(name_or_path)!r}: expected a path to an .onnx artifact or one of: "
        f"{', '.join(shipped) or '(none shipped)'}"
    )


class Model:
    """An artifact ready to predict. Thread-safe: onnxruntime sessions may be run concurrently."""

    def __init__(self, path: str | Path, threads: int = 1, max_batch: int = 64):
        self.path = Path(path)
        self.max_batch = max_batch  #: images per runtime call: activation memory grows with the batch, speed does not
        # Opened as int8-static first, the shipped default's format, so that one loads once.
        self.session = open_session(self.path, threads, fold_int8_weights=False)
        custom = self.session.get_modelmeta().custom_metadata_map
        self.meta: ArtifactMeta = parse_meta(custom.get(METADATA_KEY), str(self.path))
        if self.meta.quantization == WEIGHT_INT8:  # float activations: reopen to fold the int8 weights once
            self.session = open_session(self.path, threads)
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or inputs[0].name != INPUT_NAME:
            raise ArtifactError(f"{self.path}: expected one input named {INPUT_NAME!r}")
        classes = self.session.get_outputs()[0].shape[-1]
        if not isinstance(classes, int):
            raise ArtifactError(f"{self.path}: the output's class dimension is not fixed ({classes!r})")
        if classes != len(self.meta.classes):
            raise ArtifactError(f"{self.path}: {classes} outputs but {len(self.meta.classes)} class names")
        self.classes = classes

    @property
    def name(self) -> str:
        return self.meta.name

    def predict_logits(self, normalized: np.ndarray) -> np.ndarray:
        """(N, 28, 28) float32 already through :func:`digitkit.preprocess.normalize` -> (N, classes) logits."""
        if normalized.ndim != 3 or normalized.shape[1:] != (SIDE, SIDE):
            raise ImageError(f"expected a batch of shape (N, 28, 28), got {normalized.shape} instead")
        if normalized.dtype != np.float32:
            raise ImageError(f"expected float32 normalized pixels, got {normalized.dtype} instead")
        parts = [
            self.session.run(None, {INPUT_NAME: normalized[i : i + self.max_batch, None]})[0]
            for i in range(0, len(normalized), self.max_batch)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, self.classes), dtype=np.float32)

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """(N, H, W) grayscale images (uint8 0-255 or float 0-1, any size, either polarity) -> (N, classes)."""
        return softmax(self.predict_logits(normalize_batch(images)))

    def predict(self, images: np.ndarray) -> np.ndarray:
        return self.predict_proba(images).argmax(axis=1)


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def load_model(name_or_path: str | Path, threads: int = 1, max_batch: int = 64) -> Model:
    return Model(resolve_artifact(name_or_path), threads, max_batch)
