"""Other scripts' letters: fetched with npm by digitkit's own code into the test cache, those drawn like a printed
digit left out: a held-out family of non-digits for benchmarks/reject_curve.py."""

import numpy as np
import pytest

from digitkit.data import scripts
from digitkit.errors import DataError


def test_every_script_gives_letters_and_leaves_out_those_drawn_like_digits(mnist_cache):
    written = scripts.written(mnist_cache)
    names = [name for name, _ in written]
    assert len(set(names)) == len(names) and all(ink.dtype == np.uint8 and ink.max() > 0 for _, ink in written)
    assert {name.split()[0] for name in names} == set(scripts.SCRIPTS)
    assert all(sum(n.startswith(f"{script} ") for n in names) >= 10 for script in scripts.SCRIPTS)
    assert {"cyrillic Ж", "cyrillic Д", "cyrillic Ш", "hebrew א", "armenian Ֆ"} <= set(names)  # nothing like a digit
    assert not {"cyrillic З", "cyrillic О", "cyrillic б", "hebrew ו", "hebrew ס"} & set(names)  # 3, 0, 6; 1, 0
    assert len(scripts.letters_of("cyrillic")) == 64  # А-я, and no digit, mark or sign among them
    assert not any(char.isdigit() for script in scripts.SCRIPTS for char in scripts.letters_of(script))


def test_the_likeness_to_a_digit_is_a_correlation_of_shapes(mnist_cache):
    from digitkit.data import fontsource, typeset

    found = typeset.glyphs(mnist_cache)
    digits = np.stack([typeset.fitted(ink) for ink in fontsource.inks(found)])
    likeness = scripts.shapes(digits[:2]) @ scripts.shapes(digits).T
    assert np.allclose(likeness[np.arange(2), np.arange(2)], 1.0, atol=1e-5)  # each digit is most like itself
    same = found["chars"] == found["chars"][0]  # another face's 0 is more like it than any other digit on average
    assert likeness[0, same].mean() > likeness[0, ~same].mean() + 0.1


def test_no_npm_says_how_to_get_the_fonts(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(DataError, match="the font noto-sans: .*npm"):
        scripts.glyphs(tmp_path / "cache")
    assert not list(tmp_path.rglob("script-*.npz"))
