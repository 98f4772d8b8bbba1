"""The groups model: its data (the page's own crops, no held-out family), its training path, and its veto on the
page's cuts between strokes."""

import dataclasses
import functools

import numpy as np
import pytest

from cut_veto import read
from digitkit.data import groups, hershey, icons, sources
from digitkit.data import strokes as own
from digitkit.data.groups import CANVAS, PEN, group_set
from digitkit.errors import ConfigError
from digitkit.runtime import load_model
from digitkit.serve.web.recognise import segmented
from digitkit.tasks import GROUPS
from digitkit.train import pipeline
from digitkit.train.recipe import load_recipe
from helpers import CUT_GREEK, greek_letter


def test_the_groups_data_draws_only_what_the_benchmarks_do_not_measure_with(monkeypatch):
    """Several digits are digitkit's stroke digits; one drawing comes from Hershey's Latin letters, Lucide's trained
    icons and digitkit's trained families. Hershey's digits, Greek, Japanese and symbols, the held-out icons and
    digitkit's objects stay out."""
    asked: list[tuple[str, str]] = []

    def recording(source, draw):
        def drawing(family, rng):
            asked.append((source, family))
            return draw(family, rng)

        return drawing

    monkeypatch.setattr(groups.hershey, "drawing", recording("hershey", hershey.drawing))
    monkeypatch.setattr(groups.own, "drawing", recording("digitkit", own.drawing))
    monkeypatch.setattr(groups.icons, "drawing", recording("lucide", icons.drawing))
    images, labels = group_set(40, seed=3)
    assert images.shape == (80, 28, 28) and images.dtype == np.uint8 and labels.tolist().count(1) == 40
    assert {family for source, family in asked if source == "hershey"} == {"latin"}
    assert {family for source, family in asked if source == "lucide"} == {icons.FAMILY}
    drawn = {family for source, family in asked if source == "digitkit"}
    assert "digits" in drawn and own.HELD_OUT not in drawn and drawn <= {"digits", *own.TRAINED}
    assert np.array_equal(group_set(40, seed=3)[0], images)  # a seed draws the same groups again


def test_the_several_digits_groups_are_the_pages_own_crops_of_numbers_it_would_cut():
    rng = np.random.default_rng(0)
    crops = groups.several_digits(6, rng)
    assert len(crops) == 6 and all(c.shape == (28, 28) and c.dtype == np.float32 for c in crops)
    wide = [c for c in crops if (c > 0.5).any(axis=0).sum() > (c > 0.5).any(axis=1).sum()]
    assert len(wide) >= 4  # several digits side by side: wider than tall, mostly


def test_peoples_touching_digits_are_groups_of_two_or_more_mnist_digits(mnist_test):
    """MNIST digits written touching with the page's pen: each crop holds two or three of them (wider than one
    digit), and group_set makes half its several-digit groups of them when it is given digits."""
    digits = mnist_test[0][:200]
    crops = groups.people_touching(8, digits, np.random.default_rng(0))
    assert len(crops) == 8 and all(c.shape == (28, 28) for c in crops)
    ink = [c > 0.5 for c in crops]
    aspects = [i.any(axis=0).sum() / i.any(axis=1).sum() for i in ink]
    assert np.mean(aspects) > 1.0  # several digits side by side: wider than one MNIST digit (0.72 on average)
    plain = group_set(4, seed=3)
    with_people = group_set(4, seed=3, people=digits)
    assert with_people[0].shape == plain[0].shape and not np.array_equal(with_people[0], plain[0])


def test_drawings_traced_as_peoples_digits_are_still_one_drawing_each():
    """One drawing, drawn small and traced with the page's pen as people's digits are: the page's groups of it,
    28x28 crops with ink, as many as asked."""
    crops = groups.one_drawing(6, np.random.default_rng(1), traced_share=1.0)
    assert len(crops) == 6 and all(c.shape == (28, 28) and (c > 0.5).sum() > 20 for c in crops)
    found, scale, left = groups.traced_groups(np.pad(np.full((20, 4), 255, np.uint8), 4), np.random.default_rng(0))
    assert len(found) == 1 and found[0].box[0] <= left + scale * 6 <= found[0].box[0] + found[0].box[2]


class OneAnswer:
    """A stand-in groups model that gives every group probability ``p`` of being one drawing."""

    def __init__(self, p: float):
        self.logit = float(np.log(p / (1 - p)))

    def predict_logits(self, crops: np.ndarray) -> np.ndarray:
        return np.tile(np.float32([0.0, self.logit]), (len(crops), 1))


def test_a_group_taken_for_one_drawing_is_not_cut_between_strokes():
    model, detector = load_model("default"), load_model("detector")
    rng = np.random.default_rng(5)
    digits = [own.drawing("digits", rng)[1] for _ in range(3)]
    strokes = own.number_strokes(digits, 0.6, 230, CANVAS)
    canvas = own.on_canvas(strokes, CANVAS[::-1], PEN)
    sent = [(PEN, [tuple(p) for p in s]) for s in strokes]
    assert len(segmented(canvas, model, detector, sent)) == 3  # touching: one group, cut in three
    assert len(segmented(canvas, model, detector, sent, OneAnswer(0.5))) == 3  # type: ignore[arg-type]
    assert len(segmented(canvas, model, detector, sent, OneAnswer(0.95))) == 1  # type: ignore[arg-type]
    assert len(segmented(canvas, model, detector, None, OneAnswer(0.95))) == 3  # type: ignore[arg-type]


def test_the_groups_recipe_trains_and_reports_both_rates(tmp_path, monkeypatch, cli):
    monkeypatch.setattr(sources, "GROUPS_TRAIN", 60)
    monkeypatch.setattr(sources, "GROUPS_VALID", 30)
    recipe = dataclasses.replace(load_recipe("groups"), epochs=1)
    result = pipeline.run_recipe(recipe, cache=tmp_path / "cache", run_dir=tmp_path / "run", progress=False)
    assert result.export.meta.task == GROUPS.name and result.export.meta.classes == list(GROUPS.classes)
    assert set(result.export.meta.metrics) >= {"several_cut", "one_drawing_kept"}
    assert load_model(result.export.path).predict_logits(np.zeros((3, 28, 28), np.float32)).shape == (3, 2)
    with pytest.raises(ConfigError, match="trains on its own data"):
        sources.training_sets("mnist-train", GROUPS, tmp_path)
    done = cli("size-report", result.export.path)  # the figures stored in the artifact
    assert done.returncode == 0 and "says whether to cut a group between strokes" in done.stdout, done.stderr
    done = cli("evaluate", result.export.path, "--data", "mnist-test")
    assert done.returncode == 2 and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert f"digitkit size-report --measure {result.export.path}" in done.stderr


def test_the_service_loads_the_shipped_groups_model_beside_the_detector():
    from digitkit.serve.state import shipped_helpers
    from digitkit.tasks import DETECTOR

    detector, groups_model = shipped_helpers(DETECTOR, GROUPS)
    assert groups_model is not None and groups_model.meta.task == GROUPS.name
    assert detector is not None and detector.meta.task == DETECTOR.name


@functools.cache
def shipped_model(name: str):
    """A shipped model, loaded once for the module's many in-process answers."""
    return load_model(name)


def answered(strokes: list[np.ndarray], groups_model) -> str:
    """The page's answer, worked out in-process (benchmarks/cut_veto.read): a digit or "?" per piece."""
    return read(strokes, shipped_model("default"), shipped_model("detector"), groups_model)


def test_with_a_groups_model_a_doubted_script_digit_no_longer_keeps_a_touching_number_whole():
    """Hershey's touching numbers (writing no recipe learned from): with a groups model to veto letters, a cut
    between strokes needs 0.2 of each piece instead of 0.4, so a number with one digit the detector doubts is cut
    and read. The stand-in never vetoes: this is the gate's own effect."""
    rng = np.random.default_rng(4)
    with_groups = without = 0
    for _ in range(40):
        drawn = [hershey.drawing("digits", rng) for _ in range(3)]
        strokes = own.number_strokes([s for _, s in drawn], 0.6, 230, CANVAS)
        want = "".join(name for name, _ in drawn)
        with_groups += answered(strokes, OneAnswer(0.5)) == want
        without += answered(strokes, None) == want
    assert with_groups >= without + 1 and with_groups >= 33, (with_groups, without)  # measured: 36 and 34


def test_greek_letters_cut_into_digits_without_the_groups_model_are_fewer_with_it():
    """Outside writing no recipe learned from (Hershey's Greek): without the veto every one of these comes back as
    two digits; with the shipped model at recognise.ONE_DRAWING the surest of them are judged whole and turned down
    (2 of the 5, the Pi among them, in session 30)."""
    shipped = load_model("groups")
    without = [answered(greek_letter(*glyph), None) for glyph in CUT_GREEK]
    with_veto = [answered(greek_letter(*glyph), shipped) for glyph in CUT_GREEK]
    assert all(len(a.replace("?", "")) >= 2 for a in without), without
    assert sum(not a.replace("?", "") for a in with_veto) >= 2, with_veto


def test_touching_numbers_are_still_cut_with_the_shipped_groups_model():
    model, detector, shipped = load_model("default"), load_model("detector"), load_model("groups")
    rng = np.random.default_rng(7)
    cut = whole = 0
    for _ in range(20):
        digits = [own.drawing("digits", rng)[1] for _ in range(3)]
        strokes = own.number_strokes(digits, 0.6, 230, CANVAS)
        canvas = own.on_canvas(strokes, CANVAS[::-1], PEN)
        sent = [(PEN, [tuple(p) for p in s]) for s in strokes]
        cut += len(segmented(canvas, model, detector, sent, shipped)) == 3
        whole += len(segmented(canvas, model, detector, sent)) == 3
    assert cut >= whole - 1, (cut, whole)


def test_the_shipped_groups_model_keeps_every_hand_drawn_touching_170_the_page_can_cut():
    """tests/serve/test_web.py's 170 drawn by hand and 29 variants (benchmarks/cut_veto.hand_drawn_170s): plain digits
    written close, as a mouse draws them, which no generator drew and which session 29's groups model took for one
    drawing (median 0.97). The page reads some of them without any groups model (the others it cannot cut: a 7
    whose bar starts over the 1 holds the 1's centre, as a 4's stem is held; segment/strokes.side_by_side); the
    shipped model vetoes none of those."""
    from cut_veto import hand_drawn_170s

    drawn = hand_drawn_170s()
    read_without = [answered(strokes, None) == want for strokes, want in drawn]
    read_with = [answered(strokes, shipped_model("groups")) == want for strokes, want in drawn]
    assert sum(read_without) >= 14 and read_with == read_without, (sum(read_without), sum(read_with))
