"""Classification metrics from labels and predicted probabilities (numpy only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class Scores:
    n: int
    accuracy: float
    balanced_accuracy: float  #: mean per-class recall (RAMP's official score)
    nll: float  #: mean negative log-likelihood of the true class
    per_class_recall: list[float]
    confusion: list[list[int]]  #: rows: true class, columns: predicted

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (labels.astype(np.int64), predicted.astype(np.int64)), 1)
    return matrix


def score(labels: np.ndarray, proba: np.ndarray) -> Scores:
    if len(labels) != len(proba):
        raise ValueError(f"expected as many labels as predictions, got {len(labels)} and {len(proba)} instead")
    labels = labels.astype(np.int64)
    predicted = proba.argmax(axis=1)
    matrix = confusion_matrix(labels, predicted, proba.shape[1])
    support = matrix.sum(axis=1)
    recall = np.divide(np.diag(matrix), support, out=np.zeros(len(matrix)), where=support > 0)
    true_p = np.clip(proba[np.arange(len(labels)), labels], 1e-12, 1.0)
    return Scores(
        n=len(labels),
        accuracy=float((predicted == labels).mean()) if len(labels) else 0.0,
        balanced_accuracy=float(recall[support > 0].mean()) if support.any() else 0.0,
        nll=float(-np.log(true_p).mean()) if len(labels) else 0.0,
        per_class_recall=[float(r) for r in recall],
        confusion=matrix.tolist(),
    )
