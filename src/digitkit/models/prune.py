"""Magnitude pruning for compression: zeroed weights cost nearly nothing once the archive is deflated."""

from __future__ import annotations

from torch import nn
from torch.nn.utils import prune


def prunable(model: nn.Module) -> list[tuple[nn.Module, str]]:
    return [(m, "weight") for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def apply_pruning(model: nn.Module, amount: float) -> None:
    """Mask the ``amount`` share of smallest-magnitude weights across all conv and linear layers."""
    prune.global_unstructured(prunable(model), pruning_method=prune.L1Unstructured, amount=amount)


def is_pruned(model: nn.Module) -> bool:
    return any(prune.is_pruned(m) for m, _ in prunable(model)) if prunable(model) else False


def make_permanent(model: nn.Module) -> None:
    """Fold the masks into the weights so the model exports as a plain network with zeros."""
    for module, name in prunable(model):
        if prune.is_pruned(module):
            prune.remove(module, name)


def sparsity(model: nn.Module) -> float:
    weights = [getattr(m, name) for m, name in prunable(model)]
    total = sum(w.numel() for w in weights)
    return float(sum(int((w == 0).sum()) for w in weights)) / max(total, 1)
