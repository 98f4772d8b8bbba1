"""Uploads as people crop them, read through ``Model.predict`` as the API reads an upload:

- cut to the ink box (no margin, or a margin of 3 pixels), at their own size and 3x larger, dark on white and
  white on black: a crop without margin should read as well as one with;
- written in a form's box (scaled 4x on a page with a 6-pixel margin, lines 4 pixels wide): along the edge,
  inside, open at the top, white on black, pencil on grey paper, and turned by 2 and 4 degrees: a boxed digit should
  read as well as the same digit on the same page without the box.

Preprocessing version 3 cut tight dark-on-white crops into bands (a thick digit's middle columns are mostly
ink, so its edge columns looked like MNIST-C's inverted stripes); version 4 keeps them whole. A box is still
taken for ink (it stretches the ink box) or, along the edge, for the border: the box rows measure that gap.

    python benchmarks/crops.py [--images 10000] [--boxed 2000] [--models default tiny max] [--against FILE]

It also times ``normalize_batch`` on MNIST digits (batches of 64, and one at a time); ``--against`` times another
preprocess.py beside it in the same run (for example version 3's: ``git show d4cf73e:src/digitkit/preprocess.py``).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

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


#: name -> (sides, page, ink, inset, turned degrees)
BOXES = {
    "box along the edge": ("tblr", 255, 0, 0, 0),
    "box inside": ("tblr", 255, 0, 8, 0),
    "open top": ("blr", 255, 0, 8, 0),
    "white on black": ("tblr", 0, 255, 8, 0),
    "pencil on grey": ("tblr", 200, 60, 8, 0),
    "turned 2 degrees": ("tblr", 255, 0, 8, 2),
    "turned 4 degrees": ("tblr", 255, 0, 8, 4),
}


def boxed(image: np.ndarray, sides: str, page: int, ink: int, inset: int, turned: float) -> np.ndarray:
    field = np.pad(255 - image, 6, constant_values=255)
    field = np.asarray(Image.fromarray(field).resize((160, 160), Image.Resampling.BILINEAR)) / 255.0
    drawn = ink + (page - ink) * field
    end = 160 - inset
    for side in sides:
        rows = slice(inset, inset + 4) if side == "t" else slice(end - 4, end) if side == "b" else slice(inset, end)
        cols = slice(inset, inset + 4) if side == "l" else slice(end - 4, end) if side == "r" else slice(inset, end)
        drawn[rows, cols] = ink
    picture = Image.fromarray(drawn.round().astype(np.uint8))
    return np.asarray(picture.rotate(turned, Image.Resampling.BILINEAR, fillcolor=page) if turned else picture)


def preprocessing_cost(module: ModuleType, images: np.ndarray) -> dict[str, float]:
    """Microseconds per image of ``module.normalize_batch``: batches of 64, and one image at a time (best of 3)."""

    def per_image(batch: int, count: int) -> float:
        start = time.perf_counter()
        for first in range(0, count, batch):
            module.normalize_batch(images[first : first + batch])
        return (time.perf_counter() - start) / count * 1e6

    batched, alone = min(6400, len(images)), min(2000, len(images))
    return {
        "batch_64_us": min(per_image(64, batched) for _ in range(3)),
        "single_us": min(per_image(1, alone) for _ in range(3)),
    }


def load_preprocess(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("other_preprocess", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"--against {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10000, help="MNIST test digits (default: all 10,000)")
    parser.add_argument("--boxed", type=int, default=2000, help="digits drawn in each kind of box (default: 2,000)")
    parser.add_argument("--models", nargs="+", default=["default"], help="shipped names or .onnx paths")
    parser.add_argument("--against", type=Path, help="another preprocess.py to time beside this one")
    args = parser.parse_args()

    import digitkit.preprocess
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
        for kind, (sides, page, ink, inset, turned) in BOXES.items():
            row = {"model": name, "box": kind}
            for label, drawn in (("boxed", sides), ("unboxed", "")):
                pages = np.stack([boxed(image, drawn, page, ink, inset, turned) for image in images[: args.boxed]])
                row[label] = float(np.mean(model.predict(pages) == labels[: args.boxed]))
            results.append(row)
            print(f"{name:8} {kind:18}: in the box {row['boxed']:.2%}  without it {row['unboxed']:.2%}", flush=True)
    costs = {f"version {PREPROCESS_VERSION}": preprocessing_cost(digitkit.preprocess, images)}
    if args.against:
        other = load_preprocess(args.against)
        costs[f"version {other.PREPROCESS_VERSION} ({args.against})"] = preprocessing_cost(other, images)
    for name, cost in costs.items():
        print(
            f"normalize_batch, {name}: {cost['batch_64_us']:.1f} us an image in batches of 64, "
            f"{cost['single_us']:.1f} us one at a time"
        )
    payload = {"images": len(images), "preprocess_version": PREPROCESS_VERSION, "results": results, "cost": costs}
    write_result("crops", payload)


if __name__ == "__main__":
    main()
