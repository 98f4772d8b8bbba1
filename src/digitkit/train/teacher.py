"""The teacher a recipe distils from: a runtime artifact, or checkpoints run in torch on the training device.

An artifact ("default", "max", a path to .onnx) runs through onnxruntime on the CPU, as it ships. Checkpoints
("a.pt+b.pt+c.pt") are averaged as the exported ensemble would be, but in float on the training device: on a GPU
a large ensemble then costs almost nothing per batch, where its artifact on the CPU would dominate the epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn

from digitkit.errors import ConfigError
from digitkit.models.checkpoint import load_checkpoint
from digitkit.models.ensemble import from_checkpoints
from digitkit.runtime import Model, load_model


class Teacher(Protocol):
    def probs(self, inputs: torch.Tensor, temperature: float) -> torch.Tensor:
        """(B, 1, 28, 28) preprocessed inputs -> (B, classes) softened probabilities, on the teacher's device."""
        ...


@dataclass
class ArtifactTeacher:
    model: Model

    def probs(self, inputs: torch.Tensor, temperature: float) -> torch.Tensor:
        logits = torch.from_numpy(self.model.predict_logits(inputs[:, 0].cpu().numpy()))
        return F.softmax(logits / temperature, dim=1)


@dataclass
class CheckpointTeacher:
    model: nn.Module
    device: torch.device

    @torch.no_grad()
    def probs(self, inputs: torch.Tensor, temperature: float) -> torch.Tensor:
        return F.softmax(self.model(inputs.to(self.device)) / temperature, dim=1)


def load_teacher(spec: str, device: torch.device) -> Teacher:
    """``spec``: a shipped artifact name or .onnx path, or one or more checkpoint paths joined by '+'."""
    parts = [part for part in spec.split("+") if part]
    if parts and all(part.endswith(".pt") for part in parts):
        model = from_checkpoints([load_checkpoint(part) for part in parts])
        return CheckpointTeacher(model.to(device), device)
    if len(parts) != 1:
        raise ConfigError(
            f"teacher {spec!r}: join checkpoints (.pt files) with '+' for an ensemble, or name one artifact "
            "(a shipped name or an .onnx path); an artifact is already one model"
        )
    return ArtifactTeacher(load_model(parts[0], threads=torch.get_num_threads()))  # torch waits meanwhile
