"""Corrected drawings become a data set that `digitkit train --init-from` fine-tunes on."""

import re

import numpy as np
import pytest
from PIL import Image

from digitkit.store import FeedbackStore
from digitkit.store.db import DigitIn


@pytest.fixture
def feedback_set(tmp_path, mnist_test, encode, cli):
    """40 corrected MNIST test digits in the feedback store, exported as a folder data set."""
    images, labels = mnist_test
    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.sqlite3'}")
    for i in range(40):
        crop = encode(images[i])
        store.add(
            drawing_png=crop, model="m", digits=[DigitIn((0, 0, 28, 28), crop, int(labels[i]), 0.9, int(labels[i]))]
        )
    env_url = f"sqlite:///{tmp_path / 'f.sqlite3'}"
    export = cli("feedback", "export", str(tmp_path / "set"), "--database", env_url)
    assert export.returncode == 0, export.stderr
    assert "wrote 40 labelled digits" in export.stdout
    first = np.asarray(Image.open(next((tmp_path / "set" / "images").iterdir())))
    assert first.shape == (28, 28)
    return tmp_path / "set"


def test_export_then_fine_tune_from_a_checkpoint(tmp_path, feedback_set, smoke_artifact, cli):
    checkpoint = smoke_artifact.parent / "checkpoint.pt"
    train = cli(
        "train",
        "smoke",
        "--data",
        f"folder:{feedback_set}",
        "--init-from",
        str(checkpoint),
        "--run-dir",
        str(tmp_path / "run"),
        "--suite-size",
        "0",
    )
    assert train.returncode == 0, train.stderr
    assert "epoch   1" in train.stdout and (tmp_path / "run" / "model.onnx").is_file()


def test_fine_tune_from_the_shipped_default(tmp_path, feedback_set, cli):
    """One epoch on 40 images: a model started from scratch would be near chance, the shipped one stays accurate."""
    train = cli(
        "train",
        "default",
        "--data",
        f"folder:{feedback_set}",
        "--init-from",
        "default",
        "--epochs",
        "1",
        "--run-dir",
        str(tmp_path / "run"),
        "--suite-size",
        "0",
    )
    assert train.returncode == 0, train.stderr
    accuracy = float(re.search(r"mnist accuracy ([\d.]+)%", train.stdout).group(1))
    assert accuracy > 99.0


def test_init_from_another_architecture_is_refused(tmp_path, smoke_artifact, cli):
    done = cli(
        "train",
        "default",
        "--init-from",
        str(smoke_artifact.parent / "checkpoint.pt"),
        "--run-dir",
        str(tmp_path / "r"),
    )
    assert done.returncode == 2 and "use a checkpoint of the same architecture" in done.stderr
