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
    """Loss and validation accuracy per epoch, against wall-clock seconds on the top axis."""
    plt = _pyplot()
    epochs = [h["epoch"] for h in history]
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax_loss.plot(epochs, [h["train_loss"] for h in history], label="train")
    ax_loss.plot(epochs, [h["valid_loss"] for h in history], label="valid")
    ax_loss.set(xlabel="epoch", ylabel="loss", yscale="log")
    ax_loss.legend()
    ax_acc.plot([h["seconds"] for h in history], [100 * h["valid_accuracy"] for h in history], marker="o")
    ax_acc.set(xlabel="training seconds", ylabel="valid accuracy (%)")
    ax_acc.grid(alpha=0.3)
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


def plot_pareto(rows: Sequence[dict[str, float | str]], path: Path, metric: str = "mnist_accuracy") -> None:
    """Accuracy against artifact bytes, one labelled point per model."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    for row in rows:
        ax.scatter(float(row["bytes"]), 100 * float(row[metric]))
        ax.annotate(
            str(row["name"]), (float(row["bytes"]), 100 * float(row[metric])), textcoords="offset points", xytext=(5, 5)
        )
    ax.set(xscale="log", xlabel="artifact bytes", ylabel=f"{metric} (%)", title="accuracy vs size")
    ax.grid(alpha=0.3)
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
