"""The ``digitkit`` command: parse arguments, call the library, print. No logic lives here."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from digitkit import __version__
from digitkit.commands import (
    check,
    cv,
    evaluate,
    export,
    feedback,
    fetch,
    finetune,
    kaggle,
    models,
    package,
    ramp_kit,
    serve,
    size_report,
    train,
)
from digitkit.commands.common import HelpFormatter, Parser
from digitkit.errors import DigitkitError

COMMANDS = (
    fetch,
    train,
    finetune,
    evaluate,
    export,
    models,
    size_report,
    serve,
    package,
    check,
    feedback,
    kaggle,
    cv,
    ramp_kit,
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="digitkit",
        description="Handwritten-digit recognition: fetch MNIST, train, evaluate, export, serve, package.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digitkit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2): a status, as for every command
        return int(exc.code or 0)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.run(args) or 0)
    except DigitkitError as exc:
        print(f"digitkit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
