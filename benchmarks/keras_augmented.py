"""Augmented MNIST made by a library digitkit did not write: Keras 3's image augmentation layers.

The competition ranks on "a private set made by augmenting MNIST" (CONTRACT.md section 1), and nobody outside
knows how it was augmented. Its organizers, like most people who augment MNIST, most likely used a common
library rather than our ``data/augment.py``. This benchmark applies Keras 3's preprocessing layers (on the
pinned torch, KERAS_BACKEND=torch) to the MNIST test split and scores models on the path an uploaded image
takes (the preprocessing, then the model). No recipe calls these layers. Like MNIST-C, each set has relatives
among the training families (affine, elastic, blur, contrast, partial inversion; the default's second stage
blanks rectangles with its own ``augment.erase``), so the sets say how far those carry to another author's code.

Sets:
- ``kaggle-classic``: the augmentation of the well-known Kaggle MNIST notebooks, ``ImageDataGenerator(
  rotation_range=10, zoom_range=0.1, width_shift_range=0.1, height_shift_range=0.1)``, as Keras 3 layers (the
  generator itself was removed in Keras 3). Zoom is drawn for each axis independently, as there;
- ``kaggle-strong``: the same at twice the strength, with a shear;
- one layer alone at a moderate strength for each of zoom (each axis on its own), shear, perspective,
  elastic, Gaussian blur, contrast, and on every image an erased patch (RandomErasing, cutout: 5-20% of the
  image set to the background) or an inversion.

    python benchmarks/keras_augmented.py [--images 10000] [--models default tiny max] [--seed 0]

Needs the ``bench`` extra (``pip install -e '.[bench]'``) for Keras.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

#: Keras draws a layer's probability of acting from [0, factor] when factor is one number, so 1.0 acts on about
#: half the images; a pair (1, 1) acts on every one.
ALWAYS = (1.0, 1.0)
#: The layers' keyword arguments are in Keras 3's units: rotation as a fraction of a full turn, zoom and
#: translation as fractions of the image's side (positive zoom zooms out). RandomErasing's ``scale`` is the
#: range of each side's squared share of the image's side (Keras 3.15): patches of 5-20% of the image.
SETS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "kaggle-classic": [
        ("RandomRotation", {"factor": 10 / 360}),
        ("RandomZoom", {"height_factor": 0.1, "width_factor": 0.1}),
        ("RandomTranslation", {"height_factor": 0.1, "width_factor": 0.1}),
    ],
    "kaggle-strong": [
        ("RandomRotation", {"factor": 20 / 360}),
        ("RandomZoom", {"height_factor": 0.2, "width_factor": 0.2}),
        ("RandomTranslation", {"height_factor": 0.2, "width_factor": 0.2}),
        ("RandomShear", {"x_factor": 0.2, "y_factor": 0.2}),
    ],
    "zoom-each-axis": [("RandomZoom", {"height_factor": 0.3, "width_factor": 0.3})],
    "shear": [("RandomShear", {"x_factor": 0.3, "y_factor": 0.3})],
    "perspective": [("RandomPerspective", {"factor": 1.0, "scale": 0.4})],
    "elastic": [("RandomElasticTransform", {"factor": 1.0, "scale": 0.5, "value_range": (0, 1)})],
    "gaussian-blur": [
        ("RandomGaussianBlur", {"factor": 1.0, "kernel_size": 5, "sigma": (0.5, 1.0), "value_range": (0, 1)})
    ],
    "erasing": [("RandomErasing", {"factor": ALWAYS, "scale": (0.05, 0.2), "fill_value": 0.0, "value_range": (0, 1)})],
    "contrast": [("RandomContrast", {"factor": 0.7, "value_range": (0, 1)})],
    "invert": [("RandomInvert", {"factor": ALWAYS, "value_range": (0, 1)})],
}
#: Geometric layers fill what moves in from outside with the background, as MNIST's is black.
FILLED = {"RandomRotation", "RandomZoom", "RandomTranslation", "RandomShear"}


def augmented(images: np.ndarray, layers: list[tuple[str, dict[str, Any]]], seed: int) -> np.ndarray:
    """uint8 (N, 28, 28) -> the same images through the Keras layers in order, each with its own seed."""
    import keras

    x = images.astype(np.float32)[..., None] / 255.0
    for index, (name, kwargs) in enumerate(layers):
        extra = {"fill_mode": "constant", "fill_value": 0.0} if name in FILLED else {}
        layer = getattr(keras.layers, name)(**kwargs, **extra, seed=seed + index)
        x = np.concatenate(
            [keras.ops.convert_to_numpy(layer(x[i : i + 1000], training=True)) for i in range(0, len(x), 1000)]
        )
    return (np.clip(x[..., 0], 0.0, 1.0) * 255).round().astype(np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10000, help="MNIST test images per set (default 10000)")
    parser.add_argument("--models", nargs="+", default=["default", "tiny", "max"], help="shipped names or .onnx paths")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS), metavar="SET", help="default: all")
    parser.add_argument("--grid", type=Path, help="also save a PNG of the first 12 images of every set here")
    args = parser.parse_args()
    try:
        import keras  # noqa: F401
    except ImportError:
        parser.exit(2, "keras_augmented.py needs Keras 3: pip install -e '.[bench]'\n")

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.errors import DigitkitError
    from digitkit.preprocess import normalize_batch
    from digitkit.runtime import load_model

    cache = cache_dir()
    ensure_mnist(cache)
    images, labels = (part[: args.images] for part in load_mnist("test", cache))
    try:
        models = {name: load_model(name) for name in args.models}
    except DigitkitError as exc:
        parser.exit(2, f"keras_augmented.py: {exc}\n")
    result: dict[str, Any] = {"args": {**vars(args), "grid": str(args.grid) if args.grid else None}, "accuracy": {}}
    rows = []
    widths = {name: max(10, len(Path(name).stem) + 2) for name in models}
    print(f"{'set':<16}" + "".join(f"{Path(n).stem:>{w}}" for n, w in widths.items()) + "   seconds to augment")
    for name in ["clean", *args.sets]:
        started = time.perf_counter()
        pictures = (
            images if name == "clean" else augmented(images, SETS[name], args.seed + 100 * list(SETS).index(name))
        )
        spent = time.perf_counter() - started
        rows.append(pictures[:12])
        normalized = normalize_batch(pictures)  # once for every model: what Model.predict does first
        scores = {
            m: float((model.predict_logits(normalized).argmax(1) == labels).mean()) for m, model in models.items()
        }
        result["accuracy"][name] = scores
        print(f"{name:<16}" + "".join(f"{100 * scores[m]:>{w - 1}.2f}%" for m, w in widths.items()) + f"   {spent:.1f}")
    result["mean_over_sets"] = {m: float(np.mean([result["accuracy"][s][m] for s in args.sets])) for m in models}
    means = result["mean_over_sets"]
    print(f"{'mean of sets':<16}" + "".join(f"{100 * means[m]:>{w - 1}.2f}%" for m, w in widths.items()))
    if args.grid:
        from PIL import Image

        Image.fromarray(np.concatenate([np.concatenate(list(row), axis=1) for row in rows])).save(args.grid)
        print(f"saved {args.grid}")
    write_result("keras_augmented", result)


if __name__ == "__main__":
    main()
