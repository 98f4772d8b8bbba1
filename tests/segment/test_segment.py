import numpy as np
import pytest

from digitkit.segment import find_digits, judge
from digitkit.segment.reject import SURELY_A_DIGIT
from helpers import canvas as make_canvas


def test_digits_come_back_left_to_right_with_boxes(mnist_test):
    images, labels = mnist_test
    segments = find_digits(make_canvas(images[:3], scale=[2, 3, 2], size=(140, 400), gap=10))
    assert len(segments) == 3
    xs = [s.box[0] for s in segments]
    assert xs == sorted(xs)
    assert all(s.image.shape == (28, 28) for s in segments)


def test_strokes_of_one_digit_that_do_not_touch_are_merged():
    canvas = np.zeros((100, 100), np.uint8)
    canvas[10:60, 30:34] = 255  # the left stroke of a 4
    canvas[40:44, 30:70] = 255  # the bar, touching the left stroke
    canvas[5:95, 60:64] = 255  # the right stroke
    canvas[40:44, 55:60] = 0  # a gap: the bar does not reach the right stroke
    segments = find_digits(canvas)
    assert len(segments) == 1


def test_blank_canvas_has_no_digits():
    assert find_digits(np.full((200, 300), 255, np.uint8)) == []


def test_specks_are_ignored(mnist_test):
    canvas = make_canvas([mnist_test[0][0]], scale=3, size=(140, 400), gap=10, invert=False)
    canvas[130, 300] = 255
    assert len(find_digits(canvas)) == 1


@pytest.mark.parametrize(
    ("box", "fill", "confident", "reason"),
    [
        ((0, 0, 100, 20), 0.2, True, "wider"),
        ((0, 0, 5, 10), 0.2, True, "too small"),
        ((0, 0, 20, 60), 0.95, True, "a filled shape"),
        ((0, 0, 20, 60), 0.2, False, "not confident"),
    ],
)
def test_judge_rejects_what_no_digit_looks_like(box, fill, confident, reason):
    image = np.zeros((28, 28), np.float32)
    image.flat[: int(fill * 784)] = 1.0
    probabilities = np.full(10, 0.02)
    probabilities[3] = 0.82 if confident else 0.3
    verdict = judge(probabilities, box, image, tallest=60)
    assert not verdict.is_digit and reason in verdict.reason


def test_an_unsure_reading_is_no_digit_only_when_the_detector_doubts_it_too():
    """Which digit is the classifier's question, whether it is one the detector's: a crop the detector is sure of
    stays a digit (the page marks it unsure, its two likeliest digits one tap away), however split the classifier."""
    y, x = np.mgrid[:28, :28]
    ring = (np.abs(((x - 14) / 6) ** 2 + ((y - 14) / 10) ** 2 - 0.8) < 0.25).astype(np.float32)  # an oval: a 0
    split = np.full(10, 0.02)
    split[[0, 6, 8]] = [0.35, 0.3, 0.19]
    assert judge(split, (0, 0, 12, 20), ring, 20, other=SURELY_A_DIGIT).is_digit
    for doubt in (None, 0.06, 0.5):
        assert judge(split, (0, 0, 12, 20), ring, 20, other=doubt).reason == "the model is not confident it is a digit"
    assert judge(split, (0, 0, 12, 20), ring, 20, other=0.9).reason == "looks like no digit"


def test_grids_and_boxes_are_rejected_but_an_eight_is_not():
    grid = np.zeros((28, 28), np.float32)
    for k in (4, 9, 14, 19, 24):
        grid[4:25, k] = grid[k, 4:25] = 1.0
    box = np.zeros((28, 28), np.float32)
    box[4:24, 6:22] = 1.0
    box[6:22, 8:20] = 0.0
    confident = np.full(10, 0.01)
    confident[0] = 0.91
    assert judge(confident, (0, 0, 20, 20), grid, 20).reason == "more loops than any digit"
    assert judge(confident, (0, 0, 16, 20), box, 20).reason == "a box, not a digit"
    eight = np.zeros((28, 28), np.float32)
    for top in (4, 14):
        eight[top : top + 10, 9:19] = 1.0
        eight[top + 2 : top + 8, 11:17] = 0.0
    assert judge(confident, (0, 0, 10, 20), eight, 20).is_digit


def test_judge_accepts_a_confident_digit_shape(mnist_test):
    from digitkit.preprocess import normalize

    probabilities = np.full(10, 0.01)
    probabilities[7] = 0.91
    assert judge(probabilities, (0, 0, 40, 56), normalize(mnist_test[0][0]), tallest=56).is_digit
