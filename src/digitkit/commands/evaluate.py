"""digitkit evaluate MODEL: figures on MNIST test, the robustness suite, MNIST-C, other writers' digits, a Kaggle CSV
or an image folder; for the detector, the share of a digit set it keeps."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitkit.commands.common import add_cache, new_parser, positive_int
from digitkit.data.mnist import cache_dir, ensure_mnist
from digitkit.data.sources import SOURCES, load_set
from digitkit.errors import ConfigError
from digitkit.files import write_atomic
from digitkit.tasks import DETECTOR, GROUPS

if TYPE_CHECKING:
    from digitkit.runtime.model import Model


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "evaluate", "measure a model: accuracy, balanced accuracy, NLL, confusion, speed")
    parser.add_argument("model", help="shipped model name (default, tiny, max) or path to an .onnx artifact")
    parser.add_argument(
        "--data",
        default="mnist-test",
        help="suite (the robustness suite); mnist-c (MNIST-C's 15 corruptions, generated, held out from training) "
        "or mnist-c:DIR (the official numpy release); held-out (pixelation, a family no training op is related "
        f"to); or one set: {SOURCES}",
    )
    parser.add_argument(
        "--suite-size",
        type=positive_int,
        default=10000,
        help="images per corruption for --data suite, mnist-c and held-out",
    )
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this JSON file")
    parser.add_argument("--confusion-png", type=Path, default=None, help="save the confusion matrix as PNG")
    parser.add_argument(
        "--mistakes-png", type=Path, default=None, help="save a grid of the most confidently wrong images as PNG"
    )
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from digitkit.evaluate.report import (
        evaluate_held_out,
        evaluate_mnist_c,
        evaluate_set,
        evaluate_suite,
        format_scores,
        format_suite,
    )
    from digitkit.runtime import load_model

    model = load_model(args.model)
    cache = cache_dir(args.cache)
    print(
        f"model {model.name} ({model.path}, {model.path.stat().st_size:,} bytes, {model.meta.parameters:,} parameters)"
    )
    if model.meta.task == DETECTOR.name:
        if args.confusion_png or args.mistakes_png:
            raise ConfigError(f"{model.name} answers digit or not: --confusion-png and --mistakes-png are for digits")
        result: dict[str, Any] = _digits_kept(model, args.data, cache)
    elif model.meta.task == GROUPS.name:
        raise ConfigError(
            f"{model.name} says whether the drawing page may cut a group of ink, and no --data set holds such groups; "
            f"measure it with: digitkit size-report --measure {args.model}"
        )
    elif args.data == "suite":
        ensure_mnist(cache, True)
        result = evaluate_suite(model, cache, args.suite_size, True)
        print(format_suite(result))
    elif args.data == "held-out":
        ensure_mnist(cache, True)
        result = evaluate_held_out(model, cache, args.suite_size)
        print(format_suite(result, "held-out family (no training op is related)"))
    elif args.data == "mnist-c" or args.data.startswith("mnist-c:"):
        official = args.data.startswith("mnist-c:")
        if not official:
            ensure_mnist(cache, True)
        source = Path(args.data.removeprefix("mnist-c:")) if official else cache
        result = evaluate_mnist_c(model, source, args.suite_size, official=official)
        print(format_suite(result, "MNIST-C" + (f" from {source}" if official else " (generated)")))
    else:
        data = load_set(args.data, cache, True)
        images, labels = data.images, data.labels
        result = evaluate_set(model, images, labels)
        print(format_scores(args.data, result))
        if args.mistakes_png:
            from digitkit.evaluate.plots import plot_confident_mistakes
            from digitkit.evaluate.report import predict_in_batches

            proba, _ = predict_in_batches(model, images)
            shown = plot_confident_mistakes(images, labels, proba, args.mistakes_png)
            print(f"{shown} most confidently wrong images: {args.mistakes_png}")
        if args.confusion_png:
            from digitkit.evaluate.plots import plot_confusion

            plot_confusion(np.array(result["confusion"]), args.confusion_png, title=f"{model.name} on {args.data}")
    if args.json:
        write_atomic(args.json, json.dumps({"model": model.name, "data": args.data, **result}, indent=2).encode())
    return 0


def _digits_kept(detector: Model, data: str, cache: Path) -> dict[str, Any]:
    """The detector alone on a set of digits, at its argmax: the share it keeps. (The drawing page rejects only
    above 0.7, and weighs the classifier too: benchmarks/segment.py measures the page.)"""
    if data in ("suite", "held-out") or data.startswith("mnist-c"):
        raise ConfigError(
            f"{detector.name} tells digits from non-digits, and --data {data} measures digit classifiers; give it "
            "a set of digits (mnist-test, uci-digits, folder:DIR) to see how many it keeps"
        )
    from digitkit.evaluate.report import predict_in_batches

    digits = load_set(data, cache, True)
    proba, _ = predict_in_batches(detector, digits.images)
    rejected = int((proba.argmax(axis=1) == DETECTOR.classes.index("not-digit")).sum())
    kept = 1.0 - rejected / len(digits.labels)
    print(f"{data}: n={len(digits.labels)}  kept as digits {kept:.4%}  ({rejected} called not a digit)")
    return {"n": len(digits.labels), "digits_kept": kept}
