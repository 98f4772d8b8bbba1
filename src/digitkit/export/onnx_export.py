"""Export a trained torch model to a self-describing ONNX artifact, optionally with int8 or packed 4-bit weights."""

from __future__ import annotations

import copy
import io
import logging
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper
from torch import nn

from digitkit.errors import ConfigError
from digitkit.files import write_atomic
from digitkit.models.grid import bake, channel_codes, grid_levels, weight_bits
from digitkit.runtime.artifact import (
    INPUT_NAME,
    METADATA_KEY,
    OUTPUT_NAME,
    STATIC_INT8,
    WEIGHT_INT4,
    WEIGHT_INT8,
    ArtifactMeta,
)

log = logging.getLogger(__name__)
OPSET = 17


def fold_batchnorm(model: nn.Module) -> nn.Module:
    """Return an eval-mode copy with every Conv2d+BatchNorm2d pair folded into one convolution."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    folded = copy.deepcopy(model).eval()
    for parent in folded.modules():
        children = list(parent.named_children())
        for (name_a, a), (name_b, b) in zip(children, children[1:], strict=False):
            if isinstance(a, nn.Conv2d) and isinstance(b, nn.BatchNorm2d):
                setattr(parent, name_a, fuse_conv_bn_eval(a, b))
                setattr(parent, name_b, nn.Identity())
    return folded


def to_onnx(model: nn.Module) -> onnx.ModelProto:
    """Plain float ONNX graph with a dynamic batch axis; weights trained on a grid are exported rounded."""
    buffer = io.BytesIO()
    example = torch.zeros(2, 1, 28, 28)
    torch.onnx.export(
        fold_batchnorm(bake(copy.deepcopy(model))),
        (example,),
        buffer,  # type: ignore[arg-type]  # file objects work; the stub says paths
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        opset_version=OPSET,
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        dynamo=False,
    )
    return onnx.load_from_string(buffer.getvalue())


def quantize_weights_int8(graph_model: onnx.ModelProto) -> onnx.ModelProto:
    """Store each Conv/Gemm weight as int8 with a per-output-channel scale and a DequantizeLinear node.

    Activations stay float: the runtime folds the weights back to float once at load, so the artifact is
    4x smaller at the speed of the float model, and accuracy moves by a few hundredths of a point at most.
    """
    model = copy.deepcopy(graph_model)
    graph = model.graph
    new_nodes = []
    for init in _weight_initializers(graph):
        codes, scale = _channel_codes(numpy_helper.to_array(init), 8)
        graph.initializer.remove(init)
        base = init.name
        graph.initializer.extend(
            [
                numpy_helper.from_array(codes.astype(np.int8), f"{base}_int8"),
                numpy_helper.from_array(scale, f"{base}_scale"),
                numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), f"{base}_zero"),
            ]
        )
        new_nodes.append(
            helper.make_node(
                "DequantizeLinear",
                [f"{base}_int8", f"{base}_scale", f"{base}_zero"],
                [base],
                axis=0,
                name=f"{base}_dequantize",
            )
        )
    # DequantizeLinear producers must precede their consumers: put them first.
    existing = list(graph.node)
    del graph.node[:]
    graph.node.extend(new_nodes + existing)
    onnx.checker.check_model(model)
    return model


def _channel_codes(weight: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(integer codes, one float32 step per output channel (axis 0)) by models/grid.py's rule."""
    codes, scale = channel_codes(torch.from_numpy(weight.astype(np.float32)), bits)
    return codes.numpy().astype(np.int64), scale.flatten().numpy()


def _weight_initializers(graph: onnx.GraphProto) -> list[onnx.TensorProto]:
    """The initializers that are Conv or Gemm weights (output channels on axis 0), in node order."""
    initializers = {init.name: init for init in graph.initializer}
    return [
        initializers[node.input[1]]
        for node in graph.node
        if node.op_type in ("Conv", "Gemm") and len(node.input) >= 2 and node.input[1] in initializers
    ]


def pack_weights(graph_model: onnx.ModelProto, bits: int = 4) -> onnx.ModelProto:
    """Store every Conv/Gemm weight as ``bits``-bit codes, two to a byte, with one float scale per output channel.

    The codes of all weights form one uint8 tensor (the first half in the high nibbles, the second half in
    the low ones); a few plain float ops (Cast, Div, Floor, Sub, Concat, Split, Reshape, Mul) rebuild the
    weights, so every onnxruntime the archive installs (1.14 and later) runs it, and constant folding
    turns them back into float weights once, at load. Weights trained on the grid (models/grid.py) come
    back exactly; any other model is rounded, and the checked export measures what that costs.
    """
    if bits != 4:
        raise ConfigError(f"weights pack two to a byte at 4 bits only, not {bits}")
    model = copy.deepcopy(graph_model)
    graph = model.graph
    weights = _weight_initializers(graph)
    levels = grid_levels(bits)
    codes, sizes, rebuilt = [], [], []
    for init in weights:
        weight_codes, scale = _channel_codes(numpy_helper.to_array(init), bits)
        codes.append(weight_codes.ravel())
        sizes.append(weight_codes.size)
        base = init.name
        graph.initializer.remove(init)
        graph.initializer.extend(
            [
                numpy_helper.from_array(np.array(weight_codes.shape, np.int64), f"{base}_shape"),
                numpy_helper.from_array(scale.reshape((-1,) + (1,) * (weight_codes.ndim - 1)), f"{base}_scale"),
            ]
        )
        rebuilt += [
            helper.make_node("Reshape", [f"{base}_codes", f"{base}_shape"], [f"{base}_grid"]),
            helper.make_node("Mul", [f"{base}_grid", f"{base}_scale"], [base]),
        ]
    flat = np.concatenate(codes) + levels + 1  # 1..15: unsigned nibbles
    if flat.size % 2:
        flat = np.append(flat, levels + 1)  # a zero weight pads the odd one out; Split leaves it unused
        sizes.append(1)
    half = flat.size // 2
    packed = (flat[:half] * 16 + flat[half:]).astype(np.uint8)
    graph.initializer.extend(
        [
            numpy_helper.from_array(packed, "packed"),
            numpy_helper.from_array(np.array(16.0, np.float32), "sixteen"),
            numpy_helper.from_array(np.array(levels + 1, np.float32), "offset"),
            numpy_helper.from_array(np.array(sizes, np.int64), "sizes"),
        ]
    )
    outputs = [f"{init.name}_codes" for init in weights] + (["padding"] if len(sizes) > len(weights) else [])
    unpack = [
        helper.make_node("Cast", ["packed"], ["bytes"], to=onnx.TensorProto.FLOAT),
        helper.make_node("Div", ["bytes", "sixteen"], ["high_fraction"]),
        helper.make_node("Floor", ["high_fraction"], ["high"]),
        helper.make_node("Mul", ["high", "sixteen"], ["high_shifted"]),
        helper.make_node("Sub", ["bytes", "high_shifted"], ["low"]),
        helper.make_node("Concat", ["high", "low"], ["nibbles"], axis=0),
        helper.make_node("Sub", ["nibbles", "offset"], ["codes"]),
        helper.make_node("Split", ["codes", "sizes"], outputs, axis=0),
    ]
    existing = list(graph.node)
    del graph.node[:]
    graph.node.extend(unpack + rebuilt + existing)  # producers before their consumers
    onnx.checker.check_model(model)
    return model


def _short_name(index: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "ba": the shortest distinct names, in base 26."""
    letters = ""
    while True:
        index, digit = divmod(index, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[digit] + letters
        if index == 0:
            return letters


def compact(model: onnx.ModelProto) -> onnx.ModelProto:
    """Drop what the runtime never reads (node names, doc strings, shape hints, other tools' metadata) and
    give every internal tensor a one- or two-letter name: about 10% fewer bytes, the same computation."""
    model = copy.deepcopy(model)
    graph = model.graph
    keep = {value.name for value in graph.input} | {value.name for value in graph.output}
    renamed: dict[str, str] = {}

    def short(name: str) -> str:
        if not name or name in keep:
            return name
        return renamed.setdefault(name, _short_name(len(renamed)))

    _drop_zero_points(graph)
    for node in graph.node:
        node.ClearField("name")  # proto2: an empty string set is still written; cleared, it is not
        node.ClearField("doc_string")
        node.input[:] = [short(name) for name in node.input]
        node.output[:] = [short(name) for name in node.output]
    for init in graph.initializer:
        init.name = short(init.name)
        init.ClearField("doc_string")
    del graph.value_info[:]
    del model.metadata_props[:]
    graph.ClearField("doc_string")
    model.ClearField("doc_string")
    onnx.checker.check_model(model)
    return model


def _drop_zero_points(graph: onnx.GraphProto) -> None:
    """DequantizeLinear's zero point is optional and 0 when left out: drop the all-zero ones (int8 weights are
    symmetric), with their initializers. Graphs with int8 activations keep theirs: older onnxruntimes (Python
    3.7's) only fuse QuantizeLinear/DequantizeLinear pairs into int8 kernels when every zero point is there."""
    if any(node.op_type == "QuantizeLinear" for node in graph.node):
        return
    initializers = {init.name: init for init in graph.initializer}
    used = [name for node in graph.node for name in node.input]
    for node in graph.node:
        if node.op_type != "DequantizeLinear" or len(node.input) != 3 or node.input[2] not in initializers:
            continue
        zero = initializers[node.input[2]]
        if zero.data_type == onnx.TensorProto.INT8 and not numpy_helper.to_array(zero).any():
            name = node.input[2]
            del node.input[2]
            used.remove(name)
            if name not in used:
                graph.initializer.remove(zero)


def attach_meta(model: onnx.ModelProto, meta: ArtifactMeta) -> onnx.ModelProto:
    for prop in list(model.metadata_props):
        if prop.key == METADATA_KEY:
            model.metadata_props.remove(prop)
    model.metadata_props.append(onnx.StringStringEntryProto(key=METADATA_KEY, value=meta.to_json()))
    model.producer_name = "digitkit"
    return model


def write_artifact(model: onnx.ModelProto, path: Path) -> int:
    """Write atomically; return the byte size."""
    return write_atomic(path, model.SerializeToString())


def quantize_static_int8(graph_model: onnx.ModelProto, calibration: np.ndarray) -> onnx.ModelProto:
    """8-bit weights (per channel) and activations (calibrated on ``calibration``, (N, 28, 28) normalized),
    by onnxruntime's quantizer: 2-3x faster on CPUs with int8 dot products, accuracy checked by the caller.
    Weights are unsigned like the activations: with signed weights, CPUs without VNNI (AVX2 only) saturate the
    16-bit sums of their u8 x s8 dot products, and the default read 99.54% of MNIST on such a machine against
    99.59% on others; u8 x u8 is exact on both (99.59%, 100% agreement with torch on this AVX2 machine)."""
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Batches(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter([{INPUT_NAME: calibration[i : i + 64, None]} for i in range(0, len(calibration), 64)])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantizer logs advice with links on the root logger; not for our users
    try:
        with tempfile.TemporaryDirectory() as tmp:
            source, target = Path(tmp) / "float.onnx", Path(tmp) / "int8.onnx"
            onnx.save(graph_model, str(source))
            quantize_static(
                str(source),
                str(target),
                Batches(),
                quant_format=QuantFormat.QDQ,
                per_channel=True,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QUInt8,
            )
            return onnx.load(str(target))
    finally:
        root.setLevel(level)


def build_graph(
    model: nn.Module, meta: ArtifactMeta, quantize: bool = True, calibration: np.ndarray | None = None
) -> onnx.ModelProto:
    """torch model -> ONNX graph: int8 weights when ``quantize``, int8 activations too when ``calibration``
    images are given, packed 4-bit weights for a model trained on that grid; records the quantization in ``meta``."""
    graph_model = to_onnx(model)
    bits = weight_bits(model)
    if quantize and bits:
        if calibration is not None:
            raise ConfigError(f"a model trained on {bits}-bit weights exports with float activations; drop --static")
        meta.quantization = WEIGHT_INT4
        graph_model = pack_weights(graph_model, bits)
    elif quantize and calibration is not None:
        meta.quantization = STATIC_INT8
        graph_model = quantize_static_int8(graph_model, calibration)
    elif quantize:
        meta.quantization = WEIGHT_INT8
        graph_model = quantize_weights_int8(graph_model)
    else:
        meta.quantization = "none"
    return compact(graph_model)


@torch.no_grad()
def torch_logits(model: nn.Module, normalized: np.ndarray, batch: int = 1000) -> np.ndarray:
    model = model.eval()
    outs = [
        model(torch.from_numpy(normalized[i : i + batch])[:, None]).numpy() for i in range(0, len(normalized), batch)
    ]
    if outs:
        return np.concatenate(outs)
    classes = model(torch.zeros(1, 1, 28, 28)).shape[1]  # an empty batch still has the model's class count
    return np.zeros((0, classes), np.float32)
