"""Several trained networks as one: the `max` artifact and a checkpoint teacher both average this way."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from digitkit.models.checkpoint import model_from_checkpoint


class Ensemble(nn.Module):
    """Average the members' probabilities; output their log as logits (argmax and softmax stay right)."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, 1, 28, 28) -> (B, classes)
        probabilities = torch.stack([torch.softmax(m(x), dim=1) for m in self.members]).mean(dim=0)
        return torch.log(probabilities.clamp_min(1e-12))


def from_checkpoints(states: list[dict[str, Any]]) -> nn.Module:
    """One checkpoint's network as itself, several as their Ensemble, in eval mode."""
    members = [model_from_checkpoint(state) for state in states]
    return (members[0] if len(members) == 1 else Ensemble(members)).eval()
