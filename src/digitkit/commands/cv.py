"""digitkit cv RECIPE --folds K: cross-validation in RAMP's layout, for a recipe or a RAMP submission."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, non_negative_int, positive_int
from digitkit.files import write_atomic


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "cv", "stratified K-fold cross-validation with the MNIST test set held out")
    parser.add_argument(
        "recipe", nargs="?", default="fast", help="recipe to cross-validate (ignored with --submission)"
    )
    parser.add_argument(
        "--submission",
        type=Path,
        default=None,
        help="a RAMP submission folder (batch_classifier.py, image_preprocessor.py)",
    )
    parser.add_argument(
        "--folds",
        type=positive_int,
        default=5,
        help="K: the training images are split into K stratified folds; each fold is validated once while "
        "the other K-1 train (at least 2)",
    )
    parser.add_argument("--shuffle-split", action="store_true", help="stratified shuffle-split (20%% valid) instead")
    parser.add_argument(
        "--subset", type=non_negative_int, default=0, help="use the first N training images (0: all 60,000)"
    )
    parser.add_argument("--test-size", type=positive_int, default=10000, help="MNIST test images scored per fold")
    parser.add_argument("--epochs", type=positive_int, default=None, help="override the recipe's epochs")
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this JSON file")
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.data.mnist import cache_dir
    from digitkit.data.sources import load_set
    from digitkit.evaluate.cv import cross_validate, format_cv, load_submission

    cache = cache_dir(args.cache)
    train, test = load_set("mnist-train", cache, True), load_set("mnist-test", cache)
    images, labels = train.images, train.labels
    test_images, test_labels = test.images, test.labels
    if args.subset:
        images, labels = images[: args.subset], labels[: args.subset]
    transform = None
    if args.submission is not None:
        make, transform = load_submission(args.submission)
        name = str(args.submission)
    else:
        from digitkit.train.batch_classifier import RecipeClassifier
        from digitkit.train.recipe import load_recipe

        recipe = load_recipe(args.recipe)
        name = recipe.name

        def make() -> RecipeClassifier:
            return RecipeClassifier(recipe, epochs=args.epochs)

    result = cross_validate(
        make,
        images,
        labels,
        test_images[: args.test_size],
        test_labels[: args.test_size],
        folds=args.folds,
        shuffle_split=args.shuffle_split,
        transform=transform,
        progress=True,
    )
    print(f"cross-validation of {name}: {args.folds} folds on {len(labels):,} training images\n")
    print(format_cv(result))
    if args.json:
        write_atomic(args.json, json.dumps({"name": name, **result}, indent=2).encode())
    return 0
