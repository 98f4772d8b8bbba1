"""benchmarks/drawing_browser.py's bookkeeping: each figure with its 95% interval, the sheet of mistakes, and every
answer recorded so that two runs can be compared drawing by drawing (benchmarks/compare_answers.py).

A stand-in page answers every drawing the same way, so what the benchmark must count is known without a server.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from _common import share, shown
from compare_answers import paired
from drawing_browser import Mistake, measure, source, write_sheet


class AnswersAlike:
    """A page that reads every drawing as ``digit`` (None: "not a digit")."""

    canvas = (840, 420)

    def __init__(self, digit: int | None):
        self.digit = digit

    def draw(self, strokes: list[np.ndarray]) -> tuple[dict[str, Any], float]:
        number = "?" if self.digit is None else str(self.digit)
        return {"digits": [{"label": self.digit}], "number": number}, 1.0


def run(page: AnswersAlike, seed: int = 0, **counts: int):
    args = argparse.Namespace(seed=seed, strokes="digitkit", **counts)
    return measure(page, source("digitkit"), args)


def recorded(page: AnswersAlike, seed: int = 0, **counts: int) -> dict[str, Any]:
    """A run as drawing_browser.py writes it: its arguments beside its figures."""
    result, _, _ = run(page, seed, **counts)
    return {"args": {"seed": seed, "strokes": "digitkit", **counts}, **result}


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


def test_every_drawing_is_recorded_in_order_with_what_came_back():
    result, _, _ = run(AnswersAlike(3), per_family=2, digits=3, numbers=1)
    answers = result["answers"]
    families = list(result["rejected"])
    assert len(answers) == 2 * len(families) + 3 + 2
    assert [a.split()[0] for a in answers] == [f for f in families for _ in range(2)] + ["digit"] * 3 + [
        "apart",
        "touching",
    ]
    assert all(a.endswith("->3") for a in answers)
    assert all(a.split()[1].split("->")[0].isdigit() for a in answers[-2:])  # a number's drawing: the number drawn


def test_two_runs_of_the_same_drawings_are_paired_drawing_by_drawing():
    counts = {"per_family": 2, "digits": 4, "numbers": 0}
    rejecting, sevens = recorded(AnswersAlike(None), **counts), recorded(AnswersAlike(7), **counts)
    same = paired(rejecting, recorded(AnswersAlike(None), **counts))
    assert same["alike"] == same["drawn"] == len(rejecting["answers"]) and same["changed"] == []
    comparison = paired(rejecting, sevens)
    digits_drawn = [a.split("->")[0] for a in rejecting["answers"] if a.startswith("digit ")]
    assert comparison["groups"]["digit"] == {"alike": 0, "drawn": 4}
    assert comparison["alike"] == 0 and len(comparison["changed"]) == comparison["drawn"]
    assert [c for c in comparison["changed"] if c.startswith("digit ")] == [f"{d}: ? -> 7" for d in digits_drawn]


def test_runs_of_other_drawings_are_not_paired(tmp_path):
    counts = {"per_family": 1, "digits": 2, "numbers": 0}
    with pytest.raises(ValueError, match="--seed"):
        paired(recorded(AnswersAlike(None), seed=0, **counts), recorded(AnswersAlike(None), seed=1, **counts))
    older = tmp_path / "older.json"  # a result written before answers were recorded
    older.write_text(json.dumps({"args": counts}))
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_answers.py"
    done = subprocess.run([sys.executable, str(script), str(older), str(older)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"compare_answers.py: {older}: no answers in it; run benchmarks/drawing_browser.py again to record them"
    ]
