"""digitkit models: the size report of shipped (or given) artifacts, with a Pareto plot."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, show_progress
from digitkit.files import write_atomic


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(
        sub, "models", "table of artifacts: bytes, parameters, accuracy, robustness, images/s", aliases=("size-report",)
    )
    parser.add_argument("artifacts", nargs="*", help="artifact paths or names (default: every shipped model)")
    parser.add_argument(
        "--measure",
        action="store_true",
        help="measure accuracy and speed now instead of reading the figures stored in the artifacts",
    )
    parser.add_argument("--suite-size", type=int, default=2000, help="images per corruption when measuring")
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
        progress=show_progress(),
    )
    print(format_table(rows))
    if args.plot:
        from digitkit.evaluate.plots import plot_pareto

        plot_pareto(
            rows, args.plot, metric="suite_accuracy" if all("suite_accuracy" in r for r in rows) else "mnist_accuracy"
        )
        print(f"Pareto plot: {args.plot}")
    if args.json:
        write_atomic(args.json, json.dumps(rows, indent=2).encode())
    return 0
