"""Arguments several commands share, defined once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_cache(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="data cache folder (default: $DIGITKIT_CACHE or ~/.cache/digitkit)",
    )


def show_progress() -> bool:
    """Progress bars only for a person watching a terminal."""
    return sys.stderr.isatty()


def new_parser(sub: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=help, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
