"""Recipe -> trained, exported, measured artifact: what `digitkit train` runs end to end."""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digitkit.data.mnist import ensure_mnist, load_mnist
from digitkit.errors import ConfigError
from digitkit.evaluate.report import evaluate_set, evaluate_suite
from digitkit.export.onnx_export import attach_meta, build_graph, write_artifact
from digitkit.models.registry import count_parameters
from digitkit.preprocess import PREPROCESS_VERSION, normalize_batch
from digitkit.runtime import load_model
from digitkit.runtime.artifact import ArtifactMeta
from digitkit.train.loop import Dataset, TrainResult, train
from digitkit.train.recipe import Recipe

log = logging.getLogger(__name__)


@dataclass
class PipelineResult:
    train: TrainResult
    artifact: Path
    meta: ArtifactMeta
    bytes: int


def load_training_data(source: str, cache: Path, progress: bool) -> tuple[Dataset, Dataset]:
    """``mnist`` or ``kaggle:PATH`` -> (train, validation). Validation is always the MNIST test split."""
    ensure_mnist(cache, progress)
    test = Dataset(*load_mnist("test", cache), name="mnist-test")
    if source == "mnist":
        return Dataset(*load_mnist("train", cache), name="mnist-train"), test
    if source.startswith("folder:"):
        from digitkit.data.folder import open_image_folder

        folder = open_image_folder(Path(source.removeprefix("folder:")))
        # Feedback sets are small: read once. Pixels are already normalized; uint8 keeps the loop's contract.
        images = (folder.load(list(range(len(folder)))) * 255).round().astype("uint8")
        return Dataset(images, folder.labels.astype("uint8"), name=f"folder:{folder.csv_path.parent.name}"), test
    if source == "nondigits":
        return _detector_data(cache)
    if source.startswith("kaggle:"):
        from digitkit.data.kaggle import read_kaggle_train

        images, labels = read_kaggle_train(Path(source.removeprefix("kaggle:")))
        return Dataset(images, labels, name=f"kaggle:{Path(source[7:]).name}"), test
    raise ConfigError(
        f"unknown --data {source!r}; expected 'mnist', 'nondigits', 'kaggle:PATH/train.csv' or 'folder:DIR'"
    )


NON_DIGITS_TRAIN, NON_DIGITS_VALID = 30000, 5000


def _detector_data(cache: Path) -> tuple[Dataset, Dataset]:
    """Label 0: MNIST digits; label 1: synthetic non-digits (data/nondigits.py), disjoint seeds per split."""
    import numpy as np

    from digitkit.data.nondigits import non_digit_set

    def mixed(digits: np.ndarray, others: np.ndarray, name: str) -> Dataset:
        labels = np.concatenate([np.zeros(len(digits), np.uint8), np.ones(len(others), np.uint8)])
        order = np.random.default_rng(0).permutation(len(labels))  # interleaved, so train_subset takes both
        return Dataset(np.concatenate([digits, others])[order], labels[order], name)

    train_digits, valid_digits = load_mnist("train", cache)[0], load_mnist("test", cache)[0][:NON_DIGITS_VALID]
    return (
        mixed(train_digits, non_digit_set(NON_DIGITS_TRAIN, seed=1), "mnist-train+nondigits"),
        mixed(valid_digits, non_digit_set(NON_DIGITS_VALID, seed=2), "mnist-test+nondigits"),
    )


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
    init_from: Path | None = None,
    epochs: int | None = None,
    suite_size: int = 10000,
    progress: bool = True,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> PipelineResult:
    data = data or recipe.data
    train_data, valid_data = load_training_data(data, cache, progress)
    result = train(
        recipe,
        train_data,
        valid_data,
        run_dir=run_dir,
        device=device,
        resume=resume,
        init_from=init_from,
        progress=progress,
        epochs=epochs,
        on_epoch=on_epoch,
    )
    meta = ArtifactMeta(
        name=name or recipe.name,
        recipe=recipe.name,
        architecture=recipe.architecture,
        parameters=count_parameters(result.model),
        preprocess_version=PREPROCESS_VERSION,
        data=train_data.name,
        quantization="none",
    )
    artifact = run_dir / "model.onnx"
    calibration = normalize_batch(train_data.images[:512]) if recipe.quantize_activations else None
    graph = build_graph(result.model, meta, quantize=recipe.quantize, calibration=calibration)
    write_artifact(attach_meta(graph, meta), artifact)
    runtime = load_model(artifact)
    test = evaluate_set(runtime, valid_data.images, valid_data.labels)
    if data == "nondigits":  # the detector: how many digits it loses, how many non-digits it catches
        recall = test["per_class_recall"]
        meta.metrics = {
            "digits_kept": recall[0],
            "non_digits_caught": recall[1],
            "train_seconds": round(result.seconds, 1),
        }
    else:
        meta.metrics = {"mnist_accuracy": test["accuracy"], "train_seconds": round(result.seconds, 1)}
    if suite_size and data != "nondigits":
        meta.metrics["suite_accuracy"] = evaluate_suite(runtime, cache, suite_size, progress)["overall"]
    size = write_artifact(attach_meta(graph, meta), artifact)
    (run_dir / "artifact.json").write_text(json.dumps({"bytes": size, **json.loads(meta.to_json())}, indent=2))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(artifact, output)
    return PipelineResult(result, output or artifact, meta, size)
