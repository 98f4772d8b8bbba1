"""digitkit ramp-kit DIR: a RAMP kit (problem.py, data/, submissions/starting_kit) made from verified data."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, non_negative_int, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(
        sub, "ramp-kit", "write a RAMP kit (problem.py, data/, submissions/starting_kit) that ramp-test runs"
    )
    parser.add_argument("folder", type=Path, help="a new (or empty) folder for the kit")
    add_kit_options(parser)
    add_cache(parser)
    parser.set_defaults(run=run)


def add_kit_options(parser: argparse.ArgumentParser) -> None:
    """The options that decide a kit's data and folds (shared with `digitkit cv`, which makes a kit when given
    none)."""
    parser.add_argument(
        "--data",
        default="mnist",
        help="mnist (train: MNIST training images, test: MNIST test images), or kaggle:PATH/train.csv or "
        "folder:DIR, split 6:1 into train and test, stratified (default: mnist)",
    )
    parser.add_argument("--subset", type=non_negative_int, default=0, help="keep the first N train rows (0: all)")
    parser.add_argument("--test-size", type=non_negative_int, default=0, help="keep the first N test rows (0: all)")
    parser.add_argument(
        "--folds",
        type=positive_int,
        default=5,
        help="stratified shuffle-split folds written into problem.py, each validating on 20%% (at least 2)",
    )


def make_kit(args: argparse.Namespace, folder: Path) -> Path:
    from digitkit.data.mnist import cache_dir
    from digitkit.data.sources import Dataset, load_set, split_stratified
    from digitkit.ramp.kit import write_kit

    cache = cache_dir(args.cache)
    if args.data == "mnist":
        train, test = load_set("mnist-train", cache, True), load_set("mnist-test", cache, True)
    else:
        train, test = split_stratified(load_set(args.data, cache, True), 1 / 7)

    def first(data: Dataset, n: int) -> Dataset:
        return Dataset(data.images[:n], data.labels[:n], data.name) if n else data

    return write_kit(folder, first(train, args.subset), first(test, args.test_size), folds=args.folds, progress=True)


def run(args: argparse.Namespace) -> int:
    kit = make_kit(args, args.folder)
    print(f"wrote the RAMP kit {kit}: problem.py, data/train.csv, data/test.csv, data/imgs/, submissions/starting_kit")
    print(f"try it: cd {kit} && ramp-test --submission starting_kit --quick-test")
    return 0
