"""Recipe -> trained, exported, measured artifact: what `digitkit train` runs end to end."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from digitkit.data.sources import Dataset, provenance, training_sets
from digitkit.evaluate.plots import plot_confusion
from digitkit.evaluate.report import evaluate_set, evaluate_suite
from digitkit.export.checked import CALIBRATION_IMAGES, ExportReport, describe, export_checked
from digitkit.files import write_atomic
from digitkit.models.checkpoint import save_checkpoint
from digitkit.runtime import Model, load_model
from digitkit.tasks import DIGITS, get_task
from digitkit.train import distributed
from digitkit.train.loop import TrainResult, train
from digitkit.train.recipe import Recipe
from digitkit.versions import Registry, Version

log = logging.getLogger(__name__)


@dataclass
class PipelineResult:
    train: TrainResult
    export: ExportReport
    version: Version | None  #: the registered version, when a registry was given


def save_weights(run_dir: Path, model: torch.nn.Module, recipe: Recipe, data: str) -> Path:
    """run_dir/weights.pt: the trained weights only, what a version keeps to be fine-tuned from (1/3 the size of
    checkpoint.pt, which also holds the optimizer's state to resume)."""
    weights = run_dir / "weights.pt"
    save_checkpoint(weights, {"model": model.state_dict(), "recipe": recipe.to_dict(), "data": data})
    return weights


def _starting_point(init_from: str | Path | None, registry: Registry | None) -> tuple[str | Path | None, str | None]:
    """(checkpoint to load, parent to record) for ``--init-from``: a registered version, a path or a shipped name."""
    if init_from is None:
        return None, None
    if registry is not None and registry.has(str(init_from)):
        version = registry.get(str(init_from))
        return version.checkpoint, version.id
    if Path(init_from).exists():
        return init_from, str(Path(init_from).resolve())
    return init_from, f"shipped:{init_from}"  # load_checkpoint says so when no such checkpoint ships


def run_recipe(
    recipe: Recipe,
    *,
    cache: Path,
    run_dir: Path,
    data: str | None = None,
    output: Path | None = None,
    name: str | None = None,
    device: str = "cpu",
    resume: Path | None = None,
    init_from: str | Path | None = None,
    epochs: int | None = None,
    suite_size: int = 10000,
    valid_split: float | None = None,
    progress: bool = True,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
    registry: Registry | None = None,
    sets: tuple[Dataset, Dataset] | None = None,
) -> PipelineResult | None:
    """Train, then export through the checked path to ``output`` (default ``run_dir/model.onnx``), written once.

    The artifact records its training time and, for digit models, the robustness suite (``suite_size`` images
    per corruption, 0 skips it); run_dir/artifact.json repeats the metadata for people and scripts, and a digit
    model's run_dir/confusion.png shows the artifact's confusion matrix on the validation set.
    ``valid_split`` holds out that share of the training rows for validation (see data/sources.py).
    ``init_from`` may name a version of ``registry``; with a registry the artifact becomes a new version there.
    Under torchrun only rank 0 exports and gets a result; the other ranks get None once training ends.
    ``sets`` (train, validation) replaces the sets ``data`` names (fine-tuning builds its own mix).
    """
    task = get_task(recipe.task)
    start, parent = _starting_point(init_from, registry)
    train_data, valid_data = sets or training_sets(data or recipe.data or None, task, cache, progress, valid_split)
    result = train(
        recipe,
        train_data,
        valid_data,
        run_dir=run_dir,
        device=device,
        resume=resume,
        init_from=start,
        progress=progress,
        epochs=epochs,
        on_epoch=on_epoch,
    )
    ranks = distributed.launched_ranks()
    distributed.leave(ranks)
    if not ranks.main:
        return None

    def measure(runtime: Model) -> dict[str, float]:
        figures = {"train_seconds": round(result.seconds, 1)}
        if suite_size and task == DIGITS:
            figures["suite_accuracy"] = evaluate_suite(runtime, cache, suite_size, progress)["overall"]
        return figures

    report = export_checked(
        result.model,
        describe(result.model, recipe.to_dict(), name=name, data=train_data.name),
        output or run_dir / "model.onnx",
        check=valid_data,
        quantize=recipe.quantize,
        calibration=train_data.images[:CALIBRATION_IMAGES] if recipe.quantize_activations else None,
        measure=measure,
    )
    summary = {"path": str(report.path), "bytes": report.bytes, **json.loads(report.meta.to_json())}
    write_atomic(run_dir / "artifact.json", json.dumps(summary, indent=2).encode())
    if task == DIGITS:
        confusion = evaluate_set(load_model(report.path), valid_data.images, valid_data.labels)["confusion"]
        plot_confusion(np.array(confusion), run_dir / "confusion.png", title=f"{report.meta.name} on {valid_data.name}")
    version = None
    weights = save_weights(run_dir, result.model, recipe, train_data.name)
    if registry is not None:
        version = registry.add(
            report.path,
            checkpoint=weights,
            recipe=recipe.to_dict(),
            data=provenance(data or recipe.data or task.data),
            parent=parent,
        )
    return PipelineResult(result, report, version)
