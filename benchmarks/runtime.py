"""Runtime benchmark: artifact vs torch parity, the cost of int8 quantization, one-thread speed, cold start.

    python benchmarks/runtime.py [--checkpoint src/digitkit/shipped/default.pt] [--artifacts default tiny max]

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


def parity(checkpoint: Path, cache: Path) -> dict[str, float]:
    """The checkpoint exported three ways (float32, int8 weights, int8 weights and activations) against torch,
    through the same checked export as `digitkit export`, with the agreement floor lowered to measure it."""
    from digitkit.data.sources import Dataset, training_sets
    from digitkit.export.checked import CALIBRATION_IMAGES, describe, export_checked
    from digitkit.models.checkpoint import load_checkpoint, model_from_checkpoint
    from digitkit.tasks import get_task

    state = load_checkpoint(checkpoint)
    model = model_from_checkpoint(state)
    train, check = training_sets(None, get_task(state["recipe"].get("task", "digits")), cache)
    calibration = train.images[:CALIBRATION_IMAGES]
    variants: dict[str, tuple[bool, np.ndarray | None]] = {
        "float32": (False, None),
        "int8": (True, None),
        "int8_static": (True, calibration),
    }
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for key, (quantize, calibrate_on) in variants.items():
            meta = describe(model, state["recipe"], name="bench", data=str(state.get("data")))
            report = export_checked(
                model,
                meta,
                Path(tmp) / f"{key}.onnx",
                check=Dataset(check.images, check.labels, check.name),
                quantize=quantize,
                calibration=calibrate_on,
                min_agreement=0.0,
            )
            out["torch_accuracy"] = report.torch_accuracy
            out[f"{key}_bytes"] = report.bytes
            out[f"{key}_agreement_with_torch"] = report.agreement
            out[f"{key}_accuracy"] = report.runtime_accuracy
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
    parser.add_argument("--checkpoint", type=Path, default=Path("src/digitkit/shipped/default.pt"))
    parser.add_argument("--artifacts", nargs="*", default=None, help="names or paths (default: all shipped)")
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir
    from digitkit.runtime import shipped_models

    result: dict[str, object] = {}
    if args.checkpoint.is_file():
        result["parity"] = parity(args.checkpoint, cache_dir())
        p = result["parity"]
        print(f"parity ({args.checkpoint}, 10,000 validation images):")
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
