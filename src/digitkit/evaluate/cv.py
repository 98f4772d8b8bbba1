"""Cross-validation in RAMP's layout: per fold and mean ± std of train/valid/test accuracy, balanced
accuracy, NLL, train and test time, for a built-in recipe or a RAMP-shaped submission folder."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from digitkit.data.batches import BatchGeneratorBuilder, array_loader
from digitkit.errors import ConfigError
from digitkit.evaluate.metrics import score
from digitkit.preprocess import normalize_batch
from digitkit.progress import steps

SCORES = ("accuracy", "balanced_accuracy", "nll")


def _load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_submission(folder: Path) -> tuple[Callable[[], Any], Callable[[np.ndarray], np.ndarray] | None]:
    """A RAMP submission folder: batch_classifier.py (class BatchClassifier) and optional image_preprocessor.py
    (transform(x)). Returns (classifier factory, transform)."""
    classifier_file = folder / "batch_classifier.py"
    if not classifier_file.is_file():
        raise ConfigError(f"{folder} has no batch_classifier.py defining class BatchClassifier")
    module = _load_module(classifier_file, f"digitkit_submission_{abs(hash(folder))}_classifier")
    if not hasattr(module, "BatchClassifier"):
        raise ConfigError(f"{classifier_file} defines no class BatchClassifier")
    transform = None
    if (folder / "image_preprocessor.py").is_file():
        transform = _load_module(
            folder / "image_preprocessor.py", f"digitkit_submission_{abs(hash(folder))}_pre"
        ).transform
    return module.BatchClassifier, transform


def _apply(transform: Callable[[np.ndarray], np.ndarray] | None, images: np.ndarray) -> np.ndarray:
    return images if transform is None else np.stack([transform(x) for x in images]).astype(np.float32)


def cross_validate(
    make_classifier: Callable[[], Any],
    images: np.ndarray,
    labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
    *,
    folds: int = 5,
    shuffle_split: bool = False,
    transform: Callable[[np.ndarray], np.ndarray] | None = None,
    seed: int = 0,
    progress: bool = False,
) -> dict[str, Any]:
    """Fit a fresh classifier per fold through a batch-generator builder; score train, valid and test."""
    from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

    if folds < 2:
        raise ConfigError(f"expected --folds >= 2, got {folds} instead")
    splitter = (
        StratifiedShuffleSplit(n_splits=folds, test_size=0.2, random_state=seed)
        if shuffle_split
        else StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    )
    test_x = _apply(transform, normalize_batch(test_images))
    results = []
    splits = list(splitter.split(np.zeros(len(labels)), labels))
    for fold, (train_idx, valid_idx) in enumerate(steps(splits, "cross-validation folds", progress)):
        builder = BatchGeneratorBuilder(
            array_loader(images[train_idx], labels[train_idx]), len(train_idx), transform=transform, seed=seed + fold
        )
        classifier = make_classifier()
        started = time.perf_counter()
        classifier.fit(builder)
        train_time = time.perf_counter() - started
        row: dict[str, Any] = {
            "fold": fold,
            "train_time": train_time,
            "n_train": len(train_idx),
            "n_valid": len(valid_idx),
        }
        started = time.perf_counter()
        row["test"] = _scores(classifier, test_x, test_labels)
        row["test_time"] = time.perf_counter() - started
        row["train"] = _scores(classifier, _apply(transform, normalize_batch(images[train_idx])), labels[train_idx])
        row["valid"] = _scores(classifier, _apply(transform, normalize_batch(images[valid_idx])), labels[valid_idx])
        results.append(row)
    return {"folds": results, "mean": _summary(results)}


def _scores(classifier: Any, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    s = score(y, np.asarray(classifier.predict_proba(x)))
    return {"accuracy": s.accuracy, "balanced_accuracy": s.balanced_accuracy, "nll": s.nll}


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for split in ("train", "valid", "test"):
        out[split] = {
            k: (float(np.mean([r[split][k] for r in rows])), float(np.std([r[split][k] for r in rows]))) for k in SCORES
        }
    for key in ("train_time", "test_time"):
        out[key] = (float(np.mean([r[key] for r in rows])), float(np.std([r[key] for r in rows])))
    return out


def format_cv(result: dict[str, Any]) -> str:
    lines = []
    header = f"\t{'score':<6} {'acc':>8} {'bal_acc':>8} {'nll':>8}"
    for row in result["folds"]:
        lines += [f"CV fold {row['fold']}  (train {row['train_time']:.1f} s, test {row['test_time']:.2f} s)", header]
        for split in ("train", "valid", "test"):
            s = row[split]
            lines.append(f"\t{split:<6} {s['accuracy']:>8.4f} {s['balanced_accuracy']:>8.4f} {s['nll']:>8.4f}")
    mean = result["mean"]
    lines += ["-" * 40, "Mean CV scores", "-" * 40, f"\t{'score':<6} {'acc':>17} {'bal_acc':>17} {'nll':>17}"]
    for split in ("train", "valid", "test"):
        cells = " ".join(f"{mean[split][k][0]:>8.4f} ± {mean[split][k][1]:<6.4f}" for k in SCORES)
        lines.append(f"\t{split:<6} {cells}")
    lines.append(
        f"train time {mean['train_time'][0]:.1f} ± {mean['train_time'][1]:.1f} s, "
        f"test time {mean['test_time'][0]:.2f} ± {mean['test_time'][1]:.2f} s"
    )
    return "\n".join(lines)
