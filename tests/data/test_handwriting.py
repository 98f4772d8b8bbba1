"""The handwriting fonts: fetched with npm by digitkit's own code into the test cache, rendered once, cached."""

import numpy as np
import pytest

from digitkit.data import fontsource, handwriting
from digitkit.errors import DataError


def test_thirty_hands_write_every_digit_and_the_letters_unlike_digits(mnist_cache):
    digits = handwriting.written(mnist_cache, digits=True)
    letters = handwriting.written(mnist_cache, digits=False)
    assert len(digits) == 10 * len(handwriting.FONTS) == 300
    assert len(letters) == len(handwriting.LETTERS) * len(handwriting.FONTS)
    assert [name for name, _ in digits[:10]] == list("0123456789")
    assert not set("OIlS") & set(handwriting.LETTERS) and {"A", "x"} <= set(handwriting.LETTERS)
    for _, ink in digits + letters:
        # trimmed ink, scaled to the stored height (or width), white on black
        assert ink.dtype == np.uint8 and ink.max() > 200
        assert ink.shape[0] == fontsource.HEIGHT or ink.shape[1] == fontsource.WIDTH
        rows, cols = np.flatnonzero(ink.max(axis=1)), np.flatnonzero(ink.max(axis=0))
        assert rows[0] <= 1 and rows[-1] >= ink.shape[0] - 2 and cols[0] <= 1 and cols[-1] >= ink.shape[1] - 2
    # thirty different hands: no two fonts draw the same 5
    fives = [ink for name, ink in digits if name == "5"]
    assert len({ink.tobytes() for ink in fives}) == 30


def test_the_rendering_is_cached_and_read_back(mnist_cache):
    first = handwriting.glyphs(mnist_cache)
    assert (mnist_cache / f"handwriting-v{handwriting.CACHE_VERSION}.npz").is_file()
    again = handwriting.glyphs(mnist_cache)
    assert np.array_equal(first["ink"], again["ink"]) and first["chars"].tolist() == again["chars"].tolist()


def test_no_npm_says_how_to_get_the_fonts(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(DataError, match="npm"):
        handwriting.glyphs(tmp_path / "cache")
    assert not (tmp_path / "cache" / f"handwriting-v{handwriting.CACHE_VERSION}.npz").exists()
