"""Teach without forgetting: the replay mix, the held-out feedback, the MNIST gate, the CLI's teach loop."""

import os

import numpy as np
import pytest

from digitkit.data.sources import Dataset
from digitkit.train import finetune as finetuning
from digitkit.versions import Registry
from helpers import png_bytes


def feedback_folder(folder, images, labels):
    """A labelled folder as `digitkit feedback export` writes it: images/d<id>.png and train.csv."""
    (folder / "images").mkdir(parents=True)
    rows = ["id,class"]
    for index, (image, label) in enumerate(zip(images, labels, strict=True), 1):
        (folder / "images" / f"d{index}.png").write_bytes(png_bytes(255 - image))  # dark ink on white, as drawn
        rows.append(f"d{index},{label}")
    (folder / "train.csv").write_text("\n".join(rows) + "\n")
    return f"folder:{folder}"


def test_the_mix_is_mostly_replay_and_held_out_feedback_is_never_trained_on():
    rng = np.random.default_rng(0)
    feedback = Dataset(rng.integers(0, 255, (50, 28, 28), np.uint8), np.arange(50) % 10, "fb")
    mnist = Dataset(rng.integers(0, 255, (20000, 28, 28), np.uint8), np.arange(20000) % 10, "mnist-train")
    trained_on, held_out = finetuning.split_feedback(feedback)
    assert len(held_out.labels) == 10 and len(trained_on.labels) == 40
    held = {image.tobytes() for image in held_out.images}
    assert not held & {image.tobytes() for image in trained_on.images}
    mix = finetuning.replay_mix(trained_on, mnist)
    from_feedback = sum(image.tobytes() in {i.tobytes() for i in trained_on.images} for image in mix.images)
    assert len(mix.labels) > finetuning.MIN_REPLAY and 0.05 < from_feedback / len(mix.labels) < 0.15
    assert finetuning.split_feedback(Dataset(feedback.images[:20], feedback.labels[:20], "few"))[1] is None


@pytest.fixture
def smoke_version(tmp_path, smoke_artifact):
    registry = Registry(tmp_path / "models")
    version = registry.add(
        smoke_artifact,
        checkpoint=smoke_artifact.parent / "weights.pt",
        recipe={"name": "smoke"},
        data={"source": "mnist"},
        parent=None,
    )
    return registry, version


def run(registry, start, spec, tmp_path, cache, force=False):
    """One quick epoch from ``start``, kept to tmp_path/tuned.onnx, the suite skipped."""
    return finetuning.finetune(
        start.id,
        spec,
        cache=cache,
        run_dir=tmp_path / "run",
        output=tmp_path / "tuned.onnx",
        registry=registry,
        epochs=1,
        suite_size=0,
        force=force,
        progress=False,
    )


def test_a_fine_tune_that_keeps_mnist_is_kept_and_registered(tmp_path, mnist_cache, mnist_test, smoke_version):
    registry, start = smoke_version
    spec = feedback_folder(tmp_path / "fb", mnist_test[0][:40], mnist_test[1][:40])
    report = run(registry, start, spec, tmp_path, mnist_cache, force=True)
    assert set(report.before) == set(report.after) == {"mnist_accuracy", "held_out_feedback_accuracy"}
    assert report.output == tmp_path / "tuned.onnx" and report.output.is_file()
    assert report.version.parent == start.id and report.version.data["feedback_ids"] == list(range(1, 41))


def test_a_fine_tune_that_forgets_mnist_is_refused(tmp_path, mnist_cache, mnist_test, smoke_version, monkeypatch):
    registry, start = smoke_version
    monkeypatch.setattr(finetuning, "MAX_MNIST_LOSS", -1.0)  # any result counts as forgetting
    spec = feedback_folder(tmp_path / "fb", mnist_test[0][:40], mnist_test[1][:40])
    report = run(registry, start, spec, tmp_path, mnist_cache)
    assert report.refused and "MNIST fell" in report.refused and report.output is None and report.version is None
    assert not (tmp_path / "tuned.onnx").exists() and not (tmp_path / "run" / "candidate.onnx").exists()
    assert [v.id for v in registry.versions()] == [start.id]


def test_the_readme_teach_loop_fine_tunes_the_shipped_default(tmp_path, cli, mnist_test):
    """digitkit feedback export → digitkit finetune --data folder:... on a fresh clone's shipped checkpoint."""
    spec = feedback_folder(tmp_path / "fb", mnist_test[0][100:140], mnist_test[1][100:140])
    env = {**os.environ, "DIGITKIT_DATA_DIR": str(tmp_path / "data")}
    done = cli(
        "finetune", "--data", spec, "--epochs", "1", "--suite-size", "100", "--run-dir", tmp_path / "run", env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "mnist accuracy" in done.stdout and "registered as version default-" in done.stdout
    empty = cli("finetune", env=env)  # the server's store has no feedback yet
    assert empty.returncode == 2 and "no labelled feedback" in empty.stderr
