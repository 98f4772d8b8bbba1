"""Kaggle Digit Recognizer as a Kaggle user runs it: train.csv -> digitkit train -> kaggle predict -> score.

    python benchmarks/kaggle_round_trip.py [--recipe fast] [--train-rows 42000]

MNIST has 60,000 training images and nothing else is used here: the first --train-rows become train.csv
(label,pixel0..pixel783, with Kaggle's header), the remaining rows become test.csv (Kaggle's 28,000 would need
10,000 more than MNIST's training split holds, so the test is the 18,000 rows training never saw). Each
step runs through the CLI, timed; the submission is scored against the held-back labels.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def write_csv(path: Path, images: np.ndarray, labels: np.ndarray | None) -> None:
    columns = ",".join(f"pixel{i}" for i in range(784))
    table = images.reshape(len(images), -1).astype(np.int64)
    if labels is not None:
        table = np.column_stack([labels, table])
        columns = "label," + columns
    np.savetxt(path, table, fmt="%d", delimiter=",", header=columns, comments="")


def timed(step: str, command: list[str], times: dict[str, float]) -> None:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "digitkit.cli", *command], check=True, stdout=subprocess.DEVNULL)
    times[step] = round(time.perf_counter() - started, 1)
    print(f"{step}: {times[step]} s   digitkit {' '.join(command)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="fast")
    parser.add_argument("--train-rows", type=int, default=42000)
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist

    ensure_mnist(cache_dir())
    images, labels = load_mnist("train", cache_dir())
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        write_csv(folder / "train.csv", images[: args.train_rows], labels[: args.train_rows])
        write_csv(folder / "test.csv", images[args.train_rows :], None)
        times["write csvs"] = round(time.perf_counter() - started, 1)
        train = ["train", args.recipe, "--data", f"kaggle:{folder / 'train.csv'}", "--suite-size", "0"]
        timed("train", [*train, "--run-dir", str(folder / "run"), "-o", str(folder / "model.onnx")], times)
        predict = ["kaggle", "predict", str(folder / "model.onnx"), str(folder / "test.csv")]
        timed("predict", [*predict, "-o", str(folder / "submission.csv")], times)
        rows = np.loadtxt(folder / "submission.csv", delimiter=",", skiprows=1, dtype=np.int64)
    held_out = labels[args.train_rows :]
    accuracy = float((rows[:, 1] == held_out).mean())
    print(f"{len(held_out):,} test rows: accuracy {accuracy:.4%}")
    write_result(
        "kaggle_round_trip",
        {
            "recipe": args.recipe,
            "train_rows": args.train_rows,
            "test_rows": len(held_out),
            "accuracy": accuracy,
            "seconds": times,
        },
    )


if __name__ == "__main__":
    main()
