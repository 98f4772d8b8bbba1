"""Batched image corruptions in torch: the training augmentation and the robustness suite share them.

Every function takes a batch ``x`` of shape (B, 1, 28, 28), floats in [0, 1] white on black, and a
``torch.Generator``, and returns a new batch of the same shape; randomness comes only from the generator,
so a seed reproduces the result exactly on CPU.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import Tensor

from digitkit.train.recipe import AugmentConfig


def _uniform(n: int, low: float, high: float, gen: torch.Generator) -> Tensor:
    return low + (high - low) * torch.rand(n, generator=gen)


def _gaussian_kernels(sigma: Tensor, size: int = 7) -> Tensor:
    """One normalized 2-D gaussian per sigma: (B, 1, size, size)."""
    ax = torch.arange(size, dtype=torch.float32) - size // 2
    one_d = torch.exp(-(ax[None, :] ** 2) / (2 * sigma[:, None] ** 2))  # (B, size)
    kernel = one_d[:, :, None] * one_d[:, None, :]
    return (kernel / kernel.sum(dim=(1, 2), keepdim=True))[:, None]


def _per_sample_conv(x: Tensor, kernels: Tensor) -> Tensor:
    """Convolve sample i of x with kernel i (grouped convolution)."""
    b, c, h, w = x.shape
    pad = kernels.shape[-1] // 2
    out = F.conv2d(x.reshape(1, b * c, h, w), kernels, padding=pad, groups=b * c)
    return out.reshape(b, c, h, w)


def affine(
    x: Tensor,
    gen: torch.Generator,
    rotate: float = 0.0,
    scale: tuple[float, float] = (1.0, 1.0),
    shift: float = 0.0,
    shear: float = 0.0,
) -> Tensor:
    """Random rotation (degrees, +-), isotropic scale, shift (pixels, +-) and shear (+-, as tan)."""
    n = x.shape[0]
    angle = _uniform(n, -rotate, rotate, gen) * math.pi / 180
    factor = _uniform(n, *scale, gen)
    sh = _uniform(n, -shear, shear, gen)
    tx, ty = (_uniform(n, -shift, shift, gen) * 2 / x.shape[-1] for _ in range(2))
    cos, sin = torch.cos(angle), torch.sin(angle)
    # affine_grid maps output coords to input coords: invert the forward transform scale*R*Shear.
    a, b = cos, -sin + cos * sh
    c, d = sin, cos + sin * sh
    det = a * d - b * c
    inv = torch.stack([torch.stack([d, -b], -1), torch.stack([-c, a], -1)], -2) / (det * factor)[:, None, None]
    trans = -(inv @ torch.stack([tx, ty], -1)[:, :, None])
    theta = torch.cat([inv, trans], dim=2)  # (B, 2, 3)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")


def elastic(x: Tensor, gen: torch.Generator, alpha: float = 2.0, sigma: float = 3.0) -> Tensor:
    """Smooth random displacement field of about ``alpha`` pixels (Simard et al. 2003)."""
    n, _, h, w = x.shape
    field = torch.rand((n * 2, 1, h, w), generator=gen) * 2 - 1
    kernel = _gaussian_kernels(torch.full((1,), sigma), size=int(4 * sigma) | 1)
    field = F.conv2d(field, kernel, padding=kernel.shape[-1] // 2).reshape(n, 2, h, w)
    field = field / field.abs().amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6)
    displacement = field.permute(0, 2, 3, 1) * (alpha * 2 / w)  # (B, H, W, 2) in grid units
    identity = F.affine_grid(torch.eye(2, 3).expand(n, 2, 3), list(x.shape), align_corners=False)
    return F.grid_sample(x, identity + displacement, align_corners=False, padding_mode="zeros")


def thickness(x: Tensor, gen: torch.Generator, amount: float = 1.0) -> Tensor:
    """Thicken or thin strokes by up to ``amount`` of a 3x3 dilation or erosion."""
    n = x.shape[0]
    dilated = F.max_pool2d(x, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-x, 3, stride=1, padding=1)
    t = _uniform(n, -amount, amount, gen)[:, None, None, None]
    return torch.where(t >= 0, x + t * (dilated - x), x + (-t) * (eroded - x))


def blur(x: Tensor, gen: torch.Generator, sigma: tuple[float, float] = (0.5, 1.2)) -> Tensor:
    return _per_sample_conv(x, _gaussian_kernels(_uniform(x.shape[0], *sigma, gen)))


def noise(x: Tensor, gen: torch.Generator, std: tuple[float, float] = (0.05, 0.25)) -> Tensor:
    level = _uniform(x.shape[0], *std, gen)[:, None, None, None]
    return (x + level * torch.randn(x.shape, generator=gen)).clamp(0, 1)


def contrast(x: Tensor, gen: torch.Generator, low: float = 0.4, min_range: float = 0.25) -> Tensor:
    """Map [0, 1] to [lo, hi]: a grey background and faded ink."""
    n = x.shape[0]
    lo = _uniform(n, 0.0, low, gen)
    hi = lo + min_range + (1 - lo - min_range) * torch.rand(n, generator=gen)
    return lo[:, None, None, None] + (hi - lo)[:, None, None, None] * x


def jpeg(x: Tensor, gen: torch.Generator, quality: tuple[int, int] = (10, 50)) -> Tensor:
    """Round-trip each image through JPEG at a random quality (PIL; the only per-image loop here)."""
    qualities = torch.randint(quality[0], quality[1] + 1, (x.shape[0],), generator=gen).tolist()
    pixels = (x[:, 0].clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    out = np.empty(pixels.shape, dtype=np.float32)
    for i, (image, q) in enumerate(zip(pixels, qualities, strict=True)):
        buffer = io.BytesIO()
        Image.fromarray(image, mode="L").save(buffer, format="JPEG", quality=int(q))
        out[i] = np.asarray(Image.open(buffer), dtype=np.float32) / 255
    return torch.from_numpy(out)[:, None]


def occlude(x: Tensor, gen: torch.Generator, width: tuple[float, float] = (1.0, 2.5)) -> Tensor:
    """Erase a random straight band of 1-2.5 pixels through the central area, as a scratch over the digit."""
    n, _, h, w = x.shape
    angle = _uniform(n, 0, math.pi, gen)
    # A point near the centre the band passes through.
    cy, cx = _uniform(n, 9, 19, gen), _uniform(n, 9, 19, gen)
    half = _uniform(n, *width, gen) / 2
    rows = torch.arange(h, dtype=torch.float32)[None, :, None]
    cols = torch.arange(w, dtype=torch.float32)[None, None, :]
    distance = (
        (cols - cx[:, None, None]) * torch.sin(angle)[:, None, None]
        - (rows - cy[:, None, None]) * torch.cos(angle)[:, None, None]
    ).abs()
    mask = (distance > half[:, None, None]).float()[:, None]
    return x * mask


def _apply(x: Tensor, share: float, gen: torch.Generator, op: Callable[..., Tensor], **kwargs: Any) -> Tensor:
    if share <= 0:
        return x
    chosen = torch.rand(x.shape[0], generator=gen) < share
    if bool(chosen.any()):
        x = x.clone()
        x[chosen] = op(x[chosen], gen, **kwargs)
    return x


def augment(x: Tensor, gen: torch.Generator, cfg: AugmentConfig) -> Tensor:
    """Apply the training augmentation to a (B, 1, 28, 28) batch; ``clean_share`` of it stays as is."""
    keep = torch.rand(x.shape[0], generator=gen) < cfg.clean_share
    out = _apply(x, cfg.p_thickness, gen, thickness)
    out = _apply(out, cfg.p_affine, gen, affine, rotate=cfg.rotate, scale=cfg.scale, shift=cfg.shift, shear=cfg.shear)
    out = _apply(out, cfg.p_elastic, gen, elastic)
    out = _apply(out, cfg.p_occlude, gen, occlude)
    out = _apply(out, cfg.p_blur, gen, blur)
    out = _apply(out, cfg.p_contrast, gen, contrast)
    out = _apply(out, cfg.p_noise, gen, noise)
    out = _apply(out, cfg.p_jpeg, gen, jpeg)
    return torch.where(keep[:, None, None, None], x, out)
