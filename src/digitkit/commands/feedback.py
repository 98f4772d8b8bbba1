"""digitkit feedback export DIR: the collected, labelled digits as an image-folder data set to fine-tune on."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import new_parser
from digitkit.errors import ConfigError, DataError


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "feedback", "work with the drawings people corrected on the page")
    parser.add_argument("action", choices=["export"], help="export: write images/ and train.csv (id,class)")
    parser.add_argument("folder", type=Path, help="a new folder to create")
    parser.add_argument(
        "--database",
        default=None,
        help="SQLAlchemy URL (default: $DIGITKIT_DATABASE_URL, else SQLite in the data folder)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.serve.settings import settings_from_env
    from digitkit.store import FeedbackStore

    if args.folder.exists():
        raise ConfigError(f"{args.folder} already exists; name a new folder for the export")
    url = settings_from_env(database_url=args.database).feedback_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        raise DataError(
            f"no feedback collected yet ({url.removeprefix('sqlite:///')} does not exist); start `digitkit serve`, "
            "draw on its page and press Send, or pass --database URL"
        )
    count = FeedbackStore(url).export_folder(args.folder)
    print(f"wrote {count} labelled digits to {args.folder} (train.csv + images/); fine-tune with:")
    print(f"  digitkit train default --data folder:{args.folder} --init-from default --epochs 3")
    return 0
