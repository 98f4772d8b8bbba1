"""Load an artifact and predict, with numpy and onnxruntime only: the one thing a submission needs."""

from digitkit.runtime.artifact import ArtifactMeta, read_meta
from digitkit.runtime.model import Model, load_model, resolve_artifact, shipped_models

__all__ = ["ArtifactMeta", "Model", "load_model", "read_meta", "resolve_artifact", "shipped_models"]
