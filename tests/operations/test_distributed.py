"""torchrun with 2 CPU processes (gloo): the distributed sampler, DDP, rank 0 writing the files."""

import json
import sys

import torch

from digitkit.train.distributed import Ranks, epoch_order, rank_batch_size


def test_ranks_share_each_epoch_without_overlap():
    orders = [epoch_order(10, Ranks(rank, 2), epoch=3, seed=0, gen=torch.Generator()) for rank in (0, 1)]
    assert sorted(torch.cat(orders).tolist()) == list(range(10))
    assert epoch_order(10, Ranks(0, 2), 4, 0, torch.Generator()).tolist() != orders[0].tolist()  # reshuffled
    assert rank_batch_size(128, Ranks(0, 2)) == 64 and rank_batch_size(128, Ranks()) == 128


def test_torchrun_trains_one_model_on_two_processes(tmp_path):
    import subprocess

    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2", "-m", "digitkit"]
    command += ["train", "smoke", "--epochs", "2", "--run-dir", str(tmp_path), "--suite-size", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("registered version") == 1  # rank 0 alone reports, exports and registers
    history = json.loads((tmp_path / "metrics.json").read_text())["history"]
    assert [h["epoch"] for h in history] == [1, 2] and history[1]["valid_accuracy"] > history[0]["valid_accuracy"]
    artifact = json.loads((tmp_path / "artifact.json").read_text())
    assert artifact["metrics"]["mnist_accuracy"] > 0.5
