"""digitkit package MODEL -o submission.zip: the competition archive, size-checked."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import new_parser


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "package", "build the competition submission archive (run.sh, python.txt, code, model)")
    parser.add_argument("model", nargs="?", default="default", help="shipped model name or artifact path")
    parser.add_argument("-o", "--output", type=Path, default=Path("submission.zip"), help="archive to write")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.package.build import build_archive

    report = build_archive(args.model, args.output)
    for name, size in report.entries:
        print(f"  {size:>9,}  {name}")
    print(f"wrote {report.path}: {report.bytes:,} bytes (limit 4,194,304)")
    return 0
