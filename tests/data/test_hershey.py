"""The Hershey fonts' glyphs as pen strokes: writing digitkit did not draw (tests/serve/test_hershey_page.py reads
them on the drawing page)."""

import numpy as np
import pytest

from digitkit.data import hershey


def test_every_family_holds_distinct_glyphs_and_the_digits_come_from_more_than_one_hand():
    glyphs = hershey.glyphs()
    assert set(glyphs) == {"digits", *hershey.FAMILIES}
    assert all(len(glyphs[family]) >= 30 for family in hershey.FAMILIES)
    fonts_of = {char: {font for font, c, _ in glyphs["digits"] if c == char} for char in "0123456789"}
    assert all(len(fonts) >= 2 for fonts in fonts_of.values()), fonts_of
    latin = {char for _, char, _ in glyphs["latin"]}
    assert not latin & (hershey.LIKE_DIGITS | set("0123456789"))
    for family, items in glyphs.items():
        for font, char, strokes in items:
            points = np.concatenate(strokes)
            assert np.ptp(points, axis=0).max() == pytest.approx(1.0), (family, font, char)
            singular = np.linalg.svd(points - points.mean(axis=0), compute_uv=False)
            assert singular[-1] >= 0.05 * singular[0], (family, font, char)  # no bars or dashes


def test_a_drawing_is_a_jittered_glyph_fixed_by_its_seed():
    first = [hershey.drawing("greek", np.random.default_rng(3)) for _ in range(2)]
    assert first[0][0] == first[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(first[0][1], first[1][1], strict=True))
    name, strokes = hershey.drawing("digits", np.random.default_rng(3))
    assert name in "0123456789"
    originals = {char: g for _, char, g in hershey.glyphs()["digits"]}
    assert not np.array_equal(np.concatenate(strokes), np.concatenate(originals[name]))  # the hand moved
