"""Score a runtime model on a labelled set or on the robustness suite; time it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from digitkit.evaluate.metrics import score
from digitkit.preprocess import normalize_batch
from digitkit.runtime import Model


def predict_in_batches(model: Model, images: np.ndarray, batch: int = 256) -> tuple[np.ndarray, float]:
    """(probabilities, images per second including preprocessing)."""
    started = time.perf_counter()
    parts = [model.predict_proba(images[i : i + batch]) for i in range(0, len(images), batch)]
    seconds = time.perf_counter() - started
    proba = np.concatenate(parts) if parts else np.zeros((0, model.classes), np.float32)
    return proba, len(images) / max(seconds, 1e-9)


def evaluate_set(model: Model, images: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    proba, rate = predict_in_batches(model, images)
    return {**score(labels, proba).as_dict(), "images_per_second": rate}


def evaluate_suite(model: Model, cache: Path, size: int = 10000, progress: bool = False) -> dict[str, Any]:
    """Accuracy per corruption and overall (mean over corruptions, the combined set included)."""
    from digitkit.data.suite import build_suite, suite_names  # needs torch: only when asked for

    suite = build_suite(cache, size, progress)
    return _per_family(model, {name: (suite[name], suite["labels"]) for name in suite_names()}, size)


def evaluate_mnist_c(model: Model, source: Path, size: int = 10000, official: bool = False) -> dict[str, Any]:
    """Accuracy per MNIST-C corruption and their mean: generated from the MNIST test split in the data cache
    ``source``, or read from an unpacked official release at ``source`` (``official``)."""
    from digitkit.data.mnist_c import build_mnist_c, read_mnist_c

    if official:
        sets = {name: (s["images"], s["labels"]) for name, s in read_mnist_c(source, size).items()}
        return _per_family(model, sets, min(len(labels) for _, labels in sets.values()))
    generated = build_mnist_c(source, size, progress=True)
    return _per_family(
        model, {name: (generated[name], generated["labels"]) for name in generated if name != "labels"}, size
    )


def evaluate_held_out(model: Model, cache: Path, size: int = 10000) -> dict[str, Any]:
    """Accuracy per kind of the held-out family (data/held_out.py), which no training augmentation is related to."""
    from digitkit.data.held_out import build_held_out

    sets = build_held_out(cache, size)
    return _per_family(model, {name: (sets[name], sets["labels"]) for name in sets if name != "labels"}, size)


def _per_family(model: Model, sets: dict[str, tuple[np.ndarray, np.ndarray]], size: int) -> dict[str, Any]:
    per: dict[str, float] = {}
    for name, (images, labels) in sets.items():
        logits = model.predict_logits(normalize_batch(images))
        per[name] = float((logits.argmax(1) == labels).mean())  # softmax keeps the argmax
    return {"overall": float(np.mean(list(per.values()))), "per_corruption": per, "size": size}


def format_scores(title: str, result: dict[str, Any]) -> str:
    lines = [
        f"{title}: n={result['n']}  accuracy {result['accuracy']:.4%}  balanced {result['balanced_accuracy']:.4%}"
        f"  NLL {result['nll']:.4f}  {result['images_per_second']:,.0f} images/s"
    ]
    recall = "  ".join(f"{d}:{r:.3f}" for d, r in enumerate(result["per_class_recall"]))
    lines.append(f"  recall per class  {recall}")
    lines.append("  confusion (rows true, columns predicted):")
    lines.append("       " + "".join(f"{d:>6}" for d in range(10)))
    for d, row in enumerate(result["confusion"]):
        lines.append(f"    {d:>2} " + "".join(f"{v:>6}" for v in row))
    return "\n".join(lines)


def format_suite(result: dict[str, Any], title: str = "robustness suite") -> str:
    lines = [f"{title} ({result['size']} images per corruption): overall {result['overall']:.4%}"]
    width = max(map(len, result["per_corruption"]))
    lines += [f"  {name:<{width}} {acc:.4%}" for name, acc in result["per_corruption"].items()]
    worst = min(result["per_corruption"], key=result["per_corruption"].get)
    lines.append(f"  worst: {worst} {result['per_corruption'][worst]:.4%}")
    return "\n".join(lines)
