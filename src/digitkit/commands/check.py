"""digitkit check submission.zip [--python X ...]: install and run the archive like the organizers and probe it;
exit 1 on any FAIL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "check", "unpack, install, start and probe a submission archive; PASS/FAIL table")
    parser.add_argument("archive", type=Path, help="the submission zip")
    parser.add_argument(
        "--python",
        action="append",
        metavar="X",
        help="interpreter to install and run the archive with, in a fresh venv by its own pip: a path, a command, "
        "a version (3.9, looked up in pyenv) or 'all' for every one found; repeat for a matrix "
        "[default: the Python running digitkit]",
    )
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="run the archive in this Python environment instead of a fresh venv with python.txt installed",
    )
    parser.add_argument("--sample", type=int, default=500, help="MNIST test images sent to measure accuracy")
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.errors import ConfigError
    from digitkit.package.check import check_archive, format_matrix, format_report
    from digitkit.package.interpreters import interpreters

    if args.sample < 1:
        raise ConfigError(f"--sample must be at least 1, got {args.sample}")
    if args.no_install and args.python:
        raise ConfigError("--no-install runs the archive in this environment; it cannot be combined with --python")
    # None: --no-install, this environment
    pythons: list[Path | None] = [None] if args.no_install else [*interpreters(args.python or [sys.executable])]
    cache = cache_dir(args.cache)
    ensure_mnist(cache, True)
    images, labels = load_mnist("test", cache)
    reports = []
    for python in pythons:
        if len(pythons) > 1:
            print(f"checking with {python} ...", file=sys.stderr, flush=True)
        reports.append(check_archive(args.archive, python=python, images=images, labels=labels, sample=args.sample))
    for report in reports:
        if len(reports) > 1:
            if report.passed:
                continue  # its matrix row says all there is
            print(f"\n{report.interpreter}:")
        print(report.install_problem or format_report(report))
        if report.results and not report.passed:
            print("\nservice output (last lines):\n" + report.log)
    if len(reports) > 1:
        print("\n" + format_matrix(reports))
    return 0 if all(report.passed for report in reports) else 1
