import json
import subprocess
import sys

import numpy as np
import onnx
import pytest

from digitkit.errors import ArtifactError, ImageError, UnknownNameError
from digitkit.runtime import load_model, read_meta
from digitkit.runtime.artifact import METADATA_KEY


def rewrite_meta(src, dst, **changes):
    model = onnx.load(str(src))
    for prop in model.metadata_props:
        if prop.key == METADATA_KEY:
            values = json.loads(prop.value)
            values.update(changes)
            prop.value = json.dumps(values)
    onnx.save(model, str(dst))


def test_predict_proba_rows_sum_to_one(smoke_artifact, mnist_test):
    model = load_model(smoke_artifact)
    proba = model.predict_proba(mnist_test[0][:10])
    assert proba.shape == (10, 10) and np.allclose(proba.sum(1), 1, atol=1e-5)
    assert model.predict_proba(np.zeros((0, 28, 28), np.uint8)).shape == (0, 10)


def test_metadata_describes_the_model(smoke_artifact):
    meta = read_meta(str(smoke_artifact))
    assert meta.recipe == "smoke" and meta.architecture == "convnet_tiny" and meta.parameters > 1000
    assert 0.0 < meta.metrics["mnist_accuracy"] <= 1.0


def test_unknown_preprocess_version_is_refused(tmp_path, smoke_artifact):
    rewrite_meta(smoke_artifact, tmp_path / "m.onnx", preprocess_version=99)
    with pytest.raises(ArtifactError, match="preprocessing version 99"):
        load_model(tmp_path / "m.onnx")


def test_unknown_format_version_is_refused(tmp_path, smoke_artifact):
    rewrite_meta(smoke_artifact, tmp_path / "m.onnx", format_version=7)
    with pytest.raises(ArtifactError, match="format version 7"):
        load_model(tmp_path / "m.onnx")


def test_truncated_and_foreign_files_are_refused(tmp_path, smoke_artifact):
    data = smoke_artifact.read_bytes()
    (tmp_path / "cut.onnx").write_bytes(data[: len(data) // 2])
    (tmp_path / "foreign.onnx").write_bytes(b"GIF89a not a model")
    for name in ("cut.onnx", "foreign.onnx"):
        with pytest.raises(ArtifactError, match="not a loadable ONNX artifact"):
            load_model(tmp_path / name)


def test_onnx_without_digitkit_metadata_is_refused(tmp_path, smoke_artifact):
    model = onnx.load(str(smoke_artifact))
    del model.metadata_props[:]
    onnx.save(model, str(tmp_path / "bare.onnx"))
    with pytest.raises(ArtifactError, match="without digitkit metadata"):
        load_model(tmp_path / "bare.onnx")


def test_wrong_shapes_and_dtypes_are_refused(smoke_artifact):
    model = load_model(smoke_artifact)
    with pytest.raises(ImageError, match=r"\(N, 28, 28\)"):
        model.predict_logits(np.zeros((2, 32, 32), np.float32))
    with pytest.raises(ImageError, match="float32"):
        model.predict_logits(np.zeros((2, 28, 28), np.float64))


def test_unknown_model_name_lists_shipped_ones():
    with pytest.raises(UnknownNameError, match="default"):
        load_model("no-such-model")


def test_runtime_imports_and_predicts_with_torch_unimportable(smoke_artifact):
    code = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError("torch is blocked in this test")
sys.meta_path.insert(0, Block())
import numpy as np
from digitkit.runtime import load_model
import digitkit.serve.web.app, digitkit.serve.server
m = load_model({str(smoke_artifact)!r})
print(m.predict(np.zeros((1, 28, 28), np.uint8)).shape, "torch" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1,) False"


def test_artifacts_record_their_task_and_class_names():
    from digitkit.runtime import shipped_models

    assert set(shipped_models("digits")) == {"default", "tiny", "max"} and set(shipped_models("detector")) == {
        "detector"
    }
    detector = load_model("detector")
    assert detector.meta.task == "detector" and detector.meta.classes == ["digit", "not-digit"]
    assert detector.classes == 2 and detector.predict_logits(np.zeros((0, 28, 28), np.float32)).shape == (0, 2)
    assert load_model("tiny").meta.classes == list("0123456789")


def test_metadata_naming_the_wrong_number_of_classes_is_refused(tmp_path):
    rewrite_meta(load_model("detector").path, tmp_path / "lying.onnx", classes=list("0123456789"))
    with pytest.raises(ArtifactError, match="2 outputs but 10 class names"):
        load_model(tmp_path / "lying.onnx")


@pytest.mark.parametrize("name", ["default", "tiny", "max"])
def test_the_shipped_figures_are_what_the_artifact_scores(name, mnist_test, mnist_cache):
    """The accuracy an artifact records is re-measured: MNIST test exactly (all 10,000), the robustness suite on
    1,000 images per kind, within a point of the recorded figure (which used 10,000)."""
    from digitkit.evaluate.report import evaluate_suite
    from digitkit.preprocess import normalize_batch

    model = load_model(name, threads=2)
    images, labels = mnist_test
    correct = int((model.predict_logits(normalize_batch(images)).argmax(1) == labels).sum())
    assert correct / len(labels) == pytest.approx(model.meta.metrics["mnist_accuracy"], abs=1e-9)
    suite = evaluate_suite(model, mnist_cache, 1000)["overall"]
    assert suite == pytest.approx(model.meta.metrics["suite_accuracy"], abs=0.01)


def test_the_shipped_artifacts_stay_within_the_competition_byte_targets():
    """Issue 14's size targets: the default at most 150,000 bytes, tiny at most 11,000."""
    assert load_model("default").path.stat().st_size <= 150_000
    assert load_model("tiny").path.stat().st_size <= 11_000


def test_the_shipped_default_reads_hooked_ones_as_ones_and_sevens_as_sevens():
    """The drawing benchmark's hooked 1 (a flag at the top), jittered as a hand draws it: a stroke template the
    training never saw (it flags MNIST's own 1s, data/augment.hook). Before the flag was trained in, 47% were
    read as 1; with flags of 25-60 degrees, 87%; down to 10 degrees (recipes/default-refine.toml), 93%; with
    erased rectangles added to that stage (session 14), 89%. 7s must not pay for it."""
    from digitkit.data.strokes import DIGITS, jittered, render

    model, rng = load_model("default"), np.random.default_rng(1)
    for digit, least in (("1", 0.86), ("7", 0.97)):
        drawn = []
        for _ in range(100):
            height = int(rng.integers(60, 200))
            drawn.append(render(jittered(DIGITS[digit], rng), height, height * float(rng.uniform(0.06, 0.16))))
        read = [int(model.predict(image[None])[0]) for image in drawn]
        assert read.count(int(digit)) >= least * len(read), (digit, np.bincount(read, minlength=10))
