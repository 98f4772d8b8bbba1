"""Other scripts' letters: fetched with npm by digitkit's own code into the test cache, those drawn like a printed
digit left out, and a part of the detector's non-digits."""

import numpy as np
import pytest

from digitkit.data import scripts
from digitkit.data.nondigits import non_digit_set
from digitkit.errors import DataError


def test_every_script_gives_letters_and_leaves_out_those_drawn_like_digits(mnist_cache):
    found = scripts.glyphs(mnist_cache)
    images, names, chars = found["images"], found["scripts"], found["chars"]
    assert images.shape[1:] == (28, 28) and images.dtype == np.uint8 and len(images) == len(names) == len(chars)
    assert set(names) == set(scripts.SCRIPTS) and all((names == script).sum() >= 10 for script in scripts.SCRIPTS)
    cyrillic, hebrew = set(chars[names == "cyrillic"]), set(chars[names == "hebrew"])
    assert {"Ж", "Д", "Ш", "Я"} <= cyrillic  # nothing like a digit
    assert not {"З", "О", "б"} & cyrillic and not {"ו", "ס"} & hebrew  # a 3, a 0, a 6; a 1, a 0
    assert len(set(scripts.letters_of("cyrillic"))) == 64  # А-я, and no digit, mark or sign among them
    assert not any(char.isdigit() for script in scripts.SCRIPTS for char in scripts.letters_of(script))


def test_the_letters_are_a_part_of_the_detectors_non_digits(mnist_cache):
    found = scripts.glyphs(mnist_cache)
    zhe = found["images"][list(found["chars"]).index("Ж")]
    mixed = non_digit_set(70, seed=3, scripts=zhe[None])
    assert mixed.shape == (70, 28, 28) and mixed.dtype == np.uint8
    # six parts (raster shapes, the strokes twice, Hershey's letters, icons, and the letters): the last 70 // 6
    # are the letter redrawn with pens of several widths, far more like it than the rest
    likeness = (scripts._shapes(mixed) @ scripts._shapes(zhe[None]).T)[:, 0]
    letters = mixed[-(70 // 6) :]
    assert likeness[-(70 // 6) :].min() > 0.85 and np.median(likeness[: -(70 // 6)]) < 0.6
    assert len({letter.tobytes() for letter in letters}) > 5  # not one image copied


def test_no_npm_says_how_to_get_the_fonts(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(DataError, match="the font noto-sans: .*npm"):
        scripts.glyphs(tmp_path / "cache")
    assert not list(tmp_path.rglob("script-*.npz"))
