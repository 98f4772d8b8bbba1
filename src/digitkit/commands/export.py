"""digitkit export CHECKPOINT -o FILE.onnx: a checkpoint to a self-describing ONNX artifact."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import add_cache, new_parser, non_negative_int, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "export", "export a training checkpoint to an ONNX artifact, checked against torch")
    parser.add_argument(
        "checkpoints",
        type=Path,
        nargs="+",
        help="checkpoint.pt from a run folder, or 'default' (the shipped one); several make one ensemble artifact",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="artifact path (.onnx)")
    parser.add_argument("--name", default=None, help="model name stored in the artifact (default: recipe name)")
    parser.add_argument(
        "--no-quantize",
        action="store_true",
        help="keep float32 weights (default: int8, or 4-bit codes two to a byte for a net trained on that grid)",
    )
    parser.add_argument(
        "--static",
        action="store_true",
        help="int8 activations too, calibrated on 512 MNIST training images (faster on CPUs)",
    )
    parser.add_argument(
        "--check",
        type=positive_int,
        default=10000,
        help="validation images (MNIST test for digit models) for the torch agreement check",
    )
    parser.add_argument(
        "--suite-size",
        type=non_negative_int,
        default=0,
        help="also score the robustness suite with this many images a kind and record it (digit models; 0: no)",
    )
    add_cache(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.data.mnist import cache_dir
    from digitkit.export.checked import export_checkpoints

    report = export_checkpoints(
        args.checkpoints,
        args.output,
        name=args.name,
        quantize=not args.no_quantize,
        cache=cache_dir(args.cache),
        check_images=args.check,
        static=args.static,
        suite_size=args.suite_size,
    )
    print(f"wrote {args.output}: {report.bytes:,} bytes ({report.meta.quantization})")
    print(
        f"agreement with torch on {report.images:,} validation images: {report.agreement:.4%}; accuracy torch "
        f"{report.torch_accuracy:.4%}, runtime {report.runtime_accuracy:.4%}"
    )
    return 0
