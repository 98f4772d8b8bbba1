"""digitkit cv: a RAMP submission, or a recipe, cross-validated on a RAMP kit through rampwf itself."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, positive_int
from digitkit.commands.ramp_kit import add_kit_options
from digitkit.errors import ConfigError
from digitkit.files import write_atomic


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(
        sub,
        "cv",
        "cross-validate a RAMP submission (or a recipe) on a RAMP kit, with rampwf's folds, generators and "
        "scores: the figures ramp-test prints",
    )
    parser.add_argument(
        "recipe", nargs="?", default="fast", help="recipe run as a submission when --submission is not given"
    )
    parser.add_argument(
        "--ramp-kit-dir",
        type=Path,
        default=None,
        help="the kit (problem.py, data/); default: a temporary kit made from --data, --subset, --test-size, --folds",
    )
    parser.add_argument(
        "--submission",
        default=None,
        help="a folder of the kit's submissions/, or a path to a submission folder (image_preprocessor.py, "
        "batch_classifier.py)",
    )
    parser.add_argument(
        "--quick-test", action="store_true", help="as ramp-test --quick-test: 500 rows of each file, 2 folds"
    )
    parser.add_argument(
        "--verbose", dest="show_traceback", action="store_true", help="show the traceback of a failing submission"
    )
    parser.add_argument("--epochs", type=positive_int, default=None, help="override the recipe's epochs")
    parser.add_argument("--json", type=Path, default=None, help="write every figure to this JSON file")
    add_kit_options(parser)
    add_cache(parser)
    parser.set_defaults(run=run)


def _submission(args: argparse.Namespace, kit: Path, scratch: Path) -> Path:
    if args.submission is None:
        from digitkit.ramp.kit import write_recipe_submission

        recipe = str(Path(args.recipe).resolve()) if args.recipe.endswith(".toml") else args.recipe
        return write_recipe_submission(scratch / f"recipe_{Path(args.recipe).stem}", recipe, args.epochs)
    for candidate in (kit / "submissions" / args.submission, Path(args.submission)):
        if candidate.is_dir():
            return candidate.resolve()
    raise ConfigError(f"no submission {args.submission!r} in {kit / 'submissions'} nor as a folder path")


def run(args: argparse.Namespace) -> int:
    from digitkit.ramp.run import run_cv

    with tempfile.TemporaryDirectory(prefix="digitkit-cv-") as scratch:
        if args.ramp_kit_dir is None:
            from digitkit.commands.ramp_kit import make_kit

            kit = make_kit(args, Path(scratch) / "kit")
        elif not args.ramp_kit_dir.is_dir():
            raise ConfigError(f"--ramp-kit-dir {args.ramp_kit_dir} is not a folder; make a kit with digitkit ramp-kit")
        else:
            kit = args.ramp_kit_dir.resolve()
        submission = _submission(args, kit, Path(scratch))
        result = run_cv(kit, submission, quick_test=args.quick_test, show_traceback=args.show_traceback)
    if args.json:
        write_atomic(args.json, json.dumps(result, indent=2).encode())
    return 0
