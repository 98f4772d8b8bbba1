"""The drawing page against drawings digitkit did not make: Hershey glyphs (data/hershey.py) and line icons
(data/icons.py) drawn with the page's pen and posted with their strokes to a running server, as
benchmarks/drawing_browser.py --without-browser does; and people's Quick, Draw! drawings (data/quickdraw.py)
and the handwriting fonts' digits and letters (data/handwriting.py) and other scripts' letters (data/scripts.py),
traced with the page's pen and posted as images, as benchmarks/reject_curve.py draws them."""

import numpy as np
import pytest

from digitkit.data import handwriting, hershey, icons, quickdraw, scripts
from digitkit.data.strokes import jittered, placed
from digitkit.segment.reject import MIN_CONFIDENCE
from drawing_browser import CanvasOnly, raster_at_random  # benchmarks/: the canvas benchmark's page and layout


@pytest.fixture(scope="module")
def canvas(page_server):
    """The page's canvas, drawn on and posted with its strokes to the running server."""
    return CanvasOnly(int(page_server.url.rsplit(":", 1)[1]))


@pytest.fixture(scope="module")
def page(canvas):
    """Draw unit-box strokes on the page's canvas: the labels it answers, None for each non-digit."""

    def read(strokes: list[np.ndarray]) -> list[int | None]:
        answer, _ = canvas.draw(strokes)
        return [item["label"] for item in answer["digits"]]

    return read


def _drawn(family: str, count: int, seed: int, drawing=hershey.drawing):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        name, strokes = drawing(family, rng)
        width, height = CanvasOnly.canvas
        size = float(rng.uniform(0.4, 0.8)) * height
        yield name, placed(strokes, float(rng.uniform(0.05 * width, 0.95 * width - size)), (height - size) / 2, size)


def test_the_page_reads_digits_from_the_hershey_fonts(page):
    right = sum(page(strokes) == [int(name)] for name, strokes in _drawn("digits", 60, 11))
    # drawing_browser.py --strokes hershey (seed 0): 284 of 300 read right, 9 rejected, most of them 6s, whose top
    # curls over as few MNIST 6s do (before the default's third stage: 276 and 15).
    assert right >= 54, right  # 59 of these 60 (58 before the third stage)


def test_the_page_reads_the_hershey_fonts_printed_6s(page):
    """A printed 6 curls its top over, as few MNIST 6s do: before the default's third stage learned the print
    faces' digits (data/typeset.py; Hershey's glyphs are not among them), the page threw away a quarter of
    Hershey's 6s (roman and script), read 0.35-0.45 sure."""
    sixes = [strokes for _, char, strokes in hershey.glyphs()["digits"] if char == "6"]
    rng = np.random.default_rng(3)
    width, height = CanvasOnly.canvas
    right = 0
    for index in range(40):
        size = float(rng.uniform(0.4, 0.8)) * height
        strokes = jittered(sixes[index % len(sixes)], rng)
        left = float(rng.uniform(0.05 * width, 0.95 * width - size))
        right += page(placed(strokes, left, (height - size) / 2, size)) == [6]
    assert right >= 33, right  # 36 of these 40 with the third stage, 29 before it (the same detector)


def _one_roman(family: str, char: str, seed: int) -> list[np.ndarray]:
    """Hershey's roman ``char`` jittered with ``seed``, 240 pixels tall with its box's corner at (300, 90)."""
    glyph = next(strokes for font, c, strokes in hershey.glyphs()[family] if (font, c) == ("rowmans", char))
    return placed(jittered(glyph, np.random.default_rng(seed)), 300, 90, 240)


def test_a_roman_6_the_detector_is_sure_of_is_an_unsure_6_not_no_digit(canvas):
    """The classifier is split on these two roman 6s (0.40 sure: 6, 0 or 8), the detector sure they are digits
    (0.005 and 0.036 "not a digit"): whether ink is a digit is the detector's question, so the page answers an
    unsure 6, which it marks and offers with its alternatives, instead of "not a digit" with nothing offered."""
    for seed in (12, 37):
        answer, _ = canvas.draw(_one_roman("digits", "6", seed))
        (digit,) = answer["digits"]
        assert digit["label"] == 6 and digit["confidence"] < MIN_CONFIDENCE, (seed, digit)


def test_a_hershey_v_is_no_digit_not_two_ones(page):
    """Hershey's roman V is two straight strokes that stand side by side as two 1s would. Drawn 240 pixels tall
    and jittered with these 13 seeds, the page cut 11 of them into "11" before it compared the strokes' slants
    (segment/strokes.splayed); two 1s written by one hand lean the same way."""
    answers = [page(_one_roman("latin", "V", seed)) for seed in range(2, 15)]
    assert all(label is None for labels in answers for label in labels), answers


@pytest.mark.parametrize(
    ("family", "least"),
    # Of these 40 (with the session-15 detector, before icons joined training; the session-13 one, before the Latin
    # letters did): Latin 39 (39; 29), Greek 29 (29; 25), Japanese 30 (29; 30), symbols 31 (30; 29).
    [("latin", 35), ("greek", 24), ("japanese", 23), ("symbols", 24)],
)
def test_the_page_rejects_most_hershey_glyphs_as_no_digit(page, family, least):
    rejected = sum(all(label is None for label in page(strokes)) for _, strokes in _drawn(family, 40, 5))
    # drawing_browser.py --strokes hershey (seed 0, 100 a family): the held-out families 70-76% rejected, the
    # Latin letters (which the detector trained on) 92%; the misses are mostly glyphs a person writes like a digit
    # (a script c as 0, a Greek h or a katakana as 7; a V as 11 before segment/strokes.splayed).
    assert rejected >= least, (family, rejected)


@pytest.mark.parametrize(
    ("family", "least"),
    # Of these 40, with this detector: Lucide's held-out fifth 37 (37 with the session-15 one, which trained on no
    # icon), Tabler's 39. drawing_browser.py --strokes icons (seed 0, 200 a family): 90.5% (85.5%) and 94.5%.
    [(icons.HELD_OUT, 32), (icons.TABLER, 34)],
)
def test_the_page_rejects_most_icons_it_never_saw_as_no_digit(page, family, least):
    """Line pictures by other hands, of things no training icon shows: Lucide's icons of the held-out fifth of
    subjects (a battery, a beer, binoculars, ...), and Tabler's of subjects no trained icon has, from a library
    no recipe reads (an abacus, a wheelchair, a sliders panel, ...)."""
    drawn = _drawn(family, 40, 5, icons.drawing)
    rejected = sum(all(label is None for label in page(strokes)) for _, strokes in drawn)
    assert rejected >= least, (family, rejected)


@pytest.mark.parametrize(
    ("family", "part", "least"),
    # Of these 60: 46 and 55 with column cuts scored by the detector too; 42 and 49 when the classifier alone
    # scored them (session 20's page, the same detector).
    [(quickdraw.HELD_OUT, "all", 43), (quickdraw.FAMILY, "valid", 51)],
)
def test_the_page_rejects_most_things_people_drew(page_server, mnist_cache, family, part, least):
    """Quick, Draw!'s drawings, sent as images (they come without strokes): of the held-out subjects (an airplane,
    an ant, a snail, a face, ...) and of the others. No shipped detector trained on any of them."""
    images, _ = quickdraw.images_of(mnist_cache, family, part)
    rng = np.random.default_rng(7)
    read = [_read_image(page_server, image, rng) for image in images[rng.choice(len(images), 60, replace=False)]]
    rejected = sum(all(label is None for label in labels) for labels in read)
    assert rejected >= least, (family, rejected)


def test_the_page_reads_digits_and_rejects_letters_written_in_30_other_hands(page_server, mnist_cache):
    """The handwriting fonts' digits and letters (data/handwriting.py), traced with the page's pen and sent as
    images: writing by type designers, not by digitkit's generators; no recipe trains on either."""
    rng = np.random.default_rng(8)
    digits = handwriting.written(mnist_cache, digits=True)
    right = sum(_read_image(page_server, ink, rng) == [int(name)] for name, ink in digits[::5])
    letters = handwriting.written(mnist_cache, digits=False)
    rejected = sum(
        all(label is None for label in _read_image(page_server, ink, rng))
        for _, ink in (letters[int(i)] for i in rng.choice(len(letters), 60, replace=False))
    )
    # Of these 60 digits and 60 letters: 57 read right and 50 rejected (benchmarks/reject_curve.py, all 300
    # digits and 300 of the letters: 1.0% of the digits lost, 82.7% of the letters rejected).
    assert right >= 53 and rejected >= 45, (right, rejected)


def test_the_page_rejects_most_letters_of_other_scripts(page_server, mnist_cache):
    rng = np.random.default_rng(6)
    letters = scripts.written(mnist_cache)
    rejected = [
        name
        for name, ink in (letters[int(i)] for i in rng.choice(len(letters), 40, replace=False))
        if all(label is None for label in _read_image(page_server, ink, rng))
    ]
    # Here 34 of the 40 (benchmarks/reject_curve.py, all 504 letters: 81.9% rejected; Arabic's 60% the fewest)
    assert len(rejected) >= 28, rejected
    # the widest letter fits on the canvas: drawn less than 40% of the canvas tall if need be
    name, widest = max(letters, key=lambda letter: letter[1].shape[1] / letter[1].shape[0])
    ink = raster_at_random(widest, CanvasOnly.canvas, rng, CanvasOnly.pen) < 128
    columns = np.flatnonzero(ink.any(axis=0))
    assert widest.shape[1] > 2 * widest.shape[0] and columns[-1] - columns[0] > 0.8 * CanvasOnly.canvas[0], name


def _read_image(server, image: np.ndarray, rng: np.random.Generator) -> list[int | None]:
    """Trace a raster drawing with the page's pen at a random place on its canvas, post it without strokes (as an
    upload), and return the labels the page answers (None for each non-digit)."""
    page = CanvasOnly(int(server.url.rsplit(":", 1)[1]))
    answer, _ = page.post(raster_at_random(image, CanvasOnly.canvas, rng, CanvasOnly.pen))
    return [item["label"] for item in answer["digits"]]
