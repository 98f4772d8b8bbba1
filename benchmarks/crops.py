"""Uploads cropped to the ink: MNIST test digits cut to their ink box (no margin, or a margin of 3 pixels), at
their own size and 3x larger, dark on white and white on black, read through ``Model.predict`` as the API reads
an upload. A crop without margin should read as well as one with.

Preprocessing version 3 cut tight dark-on-white crops into bands (a thick digit's middle columns are mostly
ink, so its edge columns looked like MNIST-C's inverted stripes); version 4 keeps them whole.

    python benchmarks/crops.py [--images 10000] [--models default tiny max]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def cropped(image: np.ndarray, margin: int, scale: int, dark_on_white: bool) -> np.ndarray:
    rows, cols = np.flatnonzero(image.max(axis=1)), np.flatnonzero(image.max(axis=0))
    crop = np.pad(image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], margin)
    if scale > 1:
        size = (crop.shape[1] * scale, crop.shape[0] * scale)
        crop = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BILINEAR))
    return 255 - crop if dark_on_white else crop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10000, help="MNIST test digits (default: all 10,000)")
    parser.add_argument("--models", nargs="+", default=["default"], help="shipped names or .onnx paths")
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.preprocess import PREPROCESS_VERSION
    from digitkit.runtime import load_model

    cache = cache_dir()
    ensure_mnist(cache)
    images, labels = (part[: args.images] for part in load_mnist("test", cache))
    print(f"{len(images)} MNIST test digits, preprocessing version {PREPROCESS_VERSION}")
    results = []
    for name in args.models:
        model = load_model(name)
        for dark_on_white in (True, False):
            for scale in (1, 3):
                row = {"model": name, "dark_on_white": dark_on_white, "scale": scale}
                for margin in (0, 3):
                    read = [model.predict(cropped(image, margin, scale, dark_on_white)[None])[0] for image in images]
                    row[f"margin_{margin}"] = float(np.mean(np.array(read) == labels))
                results.append(row)
                polarity = "dark on white" if dark_on_white else "white on black"
                print(
                    f"{name:8} {polarity:14} x{scale}: tight {row['margin_0']:.2%}  margin 3 px {row['margin_3']:.2%}",
                    flush=True,
                )
    write_result("crops", {"images": len(images), "preprocess_version": PREPROCESS_VERSION, "results": results})


if __name__ == "__main__":
    main()
