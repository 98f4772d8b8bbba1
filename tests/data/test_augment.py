import numpy as np
import pytest
import torch

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


def test_same_seed_same_augmentation(batch):
    first = A.augment(batch, torch.Generator().manual_seed(7), A.AugmentConfig())
    second = A.augment(batch, torch.Generator().manual_seed(7), A.AugmentConfig())
    third = A.augment(batch, torch.Generator().manual_seed(8), A.AugmentConfig())
    assert torch.equal(first, second) and not torch.equal(first, third)


def test_identity_affine_is_identity(batch):
    out = A.affine(batch, torch.Generator().manual_seed(0))
    assert torch.allclose(out, batch, atol=1e-5)


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
