"""Teach without forgetting: fine-tune a model on corrected digits mixed with MNIST replay at a low learning
rate, measure MNIST, the suite and held-out feedback before and after, and refuse a model that forgets MNIST.

A few feedback images trained alone at the recipe's learning rate cut MNIST from 99.34% to 77.47% (issue 15);
here the feedback is a small, repeated share of a replay set, the learning rate is a tenth of the recipe's and
constant, and the result is kept only when MNIST loses at most :data:`MAX_MNIST_LOSS` (``force`` overrides).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from digitkit.data.sources import Dataset, load_set
from digitkit.errors import ConfigError
from digitkit.evaluate.report import evaluate_set, evaluate_suite
from digitkit.models.checkpoint import load_checkpoint
from digitkit.runtime import Model, load_model, resolve_artifact
from digitkit.train.recipe import recipe_from_dict
from digitkit.versions import Registry, Version

MAX_MNIST_LOSS = 0.001  #: 0.1 points
LR_SCALE = 0.1  #: of the recipe's peak learning rate
REPLAY_PER_FEEDBACK = 20  #: MNIST training images replayed per feedback image ...
MIN_REPLAY, MAX_REPLAY = 5000, 60000  #: ... within these bounds
FEEDBACK_SHARE = 0.1  #: the feedback is repeated until it is about this share of the mix
HELD_OUT_SHARE = 0.2  #: of the feedback, never trained on: the "held-out feedback" figure
MIN_HELD_OUT = 5


@dataclass
class FinetuneReport:
    before: dict[str, float]
    after: dict[str, float]
    refused: str | None  #: why the model was not kept; None when it was
    output: Path | None
    version: Version | None


def split_feedback(feedback: Dataset, seed: int = 0) -> tuple[Dataset, Dataset | None]:
    """(to train on, held out); nothing is held out from fewer than MIN_HELD_OUT / HELD_OUT_SHARE images."""
    held = int(len(feedback.labels) * HELD_OUT_SHARE)
    if held < MIN_HELD_OUT:
        return feedback, None
    order = np.random.default_rng(seed).permutation(len(feedback.labels))
    held_rows, kept_rows = order[:held], order[held:]
    return (
        Dataset(feedback.images[kept_rows], feedback.labels[kept_rows], feedback.name),
        Dataset(feedback.images[held_rows], feedback.labels[held_rows], f"{feedback.name} (held out)"),
    )


def replay_mix(feedback: Dataset, mnist: Dataset, seed: int = 0) -> Dataset:
    """MNIST training images with the feedback repeated in, shuffled."""
    count = min(MAX_REPLAY, max(MIN_REPLAY, REPLAY_PER_FEEDBACK * len(feedback.labels)), len(mnist.labels))
    rng = np.random.default_rng(seed)
    replay = rng.choice(len(mnist.labels), count, replace=False)
    repeats = max(1, round(FEEDBACK_SHARE * count / ((1 - FEEDBACK_SHARE) * len(feedback.labels))))
    images = np.concatenate([mnist.images[replay], *[feedback.images] * repeats])
    labels = np.concatenate([mnist.labels[replay], *[feedback.labels] * repeats])
    order = rng.permutation(len(labels))
    return Dataset(images[order], labels[order], f"{feedback.name}+mnist-replay:{count}")


def figures(
    model: Model, mnist_test: Dataset, held_out: Dataset | None, cache: Path, suite_size: int
) -> dict[str, float]:
    out = {"mnist_accuracy": evaluate_set(model, mnist_test.images, mnist_test.labels)["accuracy"]}
    if suite_size:
        out["suite_accuracy"] = evaluate_suite(model, cache, suite_size)["overall"]
    if held_out is not None:
        out["held_out_feedback_accuracy"] = evaluate_set(model, held_out.images, held_out.labels)["accuracy"]
    return out


def finetune(
    start: str,
    feedback_spec: str,
    *,
    cache: Path,
    run_dir: Path,
    output: Path | None,
    registry: Registry | None,
    epochs: int = 3,
    suite_size: int = 2000,
    force: bool = False,
    progress: bool = True,
) -> FinetuneReport:
    """Fine-tune ``start`` ('default' or a registered version) on the labelled set ``feedback_spec``."""
    from digitkit.data.sources import provenance
    from digitkit.train.pipeline import run_recipe

    if registry is not None and registry.has(start):
        version = registry.get(start)
        checkpoint, artifact, parent = version.checkpoint, version.artifact, version.id
    elif start == "default":
        checkpoint, artifact, parent = Path("default"), resolve_artifact("default"), "shipped:default"
    else:
        raise ConfigError(f"--from {start!r}: expected 'default' or a registered version (`digitkit models`)")
    state = load_checkpoint(checkpoint)
    recipe = recipe_from_dict(dict(state["recipe"]), str(checkpoint))
    recipe = replace(recipe, epochs=epochs, lr=recipe.lr * LR_SCALE, schedule="constant", train_subset=0)
    feedback = load_set(feedback_spec, cache, progress)
    trained_on, held_out = split_feedback(feedback)
    mnist_test = load_set("mnist-test", cache, progress)
    before = figures(load_model(artifact), mnist_test, held_out, cache, suite_size)
    candidate = run_dir / "candidate.onnx"
    result = run_recipe(
        recipe,
        cache=cache,
        run_dir=run_dir,
        sets=(replay_mix(trained_on, load_set("mnist-train", cache, progress)), mnist_test),
        output=candidate,
        init_from=checkpoint,
        suite_size=suite_size,
        progress=progress,
    )
    assert result is not None  # fine-tuning runs in one process
    after = figures(load_model(candidate), mnist_test, held_out, cache, suite_size)
    loss = before["mnist_accuracy"] - after["mnist_accuracy"]
    refused = None
    if loss > MAX_MNIST_LOSS:
        refused = (
            f"MNIST fell from {before['mnist_accuracy']:.2%} to {after['mnist_accuracy']:.2%}, more than "
            f"{MAX_MNIST_LOSS * 100:.1f} points"
        )
    if refused and not force:
        candidate.unlink()
        return FinetuneReport(before, after, refused, None, None)
    kept = output or run_dir / "model.onnx"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(candidate, kept)
    registered = None
    if registry is not None:
        registered = registry.add(
            kept,
            checkpoint=run_dir / "weights.pt",  # written by run_recipe
            recipe=recipe.to_dict(),
            data={**provenance(feedback_spec), "replay": "mnist-train"},
            parent=parent,
        )
    return FinetuneReport(before, after, refused, kept, registered)
