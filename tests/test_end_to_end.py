"""The whole path a user takes: fetch MNIST with digitkit's own code, train, export, evaluate, check parity."""

import json
import re

import pytest


@pytest.mark.slow
def test_fetch_train_one_epoch_on_2000_images_then_evaluate(tmp_path, mnist_cache, cli):
    run_dir = tmp_path / "run"
    artifact = tmp_path / "smoke.onnx"
    train = cli(
        "train",
        "smoke",
        "--cache",
        str(mnist_cache),
        "--run-dir",
        str(run_dir),
        "-o",
        str(artifact),
        "--suite-size",
        "300",
    )
    assert train.returncode == 0, train.stderr
    assert "mnist accuracy" in train.stdout and artifact.is_file()
    stored = json.loads((run_dir / "artifact.json").read_text())
    # One epoch on 2,000 images with the tiny net: far from the shipped model, far above chance.
    assert stored["metrics"]["mnist_accuracy"] > 0.25
    exported = tmp_path / "exported.onnx"
    export = cli(
        "export",
        str(run_dir / "checkpoint.pt"),
        "-o",
        str(exported),
        "--no-quantize",
        "--cache",
        str(mnist_cache),
        "--check",
        "2000",
    )
    assert export.returncode == 0, export.stderr
    agreement = float(re.search(r"agreement with torch on 2,000 validation images: ([\d.]+)%", export.stdout)[1])
    assert agreement >= 99.9
    evaluate = cli(
        "evaluate",
        str(artifact),
        "--data",
        "suite",
        "--suite-size",
        "300",
        "--cache",
        str(mnist_cache),
        "--json",
        str(tmp_path / "suite.json"),
    )
    assert evaluate.returncode == 0, evaluate.stderr
    suite = json.loads((tmp_path / "suite.json").read_text())
    assert set(suite["per_corruption"]) >= {"rotation", "noise", "combined"}
    assert 0.1 < suite["overall"] < 1.0
