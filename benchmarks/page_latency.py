"""Time from pen lift to the page's first answer, in real (headless) Chromium against a local server.

    python benchmarks/page_latency.py [--strokes 30]

Draws a digit with mouse strokes, lifts the pen, and measures until the recognised number changes on the
page (debounce + request + rendering), the way a person experiences it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CHROMIUM, CHROMIUM_ARGS, running_server, write_result  # noqa: E402

SHAPES = {"1": [(100, 40), (100, 240)], "7": [(60, 50), (160, 50), (90, 240)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--strokes", type=int, default=30)
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with running_server() as port:
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 800, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")
            box = page.locator("#pad").bounding_box()
            for i in range(args.strokes):
                digit = "1" if i % 2 else "7"
                page.click("#clear")
                page.wait_for_function("document.getElementById('number').textContent === '–'")
                points = SHAPES[digit]
                page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
                page.mouse.down()
                for x, y in points[1:]:
                    page.mouse.move(box["x"] + x, box["y"] + y, steps=5)
                lifted = time.perf_counter()
                page.mouse.up()
                page.wait_for_function(f"document.getElementById('number').textContent === '{digit}'", timeout=5000)
                times.append((time.perf_counter() - lifted) * 1000)
            browser.close()
    result = {
        "strokes": len(times),
        "p50_ms": float(np.percentile(times, 50)),
        "p90_ms": float(np.percentile(times, 90)),
        "max_ms": float(max(times)),
    }
    print(
        f"pen lift -> first answer on the page: p50 {result['p50_ms']:.0f} ms, p90 {result['p90_ms']:.0f} ms, "
        f"max {result['max_ms']:.0f} ms over {len(times)} drawings"
    )
    write_result("page_latency", result)


if __name__ == "__main__":
    main()
