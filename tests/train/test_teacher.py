"""Teachers: an artifact on the CPU, or checkpoints averaged in torch, must give the same soft targets."""

import numpy as np
import pytest
import torch

from digitkit.cli import main
from digitkit.errors import ConfigError
from digitkit.export.checked import export_checkpoints
from digitkit.models.checkpoint import SHIPPED_DIR, load_checkpoint
from digitkit.train.loop import _to_input
from digitkit.train.teacher import ArtifactTeacher, CheckpointTeacher, load_teacher

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def inputs(mnist_test):
    images, _ = mnist_test
    return _to_input(images[:64])


def test_a_checkpoint_teacher_gives_its_float_artifacts_soft_targets(smoke_artifact, inputs):
    weights = smoke_artifact.parent / "weights.pt"  # the smoke recipe exports float weights
    from_torch = load_teacher(str(weights), CPU)
    from_onnx = load_teacher(str(smoke_artifact), CPU)
    assert isinstance(from_torch, CheckpointTeacher) and isinstance(from_onnx, ArtifactTeacher)
    for temperature in (1.0, 3.0):
        a, b = from_torch.probs(inputs, temperature), from_onnx.probs(inputs, temperature)
        assert a.shape == (64, 10) and torch.allclose(a.sum(1), torch.ones(64))
        assert torch.allclose(a, b, atol=1e-4)
    # A higher temperature softens: the top class keeps less of the mass.
    assert (from_torch.probs(inputs, 3.0).max(1).values <= from_torch.probs(inputs, 1.0).max(1).values + 1e-6).all()


def test_checkpoints_joined_by_plus_average_as_the_exported_ensemble(tmp_path, smoke_artifact, mnist_cache, inputs):
    members = [smoke_artifact.parent / "weights.pt", SHIPPED_DIR / "default.pt"]
    artifact = export_checkpoints(
        members, tmp_path / "pair.onnx", name="pair", quantize=False, cache=mnist_cache, check_images=200
    ).path
    ensemble = load_teacher("+".join(str(m) for m in members), CPU).probs(inputs, 2.0)
    assert torch.allclose(ensemble, load_teacher(str(artifact), CPU).probs(inputs, 2.0), atol=1e-4)
    # ... and it is neither member alone.
    for member in members:
        assert not torch.allclose(ensemble, load_teacher(str(member), CPU).probs(inputs, 2.0), atol=1e-3)


def test_artifacts_cannot_be_joined_into_a_teacher():
    with pytest.raises(ConfigError, match=r"join checkpoints \(\.pt files\)"):
        load_teacher("default+tiny", CPU)


def test_train_teacher_flag_distils_and_records_the_teacher(tmp_path, smoke_artifact, mnist_cache):
    spec = str(smoke_artifact.parent / "weights.pt")
    run_dir = tmp_path / "run"
    argv = ["train", "smoke", "--teacher", spec, "--epochs", "1", "--suite-size", "0", "--no-register"]
    assert main([*argv, "--run-dir", str(run_dir), "--cache", str(mnist_cache)]) == 0
    state = load_checkpoint(run_dir / "weights.pt")
    assert state["recipe"]["teacher"] == spec
    assert np.isfinite(load_checkpoint(run_dir / "checkpoint.pt")["history"][-1]["train_loss"])
