"""Runtime benchmark: artifact vs torch parity, the cost of int8 quantization, one-thread speed, cold start.

    python benchmarks/runtime.py [--checkpoint runs/default/checkpoint.pt] [--artifacts default tiny max]

Parity and quantization cost need the training checkpoint (torch); speed and cold start need only artifacts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

COLD_START = """
import time, numpy as np
t = time.perf_counter()
from digitkit.runtime import load_model
m = load_model({path!r})
m.predict_proba(np.zeros((1, 28, 28), np.uint8))
print(time.perf_counter() - t)
"""


def parity(checkpoint: Path, images: np.ndarray, labels: np.ndarray, calibration: np.ndarray) -> dict[str, float]:
    """The checkpoint exported three ways (float32, int8 weights, int8 weights and activations) against torch."""
    from digitkit.export.onnx_export import attach_meta, build_graph, torch_logits, write_artifact
    from digitkit.preprocess import normalize_batch
    from digitkit.runtime import load_model
    from digitkit.runtime.artifact import ArtifactMeta
    from digitkit.train.checkpoint import load_checkpoint, model_from_checkpoint

    model = model_from_checkpoint(load_checkpoint(checkpoint))
    normalized = normalize_batch(images)
    reference = torch_logits(model, normalized).argmax(1)
    out: dict[str, float] = {"torch_accuracy": float((reference == labels).mean())}
    variants = {"float32": (False, None), "int8": (True, None), "int8_static": (True, normalize_batch(calibration))}
    with tempfile.TemporaryDirectory() as tmp:
        for key, (quantize, calibrate_on) in variants.items():
            meta = ArtifactMeta(
                name="b",
                recipe="b",
                architecture="b",
                parameters=0,
                preprocess_version=1,
                data="b",
                quantization="none",
            )
            path = Path(tmp) / f"{key}.onnx"
            size = write_artifact(attach_meta(build_graph(model, meta, quantize, calibrate_on), meta), path)
            predicted = load_model(path).predict_logits(normalized).argmax(1)
            out[f"{key}_bytes"] = size
            out[f"{key}_agreement_with_torch"] = float((predicted == reference).mean())
            out[f"{key}_accuracy"] = float((predicted == labels).mean())
    for key in ("int8", "int8_static"):
        out[f"{key}_cost_points"] = 100 * (out["float32_accuracy"] - out[f"{key}_accuracy"])
    return out


def speed(name: str) -> dict[str, float]:
    from digitkit.evaluate.size_report import images_per_second
    from digitkit.runtime import load_model

    model = load_model(name, threads=1)
    colds = []
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", COLD_START.format(path=str(model.path))],
            capture_output=True,
            text=True,
            check=True,
            env={"OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
        )
        colds.append(float(done.stdout.strip()))
    return {
        "bytes": model.path.stat().st_size,
        "images_per_s_batch64_1thread": images_per_second(model, batch=64, seconds=2.0),
        "images_per_s_batch1_1thread": images_per_second(model, batch=1, seconds=1.0),
        "cold_load_and_first_prediction_s": statistics.median(colds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", type=Path, default=Path("runs/default/checkpoint.pt"))
    parser.add_argument("--artifacts", nargs="*", default=None, help="names or paths (default: all shipped)")
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.runtime import shipped_models

    result: dict[str, object] = {}
    if args.checkpoint.is_file():
        cache = cache_dir()
        ensure_mnist(cache, progress=False)
        images, labels = load_mnist("test", cache)
        # Calibration images come from the training split, as in `digitkit export --static`.
        result["parity"] = parity(args.checkpoint, images, labels, load_mnist("train", cache)[0][:512])
        p = result["parity"]
        print(f"parity ({args.checkpoint}, 10,000 MNIST test images):")
        for key, value in p.items():  # type: ignore[attr-defined]
            print(f"  {key:<32} {value:.4f}" if isinstance(value, float) else f"  {key:<32} {value:,}")
    else:
        print(f"no checkpoint at {args.checkpoint}: skipping parity (train one with `digitkit train default`)")
    speeds = {}
    for name in args.artifacts or list(shipped_models()):
        speeds[name] = speed(name)
        s = speeds[name]
        print(
            f"{name:<8} {s['bytes']:>9,} bytes  {s['images_per_s_batch64_1thread']:>8,.0f} img/s (batch 64, 1 thread)"
            f"  {s['images_per_s_batch1_1thread']:>7,.0f} img/s (batch 1)  cold start "
            f"{1000 * s['cold_load_and_first_prediction_s']:.0f} ms"
        )
    result["speed"] = speeds
    write_result("runtime", result)


if __name__ == "__main__":
    main()
