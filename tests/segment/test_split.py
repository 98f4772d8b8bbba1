"""Touching digits are split where the classifier is surest; single digits stay whole."""

import numpy as np
import pytest

from digitkit.data.numbers import written_number
from digitkit.runtime import load_model
from digitkit.runtime.model import softmax
from digitkit.segment import find_digits
from digitkit.segment.split import MIN_PIECE_SCORE, best_split, options


@pytest.fixture(scope="module")
def score():
    model = load_model("default")
    return lambda crops: softmax(model.predict_logits(crops))


def read(canvas, score):
    segments = best_split(find_digits(canvas), score)
    return "".join(str(int(p.argmax())) for p in score(np.stack([s.image for s in segments])))


def test_touching_digits_are_split_and_read(mnist_test, score):
    images, labels = mnist_test
    right = 0
    for start in range(0, 60, 3):
        canvas = written_number(images[start : start + 3])
        right += read(canvas, score) == "".join(map(str, labels[start : start + 3]))
    assert right >= 11  # of 20 (12 with the earlier default); without splitting almost none is read right


def test_separate_digits_are_not_split(mnist_test, score):
    images, labels = mnist_test
    for start in range(0, 30, 3):
        canvas = written_number(images[start : start + 3], advance=1.4)
        assert len(best_split(find_digits(canvas), score)) == len(find_digits(canvas))


def test_a_narrow_group_has_no_split_options(mnist_test):
    images, labels = mnist_test
    assert labels[2] == 1
    (segment,) = find_digits(written_number([images[2]]))  # a 1
    assert segment.box[2] < segment.box[3] and options(segment) == []


def test_a_cut_with_a_piece_the_page_would_reject_is_no_option(mnist_test):
    """With trust_cuts a cut is taken only while each of its pieces scores MIN_PIECE_SCORE (a piece the page
    would reject means the cut went through a letter); below that the group stays whole."""
    images, _ = mnist_test
    (group,) = find_digits(written_number(images[:2], advance=0.8))
    assert options(group)

    def scorer(piece_score: float):
        def score(crops):
            out = np.zeros((len(crops), 10), np.float32)
            out[:, 3] = piece_score
            out[0, 3] = 0.2  # the whole group comes first: less sure than any piece
            return out

        return score

    assert len(best_split([group], scorer(MIN_PIECE_SCORE), trust_cuts=True)) >= 2
    assert best_split([group], scorer(MIN_PIECE_SCORE - 0.01), trust_cuts=True) == [group]
    # The page's cuts between strokes ask less of each piece where the groups model vetoes cuts through letters.
    assert len(best_split([group], scorer(0.25), trust_cuts=True, min_piece_score=0.2)) >= 2
    assert best_split([group], scorer(0.15), trust_cuts=True, min_piece_score=0.2) == [group]
