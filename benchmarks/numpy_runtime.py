"""onnxruntime against plain numpy for the shipped ConvNet artifacts: speed, cold start, dependency size.

Decides the runtime by measurement (issue: "onnxruntime, or plain numpy if smaller and as fast"). The numpy
forward pass reads the same int8 weights from the artifact and runs conv (im2col + matmul), ReLU, max-pool,
global average pool and the linear layer.

    python benchmarks/numpy_runtime.py [--model tiny]

The numpy path reads weight-only int8 artifacts. The shipped default has int8 activations too (int8-static);
compare its weights with ``digitkit export runs/default/checkpoint.pt -o d.onnx`` and ``--model d.onnx``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def load_layers(path: Path) -> list[tuple[str, dict]]:
    """The graph as a list of (op, params) with dequantized float weights."""
    model = onnx.load(str(path))
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values = dict(init)
    layers = []
    for node in model.graph.node:
        if node.op_type == "Constant":
            values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        elif node.op_type == "DequantizeLinear":
            q, scale = init[node.input[0]].astype(np.float32), init[node.input[1]]
            values[node.output[0]] = q * scale.reshape((-1,) + (1,) * (q.ndim - 1))
        elif node.op_type == "Conv":
            layers.append(("conv", {"w": values[node.input[1]], "b": values[node.input[2]]}))
        elif node.op_type == "Gemm":
            layers.append(("linear", {"w": values[node.input[1]], "b": values[node.input[2]]}))
        elif node.op_type in ("Relu", "MaxPool", "GlobalAveragePool", "ReduceMean"):
            layers.append((node.op_type, {}))
        elif node.op_type in ("Sub", "Div"):
            layers.append((node.op_type, {"c": float(values[node.input[1]])}))
    return layers


def conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    n, c, h, wd = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))  # (N, C, H, W, 3, 3)
    cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * 9)
    out = cols @ w.reshape(w.shape[0], -1).T + b
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2)


def forward(layers: list[tuple[str, dict]], x: np.ndarray) -> np.ndarray:
    for op, p in layers:
        if op == "Sub":
            x = x - p["c"]
        elif op == "Div":
            x = x / p["c"]
        elif op == "conv":
            x = conv3x3(x, p["w"], p["b"])
        elif op == "Relu":
            x = np.maximum(x, 0)
        elif op == "MaxPool":
            n, c, h, w = x.shape
            x = x[:, :, : h // 2 * 2, : w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))
        elif op in ("GlobalAveragePool", "ReduceMean"):
            x = x.mean(axis=(2, 3))
        elif op == "linear":
            x = x.reshape(len(x), -1) @ p["w"].T + p["b"]
    return x


def rate(fn, x: np.ndarray, seconds: float = 2.0) -> float:
    fn(x)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        fn(x)
        done += len(x)
    return done / (time.perf_counter() - started)


def site_size_mb(distribution: str) -> float:
    files = importlib.metadata.distribution(distribution).files or []
    return sum(f.locate().stat().st_size for f in files if f.locate().is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="tiny", help="a weight-only int8 artifact (name or path)")
    args = parser.parse_args()

    from threadpoolctl import threadpool_limits

    from digitkit.data.mnist import cache_dir, load_mnist
    from digitkit.preprocess import normalize_batch
    from digitkit.runtime import load_model
    from digitkit.runtime.artifact import STATIC_INT8

    runtime = load_model(args.model, threads=1)
    if runtime.meta.quantization == STATIC_INT8:
        sys.exit(f"{args.model} has int8 activations; the numpy path reads weight-only artifacts (see --help)")
    layers = load_layers(runtime.path)
    images, labels = load_mnist("test", cache_dir())
    x = normalize_batch(images[:2000])[:, None]
    with threadpool_limits(1):
        numpy_pred = np.concatenate([forward(layers, x[i : i + 250]) for i in range(0, 2000, 250)]).argmax(1)
        ort_pred = runtime.predict_logits(x[:, 0]).argmax(1)
        batch = x[:64]
        numpy_rate = rate(lambda b: forward(layers, b), batch)
        ort_rate = rate(lambda b: runtime.predict_logits(b[:, 0]), batch)
    cold = {}
    for name, code in {
        "numpy": "import numpy",
        "onnxruntime": "import numpy, onnxruntime",
    }.items():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        cold[name] = time.perf_counter() - started
    result = {
        "model": args.model,
        "agreement_numpy_vs_onnxruntime": float((numpy_pred == ort_pred).mean()),
        "numpy_accuracy_2000": float((numpy_pred == labels[:2000]).mean()),
        "images_per_s_batch64_1thread": {"numpy": numpy_rate, "onnxruntime": ort_rate},
        "interpreter_plus_import_s": cold,
        "installed_mb": {"onnxruntime": site_size_mb("onnxruntime")},
    }
    print(f"{args.model}: numpy agrees with onnxruntime on {result['agreement_numpy_vs_onnxruntime']:.2%} of 2,000")
    print(f"one thread, batch 64: numpy {numpy_rate:,.0f} img/s, onnxruntime {ort_rate:,.0f} img/s")
    print(
        f"python + import: numpy {cold['numpy']:.3f} s, numpy + onnxruntime {cold['onnxruntime']:.3f} s; "
        f"onnxruntime installs {result['installed_mb']['onnxruntime']:.0f} MB (not part of the archive)"
    )
    write_result("numpy_runtime", result)


if __name__ == "__main__":
    main()
