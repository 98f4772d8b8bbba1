"""The one way a torch model becomes an artifact: build the graph, check it against torch, measure, write once.

Training, ``digitkit export`` and the benchmarks all call :func:`export_checked`, so every artifact has passed
the same agreement check and carries figures measured on the file as written, through onnxruntime.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from digitkit.data.sources import Dataset, training_sets, validation_set
from digitkit.errors import ArtifactError, ConfigError
from digitkit.export.onnx_export import attach_meta, build_graph, torch_logits, write_artifact
from digitkit.models.checkpoint import load_checkpoint
from digitkit.models.ensemble import from_checkpoints
from digitkit.models.registry import count_parameters
from digitkit.preprocess import PREPROCESS_VERSION, normalize_batch
from digitkit.runtime import Model, load_model
from digitkit.runtime.artifact import ArtifactMeta
from digitkit.tasks import DIGITS, get_task, task_figures

#: Share of check-set predictions the artifact must agree on with torch, or the export is refused.
MIN_AGREEMENT = 0.999
#: Training images the int8 activations are calibrated on (never the check images).
CALIBRATION_IMAGES = 512


@dataclass
class ExportReport:
    path: Path
    bytes: int
    meta: ArtifactMeta
    images: int  #: check-set size
    agreement: float  #: share of check images where the artifact and torch predict the same class
    torch_accuracy: float
    runtime_accuracy: float


def describe(model: nn.Module, recipe: dict[str, Any], *, name: str | None, data: str) -> ArtifactMeta:
    """The metadata of a model trained by ``recipe`` (a Recipe as a dict, as checkpoints store it)."""
    task = get_task(recipe.get("task", "digits"))
    return ArtifactMeta(
        name=name or recipe["name"],
        recipe=recipe["name"],
        architecture=recipe["architecture"],
        parameters=count_parameters(model),
        preprocess_version=PREPROCESS_VERSION,
        data=data,
        quantization="none",
        task=task.name,
        classes=list(task.classes),
    )


def export_checked(
    model: nn.Module,
    meta: ArtifactMeta,
    output: Path,
    *,
    check: Dataset,
    quantize: bool = True,
    calibration: np.ndarray | None = None,
    min_agreement: float = MIN_AGREEMENT,
    measure: Callable[[Model], dict[str, float]] | None = None,
) -> ExportReport:
    """Export ``model`` to ``output`` if onnxruntime and torch agree on ``check`` (raw images, labels).

    ``calibration`` (raw training images) turns on int8 activations. ``measure`` adds figures measured on the
    candidate artifact (the robustness suite, training time) before the one write to ``output``.
    """
    if len(check.labels) == 0:
        raise ConfigError("the agreement check needs at least one image (--check must be >= 1)")
    model = model.eval()
    normalized = normalize_batch(check.images)
    calibrate_on = None if calibration is None else normalize_batch(calibration)
    graph = build_graph(model, meta, quantize=quantize or calibrate_on is not None, calibration=calibrate_on)
    reference = torch_logits(model, normalized).argmax(1)
    with tempfile.TemporaryDirectory(prefix="digitkit-export-") as tmp:
        candidate = Path(tmp) / "candidate.onnx"
        write_artifact(attach_meta(graph, meta), candidate)
        runtime = load_model(candidate)
        predicted = runtime.predict_logits(normalized).argmax(1)
        agreement = float((reference == predicted).mean())
        if agreement < min_agreement:
            raise ArtifactError(
                f"the exported model agrees with torch on only {agreement:.4%} of {check.name} predictions "
                f"(need {min_agreement:.1%}); try --no-quantize"
            )
        meta.metrics = {
            **task_figures(meta.task, check.name, check.labels, predicted),
            **(measure(runtime) if measure else {}),
        }
    size = write_artifact(attach_meta(graph, meta), output)
    return ExportReport(
        output,
        size,
        meta,
        len(check.labels),
        agreement,
        float((reference == check.labels).mean()),
        float((predicted == check.labels).mean()),
    )


def export_checkpoints(
    checkpoints: list[Path],
    output: Path,
    *,
    name: str | None,
    quantize: bool,
    cache: Path,
    check_images: int = 10000,
    static: bool = False,
    min_agreement: float = MIN_AGREEMENT,
    suite_size: int = 0,
) -> ExportReport:
    """One checkpoint exports as itself; several export as one ensemble artifact (of one task). ``suite_size``
    images a kind of the robustness suite are scored too, for a digit model's ``suite_accuracy``."""
    if check_images < 1:
        raise ConfigError(f"--check must be >= 1 image, got {check_images} instead")
    states = [load_checkpoint(path) for path in checkpoints]
    tasks = {state["recipe"].get("task", "digits") for state in states}
    if len(tasks) > 1:
        raise ConfigError(f"an ensemble's members must share one task, got {', '.join(sorted(tasks))}")
    model = from_checkpoints(states)
    meta = describe(model, states[0]["recipe"], name=name, data=str(states[0].get("data", "unknown")))
    if len(states) > 1:
        meta.recipe = "+".join(s["recipe"]["name"] for s in states)
        meta.name = name or meta.recipe
        meta.architecture = "ensemble(" + "+".join(s["recipe"]["architecture"] for s in states) + ")"
    task = get_task(meta.task)
    valid = validation_set(task, cache)  # the training half is built only to calibrate (the detector's: minutes)
    check = Dataset(valid.images[:check_images], valid.labels[:check_images], valid.name)
    return export_checked(
        model,
        meta,
        output,
        check=check,
        quantize=quantize,
        calibration=training_sets(None, task, cache)[0].images[:CALIBRATION_IMAGES] if static else None,
        min_agreement=min_agreement,
        measure=_suite_figure(cache, suite_size) if suite_size and meta.task == DIGITS.name else None,
    )


def _suite_figure(cache: Path, size: int) -> Callable[[Model], dict[str, float]]:
    from digitkit.evaluate.report import evaluate_suite

    return lambda runtime: {"suite_accuracy": evaluate_suite(runtime, cache, size, True)["overall"]}
