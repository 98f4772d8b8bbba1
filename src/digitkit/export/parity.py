"""Export a checkpoint and check the artifact against the torch model it came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def export_checked(
    checkpoint: Path, output: Path, *, name: str | None, quantize: bool, cache: Path, check_images: int = 10000
) -> ParityReport:
    state = load_checkpoint(checkpoint)
    model = model_from_checkpoint(state)
    recipe = state["recipe"]
    meta = ArtifactMeta(
        name=name or recipe["name"],
        recipe=recipe["name"],
        architecture=recipe["architecture"],
        parameters=count_parameters(model),
        preprocess_version=int(state.get("preprocess_version", PREPROCESS_VERSION)),
        data=str(state.get("data", "unknown")),
        quantization="none",
    )
    graph = build_graph(model, meta, quantize=quantize)
    ensure_mnist(cache, progress=False)
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
    if agreement < MIN_AGREEMENT:
        raise ArtifactError(
            f"the exported model agrees with torch on only {agreement:.4%} of MNIST-test predictions "
            f"(need {MIN_AGREEMENT:.1%}); try --no-quantize"
        )
    meta.metrics = {"mnist_accuracy": runtime_accuracy}
    size = write_artifact(attach_meta(graph, meta), output)
    return ParityReport(
        size, meta.quantization, len(labels), agreement, float((reference == labels).mean()), runtime_accuracy
    )
