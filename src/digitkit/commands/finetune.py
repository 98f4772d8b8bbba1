"""digitkit finetune: teach a model the corrected drawings without forgetting MNIST."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, non_negative_int, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(
        sub,
        "finetune",
        "fine-tune on feedback mixed with MNIST replay at a low learning rate; keep the model only if MNIST "
        "loses at most 0.1 points",
    )
    parser.add_argument(
        "--data",
        default="feedback",
        help="'feedback' (the drawings the server stored; see --database) or a labelled set such as "
        "folder:DIR from `digitkit feedback export DIR` [default: feedback]",
    )
    parser.add_argument("--from", dest="start", default="default", help="'default' or a version [default: default]")
    parser.add_argument("--epochs", type=positive_int, default=3, help="[default: 3]")
    parser.add_argument("-o", "--output", type=Path, default=None, help="write the kept model here too")
    parser.add_argument("--run-dir", type=Path, default=None, help="default: runs/finetune-TIME")
    parser.add_argument("--suite-size", type=non_negative_int, default=2000, help="images per suite corruption")
    parser.add_argument("--force", action="store_true", help="keep the model even if it forgets MNIST")
    parser.add_argument("--no-register", action="store_true", help="do not register the result as a version")
    parser.add_argument("--database", default=None, help="SQLAlchemy URL of the feedback [default: the server's]")
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import tempfile

    from digitkit.data.mnist import cache_dir
    from digitkit.errors import ConfigError
    from digitkit.serve.settings import settings_from_env
    from digitkit.train.finetune import finetune
    from digitkit.versions import Registry

    settings = settings_from_env(database_url=args.database)
    run_dir = args.run_dir or Path("runs") / f"finetune-{time.strftime('%Y%m%d-%H%M%S')}"
    registry = None if args.no_register else Registry(settings.registry_path())
    with tempfile.TemporaryDirectory(prefix="digitkit-feedback-") as scratch:
        spec = args.data
        if spec == "feedback":
            from digitkit.store import FeedbackStore

            count = FeedbackStore(settings.feedback_url()).export_folder(Path(scratch) / "feedback")
            if not count:
                raise ConfigError("there is no labelled feedback yet: draw on the server's page and press Send")
            spec = f"folder:{Path(scratch) / 'feedback'}"
        report = finetune(
            args.start,
            spec,
            cache=cache_dir(args.cache),
            run_dir=run_dir,
            output=args.output,
            registry=registry,
            epochs=args.epochs,
            suite_size=args.suite_size,
            force=args.force,
        )
    print(f"{'':28}{'before':>10}{'after':>10}")
    for key in report.before:
        print(f"{key.replace('_', ' '):<28}{report.before[key]:>10.2%}{report.after[key]:>10.2%}")
    if report.refused and report.output is None:
        raise ConfigError(f"not kept: {report.refused}; pass --force to keep it anyway")
    if report.refused:
        print(f"kept because of --force although {report.refused}")
    print(f"model {report.output}" + (f", registered as version {report.version.id}" if report.version else ""))
    if report.version:
        print(f"serve it: digitkit models promote {report.version.id}")
    return 0
