"""Small convolutional networks for 28x28 digits. Inputs are MNIST-normalized floats in [0, 1]."""

from __future__ import annotations

from torch import Tensor, nn

from digitkit.models.grid import GridConv2d, GridLinear
from digitkit.models.registry import register_model


def _conv_bn(c_in: int, c_out: int, weight_bits: int) -> list[nn.Module]:
    conv = GridConv2d(c_in, c_out, 3, padding=1, bias=False)
    conv.bits = weight_bits
    return [conv, nn.BatchNorm2d(c_out), nn.ReLU()]


class ConvNet(nn.Module):
    """Stages of 3x3 conv-BN-ReLU blocks with 2x2 max-pooling between them, global average pool, linear.

    ``widths`` lists the channels of each stage's convolutions, e.g. ((16, 16), (32, 32), (64,)).
    ``weight_bits`` (0: float) trains the conv and linear weights on that grid (models/grid.py).
    """

    def __init__(
        self,
        widths: tuple[tuple[int, ...], ...],
        dropout: float = 0.0,
        num_classes: int = 10,
        weight_bits: int = 0,
    ):
        super().__init__()
        layers: list[nn.Module] = []
        c_in = 1
        for index, stage in enumerate(widths):
            if index > 0:
                layers.append(nn.MaxPool2d(2))
            for c_out in stage:
                layers += _conv_bn(c_in, c_out, weight_bits)
                c_in = c_out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.classifier = GridLinear(c_in, num_classes)
        self.classifier.bits = weight_bits
        # Centre the [0, 1] inputs around MNIST's mean so BN-free first layers start well scaled.
        self.mean, self.std = 0.1307, 0.3081

    def forward(self, x: Tensor) -> Tensor:  # (B, 1, 28, 28) -> (B, 10) logits
        x = (x - self.mean) / self.std
        x = self.features(x)  # (B, C, H', W')
        x = self.pool(x).flatten(1)  # (B, C)
        return self.classifier(self.dropout(x))


@register_model
def convnet_tiny(dropout: float = 0.0) -> nn.Module:
    """~7k parameters: the smoke-test model; trains in seconds."""
    return ConvNet(((8,), (16, 16), (24,)), dropout)


@register_model
def convnet_micro(dropout: float = 0.0) -> nn.Module:
    """~8.5k parameters: the `tiny` artifact of sessions 16-18 (10,964 bytes with int8 weights)."""
    return ConvNet(((8,), (16, 16), (32,)), dropout)


@register_model
def convnet_micro4(dropout: float = 0.0) -> nn.Module:
    """~15.6k parameters trained on a 4-bit grid: the `tiny` artifact, under 11 KB with two weights a byte."""
    return ConvNet(((10,), (24, 24), (36,)), dropout, weight_bits=4)


@register_model
def convnet_mini(dropout: float = 0.0) -> nn.Module:
    """~12k parameters: the earlier `tiny` artifact (14.4 KB with int8 weights)."""
    return ConvNet(((10,), (20, 20), (32,)), dropout)


@register_model
def detector_small(dropout: float = 0.1) -> nn.Module:
    """~30k parameters, two classes (0: a digit, 1: not a digit): room for letters, symbols and pictures."""
    return ConvNet(((16,), (32, 32), (48,)), dropout, num_classes=2)


@register_model
def detector_medium(dropout: float = 0.1) -> nn.Module:
    """~100k parameters, two classes: the default classifier's layout, for a detector that tells more apart."""
    return ConvNet(((16, 24), (48, 48), (64, 64)), dropout, num_classes=2)


@register_model
def detector_tiny(dropout: float = 0.0) -> nn.Module:
    """~7k parameters, two classes (0: a digit, 1: not a digit): the drawing page's non-digit detector."""
    return ConvNet(((8,), (16, 16), (24,)), dropout, num_classes=2)


@register_model
def convnet_small(dropout: float = 0.1) -> nn.Module:
    """~30k parameters: the fast recipe's model."""
    return ConvNet(((16,), (32, 32), (48,)), dropout)


@register_model
def convnet_default(dropout: float = 0.1) -> nn.Module:
    """~100k parameters: the shipped default, sized for <150 KB int8 and >=5k images/s on one thread."""
    return ConvNet(((16, 24), (48, 48), (64, 64)), dropout)


@register_model
def convnet_large(dropout: float = 0.2) -> nn.Module:
    """~450k parameters: the `max` ensemble's members, and a teacher for distillation."""
    return ConvNet(((32, 48), (96, 96), (144, 144)), dropout)
