"""The print faces' digits: fetched with npm by digitkit's own code into the test cache, redrawn with a pen, and
read as a --data source that joins MNIST."""

import numpy as np
import pytest

from digitkit.data import typeset
from digitkit.data.sources import load_set, provenance
from digitkit.errors import DataError


def test_every_print_face_gives_every_digit_in_several_pen_widths(mnist_cache):
    images, labels = typeset.digits(mnist_cache)
    per_glyph = typeset.VARIANTS
    assert images.shape == (len(typeset.FONTS) * 10 * per_glyph, 28, 28) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [len(typeset.FONTS) * per_glyph] * 10
    # MNIST's layout: white ink on black, its centre of mass near the middle of the 28x28 box
    rows, cols = np.indices((28, 28))
    weight = images.reshape(len(images), -1).astype(float).sum(axis=1)
    centre_row = (images * rows).reshape(len(images), -1).sum(axis=1) / weight
    centre_col = (images * cols).reshape(len(images), -1).sum(axis=1) / weight
    assert np.abs(centre_row - 13.5).max() < 3 and np.abs(centre_col - 13.5).max() < 3
    # each glyph is redrawn with pens of different widths: its variants carry different amounts of ink
    first_glyph = weight[:per_glyph]
    assert first_glyph.max() > 1.3 * first_glyph.min()
    # 24 faces draw 24 different 6s
    sixes = images[labels == 6][::per_glyph]
    assert len({six.tobytes() for six in sixes}) == len(typeset.FONTS)


def test_the_digits_are_a_data_source_that_joins_mnist(mnist_cache):
    joined = load_set("mnist-train+typeset", mnist_cache)
    alone = load_set("typeset", mnist_cache)
    assert len(joined.labels) == 60000 + len(alone.labels) and joined.name == "mnist-train+typeset"
    assert np.array_equal(joined.images[60000:], alone.images)  # the same digits each time: seeded
    assert provenance("mnist-train+typeset") == {"source": "mnist-train+typeset"}


def test_the_shipped_default_reads_the_print_faces_digits(mnist_cache):
    from digitkit.preprocess import normalize_batch
    from digitkit.runtime import load_model

    images, labels = typeset.digits(mnist_cache)
    read = load_model("default").predict_logits(normalize_batch(images)).argmax(axis=1)
    # 99.55% with the third stage (recipes/default-typeset.toml) that trained on them; 99.24% before it
    assert (read == labels).mean() >= 0.99


def test_no_npm_says_how_to_get_the_print_faces(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(DataError, match="the print font .*npm"):
        typeset.glyphs(tmp_path / "cache")
    assert not (tmp_path / "cache" / f"typeset-v{typeset.CACHE_VERSION}.npz").exists()
