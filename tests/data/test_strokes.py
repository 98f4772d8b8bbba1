"""Pen-stroke drawings: every family draws, deterministically, in the unit box, and renders like the page."""

import numpy as np
import pytest

from digitkit.data import strokes as S


@pytest.mark.parametrize("family", [*S.FAMILIES, "digits"])
def test_each_family_draws_jittered_strokes_in_the_unit_box_and_repeats_with_its_seed(family):
    rng, again = np.random.default_rng(4), np.random.default_rng(4)
    for _ in range(20):
        name, strokes = S.drawing(family, rng)
        same_name, same_strokes = S.drawing(family, again)
        assert name == same_name and all(np.array_equal(a, b) for a, b in zip(strokes, same_strokes, strict=True))
        points = np.concatenate(strokes)
        assert points.min() >= -1e-9 and points.max() <= 1 + 1e-9
        assert np.ptp(points, axis=0).max() == pytest.approx(1.0)


def test_the_held_out_family_is_not_trained_and_digits_are_no_family():
    assert S.HELD_OUT in S.FAMILIES and S.HELD_OUT not in S.TRAINED
    assert set(S.DIGITS) == set("0123456789") and "digits" not in S.FAMILIES
    assert not set(S.LETTERS) & set("OISlbgq")  # written like 0, 1, 5, 6, 9


def test_render_draws_a_round_pen_of_the_given_width():
    image = S.render([np.array([[0.5, 0.0], [0.5, 1.0]])], height=100, pen=10)
    assert image.dtype == np.uint8 and image.max() == 255
    columns = np.flatnonzero(image[image.shape[0] // 2] > 127)
    assert 9 <= len(columns) <= 11
    rows = np.flatnonzero(image[:, columns[len(columns) // 2]] > 127)
    assert 105 <= len(rows) <= 112  # 100 px of stroke and a round cap at each end


def test_rendered_sets_take_the_families_in_turn():
    images, names = S.rendered_set(S.TRAINED, 10, seed=1)
    assert names[: len(S.TRAINED)] == list(S.TRAINED) and len(images) == 10
    again, _ = S.rendered_set(S.TRAINED, 10, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(images, again, strict=True))


def test_a_hatching_set_drawn_alone_leans_at_least_45_degrees_from_upright():
    rng = np.random.default_rng(0)
    alone = [h for h in (S.hatching(rng) for _ in range(200)) if len({tuple(np.round(s[1] - s[0], 6)) for s in h}) == 1]
    assert len(alone) > 50  # about half of them
    for lines in alone:
        dx, dy = np.abs(lines[0][1] - lines[0][0])
        assert dy <= dx + 1e-9  # within 45 degrees of horizontal


def test_a_doodle_is_three_to_five_parts_in_one_piece_of_ink():
    from scipy import ndimage

    rng = np.random.default_rng(0)
    for _ in range(100):
        parts = S.doodle(rng)
        assert 3 <= len(parts) <= 5
        _, pieces = ndimage.label(S.render(parts, height=100, pen=8) > 127)
        assert pieces == 1  # one crop on the page, not a ring and a line judged apart
