"""PNG plots (matplotlib, headless): training curves, confusion matrices, the size/accuracy Pareto chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from digitkit.files import atomic_target


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> None:
    with atomic_target(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")


def plot_curves(history: Sequence[dict[str, float]], path: Path, title: str = "") -> None:
    """Loss per epoch (whole-number ticks) and validation accuracy against training seconds, side by side."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    epochs = [int(h["epoch"]) for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    ax_loss.plot(epochs, [h["train_loss"] for h in history], marker="o", label="training (augmented)")
    ax_loss.plot(epochs, [h["valid_loss"] for h in history], marker="o", label="validation")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss (log scale)", yscale="log", title="loss")
    ax_loss.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax_loss.grid(alpha=0.3)
    ax_loss.legend()
    ax_acc.plot([h["seconds"] for h in history], [100 * h["valid_accuracy"] for h in history], marker="o")
    ax_acc.set(xlabel="training time (s)", ylabel="validation accuracy", title="accuracy over time")
    ax_acc.yaxis.set_major_formatter(PercentFormatter(decimals=1))
    ax_acc.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    _save(fig, path)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, path: Path, title: str = "") -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.imshow(np.log1p(matrix), cmap="Blues")
    for (r, c), value in np.ndenumerate(matrix):
        ax.text(c, r, str(value), ha="center", va="center", fontsize=7, color="black" if r != c else "white")
    ax.set(xlabel="predicted", ylabel="true", xticks=range(10), yticks=range(10), title=title)
    _save(fig, path)
    plt.close(fig)


#: Axis names people read, for the figures artifacts record.
METRIC_NAMES = {"mnist_accuracy": "MNIST test accuracy", "suite_accuracy": "robustness suite accuracy (mean)"}


def _kilobytes(value: float, _: object) -> str:
    return f"{value / 1000:,.0f} KB" if value >= 1000 else f"{value:,.0f} B"


def plot_pareto(rows: Sequence[dict[str, Any]], path: Path, metric: str = "mnist_accuracy") -> None:
    """Accuracy against artifact size, one labelled point per model; the front of models no other beats on
    both is joined by a line."""
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    points = sorted((float(row["bytes"]), 100 * float(row[metric]), str(row["name"])) for row in rows)
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    front, best = [], -1.0
    for size, accuracy, name in points:
        ax.scatter(size, accuracy, s=40, zorder=3)
        ax.annotate(name, (size, accuracy), textcoords="offset points", xytext=(6, 6))
        if accuracy > best:
            front.append((size, accuracy))
            best = accuracy
    ax.plot(*zip(*front, strict=True), linestyle="--", alpha=0.5, label="Pareto front")
    ax.set(xscale="log", xlabel="artifact size (log scale)", ylabel=METRIC_NAMES.get(metric, metric))
    ax.set_title("accuracy against size: up and to the left is better")
    ax.xaxis.set_major_formatter(FuncFormatter(_kilobytes))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=2))
    ax.margins(x=0.25, y=0.2)
    ax.grid(alpha=0.3, which="both")
    ax.legend(loc="lower right")
    _save(fig, path)
    plt.close(fig)


def plot_confident_mistakes(
    images: np.ndarray, labels: np.ndarray, proba: np.ndarray, path: Path, count: int = 24
) -> int:
    """A grid of the wrongly classified images the model was surest about; returns how many are shown."""
    plt = _pyplot()
    predicted = proba.argmax(1)
    wrong = np.flatnonzero(predicted != labels)
    wrong = wrong[np.argsort(-proba[wrong, predicted[wrong]])][:count]
    columns = 8
    rows = max(1, -(-len(wrong) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.5), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, wrong, strict=False):
        ax.imshow(images[index], cmap="gray")
        ax.set_title(f"true {labels[index]} → {predicted[index]}\n{proba[index, predicted[index]]:.0%}", fontsize=8)
    fig.suptitle("most confidently wrong")
    _save(fig, path)
    plt.close(fig)
    return len(wrong)
