"""Checkpoints: everything needed to resume or to rebuild the model, loaded with ``weights_only=True``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from digitkit.errors import ArtifactError
from digitkit.files import atomic_target
from digitkit.models import create_model
from digitkit.train.prune import apply_pruning, make_permanent


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically: a crash mid-save keeps the previous checkpoint intact."""
    with atomic_target(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(path: Path) -> dict[str, Any]:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise ArtifactError(f"checkpoint {path} does not exist") from exc
    except Exception as exc:  # torch raises a variety of types for foreign or truncated files
        raise ArtifactError(f"{path} is not a digitkit checkpoint ({exc.__class__.__name__}: {exc})") from exc
    if not isinstance(state, dict) or "model" not in state or "recipe" not in state:
        raise ArtifactError(f"{path} is not a digitkit checkpoint (missing 'model' or 'recipe')")
    return state


def model_from_checkpoint(state: dict[str, Any]) -> nn.Module:
    recipe = state["recipe"]
    model = create_model(recipe["architecture"], **recipe["arch_kwargs"])
    pruned = any(key.endswith("weight_orig") for key in state["model"])
    if pruned:  # saved during the pruning phase: masks are stored beside the original weights
        apply_pruning(model, recipe["prune_amount"])
    model.load_state_dict(state["model"])
    if pruned:
        make_permanent(model)
    return model.eval()
