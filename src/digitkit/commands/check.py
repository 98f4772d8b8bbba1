"""digitkit check submission.zip: run the archive like the organizers and probe it; exit 1 on any FAIL."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, show_progress


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "check", "unpack, install, start and probe a submission archive; PASS/FAIL table")
    parser.add_argument("archive", type=Path, help="the submission zip")
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="use this Python environment instead of a fresh venv with python.txt installed",
    )
    parser.add_argument("--sample", type=int, default=500, help="MNIST test images sent to measure accuracy")
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.package.check import check_archive, format_report

    cache = cache_dir(args.cache)
    ensure_mnist(cache, show_progress())
    images, labels = load_mnist("test", cache)
    report = check_archive(args.archive, install=not args.no_install, images=images, labels=labels, sample=args.sample)
    print(format_report(report))
    if not report.passed:
        print("\nservice output (last lines):\n" + report.log)
    return 0 if report.passed else 1
