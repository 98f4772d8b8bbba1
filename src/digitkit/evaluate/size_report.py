"""The size report: per artifact its bytes, parameters, accuracies and one-thread speed."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from digitkit.runtime import Model, load_model, shipped_models
from digitkit.tasks import DETECTOR, DIGITS, GROUPS, get_task, task_figures


def images_per_second(model: Any, batch: int = 64, seconds: float = 1.0) -> float:
    """One-thread inference throughput on preprocessed batches (preprocessing excluded)."""
    x = np.random.default_rng(0).random((batch, 28, 28), dtype=np.float32)
    model.predict_logits(x)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        model.predict_logits(x)
        done += batch
    return done / (time.perf_counter() - started)


def size_report(
    artifacts: list[str] | None, *, measure: bool, cache: Path, suite_size: int = 2000, progress: bool = False
) -> list[dict[str, Any]]:
    """One row per artifact (default: every shipped one): the figures it records, or measured now with
    ``measure`` (digit models on MNIST test and the suite, the detector and the groups model on their own
    validation sets)."""
    names: list[str | Path] = list(artifacts) if artifacts else list(shipped_models().values())
    rows = []
    for spec in names:
        model = load_model(spec, threads=1)
        row: dict[str, Any] = {
            "name": model.name,
            "task": model.meta.task,
            "path": str(model.path),
            "bytes": model.path.stat().st_size,
            "parameters": model.meta.parameters,
            "quantization": model.meta.quantization,
            **model.meta.metrics,
        }
        if measure:
            row.update(measure_figures(model, cache, suite_size, progress))
        row["images_per_second_1_thread"] = images_per_second(model)
        rows.append(row)
    return rows


def measure_figures(model: Model, cache: Path, suite_size: int, progress: bool) -> dict[str, float]:
    """The figures an artifact records, measured again through onnxruntime."""
    from digitkit.data.sources import validation_set
    from digitkit.evaluate.report import evaluate_suite, predict_in_batches

    task = get_task(model.meta.task)
    check = validation_set(task, cache, progress)
    predicted = predict_in_batches(model, check.images)[0].argmax(1)
    figures = task_figures(task.name, check.name, check.labels, predicted)
    if task == DIGITS:
        figures["suite_accuracy"] = evaluate_suite(model, cache, suite_size, progress)["overall"]
    return figures


def format_table(rows: list[dict[str, Any]]) -> str:
    header = f"{'model':<10} {'bytes':>9} {'params':>9} {'MNIST test':>11} {'suite':>9} {'img/s (1 thread)':>17}"
    lines = [header, "-" * len(header)]
    notes = []
    for row in rows:
        mnist = f"{row['mnist_accuracy']:.2%}" if "mnist_accuracy" in row else "-"
        suite = f"{row['suite_accuracy']:.2%}" if "suite_accuracy" in row else "-"
        lines.append(
            f"{row['name']:<10} {row['bytes']:>9,} {row['parameters']:>9,} {mnist:>11} {suite:>9} "
            f"{row['images_per_second_1_thread']:>17,.0f}"
        )
        if row["task"] == DETECTOR.name and "digits_kept" in row:
            notes.append(
                f"{row['name']} tells digits from non-digits: keeps {row['digits_kept']:.2%} of digits, "
                f"catches {row['non_digits_caught']:.2%} of synthetic non-digits"
            )
        if row["task"] == GROUPS.name and "several_cut" in row:
            notes.append(
                f"{row['name']} says whether to cut a group between strokes: lets {row['several_cut']:.2%} of "
                f"touching numbers be cut, keeps {row['one_drawing_kept']:.2%} of multi-stroke drawings whole"
            )
    return "\n".join(lines + notes)
