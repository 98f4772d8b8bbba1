"""Checkpoints: everything needed to resume or to rebuild the model, loaded with ``weights_only=True``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from digitkit.errors import ArtifactError
from digitkit.files import atomic_target
from digitkit.models.prune import apply_pruning, make_permanent
from digitkit.models.registry import create_model


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically: a crash mid-save keeps the previous checkpoint intact."""
    with atomic_target(path) as tmp:
        torch.save(state, tmp)


SHIPPED_DIR = Path(__file__).resolve().parent.parent / "shipped"


def resolve_checkpoint(spec: str | Path) -> Path:
    """A checkpoint path, or the name of one shipped with the package ("default": shipped/default.pt)."""
    path = Path(spec)
    shipped = SHIPPED_DIR / f"{spec}.pt"
    return shipped if not path.exists() and shipped.is_file() else path


def load_checkpoint(spec: str | Path) -> dict[str, Any]:
    """A checkpoint by path or shipped name, loaded with ``weights_only=True`` (no code runs from the file)."""
    path = resolve_checkpoint(spec)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as exc:
        raise ArtifactError(f"checkpoint {path} does not exist") from exc
    except Exception as exc:  # torch raises a variety of types for foreign or truncated files
        raise ArtifactError(
            f"{path} is not a digitkit checkpoint: torch cannot read it as a saved model; pass the checkpoint.pt "
            "of a training run folder, or 'default'"
        ) from exc
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
