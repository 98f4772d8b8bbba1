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


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show a flag's default unless it is None/False or its help already states one."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text:
            return text
        return super()._get_help_string(action)


def new_parser(
    sub: argparse._SubParsersAction, name: str, help: str, aliases: tuple[str, ...] = ()
) -> argparse.ArgumentParser:
    return sub.add_parser(name, help=help, description=help, formatter_class=HelpFormatter, aliases=list(aliases))
