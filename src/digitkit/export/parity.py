"""Export a checkpoint (or an ensemble of several) and check the artifact against the torch model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from digitkit.data.mnist import ensure_mnist, load_mnist
from digitkit.errors import ArtifactError
from digitkit.export.onnx_export import attach_meta, build_graph, torch_logits, write_artifact
from digitkit.models.registry import count_parameters
from digitkit.preprocess import PREPROCESS_VERSION, normalize_batch
from digitkit.runtime import load_model
from digitkit.runtime.artifact import ArtifactMeta
from digitkit.train.checkpoint import load_checkpoint, model_from_checkpoint

#: Share of MNIST-test predictions the artifact must agree on with torch, or the export is refused.
MIN_AGREEMENT = 0.999


@dataclass
class ParityReport:
    bytes: int
    quantization: str
    images: int
    agreement: float
    torch_accuracy: float
    runtime_accuracy: float


class Ensemble(nn.Module):
    """Average the members' probabilities; output their log as logits (argmax and softmax stay right)."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 1, 28, 28) -> (B, 10)
        probabilities = torch.stack([torch.softmax(m(x), dim=1) for m in self.members]).mean(dim=0)
        return torch.log(probabilities.clamp_min(1e-12))


def export_checked(
    checkpoints: list[Path],
    output: Path,
    *,
    name: str | None,
    quantize: bool,
    cache: Path,
    check_images: int = 10000,
    static: bool = False,
    min_agreement: float = MIN_AGREEMENT,
) -> ParityReport:
    """One checkpoint exports as itself; several export as one ensemble artifact."""
    states = [load_checkpoint(path) for path in checkpoints]
    members = [model_from_checkpoint(state) for state in states]
    model = members[0] if len(members) == 1 else Ensemble(members).eval()
    state = states[0]
    recipes = "+".join(s["recipe"]["name"] for s in states)
    architectures = "+".join(s["recipe"]["architecture"] for s in states)
    meta = ArtifactMeta(
        name=name or recipes,
        recipe=recipes,
        architecture=architectures if len(states) == 1 else f"ensemble({architectures})",
        parameters=count_parameters(model),
        preprocess_version=int(state.get("preprocess_version", PREPROCESS_VERSION)),
        data=str(state.get("data", "unknown")),
        quantization="none",
    )
    ensure_mnist(cache, progress=False)
    # Calibration images come from the training split, never from the test images used for the check.
    calibration = normalize_batch(load_mnist("train", cache)[0][:512]) if static else None
    graph = build_graph(model, meta, quantize=quantize or static, calibration=calibration)
    images, labels = load_mnist("test", cache)
    normalized = normalize_batch(images[:check_images])
    labels = labels[:check_images]
    reference = torch_logits(model, normalized).argmax(1)
    tmp = output.with_name(f".{output.name}.check")
    write_artifact(attach_meta(graph, meta), tmp)
    try:
        predicted = load_model(tmp).predict_logits(normalized).argmax(1)
    finally:
        tmp.unlink(missing_ok=True)
    agreement = float((reference == predicted).mean())
    runtime_accuracy = float((predicted == labels).mean())
    if agreement < min_agreement:
        raise ArtifactError(
            f"the exported model agrees with torch on only {agreement:.4%} of MNIST-test predictions "
            f"(need {min_agreement:.1%}); try --no-quantize"
        )
    meta.metrics = {"mnist_accuracy": runtime_accuracy}
    size = write_artifact(attach_meta(graph, meta), output)
    return ParityReport(
        size, meta.quantization, len(labels), agreement, float((reference == labels).mean()), runtime_accuracy
    )
