"""The artifact format: a standard ONNX file whose metadata (key ``digitkit``) describes the model.

Any ONNX runtime runs the file; digitkit additionally reads which preprocessing it was trained with, the
recipe, the data and its measured figures, and refuses versions it does not know.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import onnxruntime as ort

from digitkit.errors import ArtifactError
from digitkit.preprocess import KNOWN_PREPROCESS_VERSIONS

FORMAT_VERSION = 1
KNOWN_FORMAT_VERSIONS = frozenset({FORMAT_VERSION})
METADATA_KEY = "digitkit"
INPUT_NAME = "image"  #: (N, 1, 28, 28) float32, MNIST-normalized in [0, 1]
OUTPUT_NAME = "logits"  #: (N, classes) float32
DIGIT_CLASSES = list("0123456789")
WEIGHT_INT8 = "int8-weights"  #: int8 weights, float activations
STATIC_INT8 = "int8-static"  #: int8 weights and activations (calibrated), run by int8 kernels
WEIGHT_INT4 = "int4-weights"  #: 4-bit weights packed two to a byte (trained on that grid), float activations


@dataclass
class ArtifactMeta:
    """What an artifact says about itself."""

    name: str  #: short model name ("default", "tiny", ...)
    recipe: str  #: the recipe that trained it
    architecture: str
    parameters: int
    preprocess_version: int
    data: str  #: what it was trained on
    quantization: str  #: "none", "int8-weights", "int8-static" or "int4-weights"
    format_version: int = FORMAT_VERSION
    metrics: dict[str, float] = field(default_factory=dict)  #: measured figures, e.g. mnist_accuracy
    task: str = "digits"  #: "digits", or "detector" (digit / not a digit); see digitkit/tasks.py
    classes: list[str] = field(default_factory=lambda: list(DIGIT_CLASSES))  #: output names, in order

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))  # no spaces: bytes count


def parse_meta(raw: str | None, source: str) -> ArtifactMeta:
    """Metadata JSON -> ArtifactMeta, refusing missing fields and unknown versions."""
    if raw is None:
        raise ArtifactError(f"{source} is an ONNX file without digitkit metadata; export it with `digitkit export`")
    try:
        values: dict[str, Any] = json.loads(raw)
        meta = ArtifactMeta(**values)
    except (ValueError, TypeError) as exc:
        raise ArtifactError(f"{source}: unreadable digitkit metadata ({exc})") from exc
    if meta.format_version not in KNOWN_FORMAT_VERSIONS:
        raise ArtifactError(
            f"{source}: artifact format version {meta.format_version} is unknown to this digitkit "
            f"(knows {sorted(KNOWN_FORMAT_VERSIONS)}); upgrade digitkit or re-export the model"
        )
    if meta.preprocess_version not in KNOWN_PREPROCESS_VERSIONS:
        raise ArtifactError(
            f"{source}: trained with preprocessing version {meta.preprocess_version}, this digitkit knows "
            f"{sorted(KNOWN_PREPROCESS_VERSIONS)}; predictions would be wrong, so it is refused"
        )
    return meta


def open_session(path: str | Path, threads: int = 1, fold_int8_weights: bool = True) -> ort.InferenceSession:
    """``fold_int8_weights``: turn int8 weights back into float once, at load (right for weight-only int8);
    off for fully quantized graphs, whose Q/DQ pairs onnxruntime fuses into int8 kernels."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if fold_int8_weights:
        options.add_session_config_entry("session.disable_quant_qdq", "1")
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except FileNotFoundError as exc:
        raise ArtifactError(f"artifact {path} does not exist") from exc
    except Exception as exc:  # onnxruntime raises its own exception types for bad files
        raise ArtifactError(f"{path} is not a loadable ONNX artifact: {str(exc).splitlines()[0][:200]}") from exc


def read_meta(path: str) -> ArtifactMeta:
    """Read only the metadata (onnxruntime parses the file; no onnx package needed)."""
    session = open_session(path, threads=1)
    return parse_meta(session.get_modelmeta().custom_metadata_map.get(METADATA_KEY), path)
