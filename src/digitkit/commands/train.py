"""digitkit train RECIPE: train, export and measure a model from a committed recipe."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from digitkit.commands.common import add_cache, fraction, new_parser, non_negative_int, positive_int
from digitkit.data.mnist import cache_dir
from digitkit.data.sources import SOURCES
from digitkit.train.recipe import available_recipes


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "train", "train a model from a recipe, export it and report its figures")
    parser.add_argument(
        "recipe", help=f"a shipped recipe ({', '.join(available_recipes())}) or the path to a .toml file"
    )
    parser.add_argument("--data", default=None, help=f"{SOURCES} (default: the recipe's, MNIST for digit models)")
    parser.add_argument(
        "--valid-split",
        type=fraction,
        default=None,
        help="hold out this share of the training rows, stratified, for validation, curves and the confusion "
        "matrix (default: 0.1 for kaggle: data; 0, validating on MNIST test, for the others)",
    )
    parser.add_argument(
        "--init-from",
        default=None,
        help="start from this checkpoint's weights (fine-tuning): RUN_DIR/checkpoint.pt, or 'default' for the "
        "checkpoint shipped with the default model",
    )
    parser.add_argument("--device", default="cpu", help="cpu, cuda, mps, or auto (first accelerator found)")
    parser.add_argument("--epochs", type=positive_int, default=None, help="override the recipe's epoch count")
    parser.add_argument(
        "--run-dir", type=Path, default=None, help="run folder, created if missing (default: runs/RECIPE-TIME)"
    )
    parser.add_argument("--resume", type=Path, default=None, help="continue from this checkpoint.pt")
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=None,
        help="write the artifact here, creating missing folders (default: RUN_DIR/model.onnx)",
    )
    parser.add_argument("--name", default=None, help="model name stored in the artifact (default: recipe)")
    parser.add_argument(
        "--suite-size",
        type=non_negative_int,
        default=10000,
        help="images per corruption in the robustness suite; 0 skips it",
    )
    add_cache(parser)
    parser.set_defaults(run=run)


def print_epoch(record: dict[str, float]) -> None:
    extra = f"  sparsity {record['sparsity']:.1%}" if "sparsity" in record else ""
    print(
        f"epoch {int(record['epoch']):>3}  train loss {record['train_loss']:.4f}  valid loss {record['valid_loss']:.4f}"
        f"  valid acc {record['valid_accuracy']:.4%}  {record['seconds']:7.1f} s{extra}",
        flush=True,
    )


def run(args: argparse.Namespace) -> int:
    from digitkit.train.pipeline import run_recipe  # torch: imported only when training
    from digitkit.train.recipe import load_recipe

    recipe = load_recipe(args.recipe)
    run_dir = args.run_dir or (args.resume.parent if args.resume else None)
    run_dir = run_dir or Path("runs") / f"{recipe.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    result = run_recipe(
        recipe,
        cache=cache_dir(args.cache),
        run_dir=run_dir,
        data=args.data,
        output=args.output,
        name=args.name,
        device=args.device,
        resume=args.resume,
        init_from=args.init_from,
        epochs=args.epochs,
        suite_size=args.suite_size,
        valid_split=args.valid_split,
        progress=True,
        on_epoch=print_epoch,
    )
    meta, history = result.export.meta, result.train.history
    print(f"trained {recipe.name} ({meta.parameters:,} parameters) in {result.train.seconds:.1f} s")
    target = recipe.stop_at_accuracy
    reached = next((r for r in history if target and r["valid_accuracy"] >= target), None)
    if reached is not None:
        print(f"reached {target:.1%} after {reached['seconds']:.1f} s (epoch {int(reached['epoch'])})")
    elif target:
        print(f"did not reach {target:.1%} in {len(history)} epochs")
    print(f"artifact {result.export.path}: {result.export.bytes:,} bytes, {meta.quantization}")
    print("   ".join(f"{k.replace('_', ' ')} {v:.4%}" for k, v in meta.metrics.items() if k != "train_seconds"))
    plots = "curve.png, confusion.png" if meta.task == "digits" else "curve.png"
    print(f"run folder {run_dir} (checkpoint.pt, metrics.json, {plots}, artifact.json)")
    return 0
