"""Compression recipe options: pruning with fine-tuning, and distillation from a teacher artifact."""

import dataclasses

import numpy as np
import torch

from digitkit.export.onnx_export import export_artifact
from digitkit.runtime import load_model
from digitkit.runtime.artifact import ArtifactMeta
from digitkit.train.checkpoint import load_checkpoint, model_from_checkpoint
from digitkit.train.loop import Dataset, train
from digitkit.train.prune import sparsity
from digitkit.train.recipe import load_recipe


def data(mnist_test, n=512):
    images, labels = mnist_test
    return Dataset(images[:n], labels[:n], "head"), Dataset(images[-300:], labels[-300:], "tail")


def test_pruning_zeroes_the_share_asked_for_and_survives_export(tmp_path, mnist_test):
    recipe = dataclasses.replace(load_recipe("smoke"), epochs=1, prune_amount=0.6, prune_epochs=1)
    result = train(recipe, *data(mnist_test), run_dir=tmp_path, progress=False)
    assert [h["epoch"] for h in result.history] == [1, 2] and "sparsity" in result.history[-1]
    assert abs(sparsity(result.model) - 0.6) < 0.01
    # The checkpoint of the pruning phase rebuilds to the same sparse model.
    rebuilt = model_from_checkpoint(load_checkpoint(tmp_path / "checkpoint.pt"))
    for a, b in zip(result.model.state_dict().values(), rebuilt.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    meta = ArtifactMeta(
        name="p",
        recipe="smoke",
        architecture="convnet_tiny",
        parameters=1,
        preprocess_version=1,
        data="t",
        quantization="none",
    )
    export_artifact(result.model, meta, tmp_path / "p.onnx", quantize=True)
    import zlib

    sparse_bytes = len(zlib.compress((tmp_path / "p.onnx").read_bytes(), 9))
    dense = train(
        dataclasses.replace(recipe, prune_amount=0.0), *data(mnist_test), run_dir=tmp_path / "d", progress=False
    )
    export_artifact(dense.model, meta, tmp_path / "d.onnx", quantize=True)
    assert sparse_bytes < 0.8 * len(zlib.compress((tmp_path / "d.onnx").read_bytes(), 9))


def test_distillation_pulls_the_student_towards_the_teacher(tmp_path, mnist_test, smoke_artifact):
    base = dataclasses.replace(load_recipe("smoke"), epochs=2, augment=None)
    train_set, valid_set = data(mnist_test)
    teacher = load_model(smoke_artifact)
    probe = valid_set.images.astype(np.float32) / 255

    def agreement(model):
        with torch.no_grad():
            student = model(torch.from_numpy(probe)[:, None]).argmax(1).numpy()
        return float((student == teacher.predict_logits(probe).argmax(1)).mean())

    plain = train(base, train_set, valid_set, run_dir=tmp_path / "a", progress=False)
    distilled = train(
        dataclasses.replace(base, teacher=str(smoke_artifact), distill_weight=0.9),
        train_set,
        valid_set,
        run_dir=tmp_path / "b",
        progress=False,
    )
    assert agreement(distilled.model) > agreement(plain.model)
