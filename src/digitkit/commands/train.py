"""digitkit train RECIPE: train, export and measure a model from a committed recipe."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, show_progress
from digitkit.data.mnist import cache_dir


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "train", "train a model from a recipe, export it and report its figures")
    parser.add_argument("recipe", help="recipe name (recipes/NAME.toml) or path to a .toml file")
    parser.add_argument(
        "--data",
        default=None,
        help="'mnist', 'kaggle:PATH/train.csv', 'folder:DIR' (id,class CSV + images) or 'nondigits' "
        "(default: the recipe's data, usually mnist)",
    )
    parser.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="start from this checkpoint's weights (fine-tuning), e.g. runs/default/checkpoint.pt",
    )
    parser.add_argument("--device", default="cpu", help="cpu, cuda, mps, or auto (first accelerator found)")
    parser.add_argument("--epochs", type=int, default=None, help="override the recipe's epoch count")
    parser.add_argument("--run-dir", type=Path, default=None, help="run folder (default: runs/RECIPE-TIME)")
    parser.add_argument("--resume", type=Path, default=None, help="continue from this checkpoint.pt")
    parser.add_argument("-o", "--output", type=Path, default=None, help="also copy the artifact here")
    parser.add_argument("--name", default=None, help="model name stored in the artifact (default: recipe)")
    parser.add_argument(
        "--suite-size", type=int, default=10000, help="images per corruption in the robustness suite; 0 skips it"
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
        progress=show_progress(),
        on_epoch=print_epoch,
    )
    metrics = result.meta.metrics
    print(f"trained {recipe.name} ({result.meta.parameters:,} parameters) in {result.train.seconds:.1f}s")
    print(f"artifact {result.artifact}: {result.bytes:,} bytes, {result.meta.quantization}")
    print(
        "   ".join(f"{key.replace('_', ' ')} {value:.4%}" for key, value in metrics.items() if key != "train_seconds")
    )
    print(f"run folder {run_dir} (metrics.json, curve.png, checkpoint.pt)")
    return 0
