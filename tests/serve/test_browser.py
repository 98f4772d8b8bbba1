"""The drawing page in real Chromium (Debian's, driven by playwright; no browser download)."""

from pathlib import Path

import numpy as np
import pytest

from _common import CHROMIUM, CHROMIUM_ARGS  # benchmarks/_common.py: one Chromium path and flag list
from helpers import TOUCHING_170

SHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: apt-get install chromium")


@pytest.fixture
def page(page_server, request):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 800, "height": 1000})
        tab.goto(f"{page_server.url}/")
        yield tab
        report = getattr(request.node, "rep_call", None)
        if report is None or report.failed:
            SHOTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(SHOTS / f"{request.node.name}.png"))
        browser.close()


def stroke(page, points):
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
    page.mouse.up()


ONE = [(100, 40), (100, 240)]
SEVEN = [(200, 50), (300, 50), (230, 240)]
ZERO = [(420, 50), (380, 90), (370, 150), (385, 220), (420, 240), (455, 220), (470, 150), (460, 90), (420, 50)]


def wait_for_number(page, expected):
    page.wait_for_function(f"document.getElementById('number').textContent === {expected!r}", timeout=10_000)


def test_a_drawn_one_is_recognised(page):
    stroke(page, ONE)
    wait_for_number(page, "1")
    assert page.locator("#status").inner_text() == "1 digit"
    assert page.locator(".digit .bar").count() == 10


def test_three_digits_read_as_a_number_and_undo_clear_work(page):
    for points in (ONE, SEVEN, ZERO):
        stroke(page, points)
    wait_for_number(page, "170")
    page.click("#undo")
    wait_for_number(page, "17")
    page.click("#clear")
    wait_for_number(page, "–")


def test_a_correction_reaches_the_review_page(page, page_server):
    stroke(page, ONE)
    stroke(page, SEVEN)
    wait_for_number(page, "17")
    page.locator("select[name=label]").nth(1).select_option("4")
    page.click("#send")
    page.wait_for_function("document.getElementById('sent').textContent.includes('saved')", timeout=10_000)
    page.goto(f"{page_server.url}/review")
    page.fill("#token-form input", "wrong-token")  # the page asks for the admin token once per tab
    page.click("#token-form button")
    page.wait_for_function(
        "document.querySelector('#token-form .reason').textContent.includes('admin token')", timeout=10_000
    )
    page.fill("#token-form input", page_server.admin_token)
    page.click("#token-form button")
    page.wait_for_selector(".sample .crop.disagrees", timeout=10_000)
    corrected = page.locator(".crop.disagrees")
    assert "model: 7" in corrected.inner_text()
    assert corrected.locator("select").input_value() == "4"
    # The review page starts a fine-tune on this feedback as a job, shows its progress and can cancel it.
    page.click("#start-job")
    page.wait_for_function("document.getElementById('job-status').textContent.includes('running')", timeout=20_000)
    assert page.locator("#start-job").is_disabled()
    page.click("#cancel-job")
    page.wait_for_function("document.getElementById('job-status').textContent.includes('cancelled')", timeout=20_000)
    assert page.locator("#start-job").is_enabled()
    # Delete asks first, then can be undone for a few seconds.
    sample = page.locator(".sample").first
    sample.locator(".delete").click()
    assert "Really delete" in sample.locator(".delete").inner_text()
    sample.locator(".delete").click()
    sample.locator(".undo-delete").click()
    assert sample.locator(".content").is_visible() and "Delete drawing" in sample.locator(".delete").inner_text()
    sample.locator(".delete").click()
    sample.locator(".delete").click()
    page.wait_for_function("document.querySelectorAll('.sample').length === 0", timeout=15_000)


def fake_answer(page, digits):
    """Answer /api/v1/draw with ``digits`` (the page's display is what is tested, not the model)."""
    number = "".join("?" if d["label"] is None else str(d["label"]) for d in digits)
    page.route("**/api/v1/draw", lambda route: route.fulfill(json={"number": number, "digits": digits, "model": "x"}))


def test_an_unsure_digit_is_marked_with_two_alternatives_and_a_confirm(page):
    unsure = [0.01] * 10
    unsure[7], unsure[1] = 0.46, 0.44
    fake_answer(
        page,
        [
            {"box": [40, 40, 60, 150], "label": 7, "confidence": 0.46, "probabilities": unsure, "reason": None},
            {"box": [200, 40, 60, 150], "label": None, "confidence": 0.3, "probabilities": [0.1] * 10, "reason": "x"},
        ],
    )
    stroke(page, ONE)
    page.wait_for_selector(".digit.unsure")
    assert page.locator("#status").inner_text() == "1 digit, 1 not a digit"  # the rejected item is not counted
    assert page.locator(".unsure-tag").count() == 1
    # a "not a digit" the classifier reads only 30% sure offers no digits
    assert [b.inner_text().split()[0] for b in page.locator(".choose").all()] == ["7", "1"]
    page.locator(".choose").nth(1).click()
    assert page.locator(".digit select").first.input_value() == "1"
    assert page.locator(".digit.confirmed").count() == 1 and page.locator(".digit.unsure").count() == 0
    assert page.locator("#send").is_enabled()


def test_a_rejected_piece_the_classifier_reads_offers_its_digits(page):
    """A script 9 the detector calls no digit, read 94% sure as a 9: one tap makes it a 9 to send."""
    reading = [0.0] * 10
    reading[9], reading[8] = 0.94, 0.04
    fake_answer(
        page,
        [{"box": [40, 40, 60, 150], "label": None, "confidence": 0.94, "probabilities": reading, "reason": "x"}],
    )
    stroke(page, ONE)
    page.wait_for_selector(".choices")
    assert "a digit after all?" in page.locator(".choices").inner_text()
    assert [b.inner_text().split()[0] for b in page.locator(".choose").all()] == ["9", "8"]
    assert page.locator(".confirm").count() == 0  # leaving it "not a digit" needs no tap
    page.locator(".choose").first.click()
    assert page.locator(".digit select").first.input_value() == "9"
    assert page.locator(".digit.confirmed").count() == 1 and page.locator(".choices").count() == 0


def test_keyboard_undo_redo_and_escape(page):
    stroke(page, ONE)
    stroke(page, SEVEN)
    wait_for_number(page, "17")
    page.keyboard.press("Control+z")
    wait_for_number(page, "1")
    page.keyboard.press("Control+Shift+z")
    wait_for_number(page, "17")
    page.keyboard.press("Escape")
    wait_for_number(page, "–")
    page.click("#redo")
    wait_for_number(page, "1")


def test_send_works_again_after_a_label_changes(page):
    stroke(page, ONE)
    wait_for_number(page, "1")
    page.click("#send")
    page.wait_for_function("document.getElementById('sent').textContent.includes('saved')", timeout=10_000)
    assert page.locator("#send").is_disabled()
    page.locator("select[name=label]").first.select_option("7")
    assert page.locator("#send").is_enabled()
    page.click("#send")
    page.wait_for_function("document.getElementById('sent').textContent.includes('saved')", timeout=10_000)


def test_ink_too_small_for_the_pen_gets_a_hint(page):
    stroke(page, [(100, 100), (100, 125)])  # a 25-pixel "1" with the default 20-pixel pen
    page.wait_for_function("document.getElementById('status').textContent.includes('draw bigger')", timeout=10_000)


def _luminance(rgb):
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_small_text_has_a_contrast_of_at_least_4_5(page):
    stroke(page, ONE)
    wait_for_number(page, "1")
    pairs = page.evaluate(
        """() => [...document.querySelectorAll('.bar em, #status, .hint')].map((el) => {
          let back = el; let bg = getComputedStyle(back).backgroundColor;
          while (bg === 'rgba(0, 0, 0, 0)' && back.parentElement) {
            back = back.parentElement;
            bg = getComputedStyle(back).backgroundColor;
          }
          return [getComputedStyle(el).color, bg];
        })"""
    )
    for color, background in pairs:
        fore, back = (
            _luminance([int(v) for v in c[c.index("(") + 1 : c.index(")")].split(",")[:3]]) for c in (color, background)
        )
        ratio = (max(fore, back) + 0.05) / (min(fore, back) + 0.05)
        assert ratio >= 4.5, (color, background, ratio)


def draw_and_answer(page, strokes):
    """Clear, draw ``strokes`` (canvas pixels) with the mouse, and return the server's answer to the last lift."""
    requests = []

    def sent(request):
        if "/api/v1/draw" in request.url:
            requests.append(request)

    page.on("request", sent)
    page.keyboard.press("Escape")
    box = page.locator("#pad").bounding_box()
    scale = box["width"] / page.evaluate("document.getElementById('pad').width")
    for points in strokes:
        screen = [(box["x"] + x * scale, box["y"] + y * scale) for x, y in points]
        page.mouse.move(*screen[0])
        page.mouse.down()
        for point in screen[1:]:
            page.mouse.move(*point, steps=3)
        sent_before = len(requests)
        page.mouse.up()
    last = page.wait_for_event(
        "requestfinished", predicate=lambda request: request in requests[sent_before:], timeout=15_000
    )
    page.remove_listener("request", sent)
    return last.response().json()


# The drawings the issue found read as digits (A->4, B->8, H->4, Z->2, G->6, T->7, Y->4, L->2, a smiley and a
# heart -> 0, a plus -> 4, a stick figure -> 8), as pen strokes from digitkit.data.strokes, and an umbrella of the
# held-out family, which the detector never trained on.
NOT_DIGITS = [("letters", n) for n in "ABHZGTYL"] + [("symbols", n) for n in ("smiley", "heart", "plus")]
NOT_DIGITS += [("pictures", "stick figure"), ("objects", "umbrella")]


def test_letters_symbols_a_stick_figure_and_an_umbrella_drawn_are_not_digits(page):
    from digitkit.data.strokes import FIXED

    read_as_digits = []
    for family, name in NOT_DIGITS:
        strokes = [np.asarray(s) * 220 + (170, 60) for s in FIXED[family][name]]
        answer = draw_and_answer(page, strokes)
        if any(item["label"] is not None for item in answer["digits"]):
            read_as_digits.append(f"{name} -> {answer['number']}")
        else:  # the page says so, and counts no digit
            page.wait_for_function("document.getElementById('status').textContent.startsWith('0 digits')")
            assert "not a digit" in page.locator("#status").inner_text()
    # A regression guard, not the goal: with the session-13 and session-15 detectors none of these 13 passes as a
    # digit (the session-13 one with the default before session 14 let the held-out umbrella through as 9; the
    # detector before session 12 the stick figure, then held out, as 7; the one before that Z -> 2, G -> 0,
    # plus -> 1); benchmarks/drawing_browser.py measures the rate.
    assert len(read_as_digits) <= 2, read_as_digits


def test_touching_digits_are_split_into_the_number(page):
    # One connected piece of ink with no gap to cut at: the page's strokes let the server cut between them.
    answer = draw_and_answer(page, TOUCHING_170)
    assert len(answer["digits"]) == 3 and answer["number"] == "170", answer["number"]
    wait_for_number(page, "170")


# A 1 with a flag at the top, as much of Europe writes it, between two 7s: MNIST's 1s are plain sticks, and the
# shipped default read this 1 as 7 ("777") before hooked 1s were trained in (recipes/default.toml).
HOOKED_717 = [
    [(60, 50), (170, 50), (100, 240)],
    [(230, 85), (290, 45), (290, 240)],
    [(380, 50), (490, 50), (420, 240)],
]


def test_a_hooked_one_between_sevens_is_read_as_one(page):
    answer = draw_and_answer(page, HOOKED_717)
    assert answer["number"] == "717", answer["number"]


def test_a_number_and_glyphs_from_the_hershey_fonts_drawn_in_chromium(page):
    """Writing digitkit did not draw (data/hershey.py): a number in the Hershey roman and script fonts' digits is
    read, and most of a handful of held-out glyphs (Greek letters, kana, symbols) are answered as no digit."""
    from digitkit.data import hershey
    from digitkit.data.strokes import number_strokes, placed

    width, height = page.evaluate("[document.getElementById('pad').width, document.getElementById('pad').height]")
    glyph = {(font, char): strokes for font, char, strokes in hershey.glyphs()["digits"]}
    digits = [glyph["rowmans", "2"], glyph["scripts", "5"], glyph["rowmans", "8"]]
    answer = draw_and_answer(page, number_strokes(digits, 1.3, 0.55 * height, (width, height)))
    assert answer["number"] == "258", answer["number"]
    rng = np.random.default_rng(2)
    passed = []
    for family in ("greek", "japanese", "symbols") * 3:
        name, strokes = hershey.drawing(family, rng)
        answer = draw_and_answer(page, placed(strokes, 0.3 * width, 0.15 * height, 0.7 * height))
        if any(item["label"] is not None for item in answer["digits"]):
            passed.append(f"{name} -> {answer['number']}")
    # Here 2 of the 9 pass (a katakana as 1, a Greek c as 71), with the session-13 detector and with its successor
    # (which trained on the Hershey Latin letters); benchmarks/drawing_browser.py --strokes hershey rejects 70-76%
    # of each held-out family on canvases.
    assert len(passed) <= 4, passed


def test_icons_that_no_training_icon_shows_drawn_in_chromium_are_mostly_not_digits(page):
    """Pictures by other hands, of subjects no icon the detector trained on shows (data/icons.py): Lucide's
    held-out fifth, and Tabler's icons, from a library no recipe reads."""
    from digitkit.data import icons
    from digitkit.data.strokes import placed

    width, height = page.evaluate("[document.getElementById('pad').width, document.getElementById('pad').height]")
    rng = np.random.default_rng(3)
    passed = []
    for family in (icons.HELD_OUT, icons.TABLER) * 4:
        name, strokes = icons.drawing(family, rng)
        answer = draw_and_answer(page, placed(strokes, 0.3 * width, 0.15 * height, 0.7 * height))
        if any(item["label"] is not None for item in answer["digits"]):
            passed.append(f"{name} -> {answer['number']}")
    # Here none of the 8 passes with the session-17 detector; benchmarks/drawing_browser.py --strokes icons rejects
    # 90.5% of Lucide's held-out icons and 94.5% of Tabler's on canvases (19/20 and 17/20 in Chromium).
    assert len(passed) <= 2, passed
