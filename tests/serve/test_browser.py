"""The drawing page in real Chromium (Debian's, driven by playwright; no browser download)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DIGITKIT_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing: apt-get install chromium")


@pytest.fixture
def page(page_server, request):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
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
    assert "1 found" in page.locator("#status").inner_text()
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
