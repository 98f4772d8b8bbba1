"""Dynamic batching: concurrent requests share runtime calls and each gets back exactly its own rows."""

import asyncio

import numpy as np
import pytest

from digitkit.serve.batcher import Batcher


class CountingModel:
    """Stands in for a runtime Model: logits that encode each image's first pixel, and a call log."""

    name = "counting"

    def __init__(self):
        self.calls: list[int] = []

    def predict_logits(self, normalized: np.ndarray) -> np.ndarray:
        self.calls.append(len(normalized))
        logits = np.zeros((len(normalized), 10), np.float32)
        logits[np.arange(len(normalized)), np.rint(normalized[:, 14, 14] * 9).astype(int)] = 20.0
        return logits


def digits_image(value: int, count: int) -> np.ndarray:
    """``count`` images whose centre pixel encodes ``value`` (normalize keeps a centred dot in place)."""
    images = np.zeros((count, 28, 28), np.float32)
    images[:, 14, 14] = value / 9
    return images


def run(coroutine):
    return asyncio.run(coroutine)


def test_concurrent_requests_are_batched_and_answers_split_in_order():
    model = CountingModel()

    async def scenario():
        batcher = Batcher(model, max_batch=512, max_wait_s=0.01)  # type: ignore[arg-type]
        batcher.start()
        results = await asyncio.gather(
            *(batcher.predict_proba(digits_image(i % 10, 1 + i % 3), normalized=True) for i in range(20))
        )
        await batcher.stop()
        return results

    results = run(scenario())
    assert len(model.calls) < 20 and sum(model.calls) == sum(1 + i % 3 for i in range(20))
    for i, proba in enumerate(results):
        assert proba.shape == (1 + i % 3, 10)
        assert (proba.argmax(1) == i % 10).all()


def test_max_batch_caps_one_runtime_call():
    model = CountingModel()

    async def scenario():
        batcher = Batcher(model, max_batch=4, max_wait_s=0.01)  # type: ignore[arg-type]
        batcher.start()
        await asyncio.gather(*(batcher.predict_proba(digits_image(1, 2), normalized=True) for _ in range(6)))
        await batcher.stop()

    run(scenario())
    assert max(model.calls) <= 4 and sum(model.calls) == 12


def test_a_failing_batch_fails_its_requests_but_not_the_batcher():
    model = CountingModel()

    async def scenario():
        batcher = Batcher(model, max_batch=64)  # type: ignore[arg-type]
        batcher.start()
        with pytest.raises(IndexError):  # the model's own error (a 5x5 image has no pixel 14,14) reaches the caller
            await batcher.predict_proba(np.zeros((1, 5, 5), np.float64), normalized=True)
        ok = await batcher.predict_proba(digits_image(3, 1), normalized=True)
        await batcher.stop()
        return ok

    assert run(scenario()).argmax() == 3
