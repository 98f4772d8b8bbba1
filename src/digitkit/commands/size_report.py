"""digitkit size-report: the size report of shipped (or given) artifacts, with a Pareto plot."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, positive_int
from digitkit.errors import ConfigError
from digitkit.files import write_atomic
from digitkit.tasks import DIGITS


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "size-report", "table of artifacts: bytes, parameters, accuracy, robustness, images/s")
    parser.add_argument("artifacts", nargs="*", help="artifact paths or names (default: every shipped model)")
    parser.add_argument(
        "--measure",
        action="store_true",
        help="measure accuracy and speed now instead of reading the figures stored in the artifacts",
    )
    parser.add_argument("--suite-size", type=positive_int, default=2000, help="images per corruption when measuring")
    parser.add_argument("--plot", type=Path, default=None, help="save a Pareto plot (accuracy vs bytes) as PNG")
    parser.add_argument("--json", type=Path, default=None, help="write the table as JSON")
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.data.mnist import cache_dir
    from digitkit.evaluate.size_report import format_table, size_report

    rows = size_report(
        args.artifacts or None,
        measure=args.measure,
        cache=cache_dir(args.cache),
        suite_size=args.suite_size,
        progress=True,
    )
    print(format_table(rows))
    if args.plot:
        from digitkit.evaluate.plots import plot_pareto

        classifiers = [r for r in rows if r["task"] == DIGITS.name and "mnist_accuracy" in r]
        if not classifiers:
            raise ConfigError("--plot needs at least one digit classifier with a measured MNIST accuracy")
        suite = all("suite_accuracy" in r for r in classifiers)
        plot_pareto(classifiers, args.plot, metric="suite_accuracy" if suite else "mnist_accuracy")
        print(f"Pareto plot of the {len(classifiers)} digit classifiers: {args.plot}")
    if args.json:
        write_atomic(args.json, json.dumps(rows, indent=2).encode())
    return 0
