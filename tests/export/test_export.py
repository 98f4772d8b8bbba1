import numpy as np
import onnx
import pytest
import torch

from digitkit.data.sources import Dataset
from digitkit.export.checked import export_checked, export_checkpoints
from digitkit.export.onnx_export import OPSET, compact, fold_batchnorm, to_onnx, torch_logits
from digitkit.models import create_model
from digitkit.models.checkpoint import load_checkpoint, model_from_checkpoint
from digitkit.preprocess import normalize_batch
from digitkit.runtime import load_model
from digitkit.runtime.artifact import INPUT_NAME, OUTPUT_NAME
from helpers import placeholder_meta


@pytest.fixture(scope="module")
def trained_default():
    """The shipped default's weights: a fully trained net, whose answers int8 weights should hardly change. The
    smoke model is too barely trained for that: its near-flat logits flip on 1-2% of images, by training seed."""
    return model_from_checkpoint(load_checkpoint("default"))


def test_batchnorm_folding_keeps_outputs():
    model = create_model("convnet_default").eval()
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    x = torch.rand(4, 1, 28, 28)
    folded = fold_batchnorm(model)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    assert torch.allclose(model(x), folded(x), atol=1e-4)


def test_export_is_standard_onnx_with_a_dynamic_batch():
    graph = to_onnx(create_model("convnet_tiny"))
    onnx.checker.check_model(graph)
    assert graph.opset_import[0].version >= OPSET
    assert graph.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"


def test_compact_graphs_are_smaller_and_compute_the_same():
    import onnxruntime as ort

    graph = to_onnx(create_model("convnet_tiny"))
    graph.metadata_props.append(onnx.StringStringEntryProto(key="other.tool", value="x" * 100))
    small = compact(graph)
    assert graph.ByteSize() - small.ByteSize() > 1500  # names, doc strings and the foreign metadata
    assert not small.metadata_props
    internal = [name for node in small.graph.node for name in node.output if name != OUTPUT_NAME]
    assert internal and all(len(name) <= 2 for name in internal)
    assert [i.name for i in small.graph.input] == [INPUT_NAME]
    assert [o.name for o in small.graph.output] == [OUTPUT_NAME]
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    (before,) = ort.InferenceSession(graph.SerializeToString()).run(None, {INPUT_NAME: x})
    (after,) = ort.InferenceSession(small.SerializeToString()).run(None, {INPUT_NAME: x})
    assert np.array_equal(before, after)


def unchecked_export(model, path, quantize):
    """Through the one export path with the agreement floor at 0, so the test itself measures agreement."""
    check = Dataset(np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8), "blank")
    return export_checked(model, placeholder_meta(), path, check=check, quantize=quantize, min_agreement=0.0).bytes


@pytest.mark.parametrize("quantize", [False, True])
def test_runtime_agrees_with_torch_on_mnist(tmp_path, trained_default, mnist_test, quantize):
    images, labels = mnist_test
    path = tmp_path / "m.onnx"
    unchecked_export(trained_default, path, quantize)
    runtime = load_model(path)
    normalized = normalize_batch(images[:2000])
    reference = torch_logits(trained_default, normalized).argmax(1)
    predicted = runtime.predict_logits(normalized).argmax(1)
    agreement = (reference == predicted).mean()
    assert agreement >= (0.999 if not quantize else 0.998)  # both 100% when written
    if not quantize:
        assert np.allclose(
            runtime.predict_logits(normalized[:50]), torch_logits(trained_default, normalized[:50]), atol=1e-4
        )
    torch_acc = (reference == labels[:2000]).mean()
    runtime_acc = (predicted == labels[:2000]).mean()
    assert abs(torch_acc - runtime_acc) <= 0.005


def test_int8_weights_make_the_file_about_four_times_smaller(tmp_path):
    model = create_model("convnet_default")
    full = unchecked_export(model, tmp_path / "f.onnx", quantize=False)
    small = unchecked_export(model, tmp_path / "q.onnx", quantize=True)
    assert small < full / 3.5
    assert load_model(tmp_path / "q.onnx").meta.quantization == "int8-weights"


def test_4bit_weights_pack_two_to_a_byte_and_compute_exactly_what_torch_computes(tmp_path):
    model = create_model("convnet_micro4")
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    model.eval()
    full = unchecked_export(model, tmp_path / "f.onnx", quantize=False)
    packed = unchecked_export(model, tmp_path / "p.onnx", quantize=True)
    weights = sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Conv2d | torch.nn.Linear))
    # 4 bytes a weight -> half a byte, plus a scale a channel, each weight's shape and the ops that unpack them
    assert full - packed >= weights * 3.5 - 1200
    runtime = load_model(tmp_path / "p.onnx")
    assert runtime.meta.quantization == "int4-weights"
    x = np.random.default_rng(0).random((20, 28, 28), dtype=np.float32)
    assert np.allclose(runtime.predict_logits(x), torch_logits(model, x), atol=1e-4)
    graph = onnx.load(str(tmp_path / "p.onnx"))
    assert {i.data_type for i in graph.graph.initializer if i.dims and i.dims[0] > 1000} == {onnx.TensorProto.UINT8}


def test_a_4bit_model_refuses_int8_activations(tmp_path):
    from digitkit.errors import ConfigError

    check = Dataset(np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8), "blank")
    with pytest.raises(ConfigError, match="drop --static"):
        export_checked(
            create_model("convnet_micro4").eval(),
            placeholder_meta(),
            tmp_path / "s.onnx",
            check=check,
            calibration=np.zeros((4, 28, 28), np.uint8),
        )
    assert not (tmp_path / "s.onnx").exists()


def test_two_checkpoints_export_as_one_ensemble(tmp_path, smoke_artifact, mnist_cache):
    checkpoint = smoke_artifact.parent / "checkpoint.pt"
    report = export_checkpoints(
        [checkpoint, checkpoint], tmp_path / "e.onnx", name="pair", quantize=False, cache=mnist_cache, check_images=500
    )
    model = load_model(tmp_path / "e.onnx")
    assert model.meta.architecture == "ensemble(convnet_tiny+convnet_tiny)"
    assert report.agreement >= 0.999
    single = load_model(smoke_artifact)
    x = np.random.default_rng(0).random((20, 28, 28), dtype=np.float32)
    # Two copies of one model average to that model: same probabilities (int8 vs float aside).
    assert (model.predict_logits(x).argmax(1) == single.predict_logits(x).argmax(1)).mean() >= 0.9


def test_static_int8_export_runs_int8_kernels_and_keeps_predictions(tmp_path, smoke_artifact, mnist_cache):
    from digitkit.errors import ArtifactError

    checkpoint = smoke_artifact.parent / "checkpoint.pt"
    options = {"name": "s", "quantize": True, "cache": mnist_cache, "check_images": 1000, "static": True}
    # The smoke model is barely trained: its near-flat logits flip under int8 activations, and the default
    # parity bar refuses the export rather than ship a silently different model.
    with pytest.raises(ArtifactError, match="agrees with torch on only"):
        export_checkpoints([checkpoint], tmp_path / "s.onnx", **options)
    assert not (tmp_path / "s.onnx").exists()
    report = export_checkpoints([checkpoint], tmp_path / "s.onnx", min_agreement=0.9, **options)
    model = load_model(tmp_path / "s.onnx")
    assert report.meta.quantization == model.meta.quantization == "int8-static" and report.agreement >= 0.9
    graph = onnx.load(str(tmp_path / "s.onnx"))
    assert any(node.op_type == "QuantizeLinear" for node in graph.graph.node)


def test_the_shipped_checkpoint_reproduces_the_shipped_default(tmp_path, cli):
    """`digitkit export default --static` rebuilds src/digitkit/shipped/default.onnx's graph bit for bit."""
    from digitkit.models.checkpoint import SHIPPED_DIR

    done = cli("export", "default", "-o", tmp_path / "d.onnx", "--static", "--check", "1000")
    assert done.returncode == 0, done.stderr
    assert "agreement with torch on 1,000 validation images: 100.0000%" in done.stdout
    rebuilt, shipped = onnx.load(tmp_path / "d.onnx"), onnx.load(SHIPPED_DIR / "default.onnx")
    assert rebuilt.graph.SerializeToString() == shipped.graph.SerializeToString()


def test_resuming_from_a_weights_only_checkpoint_is_refused(tmp_path, cli):
    done = cli("train", "default", "--resume", "default", "--run-dir", tmp_path / "r")
    assert done.returncode == 2 and "holds weights only" in done.stderr and "--init-from" in done.stderr


def test_export_records_the_suite_figure_when_asked(tmp_path, smoke_artifact, cli):
    checkpoint = smoke_artifact.parent / "checkpoint.pt"
    out = tmp_path / "e.onnx"
    done = cli("export", checkpoint, checkpoint, "-o", out, "--no-quantize", "--check", "300", "--suite-size", "24")
    assert done.returncode == 0, done.stderr
    metrics = load_model(out).meta.metrics
    assert set(metrics) == {"mnist_accuracy", "suite_accuracy"} and 0.0 < metrics["suite_accuracy"] <= 1.0
