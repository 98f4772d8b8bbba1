"""Lucide's and Tabler's line icons as pen strokes: pictures digitkit did not draw, for the detector's non-digits."""

import numpy as np
import pytest

from digitkit.data import icons

OPEN = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" stroke="currentColor">'  # drawn with a line
SQUARE = OPEN + b'<rect x="2" y="4" width="10" height="10"/></svg>'
RING = OPEN + b'<circle cx="12" cy="12" r="10"/></svg>'
TWO = OPEN + b'<path d="M2 2h4M9 9l3 3"/><line x1="0" y1="20" x2="20" y2="20"/></svg>'

FRAMED = (  # Tabler's way: an invisible frame, then the drawing, its tags in a comment before the <svg>
    b"<!--\ntags: [energy, power, Electricity-storm]\n-->\n"
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor">'
    b'<path stroke="none" d="M0 0h24v24H0z" fill="none"/><path d="M13 3l0 7l6 0"/></svg>'
)


def test_svg_shapes_become_polylines_that_keep_their_corners_and_curves():
    (square,) = icons.strokes_of(SQUARE)
    for corner in [(2, 4), (12, 4), (12, 14), (2, 14)]:
        assert np.linalg.norm(square - corner, axis=1).min() < 1e-6, corner
    assert np.allclose(square[0], square[-1])  # closed
    (ring,) = icons.strokes_of(RING)
    assert np.allclose(np.linalg.norm(ring - 12, axis=1), 10, atol=1e-6)
    assert np.linalg.norm(np.diff(ring, axis=0), axis=1).max() <= icons.SPACING + 1e-6
    parts = icons.strokes_of(TWO)  # a path with two subpaths, then a line
    assert [(p[0].tolist(), p[-1].tolist()) for p in parts] == [
        ([2, 2], [6, 2]),
        ([9, 9], [12, 12]),
        ([0, 20], [20, 20]),
    ]


def test_shapes_that_draw_no_line_are_skipped_and_tags_count_as_words_of_the_name():
    (drawn,) = icons.strokes_of(FRAMED)  # the frame is not drawn
    assert drawn[0].tolist() == [13, 3] and drawn[-1].tolist() == [19, 10]
    assert icons._words("tabler:bolt-off", FRAMED) == {"bolt", "off", "energy", "power", "electricity", "storm"}
    assert icons._words("bell-ring", b"<svg/>") == {"bell", "ring"}
    assert icons._subject("tabler:bell-off") == icons._subject("bell") == "bell"


def test_a_lone_ring_and_a_straight_line_look_like_digits_and_a_square_or_two_strokes_do_not():
    assert icons._like_digit(icons.strokes_of(RING))
    assert icons._like_digit([np.array([[0.0, 0.0], [3.0, 10.0]])])
    assert not icons._like_digit(icons.strokes_of(SQUARE))
    assert not icons._like_digit(icons.strokes_of(RING) + icons.strokes_of(SQUARE))


def test_the_icons_are_lucides_pictures_less_those_that_draw_or_look_like_digits_or_show_held_out_objects():
    families = icons.icons()
    kept = {name: strokes for family in icons.LUCIDE_FAMILIES for name, strokes in families[family]}
    assert len(kept) > 1000
    assert {"heart", "house", "bell", "bike", "guitar"} <= set(kept)
    assert not {"circle", "minus", "slash", "egg"} & set(kept)  # a 0, two 1s, a 0
    assert not any(icons.DRAWS_DIGITS.search(name) for name in kept)  # clock-1, heading-2, binary, ...
    # The held-out objects' subjects (data/strokes.py) are drawn by no icon either.
    assert not {"fish", "cup-soda", "car", "umbrella", "cloud-rain", "zap", "mail"} & set(kept)
    assert not any(icons.OBJECT_SUBJECTS & set(name.split("-")) for name in kept)
    for name, strokes in kept.items():
        points = np.concatenate(strokes)
        assert np.ptp(points, axis=0).max() == pytest.approx(1.0), name
        assert points.min() >= -1e-9 and points.max() <= 1 + 1e-9, name


def test_a_fifth_of_the_subjects_is_held_out_with_all_their_variants():
    families = icons.icons()
    subjects = {family: {name.split("-")[0] for name, _ in families[family]} for family in icons.LUCIDE_FAMILIES}
    assert not subjects[icons.FAMILY] & subjects[icons.HELD_OUT]
    share = len(subjects[icons.HELD_OUT]) / len(subjects[icons.FAMILY] | subjects[icons.HELD_OUT])
    assert 0.19 <= share <= 0.21, share
    assert len(families[icons.HELD_OUT]) >= 150
    held = {name for name, _ in families[icons.HELD_OUT]}
    assert {"battery", "battery-full", "battery-low"} <= held  # a subject's variants stay together


def test_tablers_icons_show_subjects_no_trained_icon_shows_and_no_digits_or_held_out_objects():
    families = icons.icons()
    tabler = dict(icons.tabler())
    assert len(tabler) > 1500 and all(name.startswith("tabler:") for name in tabler)
    trained = {icons._subject(name) for name, _ in families[icons.FAMILY]}
    assert not {icons._subject(name) for name in tabler} & trained
    assert {"tabler:abacus", "tabler:accessible"} <= set(tabler)
    assert not any(icons.DRAWS_DIGITS.search(name) for name in tabler)
    for name, strokes in tabler.items():
        assert np.ptp(np.concatenate(strokes), axis=0).max() == pytest.approx(1.0), name


def test_tablers_digits_digit_like_letters_logos_rings_lines_and_held_out_objects_are_left_out():
    svgs = dict(icons._tabler())
    left_out = [
        *("tabler:circle-number-1", "tabler:numbers"),  # draw digits
        *("tabler:letter-o", "tabler:letter-i-small", "tabler:letter-s", "tabler:brand-opera"),  # 0, 1, 5, a ring
        *("tabler:circle", "tabler:point", "tabler:minus"),  # a 0, a 0, a 1
        # the held-out objects, named so or only tagged so (an ambulance is a car)
        *("tabler:bolt", "tabler:mug", "tabler:cloud-storm", "tabler:fish-bone", "tabler:ambulance"),
    ]
    kept = ["tabler:letter-b", "tabler:letter-z", "tabler:abacus", "tabler:heart", "tabler:home"]
    assert [name for name, _ in icons._kept([(n, svgs[n]) for n in left_out + kept], icons.TABLER_OBJECT_WORDS)] == kept


def test_an_icon_drawing_is_jittered_and_fixed_by_its_seed():
    first = [icons.drawing("icons", np.random.default_rng(4)) for _ in range(2)]
    assert first[0][0] == first[1][0]
    assert all(np.array_equal(a, b) for a, b in zip(first[0][1], first[1][1], strict=True))
    name, strokes = first[0]
    original = dict(icons.icons()[icons.FAMILY])[name]
    assert not np.array_equal(np.concatenate(strokes), np.concatenate(original))  # the hand moved
    assert icons.drawing(icons.HELD_OUT, np.random.default_rng(4))[0] in dict(icons.icons()[icons.HELD_OUT])
    with pytest.raises(ValueError, match="icons"):
        icons.drawing("objects", np.random.default_rng(0))
