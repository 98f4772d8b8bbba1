"""Data-parallel training under torchrun: one process per rank, DistributedDataParallel, a distributed sampler.

``torchrun --nproc-per-node N -m digitkit train RECIPE`` sets RANK / WORLD_SIZE / LOCAL_RANK; :func:`join`
reads them and joins the group (gloo on CPU, nccl on GPUs). Without them every function here is the
single-process identity, so the training loop has one code path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler


@dataclass(frozen=True)
class Ranks:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def main(self) -> bool:
        """Rank 0 writes checkpoints, curves and the artifact; the others only train."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world > 1


SINGLE = Ranks()


def launched_ranks() -> Ranks:
    """The ranks torchrun gave this process, or SINGLE when it was started directly."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world <= 1:
        return SINGLE
    return Ranks(int(os.environ["RANK"]), world, int(os.environ.get("LOCAL_RANK", "0")))


def join(ranks: Ranks, device: torch.device) -> torch.device:
    """Join the process group (once) and return this rank's device: nccl with one GPU per rank, else gloo."""
    if not ranks.distributed:
        return device
    if device.type == "cuda":
        device = torch.device("cuda", ranks.local_rank)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def leave(ranks: Ranks) -> None:
    if ranks.distributed and dist.is_initialized():
        dist.destroy_process_group()


def wrap(model: nn.Module, ranks: Ranks, device: torch.device) -> nn.Module:
    """DDP averages the gradients over the ranks in backward(); one process trains the module itself."""
    if not ranks.distributed:
        return model
    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def unwrap(model: nn.Module) -> nn.Module:
    return model.module if isinstance(model, DistributedDataParallel) else model


def epoch_order(count: int, ranks: Ranks, epoch: int, seed: int, gen: torch.Generator) -> torch.Tensor:
    """This rank's shuffled share of ``count`` rows for ``epoch``: every row once over all ranks."""
    if not ranks.distributed:
        return torch.randperm(count, generator=gen)
    rows: Any = range(count)  # a sampler needs only len() of its dataset
    sampler: DistributedSampler[int] = DistributedSampler(
        rows, num_replicas=ranks.world, rank=ranks.rank, shuffle=True, seed=seed
    )
    sampler.set_epoch(epoch)
    return torch.tensor(list(sampler))


def rank_batch_size(batch_size: int, ranks: Ranks) -> int:
    """Each rank's share of the recipe's batch, so the global batch (and the learning rate) stays the recipe's."""
    return max(1, -(-batch_size // ranks.world))


def all_sum(values: list[float], ranks: Ranks, device: torch.device) -> list[float]:
    """Sum ``values`` over the ranks (each rank gets the total)."""
    if not ranks.distributed:
        return values
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return [float(v) for v in tensor]
