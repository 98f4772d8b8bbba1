"""Corrected drawings become a data set that `digitkit train --init-from` fine-tunes on."""

import numpy as np
from PIL import Image

from digitkit.store import FeedbackStore
from digitkit.store.db import DigitIn


def test_export_then_fine_tune_from_a_checkpoint(tmp_path, smoke_artifact, mnist_test, encode, cli):
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
    checkpoint = smoke_artifact.parent / "checkpoint.pt"
    train = cli(
        "train",
        "smoke",
        "--data",
        f"folder:{tmp_path / 'set'}",
        "--init-from",
        str(checkpoint),
        "--run-dir",
        str(tmp_path / "run"),
        "--suite-size",
        "0",
    )
    assert train.returncode == 0, train.stderr
    assert "epoch   1" in train.stdout and (tmp_path / "run" / "model.onnx").is_file()


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
