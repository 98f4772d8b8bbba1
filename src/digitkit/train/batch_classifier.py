"""A RAMP-shaped BatchClassifier (``fit(gen_builder)``, ``predict_proba(X)``) running a digitkit recipe.

The loop only ever holds one batch: it pulls ``(X, y)`` from the builder's generators, so an image folder
larger than memory trains the same way as MNIST.
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
from digitkit.train.recipe import Recipe

log = logging.getLogger(__name__)


class RecipeClassifier:
    def __init__(self, recipe: Recipe, epochs: int | None = None, valid_ratio: float = 0.1):
        self.recipe = recipe
        self.epochs = epochs or recipe.epochs
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
                step(torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32)), torch.as_tensor(labels).long())
            record = {"epoch": epoch + 1, "seconds": time.perf_counter() - started}
            if nb_valid:
                correct = sum(
                    int((self.predict_proba(x).argmax(1) == y).sum())
                    for x, y in (next(gen_valid) for _ in range(-(-nb_valid // recipe.batch_size)))
                )
                record["valid_accuracy"] = correct / nb_valid
            self.history_.append(record)
            log.info("epoch %d: %s", epoch + 1, record)
        return self

    @torch.no_grad()
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(N, 28, 28) images, raw or normalized -> (N, classes) probabilities, through the shared preprocessing."""
        self.model_.eval()
        out = [
            F.softmax(self.model_(torch.from_numpy(normalize_batch(X[i : i + 1000]))[:, None]), 1)
            for i in range(0, len(X), 1000)
        ]
        return torch.cat(out).numpy() if out else np.zeros((0, len(get_task(self.recipe.task).classes)), np.float32)
