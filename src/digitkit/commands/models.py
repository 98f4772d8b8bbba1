"""digitkit models: the registered model versions; promote one to be the default, or reset to the shipped one."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digitkit.commands.common import new_parser


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "models", "list model versions; promote one to be the served default, or reset")
    parser.add_argument(
        "action", nargs="?", default="list", choices=["list", "promote", "reset"], help="[default: list]"
    )
    parser.add_argument("version", nargs="?", default=None, help="the version to promote")
    parser.add_argument("--force", action="store_true", help="promote even if the no-regression gate refuses")
    parser.add_argument(
        "--registry",
        type=Path,
        default=None,
        help="versions folder [default: $DIGITKIT_REGISTRY_DIR, else data folder]",
    )
    parser.add_argument(
        "--database",
        default=None,
        help="SQLAlchemy URL [default: $DIGITKIT_DATABASE_URL, else SQLite in the data folder]",
    )
    parser.add_argument("--json", action="store_true", help="print the list as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.errors import ConfigError
    from digitkit.serve.settings import settings_from_env
    from digitkit.store.database import Database
    from digitkit.store.promotions import Promotions
    from digitkit.versions import Registry, configured_metrics, promote

    settings = settings_from_env(database_url=args.database)
    registry = Registry(args.registry or settings.registry_path())
    pointer = Promotions(Database(settings.feedback_url()))
    if args.action != "promote" and args.version:
        raise ConfigError(f"'models {args.action}' takes no version; did you mean 'models promote {args.version}'?")
    if args.action == "promote":
        if not args.version:
            raise ConfigError(
                "name the version to promote: digitkit models promote VERSION (`digitkit models` lists them)"
            )
        version = promote(registry, pointer, args.version, configured_metrics(settings.models[0]), force=args.force)
        print(f"{version.id} is now the default; running servers switch within {settings.default_poll_s:g} s")
        return 0
    if args.action == "reset":
        pointer.promote(None)
        print(f"the default is the configured model again ({settings.models[0]})")
        return 0
    current = pointer.current()
    versions = registry.versions()
    if args.json:
        print(json.dumps([{**v.summary(), "default": v.id == current} for v in versions], indent=2))
        return 0
    if not versions:
        print(f"no versions in {registry.root} yet: `digitkit train RECIPE` registers each model it trains")
        return 0
    print(f"{'':2}{'version':<40} {'parent':<32} {'data':<24} {'MNIST':>7} {'suite':>7} {'bytes':>9}  created")
    for v in versions:
        mark = "* " if v.id == current else "  "
        mnist, suite = (v.metrics.get(k) for k in ("mnist_accuracy", "suite_accuracy"))
        print(
            f"{mark}{v.id:<40} {(v.parent or '-'):<32.32} {str(v.data.get('source', '-')):<24.24} "
            f"{_percent(mnist):>7} {_percent(suite):>7} {v.bytes:>9,}  {v.created_at}"
        )
    if current is None:
        print(f"(* marks the default; none promoted, so the configured model {settings.models[0]} serves)")
    return 0


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"
