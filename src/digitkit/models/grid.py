"""Weights that train on a low-bit grid (quantization-aware training), so the artifact stores them losslessly.

Each output channel's weights live on ``2 ** (bits - 1) - 1`` evenly spaced steps either side of zero, the step
set by the channel's largest weight. The forward pass uses the rounded weights and the gradient passes straight
through the rounding, so training learns weights that survive it. A channel's grid is scale-free: folding a
batch-norm into the convolution multiplies the channel by one factor, and the folded weights sit on the same
steps, which is what lets the exporter store them as 4-bit codes and a scale (export/onnx_export.py).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def grid_levels(bits: int) -> int:
    """The largest code: 7 for 4 bits (codes -7..7, symmetric, so zero is exact)."""
    return 2 ** (bits - 1) - 1


def channel_scales(weight: Tensor, bits: int) -> Tensor:
    """Each output channel's step, shaped to broadcast over the weight: its largest magnitude / the top code."""
    top = weight.detach().abs().flatten(1).amax(1).clamp_min(1e-12)
    return (top / grid_levels(bits)).reshape((-1,) + (1,) * (weight.dim() - 1))


def channel_codes(weight: Tensor, bits: int) -> tuple[Tensor, Tensor]:
    """(integer codes, as floats in -top..top, each channel's step): the one rounding rule, which training's
    forward pass and the exporter's int8 and 4-bit weights share, so export finds the codes training used."""
    scale = channel_scales(weight, bits)
    levels = grid_levels(bits)
    return torch.clamp(torch.round(weight / scale), -levels, levels), scale


def on_grid(weight: Tensor, bits: int) -> Tensor:
    """The weight rounded to its channels' grids; the gradient passes through unchanged (straight-through)."""
    codes, scale = channel_codes(weight, bits)
    return weight + (codes * scale - weight).detach()


class GridConv2d(nn.Conv2d):
    """A convolution whose forward pass uses its weights rounded to ``bits`` (0: plain float)."""

    bits: int = 0

    def forward(self, x: Tensor) -> Tensor:
        weight = on_grid(self.weight, self.bits) if self.bits else self.weight
        return self._conv_forward(x, weight, self.bias)


class GridLinear(nn.Linear):
    """A linear layer whose forward pass uses its weights rounded to ``bits`` (0: plain float)."""

    bits: int = 0

    def forward(self, x: Tensor) -> Tensor:
        weight = on_grid(self.weight, self.bits) if self.bits else self.weight
        return nn.functional.linear(x, weight, self.bias)


def weight_bits(model: nn.Module) -> int:
    """The grid the model's weights train on (0: none). One model has one grid."""
    found = {m.bits for m in model.modules() if isinstance(m, (GridConv2d, GridLinear)) and m.bits}
    if len(found) > 1:
        raise ValueError(f"a model's layers train on different grids ({sorted(found)} bits)")
    return found.pop() if found else 0


@torch.no_grad()
def bake(model: nn.Module) -> nn.Module:
    """Round every grid layer's weights in place and switch its rounding off: the plain network the
    artifact stores, with no rounding ops left to export."""
    for module in model.modules():
        if isinstance(module, (GridConv2d, GridLinear)) and module.bits:
            module.weight.copy_(on_grid(module.weight, module.bits))
            module.bits = 0
    return model
