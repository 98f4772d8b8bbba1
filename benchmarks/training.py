"""Training benchmark: time to 99.0% MNIST-test accuracy with the fast recipe, beside the default's curve.

    python benchmarks/training.py [--recipe fast] [--target 0.99] [--default-run runs/default]

Runs the recipe from scratch on the CPU (2 threads), reports the wall-clock training seconds at which validation
accuracy first reached the target, and plots accuracy against seconds for this run and the default run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import RESULTS, write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="fast")
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--default-run", type=Path, default=Path("runs/default"))
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir
    from digitkit.data.sources import training_sets
    from digitkit.tasks import DIGITS
    from digitkit.train.loop import train
    from digitkit.train.recipe import load_recipe

    recipe = load_recipe(args.recipe)
    with tempfile.TemporaryDirectory() as tmp:
        result = train(recipe, *training_sets(None, DIGITS, cache_dir()), run_dir=Path(tmp), progress=False)
    reached = next((h["seconds"] for h in result.history if h["valid_accuracy"] >= args.target), None)
    for h in result.history:
        print(f"epoch {h['epoch']}: {h['seconds']:6.1f} s  valid accuracy {h['valid_accuracy']:.4%}")
    print(f"{args.recipe}: reached {args.target:.1%} after {reached:.1f} s" if reached else "target not reached")
    curves = {args.recipe: result.history}
    default_metrics = args.default_run / "metrics.json"
    if default_metrics.is_file():
        curves["default"] = json.loads(default_metrics.read_text())["history"]
        final = curves["default"][-1]
        print(f"default recipe (from {default_metrics}): {final['valid_accuracy']:.4%} after {final['seconds']:.0f} s")
    _plot(curves, RESULTS / "training_curves.png", args.target)
    write_result(
        "training", {"recipe": args.recipe, "target": args.target, "seconds_to_target": reached, "curves": curves}
    )


def _plot(curves: dict[str, list[dict[str, float]]], path: Path, target: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, history in curves.items():
        ax.plot(
            [0] + [h["seconds"] for h in history],
            [90] + [100 * h["valid_accuracy"] for h in history],
            marker="o",
            label=name,
        )
    ax.axhline(100 * target, color="grey", linestyle="--", label=f"{target:.1%}")
    ax.set(xscale="symlog", xlabel="training seconds (2 CPU cores)", ylabel="MNIST test accuracy (%)", ylim=(97, 100))
    ax.legend()
    ax.grid(alpha=0.3)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    print(f"curves: {path}")


if __name__ == "__main__":
    main()
