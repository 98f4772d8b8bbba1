"""Two runs of benchmarks/drawing_browser.py compared drawing by drawing: which drawings came back differently.

    python benchmarks/compare_answers.py benchmarks/results/drawing_canvas_hershey.json \
                                         benchmarks/results/drawing_browser_hershey.json

With the same seed, strokes and counts, two runs draw the same drawings in the same order, so their answers can be
paired: real Chromium against the PIL canvases of ``--without-browser`` (is the quick proxy faithful?), or the page
before and after a change (which drawings did it change, and which way?). A family's share can differ between two
runs by sampling alone; paired answers show whether the same drawings were answered alike. Prints, for each group
(a family, "digit", "apart", "touching"), how many drawings were answered alike, then each drawing answered
differently ("group name: first -> second"); writes benchmarks/results/compare_answers.json. Runs whose drawings
differ (another seed, strokes or count) are refused with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

SAME_DRAWINGS = ("seed", "strokes", "per_family", "digits", "numbers")  #: the arguments that decide the drawings


def loaded(path: Path) -> dict[str, Any]:
    """A drawing_browser.py result with its answers; ValueError saying what is wrong otherwise."""
    try:
        run = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable JSON result ({exc})") from None
    if "answers" not in run:
        raise ValueError(f"{path}: no answers in it; run benchmarks/drawing_browser.py again to record them")
    return run


def paired(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Each group's drawings answered alike, and every drawing answered differently, of two runs of the same
    drawings; ValueError if their drawings are not the same."""
    differ = [k for k in SAME_DRAWINGS if first["args"].get(k) != second["args"].get(k)]
    if differ:
        raise ValueError("the runs drew different drawings: " + ", ".join(f"--{k.replace('_', '-')}" for k in differ))
    alike: Counter[str] = Counter()
    drawn: Counter[str] = Counter()
    changed = []
    for one, other in zip(first["answers"], second["answers"], strict=True):
        drawing, answer = one.rsplit("->", 1)
        group = drawing.split(" ", 1)[0]
        drawn[group] += 1
        if other == one:
            alike[group] += 1
        else:
            changed.append(f"{drawing}: {answer} -> {other.rsplit('->', 1)[1]}")
    groups = {group: {"alike": alike[group], "drawn": count} for group, count in drawn.items()}
    return {"groups": groups, "alike": sum(alike.values()), "drawn": sum(drawn.values()), "changed": changed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("first", type=Path, help="a drawing_browser.py result (benchmarks/results/drawing_*.json)")
    parser.add_argument("second", type=Path, help="another, of the same seed, strokes and counts")
    args = parser.parse_args()
    try:
        comparison = paired(loaded(args.first), loaded(args.second))
    except ValueError as exc:
        parser.exit(2, f"compare_answers.py: {exc}\n")
    for group, counts in comparison["groups"].items():
        print(f"{group:<12} answered alike {counts['alike']}/{counts['drawn']}")
    print(f"all          answered alike {comparison['alike']}/{comparison['drawn']}")
    for line in comparison["changed"]:
        print("  " + line)
    write_result("compare_answers", {"first": str(args.first), "second": str(args.second), **comparison})


if __name__ == "__main__":
    main()
