import dataclasses
import json

import numpy as np
import torch

from digitkit.data.sources import Dataset
from digitkit.train.loop import train
from digitkit.train.recipe import load_recipe


def small_data(mnist_test, n=256):
    images, labels = mnist_test
    return Dataset(images[:n], labels[:n], "mnist-test-head"), Dataset(images[-200:], labels[-200:], "tail")


def test_training_is_deterministic_given_the_seed(tmp_path, mnist_test):
    recipe = dataclasses.replace(load_recipe("smoke"), train_subset=0, epochs=1)
    train_set, valid_set = small_data(mnist_test)
    first = train(recipe, train_set, valid_set, run_dir=tmp_path / "a", progress=False)
    second = train(recipe, train_set, valid_set, run_dir=tmp_path / "b", progress=False)
    for (name, a), (_, b) in zip(first.model.state_dict().items(), second.model.state_dict().items(), strict=True):
        assert torch.equal(a, b), name


def test_run_folder_holds_metrics_curve_and_checkpoint(tmp_path, mnist_test):
    recipe = dataclasses.replace(load_recipe("smoke"), epochs=2)
    train_set, valid_set = small_data(mnist_test)
    result = train(recipe, train_set, valid_set, run_dir=tmp_path, progress=False)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert [h["epoch"] for h in metrics["history"]] == [1, 2]
    assert (tmp_path / "curve.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "checkpoint.pt").is_file()
    assert len(result.history) == 2


def test_resume_continues_to_the_same_weights(tmp_path, mnist_test):
    recipe = dataclasses.replace(load_recipe("smoke"), epochs=2)
    train_set, valid_set = small_data(mnist_test)
    straight = train(recipe, train_set, valid_set, run_dir=tmp_path / "straight", progress=False)
    # An interrupted 2-epoch run: stop_at_accuracy ends it after epoch 1, leaving its checkpoint.
    interrupted = tmp_path / "interrupted"
    train(dataclasses.replace(recipe, stop_at_accuracy=1e-9), train_set, valid_set, run_dir=interrupted, progress=False)
    resumed = train(
        recipe, train_set, valid_set, run_dir=interrupted, resume=interrupted / "checkpoint.pt", progress=False
    )
    assert [h["epoch"] for h in resumed.history] == [1, 2]
    for a, b in zip(straight.model.state_dict().values(), resumed.model.state_dict().values(), strict=True):
        assert torch.allclose(a.float(), b.float(), atol=1e-6)
    assert np.isclose(straight.history[-1]["valid_loss"], resumed.history[-1]["valid_loss"])
