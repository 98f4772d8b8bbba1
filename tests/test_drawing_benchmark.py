"""benchmarks/drawing_browser.py's bookkeeping: each figure with its 95% interval, and the sheet of mistakes.

A stand-in page answers every drawing the same way, so what the benchmark must count is known without a server.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import pytest
from PIL import Image

from _common import share, shown
from drawing_browser import Mistake, measure, source, write_sheet


class AnswersAlike:
    """A page that reads every drawing as ``digit`` (None: "not a digit")."""

    canvas = (840, 420)

    def __init__(self, digit: int | None):
        self.digit = digit

    def draw(self, strokes: list[np.ndarray]) -> tuple[dict[str, Any], float]:
        number = "?" if self.digit is None else str(self.digit)
        return {"digits": [{"label": self.digit}], "number": number}, 1.0


def run(page: AnswersAlike, **counts: int):
    args = argparse.Namespace(seed=0, strokes="digitkit", **counts)
    return measure(page, source("digitkit"), args)


@pytest.mark.parametrize(
    ("hits", "total", "low", "high"),
    [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (9, 300, 0.0159, 0.0561)],  # Wilson's, from its formula
)
def test_a_figure_comes_with_its_wilson_interval(hits, total, low, high):
    rate = share(hits, total)
    assert rate["rate"] == hits / total
    assert rate["low"] == pytest.approx(low, abs=1e-4) and rate["high"] == pytest.approx(high, abs=1e-4)
    assert shown(hits, total).startswith(f"{hits}/{total} ({hits / total:.1%}, 95% CI ")


def test_a_page_that_rejects_everything_loses_every_digit_and_number():
    result, times, mistakes = run(AnswersAlike(None), per_family=3, digits=4, numbers=2)
    assert set(result["rejected"].values()) == {1.0}
    trained = 3 * len(source("digitkit").trained)
    assert result["intervals"]["rejected_trained"] == share(trained, trained)  # 100%, yet low under 100%
    assert result["intervals"]["rejected_trained"]["low"] < 0.95
    assert result["digits_rejected"] == 1.0 and result["digit_accuracy"] == 0.0
    assert result["numbers_apart"] == result["numbers_touching"] == 0.0
    assert len(times) == 3 * len(result["rejected"]) + 4 + 2 * 2
    # the mistakes are the digits and numbers, each captioned what it was -> what came back
    assert [m.caption.split()[0] for m in mistakes] == ["digit"] * 4 + ["apart"] * 2 + ["touching"] * 2
    assert all(m.caption.endswith("->?") for m in mistakes[:4])


def test_a_page_that_reads_everything_as_7_lets_every_non_digit_through():
    result, _, mistakes = run(AnswersAlike(7), per_family=2, digits=20, numbers=0)
    families = list(result["rejected"])
    assert set(result["rejected"].values()) == {0.0}
    assert result["intervals"]["rejected_held_out"] == share(0, 2 * len(families) - 2 * len(source("digitkit").trained))
    let_through = [m for m in mistakes if not m.caption.startswith("digit ")]
    assert [m.caption.split()[0] for m in let_through] == [f for f in families for _ in range(2)]
    assert all(m.caption.endswith("->7") for m in let_through)
    digits = [m.caption for m in mistakes if m.caption.startswith("digit ")]
    assert result["digit_accuracy"] == (20 - len(digits)) / 20 and not any(c.startswith("digit 7->") for c in digits)


def test_the_sheet_draws_each_mistake_in_its_own_captioned_tile(tmp_path):
    _, _, mistakes = run(AnswersAlike(None), per_family=0, digits=9, numbers=0)
    mistakes[0] = Mistake("japanese \x93->7", mistakes[0].strokes)  # Hershey's glyph names need not be ASCII
    mistakes[1] = Mistake("greek \u03b4->8", mistakes[1].strokes)
    path = tmp_path / "mistakes.png"
    write_sheet(path, mistakes, pen=30.0, columns=4)
    sheet = np.asarray(Image.open(path))
    assert sheet.shape == (3 * 126, 4 * 180)  # 9 tiles, 4 a row: 3 rows of a 110-pixel tile and its caption
    for index in range(9):
        top, left = (index // 4) * 126, (index % 4) * 180
        drawing = sheet[top + 1 : top + 109, left + 1 : left + 179]
        caption = sheet[top + 111 : top + 125, left + 2 : left + 178]
        assert (drawing < 128).mean() > 0.02, f"tile {index} has no ink"
        assert (caption < 128).any(), f"tile {index} has no caption"
    assert (sheet[2 * 126 :, 180:] == 255).all()  # tiles 10-12 stay blank
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mistakes.png"]  # nothing left under a temporary name
