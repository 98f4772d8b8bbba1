"""digitkit train RECIPE: train, export and measure a model from a committed recipe."""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING

from digitkit.commands.common import add_cache, fraction, new_parser, non_negative_int, positive_int
from digitkit.data.mnist import cache_dir
from digitkit.data.sources import SOURCES
from digitkit.train.recipe import available_recipes

if TYPE_CHECKING:
    from digitkit.jobs import JobReporter
    from digitkit.serve.settings import Settings


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
        help="start from this checkpoint's weights (fine-tuning): RUN_DIR/checkpoint.pt, a registered version, "
        "or 'default' for the checkpoint shipped with the default model",
    )
    parser.add_argument("--device", default="cpu", help="cpu, cuda, mps, or auto (first accelerator found)")
    parser.add_argument("--epochs", type=positive_int, default=None, help="override the recipe's epoch count")
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="override the recipe's seed (members of an ensemble: train with --seed 1, 2, ... and export together)",
    )
    parser.add_argument(
        "--teacher",
        default=None,
        help="distil from this teacher instead of the recipe's: a shipped artifact name or .onnx path (run on "
        "the CPU), or checkpoints joined by '+' (averaged in torch on --device, fast on a GPU)",
    )
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
    parser.add_argument(
        "--registry",
        type=Path,
        default=None,
        help="register the artifact as a version in this folder (default: $DIGITKIT_REGISTRY_DIR, else models/ "
        "in the data folder); `digitkit models` lists versions",
    )
    parser.add_argument("--no-register", action="store_true", help="do not register the artifact as a version")
    parser.add_argument(
        "--job", type=positive_int, default=None, help="report to this training job's row (the server's jobs use it)"
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
    from digitkit.serve.settings import settings_from_env

    settings = settings_from_env()
    if args.job is None:
        return _train(args, settings, None)
    from digitkit.jobs import JobReporter

    reporter = JobReporter(args.job, settings.feedback_url())
    reporter.lower_priority()
    reporter.end_with_parent()
    try:
        return _train(args, settings, reporter)
    except BaseException as exc:
        reporter.failed(str(exc) or exc.__class__.__name__)
        raise


def _train(args: argparse.Namespace, settings: Settings, reporter: JobReporter | None) -> int:
    from digitkit.train.pipeline import run_recipe  # torch: imported only when training
    from digitkit.train.recipe import load_recipe
    from digitkit.versions import Registry

    recipe = load_recipe(args.recipe)
    overrides = {"seed": args.seed, "teacher": args.teacher}
    recipe = dataclasses.replace(recipe, **{key: value for key, value in overrides.items() if value is not None})
    run_dir = args.run_dir or (args.resume.parent if args.resume else None)
    run_dir = run_dir or Path("runs") / f"{recipe.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    registry = None if args.no_register else Registry(args.registry or settings.registry_path())

    def on_epoch(record: dict[str, float]) -> None:
        print_epoch(record)
        if reporter is not None:
            reporter.epoch(record)

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
        on_epoch=on_epoch,
        registry=registry,
    )
    if result is None:  # a torchrun rank other than 0: rank 0 reports
        return 0
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
    if result.version is not None and registry is not None:
        line = f"registered version {result.version.id} in {registry.root}"
        if reporter is not None:
            from digitkit.versions import configured_metrics

            line = reporter.succeeded(result.version.id, registry, configured_metrics(settings.models[0]))
        print(line)
    return 0
