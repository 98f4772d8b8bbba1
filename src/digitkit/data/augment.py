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


def _gaussian_taps(sigma: Tensor, size: int) -> Tensor:
    """One unnormalized 1-D gaussian per sigma, centred: (B, size)."""
    ax = torch.arange(size, dtype=torch.float32) - size // 2
    return torch.exp(-(ax[None, :] ** 2) / (2 * sigma[:, None] ** 2))


def _gaussian_kernels(sigma: Tensor, size: int = 7) -> Tensor:
    """One normalized 2-D gaussian per sigma: (B, 1, size, size)."""
    one_d = _gaussian_taps(sigma, size)
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
    size = int(4 * sigma) | 1
    taps = _gaussian_taps(torch.full((1,), sigma), size)[0]
    taps = taps / taps.sum()
    # The 2-D gaussian is separable: a column pass then a row pass, 6x faster than one 13x13 convolution.
    field = F.conv2d(field, taps.view(1, 1, size, 1), padding=(size // 2, 0))
    field = F.conv2d(field, taps.view(1, 1, 1, size), padding=(0, size // 2)).reshape(n, 2, h, w)
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


def erase(
    x: Tensor, gen: torch.Generator, area: tuple[float, float] = (0.04, 0.16), aspect: tuple[float, float] = (0.3, 3.3)
) -> Tensor:
    """Blank a random rectangle to the background: ``area`` its share of the image, ``aspect`` its height over
    width (log-uniform), its centre anywhere and the part inside kept. The cutout that RandomErasing layers
    (torchvision's, Keras') apply: a whole piece of the digit gone, where ``occlude`` leaves a thin scratch."""
    n, _, h, w = x.shape
    size = _uniform(n, *area, gen) * h * w
    ratio = torch.exp(_uniform(n, math.log(aspect[0]), math.log(aspect[1]), gen))
    half_h, half_w = (size * ratio).sqrt() / 2, (size / ratio).sqrt() / 2
    cy, cx = _uniform(n, 0, h, gen), _uniform(n, 0, w, gen)
    rows = torch.arange(h, dtype=torch.float32)[None, :, None] + 0.5
    cols = torch.arange(w, dtype=torch.float32)[None, None, :] + 0.5
    inside = ((rows - cy[:, None, None]).abs() < half_h[:, None, None]) & (
        (cols - cx[:, None, None]).abs() < half_w[:, None, None]
    )
    return x * (~inside).float()[:, None]


def _pixel_grid(h: int, w: int) -> Tensor:
    """(H*W, 2) (row, column) coordinates of every pixel centre."""
    rows, cols = torch.meshgrid(
        torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32), indexing="ij"
    )
    return torch.stack([rows.reshape(-1), cols.reshape(-1)], dim=1)


def clutter(x: Tensor, gen: torch.Generator, width: tuple[float, float] = (0.8, 2.4), points: int = 48) -> Tensor:
    """One or two curved strokes across the image, each plain, dashed or wavy: pen lines, rulings and scribbles
    that are not part of the digit. A quadratic Bezier between two points near the border, bent by a third."""
    n, _, h, w = x.shape
    grid = _pixel_grid(h, w)
    out = x
    for stroke in range(2):
        ends = torch.rand((n, 3, 2), generator=gen) * torch.tensor([h + 4.0, w + 4.0]) - 2.0
        t = torch.linspace(0, 1, points)[None, :, None]
        curve = (1 - t) ** 2 * ends[:, :1] + 2 * (1 - t) * t * ends[:, 1:2] + t**2 * ends[:, 2:]  # (n, T, 2)
        style = torch.randint(0, 3, (n,), generator=gen)  # 0 plain, 1 dashed, 2 wavy
        chord = ends[:, 2] - ends[:, 0]
        normal = torch.stack([-chord[:, 1], chord[:, 0]], dim=1) / chord.norm(dim=1, keepdim=True).clamp_min(1e-3)
        period = _uniform(n, 2.0, 5.0, gen)[:, None]
        phase = t[:, :, 0] * chord.norm(dim=1, keepdim=True) / period  # (n, T) in periods along the chord
        wave = (2 * (phase - torch.floor(phase + 0.5)).abs() * 2 - 1) * _uniform(n, 0.8, 2.0, gen)[:, None]
        curve = curve + torch.where(style[:, None, None] == 2, wave[:, :, None] * normal[:, None, :], 0.0)
        gaps = (style[:, None] == 1) & (torch.floor(phase * 2) % 2 == 1)
        distance = torch.cdist(grid[None].expand(n, -1, -1), curve)  # (n, H*W, T)
        distance = distance.masked_fill(gaps[:, None, :], float("inf")).amin(dim=2).reshape(n, 1, h, w)
        half = _uniform(n, *width, gen)[:, None, None, None] / 2
        level = _uniform(n, 0.5, 1.0, gen)[:, None, None, None]
        drawn = (stroke == 0) | (torch.rand(n, generator=gen) < 0.4)
        line = (1 - (distance - half).clamp(0, 1)) * level * drawn[:, None, None, None]
        out = torch.maximum(out, line)
    return out


def outline(x: Tensor, gen: torch.Generator) -> Tensor:
    """Another rendering of the same shape: a one-pixel outline of the stroke, its soft edge gradient, or a
    thinned stroke (as an edge detector, a hollow font or a fine pen would draw it)."""
    dilated = F.max_pool2d(x, 3, stride=1, padding=1)
    eroded = -F.max_pool2d(-x, 3, stride=1, padding=1)
    solid = (x > 0.4).float()
    edge = solid - (-F.max_pool2d(-solid, 3, stride=1, padding=1))
    gradient = (dilated - eroded) / (dilated - eroded).amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6)
    thin = eroded / eroded.amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6)
    thin = torch.where(thin.amax(dim=(1, 2, 3), keepdim=True) > 0, thin, x)  # a stroke too thin to erode stays
    style = torch.randint(0, 3, (x.shape[0],), generator=gen)[:, None, None, None]
    return torch.where(style == 0, edge, torch.where(style == 1, gradient, thin))


def directional_blur(
    x: Tensor, gen: torch.Generator, length: tuple[float, float] = (2.0, 7.0), size: int = 9
) -> Tensor:
    """Smear along one random direction by a few pixels, from the pixel forwards or to both sides (a moving
    camera or hand)."""
    n = x.shape[0]
    angle = _uniform(n, 0, math.pi, gen)[:, None, None]
    reach = _uniform(n, *length, gen)[:, None, None]
    ax = torch.arange(size, dtype=torch.float32) - size // 2
    rows, cols = ax[None, :, None], ax[None, None, :]
    along = cols * torch.cos(angle) + rows * torch.sin(angle)
    across = -cols * torch.sin(angle) + rows * torch.cos(angle)
    one_sided = (torch.rand(n, generator=gen) < 0.5)[:, None, None]
    start = torch.where(one_sided, torch.zeros_like(reach), -reach / 2)
    inside = (along >= start - 0.5) & (along <= start + reach + 0.5)
    kernel = torch.exp(-(across**2) / 0.5) * inside
    return _per_sample_conv(x, (kernel / kernel.sum(dim=(1, 2), keepdim=True))[:, None])


def scramble(x: Tensor, gen: torch.Generator, reach: tuple[float, float] = (0.5, 1.5)) -> Tensor:
    """Move every pixel by its own random offset of up to ``reach`` pixels (frosted glass, a shaky scan)."""
    n, _, h, w = x.shape
    amount = _uniform(n, *reach, gen)[:, None, None, None]
    offsets = (torch.rand((n, h, w, 2), generator=gen) * 2 - 1) * amount * (2 / w)
    identity = F.affine_grid(torch.eye(2, 3).expand(n, 2, 3), list(x.shape), align_corners=False)
    return F.grid_sample(x, identity + offsets, align_corners=False, padding_mode="zeros")


def _smooth_field(n: int, h: int, w: int, gen: torch.Generator, cells: tuple[int, int] = (2, 6)) -> Tensor:
    """(n, 1, h, w) smooth random fields in [0, 1]: a coarse random grid, upsampled bicubically."""
    side = int(torch.randint(cells[0], cells[1] + 1, (1,), generator=gen))
    coarse = torch.rand((n, 1, side, side), generator=gen)
    field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False)
    low = field.amin(dim=(1, 2, 3), keepdim=True)
    return (field - low) / (field.amax(dim=(1, 2, 3), keepdim=True) - low).clamp_min(1e-6)


def uneven_background(x: Tensor, gen: torch.Generator, strength: tuple[float, float] = (0.2, 1.2)) -> Tensor:
    """Add a smooth, uneven glow (haze, a shadow, uneven lighting), then bring the brightest pixel back to 1."""
    n, _, h, w = x.shape
    glow = _uniform(n, *strength, gen)[:, None, None, None] * _smooth_field(n, h, w, gen)
    out = x + glow
    return out / out.amax(dim=(1, 2, 3), keepdim=True).clamp_min(1.0)


def blobs(x: Tensor, gen: torch.Generator, cover: tuple[float, float] = (0.03, 0.15)) -> Tensor:
    """Grey splashes: blobs of random shape covering a few percent of the image, painted over the digit or
    behind it."""
    n, _, h, w = x.shape
    field = _smooth_field(n, h, w, gen, cells=(5, 9))
    share = _uniform(n, *cover, gen)
    ordered = field.reshape(n, -1).sort(dim=1).values
    rank = ((1 - share) * (h * w - 1)).long()[:, None]
    cut = ordered.gather(1, rank)[:, :, None, None]  # the level above which `share` of the field lies
    mask = ((field - cut) * 8).clamp(0, 1)
    level = _uniform(n, 0.1, 0.6, gen)[:, None, None, None]
    over = (torch.rand(n, generator=gen) < 0.5)[:, None, None, None]
    return torch.where(over, x * (1 - mask) + level * mask, torch.maximum(x, level * mask))


def partial_invert(x: Tensor, gen: torch.Generator, band: tuple[int, int] = (3, 10)) -> Tensor:
    """Invert one region: a band along one or both edges (left/right or top/bottom), or a rectangle."""
    n, _, h, w = x.shape
    cols = torch.arange(w, dtype=torch.float32)[None, None, None, :]
    rows = torch.arange(h, dtype=torch.float32)[None, None, :, None]
    size = torch.randint(band[0], band[1] + 1, (n,), generator=gen).float()[:, None, None, None]
    both = (torch.rand(n, generator=gen) < 0.5)[:, None, None, None]
    sideways = (torch.rand(n, generator=gen) < 0.5)[:, None, None, None]
    position = torch.where(sideways, rows, cols)
    edges = (position < size) | (both & (position >= w - size))
    top, left = (torch.randint(0, h - 8, (n,), generator=gen).float()[:, None, None, None] for _ in range(2))
    rectangle = (rows >= top) & (rows < top + size) & (cols >= left) & (cols < left + 2 * size)
    region = torch.where((torch.rand(n, generator=gen) < 0.3)[:, None, None, None], rectangle, edges)
    return torch.where(region, 1 - x, x)


def salt_and_pepper(x: Tensor, gen: torch.Generator, amount: tuple[float, float] = (0.02, 0.2)) -> Tensor:
    """Set a random share of the pixels to black or white."""
    hit = torch.rand(x.shape, generator=gen) < _uniform(x.shape[0], *amount, gen)[:, None, None, None]
    salt = (torch.rand(x.shape, generator=gen) < 0.5).float()
    return torch.where(hit, salt, x)


def hook(
    x: Tensor,
    gen: torch.Generator,
    length: tuple[float, float] = (0.2, 0.4),
    slope: tuple[float, float] = (25, 60),
    max_lean: float = 0.2,
) -> Tensor:
    """A flag from the top of the stroke down to the left: a 1 as much of Europe writes it. MNIST's 1s are nearly
    all plain sticks, so a model that learned from them alone reads a hooked 1 as a 7 about half the time.

    The flag is ``length`` of the ink's height long, ``slope`` degrees below the horizontal and as wide as the
    stroke (ink mass over height: a stick's width). Only upright sticks get one (columns per row under
    ``max_lean``): a flag on a leaning stick makes a 7, while the affine step that follows leans flag and stick
    together."""
    n, _, h, w = x.shape
    weight = x[:, 0]
    mass = weight.sum(dim=(1, 2)).clamp_min(1e-6)
    grid = _pixel_grid(h, w)  # (H*W, 2) as (row, column)
    flat = weight.reshape(n, -1)
    mean = flat @ grid / mass[:, None]
    down, across = (grid[None] - mean[:, None]).unbind(dim=2)  # (n, H*W) each, from the ink's centre
    lean = (flat * down * across).sum(1) / (flat * down * down).sum(1).clamp_min(1e-6)  # columns per row
    upright = lean.abs() < max_lean
    ink = weight > 0.5
    rows = ink.any(dim=2).float()
    top = rows.argmax(dim=1)
    height = (h - rows.flip(1).argmax(dim=1) - top).float()
    top_ink = ink[torch.arange(n), top].float()
    column = (top_ink * torch.arange(w, dtype=torch.float32)).sum(1) / top_ink.sum(1).clamp_min(1)
    half = (mass / height.clamp_min(1) / 2 - 0.3).clamp(0.5, 1.8)
    reach = _uniform(n, *length, gen) * height
    angle = _uniform(n, *slope, gen) * math.pi / 180
    start = torch.stack([top.float() + half, column], dim=1)
    along = torch.stack([reach * torch.sin(angle), -reach * torch.cos(angle)], dim=1)
    t = ((grid[None] - start[:, None]) * along[:, None]).sum(2) / (along * along).sum(1, keepdim=True).clamp_min(1e-6)
    nearest = start[:, None] + t.clamp(0, 1)[..., None] * along[:, None]
    distance = (grid[None] - nearest).norm(dim=2).reshape(n, 1, h, w)
    flag = (1 - (distance - half[:, None, None, None]).clamp(0, 1)) * upright[:, None, None, None]
    return torch.maximum(x, flag)


def _apply(x: Tensor, share: float, gen: torch.Generator, op: Callable[..., Tensor], **kwargs: Any) -> Tensor:
    return _apply_to(x, torch.ones(x.shape[0], dtype=torch.bool), share, gen, op, **kwargs)


def _apply_to(
    x: Tensor, eligible: Tensor, share: float, gen: torch.Generator, op: Callable[..., Tensor], **kwargs: Any
) -> Tensor:
    """``op`` on a random ``share`` of the ``eligible`` rows of ``x``."""
    if share <= 0:
        return x
    chosen = (torch.rand(x.shape[0], generator=gen) < share) & eligible
    if bool(chosen.any()):
        x = x.clone()
        x[chosen] = op(x[chosen], gen, **kwargs)
    return x


def augment(x: Tensor, gen: torch.Generator, cfg: AugmentConfig, labels: Tensor | None = None) -> Tensor:
    """Apply the training augmentation to a (B, 1, 28, 28) batch; ``clean_share`` of it stays as is.
    ``labels`` (digits) let a share of the 1s be drawn hooked; without them no op depends on the class."""
    keep = torch.rand(x.shape[0], generator=gen) < cfg.clean_share
    if labels is not None:  # before the clean share is set aside: a hooked 1 is a clean image of a 1
        x = _apply_to(x, labels == 1, cfg.p_hooked_one, gen, hook, slope=cfg.hook_slope)
    out = _apply(x, cfg.p_thickness, gen, thickness)
    out = _apply(out, cfg.p_affine, gen, affine, rotate=cfg.rotate, scale=cfg.scale, shift=cfg.shift, shear=cfg.shear)
    out = _apply(out, cfg.p_elastic, gen, elastic)
    out = _apply(out, cfg.p_outline, gen, outline)
    out = _apply(out, cfg.p_occlude, gen, occlude)
    out = _apply(out, cfg.p_erase, gen, erase)
    out = _apply(out, cfg.p_clutter, gen, clutter)
    out = _apply(out, cfg.p_blobs, gen, blobs)
    out = _apply(out, cfg.p_blur, gen, blur)
    out = _apply(out, cfg.p_directional_blur, gen, directional_blur)
    out = _apply(out, cfg.p_scramble, gen, scramble)
    out = _apply(out, cfg.p_background, gen, uneven_background)
    out = _apply(out, cfg.p_contrast, gen, contrast)
    out = _apply(out, cfg.p_partial_invert, gen, partial_invert)
    out = _apply(out, cfg.p_noise, gen, noise)
    out = _apply(out, cfg.p_salt_and_pepper, gen, salt_and_pepper)
    out = _apply(out, cfg.p_jpeg, gen, jpeg)
    return torch.where(keep[:, None, None, None], x, out)
