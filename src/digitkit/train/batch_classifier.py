"""A RAMP BatchClassifier (``fit(gen_builder)``, ``predict_proba(X)``) running a digitkit recipe.

It takes batches exactly as rampwf's image-classifier workflow yields them: X float32 (B, 1, 28, 28) from the
submission's ``transform`` (pixels scaled to [0, 1]) and one-hot y (B, classes). The loop only ever holds one
batch, so a kit larger than memory trains the same way as MNIST. :func:`write_recipe_submission` makes the
submission folder that ``digitkit cv RECIPE`` runs on a kit.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from digitkit.models import create_model
from digitkit.preprocess import normalize_batch
from digitkit.tasks import get_task
from digitkit.train.loop import TrainStep, make_optimizer
from digitkit.train.recipe import Recipe, load_recipe

log = logging.getLogger(__name__)


def _images(X: np.ndarray) -> np.ndarray:
    """RAMP's (B, 1, 28, 28) or plain (B, H, W) -> MNIST-normalized (B, 28, 28) through the shared preprocessing."""
    X = np.asarray(X, dtype=np.float32)
    return normalize_batch(X[:, 0] if X.ndim == 4 else X)


def _labels(y: np.ndarray) -> torch.Tensor:
    y = np.asarray(y)
    return torch.from_numpy((y.argmax(axis=1) if y.ndim == 2 else y).astype(np.int64))


class RecipeClassifier:
    def __init__(self, recipe: Recipe | str, epochs: int | None = None, valid_ratio: float = 0.1):
        self.recipe = load_recipe(recipe) if isinstance(recipe, str) else recipe
        self.epochs = epochs or self.recipe.epochs
        self.valid_ratio = valid_ratio

    def fit(self, gen_builder: Any) -> RecipeClassifier:
        recipe = self.recipe
        torch.manual_seed(recipe.seed)
        self.model_ = create_model(recipe.architecture, **recipe.arch_kwargs)
        gen_train, gen_valid, nb_train, nb_valid = gen_builder.get_train_valid_generators(
            batch_size=recipe.batch_size, valid_ratio=self.valid_ratio
        )
        steps = max(1, -(-nb_train // recipe.batch_size))
        opt, sched = make_optimizer(recipe, self.model_, steps * self.epochs)
        step = TrainStep(recipe, self.model_, opt, sched, torch.Generator().manual_seed(recipe.seed))
        self.history_: list[dict[str, float]] = []
        started = time.perf_counter()
        for epoch in range(self.epochs):
            self.model_.train()
            for _ in range(steps):
                images, labels = next(gen_train)
                step(torch.from_numpy(_images(images)), _labels(labels))
            record = {"epoch": epoch + 1, "seconds": time.perf_counter() - started}
            if nb_valid:
                batches = (next(gen_valid) for _ in range(-(-nb_valid // recipe.batch_size)))
                correct = sum(int((self.predict_proba(x).argmax(1) == _labels(y).numpy()).sum()) for x, y in batches)
                record["valid_accuracy"] = correct / nb_valid
            self.history_.append(record)
            log.info("epoch %d: %s", epoch + 1, record)
        return self

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(N, 1, 28, 28) or (N, H, W) images -> (N, classes) probabilities."""
        self.model_.eval()
        out = [
            F.softmax(self.model_(torch.from_numpy(_images(X[i : i + 1000]))[:, None]), 1)
            for i in range(0, len(X), 1000)
        ]
        return torch.cat(out).numpy() if out else np.zeros((0, len(get_task(self.recipe.task).classes)), np.float32)
