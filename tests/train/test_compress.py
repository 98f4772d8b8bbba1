"""Compression recipe options: pruning with fine-tuning, and distillation from a teacher artifact."""

import dataclasses

import numpy as np
import torch

from digitkit.data.sources import Dataset
from digitkit.export.checked import export_checked
from digitkit.models.checkpoint import load_checkpoint, model_from_checkpoint
from digitkit.models.prune import sparsity
from digitkit.runtime import load_model
from digitkit.train.loop import train
from digitkit.train.recipe import load_recipe
from helpers import placeholder_meta


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
    blank = Dataset(np.zeros((1, 28, 28), np.uint8), np.zeros(1, np.uint8), "blank")
    export_checked(result.model, placeholder_meta(), tmp_path / "p.onnx", check=blank, min_agreement=0.0)
    import zlib

    sparse_bytes = len(zlib.compress((tmp_path / "p.onnx").read_bytes(), 9))
    dense = train(
        dataclasses.replace(recipe, prune_amount=0.0), *data(mnist_test), run_dir=tmp_path / "d", progress=False
    )
    export_checked(dense.model, placeholder_meta(), tmp_path / "d.onnx", check=blank, min_agreement=0.0)
    assert sparse_bytes < 0.8 * len(zlib.compress((tmp_path / "d.onnx").read_bytes(), 9))


def test_distillation_pulls_the_student_towards_the_teacher(tmp_path, mnist_test, smoke_artifact):
    # Enough steps that both students learn something: at a few dozen steps, which of them agrees more with
    # the teacher is a coin toss.
    base = dataclasses.replace(load_recipe("smoke"), epochs=4, augment=None)
    train_set, valid_set = data(mnist_test, n=2000)
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
