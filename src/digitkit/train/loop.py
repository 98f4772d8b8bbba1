"""The training loop: augment -> shared preprocessing -> model, with validation, checkpoints and curves."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from digitkit.data.augment import augment
from digitkit.data.sources import Dataset
from digitkit.errors import ArtifactError, ConfigError
from digitkit.files import write_atomic
from digitkit.models import create_model
from digitkit.models.checkpoint import load_checkpoint, model_from_checkpoint, save_checkpoint
from digitkit.models.prune import apply_pruning, is_pruned, make_permanent, sparsity
from digitkit.preprocess import PREPROCESS_VERSION, normalize_batch
from digitkit.progress import batch_bar
from digitkit.tasks import DIGITS
from digitkit.train import distributed
from digitkit.train.distributed import SINGLE, Ranks
from digitkit.train.recipe import Recipe
from digitkit.train.teacher import Teacher, load_teacher

log = logging.getLogger(__name__)


@dataclass
class TrainResult:
    model: nn.Module
    history: list[dict[str, float]]
    run_dir: Path
    seconds: float


def pick_device(name: str) -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise ConfigError(f"unknown device {name!r}; expected auto, cpu, cuda or mps") from exc
    present: dict[str, Callable[[], bool]] = {"cuda": torch.cuda.is_available, "mps": torch.backends.mps.is_available}
    if device.type in present and not present[device.type]():
        raise ConfigError(f"--device {name}: torch sees no {device.type} device here; use --device cpu or auto")
    return device


def _to_input(images: np.ndarray) -> torch.Tensor:
    """uint8 or float (B, H, W) -> preprocessed (B, 1, 28, 28) float tensor."""
    return torch.from_numpy(normalize_batch(images))[:, None]


def make_optimizer(recipe: Recipe, model: nn.Module, steps: int) -> tuple[Any, Any]:
    if recipe.optimizer == "sgd":
        opt: torch.optim.Optimizer = torch.optim.SGD(
            model.parameters(), lr=recipe.lr, momentum=0.9, nesterov=True, weight_decay=recipe.weight_decay
        )
    else:
        opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)
    if recipe.schedule == "onecycle" and steps >= 4:
        # At least two warm-up steps: OneCycleLR divides by (warm-up steps - 1), so tiny data sets need them.
        sched: Any = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=recipe.lr, total_steps=steps, pct_start=max(0.2, 2 / steps)
        )
    elif recipe.schedule == "cosine":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    else:  # "constant", and one-cycle over fewer than 4 steps
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)
    return opt, sched


@torch.no_grad()
def validate(
    model: nn.Module, inputs: torch.Tensor, labels: torch.Tensor, device: torch.device, ranks: Ranks = SINGLE
) -> dict[str, float]:
    """Loss and accuracy on the whole validation set; under DDP each rank scores every world-th image."""
    model.eval()
    inputs, labels = inputs[ranks.rank :: ranks.world], labels[ranks.rank :: ranks.world]
    losses, correct = 0.0, 0
    for start in range(0, len(inputs), 1000):
        logits = model(inputs[start : start + 1000].to(device))
        target = labels[start : start + 1000].to(device)
        losses += float(F.cross_entropy(logits, target, reduction="sum"))
        correct += int((logits.argmax(1) == target).sum())
    losses, correct_total, count = distributed.all_sum([losses, correct, len(inputs)], ranks, device)
    return {"valid_loss": losses / count, "valid_accuracy": correct_total / count}


@dataclass
class TrainStep:
    """One optimisation step: augment -> shared preprocessing -> model -> loss (+ distillation) -> update.

    The training loop and the RAMP batch classifier both train through it, so a recipe means the same in both.
    """

    recipe: Recipe
    model: nn.Module
    opt: torch.optim.Optimizer
    sched: Any
    gen: torch.Generator  #: drives the augmentation
    teacher: Teacher | None = None  #: what to distil from (train/teacher.py), or None
    device: torch.device = torch.device("cpu")

    def __call__(self, images: torch.Tensor, labels: torch.Tensor, use_schedule: bool = True) -> float:
        """(B, H, W) float images in [0, 1] (raw, or already normalized) and labels -> the batch's loss."""
        recipe = self.recipe
        batch = images[:, None]
        if recipe.augment is not None:
            digits = labels if recipe.task == DIGITS.name else None  # the detector's labels are not digits
            batch = augment(batch, self.gen, recipe.augment, digits)
        inputs = _to_input(batch[:, 0].numpy())
        logits = self.model(inputs.to(self.device))
        loss = F.cross_entropy(logits, labels.to(self.device), label_smoothing=recipe.label_smoothing)
        if self.teacher is not None:
            t = recipe.distill_temperature
            soft = self.teacher.probs(inputs, t).to(self.device)
            kd = F.kl_div(F.log_softmax(logits / t, 1), soft, reduction="batchmean") * t * t
            loss = (1 - recipe.distill_weight) * loss + recipe.distill_weight * kd
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        if use_schedule:
            self.sched.step()
        return float(loss.item())


def _train_epoch(
    step: TrainStep,
    images: np.ndarray,
    labels: torch.Tensor,
    order: torch.Tensor,
    size: int,
    use_schedule: bool,
    desc: str,
    progress: bool,
) -> float:
    """One pass over the rows in ``order``, ``size`` at a time; returns the mean training loss."""
    step.model.train()
    steps = (len(order) + size - 1) // size
    running, seen = 0.0, 0
    bar = batch_bar(steps, desc, progress)
    for index_in_epoch in bar:
        index = order[index_in_epoch * size : (index_in_epoch + 1) * size]
        batch = torch.from_numpy(images[index.numpy()].astype(np.float32) / 255)
        running += step(batch, labels[index], use_schedule) * len(index)
        seen += len(index)
        if index_in_epoch % 20 == 0:
            bar.set_postfix(loss=f"{running / seen:.4f}")
    return running / seen


def train(
    recipe: Recipe,
    train_data: Dataset,
    valid_data: Dataset,
    *,
    run_dir: Path,
    device: str = "cpu",
    resume: Path | None = None,
    init_from: str | Path | None = None,
    progress: bool = True,
    epochs: int | None = None,
    on_epoch: Callable[[dict[str, float]], None] | None = None,
) -> TrainResult:
    """Train ``recipe`` and leave checkpoint.pt, metrics.json and curve.png in ``run_dir``.

    With ``prune_amount`` the model is pruned after the main epochs and fine-tuned for ``prune_epochs``
    more at a small constant learning rate; ``on_epoch`` receives each epoch's record (the CLI prints it).
    Under torchrun every rank trains a share of each batch (train/distributed.py) and rank 0 writes the files.
    """
    ranks = distributed.launched_ranks()
    if ranks.distributed and recipe.prune_amount:
        raise ConfigError(f"recipe {recipe.name} prunes, which runs in one process; train it without torchrun")
    dev = distributed.join(ranks, pick_device(device))
    torch.manual_seed(recipe.seed)
    gen = torch.Generator().manual_seed(recipe.seed + ranks.rank)  # each rank augments its rows differently
    model = create_model(recipe.architecture, **recipe.arch_kwargs).to(dev)
    if init_from is not None:
        start = load_checkpoint(init_from)
        if start["recipe"]["architecture"] != recipe.architecture:
            raise ConfigError(
                f"--init-from {init_from} holds a {start['recipe']['architecture']}, the recipe trains a "
                f"{recipe.architecture}; use a checkpoint of the same architecture"
            )
        model.load_state_dict(model_from_checkpoint(start).state_dict())
        log.info("initialised from %s", init_from)
    images, labels = train_data.images, torch.from_numpy(train_data.labels.astype(np.int64))
    if recipe.train_subset:
        images, labels = images[: recipe.train_subset], labels[: recipe.train_subset]
    main_epochs = epochs or recipe.epochs
    prune_epochs = recipe.prune_epochs if recipe.prune_amount else 0
    total_epochs = main_epochs + prune_epochs
    batch_size = distributed.rank_batch_size(recipe.batch_size, ranks)
    rows_per_rank = -(-len(images) // ranks.world)
    steps_per_epoch = (rows_per_rank + batch_size - 1) // batch_size
    opt, sched = make_optimizer(recipe, model, main_epochs * steps_per_epoch)
    valid_x, valid_y = _to_input(valid_data.images), torch.from_numpy(valid_data.labels.astype(np.int64))
    teacher = load_teacher(recipe.teacher, dev) if recipe.teacher else None
    history: list[dict[str, float]] = []
    first_epoch, elapsed = 0, 0.0
    if resume is not None:
        state = load_checkpoint(resume)
        if "optimizer" not in state:
            raise ArtifactError(
                f"{resume} holds weights only (no optimizer state to resume); start from it with --init-from"
            )
        if state["epoch"] > main_epochs:  # resuming inside the pruning phase: same masks' shape of state
            apply_pruning(model, recipe.prune_amount)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        gen.set_state(state["generator"])
        history, first_epoch, elapsed = state["history"], state["epoch"], state["elapsed"]
        log.info("resumed from %s at epoch %d", resume, first_epoch)
    run_dir.mkdir(parents=True, exist_ok=True)
    trained = distributed.wrap(model, ranks, dev)
    step = TrainStep(recipe, trained, opt, sched, gen, teacher, dev)
    progress = progress and ranks.main
    for epoch in range(first_epoch, total_epochs):
        pruning_phase = epoch >= main_epochs
        if pruning_phase and not is_pruned(model):
            apply_pruning(model, recipe.prune_amount)
            for group in opt.param_groups:
                group["lr"] = recipe.lr * 0.05
        started = time.perf_counter()
        desc = f"epoch {epoch + 1}/{total_epochs}" + (" (pruned fine-tune)" if pruning_phase else "")
        order = distributed.epoch_order(len(images), ranks, epoch, recipe.seed, gen)
        train_loss = _train_epoch(step, images, labels, order, batch_size, not pruning_phase, desc, progress)
        elapsed += time.perf_counter() - started
        (train_loss,) = distributed.all_sum([train_loss / ranks.world], ranks, dev)
        record = {
            "epoch": epoch + 1,
            "train_loss": train_loss,
            "seconds": elapsed,
            **validate(model, valid_x, valid_y, dev, ranks),
        }
        if pruning_phase:
            record["sparsity"] = sparsity(model)
        history.append(record)
        log.info("epoch %d: %s", epoch + 1, record)
        if ranks.main:
            save_checkpoint(
                run_dir / "checkpoint.pt",
                {
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "scheduler": sched.state_dict(),
                    "generator": gen.get_state(),
                    "history": history,
                    "epoch": epoch + 1,
                    "elapsed": elapsed,
                    "recipe": recipe.to_dict(),
                    "preprocess_version": PREPROCESS_VERSION,
                    "data": train_data.name,
                },
            )
            write_metrics(run_dir, recipe, history, train_data.name)
            if on_epoch is not None:
                on_epoch(record)
        # Every rank sees the same (all-reduced) accuracy, so all of them stop together.
        if recipe.stop_at_accuracy and record["valid_accuracy"] >= recipe.stop_at_accuracy:
            log.info("reached %.4f >= %.4f; stopping", record["valid_accuracy"], recipe.stop_at_accuracy)
            break
    if is_pruned(model):
        make_permanent(model)
    return TrainResult(model.cpu().eval(), history, run_dir, elapsed)


def write_metrics(run_dir: Path, recipe: Recipe, history: list[dict[str, float]], data: str) -> None:
    metrics = {"recipe": recipe.to_dict(), "data": data, "history": history}
    write_atomic(run_dir / "metrics.json", json.dumps(metrics, indent=2, default=str).encode())
    from digitkit.evaluate.plots import plot_curves

    plot_curves(history, run_dir / "curve.png", title=recipe.name)
