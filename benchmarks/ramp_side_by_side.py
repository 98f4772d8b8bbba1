"""rampwf's ramp-test and digitkit cv, side by side on one kit: per-fold scores and wall times.

    python benchmarks/ramp_side_by_side.py [--subset 10000] [--test-size 2000] [--folds 3]

Writes a kit with `digitkit ramp-kit`, runs the kit's example submission (starting_kit) with both runners in
turn and compares the test scores of each fold.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def run(command: list[str], cwd: Path) -> tuple[str, float]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "TERM": "dumb"})
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout, round(time.perf_counter() - started, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subset", type=int, default=10000)
    parser.add_argument("--test-size", type=int, default=2000)
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    digitkit = [sys.executable, "-m", "digitkit.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        kit = Path(tmp) / "kit"
        sizes = ["--subset", str(args.subset), "--test-size", str(args.test_size), "--folds", str(args.folds)]
        run([*digitkit, "ramp-kit", str(kit), *sizes], Path(tmp))
        ramp_out, ramp_seconds = run(
            [str(Path(sys.executable).parent / "ramp-test"), "--submission", "starting_kit"], kit
        )
        cv_json = Path(tmp) / "cv.json"
        cv_command = ["cv", "--ramp-kit-dir", str(kit), "--submission", "starting_kit", "--json", str(cv_json)]
        _, cv_seconds = run([*digitkit, *cv_command], kit)
        folds = json.loads(cv_json.read_text())["folds"]
    ramp_folds = re.findall(r"\ttest\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", ramp_out.split("Mean CV scores")[0])
    rows = []
    for index, (ours, theirs) in enumerate(zip(folds, ramp_folds, strict=True)):
        row = {
            "fold": index,
            "ramp_test": dict(zip(("bal_acc", "acc", "nll"), map(float, theirs), strict=True)),
            "digitkit_cv": {k: round(ours["test"][k], 4) for k in ("bal_acc", "acc", "nll")},
        }
        rows.append(row)
        print(f"fold {index}: ramp-test {row['ramp_test']}   digitkit cv {row['digitkit_cv']}")
    same = all(r["ramp_test"] == r["digitkit_cv"] for r in rows)
    print(f"ramp-test {ramp_seconds} s, digitkit cv {cv_seconds} s; identical test scores: {same}")
    write_result(
        "ramp_side_by_side",
        {"kit": vars(args), "folds": rows, "identical": same, "seconds": {"ramp-test": ramp_seconds, "cv": cv_seconds}},
    )


if __name__ == "__main__":
    main()
