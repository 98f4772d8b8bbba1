"""1 process against 2-process DistributedDataParallel (torchrun, gloo on CPU) on the same recipe, side by side.

Each run is `digitkit train RECIPE` as a user runs it, into its own temporary run folder, without registering a
version; the figures are the final validation accuracy (float model, MNIST test), the artifact's MNIST accuracy
and the wall time of the whole command.

    python benchmarks/ddp.py [--recipe default] [--epochs N] [--nproc 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def run(recipe: str, epochs: int | None, nproc: int, folder: Path) -> dict[str, float]:
    launcher = [sys.executable]
    if nproc > 1:
        launcher += ["-m", "torch.distributed.run", "--standalone", f"--nproc-per-node={nproc}"]
    command = [*launcher, "-m", "digitkit", "train", recipe, "--run-dir", str(folder), "--no-register"]
    command += ["--suite-size", "0"] + (["--epochs", str(epochs)] if epochs else [])
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    history = json.loads((folder / "metrics.json").read_text())["history"]
    artifact = json.loads((folder / "artifact.json").read_text())
    figures = {
        "processes": nproc,
        "wall_seconds": round(wall, 1),
        "train_seconds": round(history[-1]["seconds"], 1),
        "valid_accuracy": history[-1]["valid_accuracy"],
        "artifact_mnist_accuracy": artifact["metrics"]["mnist_accuracy"],
    }
    print(
        f"{nproc} process(es): valid {figures['valid_accuracy']:.2%}, "
        f"artifact {figures['artifact_mnist_accuracy']:.2%}, wall {wall:.1f} s",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipe", default="default")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs (a shorter check)")
    parser.add_argument("--nproc", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="digitkit-ddp-") as tmp:
        single = run(args.recipe, args.epochs, 1, Path(tmp) / "single")
        parallel = run(args.recipe, args.epochs, args.nproc, Path(tmp) / "ddp")
    gap = 100 * (parallel["artifact_mnist_accuracy"] - single["artifact_mnist_accuracy"])
    print(
        f"accuracy gap (DDP - single): {gap:+.2f} points; "
        f"wall-time ratio {parallel['wall_seconds'] / single['wall_seconds']:.2f}"
    )
    write_result(
        f"ddp_{args.recipe}",
        {"recipe": args.recipe, "epochs": args.epochs, "single": single, "ddp": parallel, "gap_points": round(gap, 3)},
    )


if __name__ == "__main__":
    main()
