import numpy as np
import pytest
import torch
import torch.nn.functional as F

from digitkit.data import augment as A
from digitkit.data.suite import CORRUPTIONS, build_suite, combined, suite_names


@pytest.fixture
def batch(mnist_test):
    return torch.from_numpy(mnist_test[0][:32].astype(np.float32) / 255)[:, None]


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_each_corruption_keeps_shape_and_range_and_changes_pixels(batch, name):
    out = CORRUPTIONS[name](batch, torch.Generator().manual_seed(1))
    assert out.shape == batch.shape
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0 + 1e-6
    assert not torch.equal(out, batch)


FAMILIES = [
    A.clutter,
    A.outline,
    A.directional_blur,
    A.scramble,
    A.uneven_background,
    A.blobs,
    A.partial_invert,
    A.salt_and_pepper,
]


@pytest.mark.parametrize("op", FAMILIES, ids=lambda op: op.__name__)
def test_each_family_keeps_shape_and_range_changes_every_image_and_repeats_with_its_seed(batch, op):
    out = op(batch, torch.Generator().manual_seed(1))
    assert out.shape == batch.shape and out.dtype == batch.dtype
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0 + 1e-6
    changed = (out - batch).abs().amax(dim=(1, 2, 3)) > 0.05
    assert bool(changed.all())
    assert torch.equal(out, op(batch, torch.Generator().manual_seed(1)))
    assert not torch.equal(out, op(batch, torch.Generator().manual_seed(2)))


def test_clutter_draws_outside_the_digit_and_keeps_the_digit(batch):
    out = A.clutter(batch, torch.Generator().manual_seed(0))
    far = F.max_pool2d(batch, 7, stride=1, padding=3) == 0  # pixels at least 3 px from any ink
    assert float(((out > 0.3) & far).float().sum(dim=(1, 2, 3)).gt(0).float().mean()) > 0.8
    assert bool((out >= batch).all())  # strokes are drawn over, never erased


def test_outline_draws_a_thick_stroke_thinner_or_hollow():
    x = torch.zeros(6, 1, 28, 28)
    x[:, 0, 4:24, 10:18] = 1.0  # an 8-pixel-wide bar
    out = A.outline(x, torch.Generator().manual_seed(0))
    ink = (out > 0.5).sum(dim=(1, 2, 3))
    assert bool((ink > 0).all()) and bool((ink < 0.8 * (x > 0.5).sum(dim=(1, 2, 3))).all())
    assert bool((out[:, 0, 14, 14] < 0.5).any())  # the outline renderings are hollow


def test_partial_invert_flips_one_region_and_salt_and_pepper_sets_extremes(batch):
    inverted = A.partial_invert(batch, torch.Generator().manual_seed(0))
    flipped = torch.isclose(inverted, 1 - batch, atol=1e-6) & ~torch.isclose(batch, torch.tensor(0.5))
    same = torch.isclose(inverted, batch, atol=1e-6)
    assert bool((flipped | same).all()) and bool(flipped.flatten(1).any(dim=1).all())
    salted = A.salt_and_pepper(batch, torch.Generator().manual_seed(0))
    moved = salted != batch
    assert bool(((salted[moved] == 0) | (salted[moved] == 1)).all())


def test_the_shipped_defaults_stages_use_every_family_and_the_detector_none():
    from dataclasses import fields

    from digitkit.train.recipe import load_recipe

    shares = [f.name for f in fields(A.AugmentConfig) if f.name.startswith("p_") and f.default == 0.0]
    assert len(shares) == len(FAMILIES) + 2  # and the hooked 1s, which need labels, and the erased rectangles
    default, refine = load_recipe("default").augment, load_recipe("default-refine").augment
    detector = load_recipe("detector").augment
    assert default is not None and refine is not None and detector is not None
    assert all(getattr(refine, share) > 0 for share in shares)
    assert all(getattr(default, share) > 0 for share in shares if share != "p_erase")  # stage 2 added erasing
    assert all(getattr(detector, share) == 0 for share in shares)


def test_erase_blanks_one_rectangle_of_the_asked_size_and_nothing_else():
    x = torch.ones(64, 1, 28, 28)
    out = A.erase(x, torch.Generator().manual_seed(0), area=(0.04, 0.16))
    assert torch.equal(out, A.erase(x, torch.Generator().manual_seed(0), area=(0.04, 0.16)))
    blank = out[:, 0] == 0
    assert bool(((out == 0) | (out == 1)).all())
    counts = blank.sum(dim=(1, 2))
    assert bool((counts <= 0.16 * 784 + 8).all()) and bool((counts > 0).all())
    assert float(counts.float().mean()) > 0.04 * 784 / 2  # a rectangle's centre near a border loses part of it
    for image in blank:  # the blank pixels fill their bounding box: one rectangle
        rows, cols = image.any(dim=1).nonzero(), image.any(dim=0).nonzero()
        box = image[int(rows.min()) : int(rows.max()) + 1, int(cols.min()) : int(cols.max()) + 1]
        assert bool(box.all())


def _sticks(lean: float) -> torch.Tensor:
    """Two 3-pixel-wide sticks from row 4 to row 23, leaning ``lean`` columns per row (negative: top right)."""
    x = torch.zeros(2, 1, 28, 28)
    for row in range(4, 24):
        column = round(14 + lean * (row - 14))
        x[:, 0, row, column - 1 : column + 2] = 1.0
    return x


def test_a_hook_flags_an_upright_stick_at_its_top_left_and_leaves_a_leaning_one():
    upright = _sticks(0.0)
    out = A.hook(upright, torch.Generator().manual_seed(0))
    added = (out > 0.5) & (upright < 0.5)
    rows, columns = torch.where(added[0, 0])
    assert len(rows) >= 4 and int(rows.max()) <= 4 + 0.4 * 20 + 2 and int(columns.max()) < 14  # up and left
    assert bool((out >= upright).all())
    assert torch.equal(out, A.hook(upright, torch.Generator().manual_seed(0)))
    leaning = _sticks(-0.45)  # "/" : a flag on it would make a 7
    assert torch.equal(A.hook(leaning, torch.Generator().manual_seed(0)), leaning)


def test_augment_hooks_only_the_ones_and_only_given_labels():
    from dataclasses import fields

    off = {f.name: 0.0 for f in fields(A.AugmentConfig) if f.name.startswith("p_")}
    config = A.AugmentConfig(**{**off, "p_hooked_one": 1.0, "clean_share": 0.0})
    x = _sticks(0.0)
    out = A.augment(x, torch.Generator().manual_seed(0), config, labels=torch.tensor([1, 7]))
    assert not torch.equal(out[0], x[0]) and torch.equal(out[1], x[1])
    assert torch.equal(A.augment(x, torch.Generator().manual_seed(0), config), x)  # no labels: no hook


def test_the_recipes_hook_slope_sets_how_flat_the_flag_is():
    """recipes/default-refine.toml flags 1s down to 10 degrees: a flat flag reaches further left, less far down."""
    from dataclasses import fields, replace

    off = {f.name: 0.0 for f in fields(A.AugmentConfig) if f.name.startswith("p_")}
    steep = A.AugmentConfig(**{**off, "p_hooked_one": 1.0, "clean_share": 0.0, "hook_slope": (60.0, 60.0)})
    x, ones = _sticks(0.0)[:1], torch.tensor([1])

    def flag_reach(config: A.AugmentConfig) -> tuple[int, int]:
        """(lowest row, leftmost column) of the flag's ink."""
        added = (A.augment(x, torch.Generator().manual_seed(0), config, labels=ones) > 0.5) & (x < 0.5)
        rows, columns = torch.where(added[0, 0])
        return int(rows.max()), int(columns.min())

    (steep_low, steep_left), (flat_low, flat_left) = flag_reach(steep), flag_reach(replace(steep, hook_slope=(10, 10)))
    assert flat_low < steep_low and flat_left < steep_left


def test_same_seed_same_augmentation(batch):
    first = A.augment(batch, torch.Generator().manual_seed(7), A.AugmentConfig())
    second = A.augment(batch, torch.Generator().manual_seed(7), A.AugmentConfig())
    third = A.augment(batch, torch.Generator().manual_seed(8), A.AugmentConfig())
    assert torch.equal(first, second) and not torch.equal(first, third)


def test_identity_affine_is_identity(batch):
    out = A.affine(batch, torch.Generator().manual_seed(0))
    assert torch.allclose(out, batch, atol=1e-5)


def test_elastic_moves_pixels_by_a_smooth_field_of_at_most_alpha_pixels():
    # On a ramp along x, bilinear sampling returns the sampled x itself, so out - ramp is the field's x part.
    ramp = (torch.arange(28, dtype=torch.float32) / 27).expand(16, 1, 28, 28).contiguous()
    moved = ((A.elastic(ramp, torch.Generator().manual_seed(3), alpha=2.0) - ramp) * 27)[:, 0, 3:-3, 3:-3]
    assert float(moved.abs().max()) <= 2.0 * 28 / 27 + 1e-4  # grid units are 2/28: alpha is in pixels
    assert float(moved.abs().amax(dim=(1, 2)).min()) > 0.5  # every image is moved
    steps = torch.cat([moved.diff(dim=1).flatten(), moved.diff(dim=2).flatten()]).abs()
    assert float(steps.max()) < 1.0  # neighbours move together: a blurred field, not per-pixel noise


def test_scale_one_half_halves_the_stroke():
    x = torch.zeros(1, 1, 28, 28)
    x[0, 0, 4:24, 12:16] = 1.0  # a 20-pixel vertical stroke through the centre
    out = A.affine(x, torch.Generator().manual_seed(0), scale=(0.5, 0.5))
    rows = torch.where(out[0, 0].amax(dim=1) > 0.4)[0]
    assert 9 <= int(rows.max() - rows.min()) + 1 <= 11


def test_combined_applies_two_to_four_corruptions(batch):
    out = combined(batch, torch.Generator().manual_seed(3))
    assert out.shape == batch.shape and not torch.equal(out, batch)


def test_suite_is_deterministic_and_cached(tmp_path, mnist_cache, monkeypatch):
    import shutil

    cache = tmp_path / "cache"
    shutil.copytree(mnist_cache / "mnist", cache / "mnist")
    first = build_suite(cache, size=50)
    assert (cache / "suite-v1-50.npz").is_file()
    (cache / "suite-v1-50.npz").unlink()
    second = build_suite(cache, size=50)
    assert set(first) == {"labels", *suite_names()}
    for name in suite_names():
        assert first[name].dtype == np.uint8 and first[name].shape == (50, 28, 28)
        assert np.array_equal(first[name], second[name])
