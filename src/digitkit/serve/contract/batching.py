"""Dynamic batching on the event loop: requests that arrive together share one runtime call.

A request queues its images and, if it is the first, schedules one run with ``call_soon``. Requests whose
bytes arrived in the same turn of the loop queue theirs before that run starts, so under load a batch holds
everything waiting, and a lone request waits for nobody. The run happens on the loop itself: on the single
core the competition gives, a hop to a worker thread would only add a context switch to every request.
"""

from __future__ import annotations

import asyncio

import numpy as np

from digitkit.runtime.model import Model


class LoopBatcher:
    def __init__(self, model: Model):
        self.model = model
        self._waiting: list[tuple[np.ndarray, asyncio.Future[np.ndarray]]] = []

    async def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """(k, 28, 28) uint8 images -> (k, classes) probabilities, batched with whatever else is waiting."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._waiting.append((images, future))
        if len(self._waiting) == 1:
            loop.call_soon(self._run)
        return await future

    def _run(self) -> None:
        jobs = [job for job in self._waiting if not job[1].done()]  # clients that went away are skipped
        self._waiting = []
        if not jobs:
            return
        try:
            proba = self.model.predict_proba(np.concatenate([images for images, _ in jobs]))
        except Exception as exc:  # a failure is every waiting request's failure, never the batcher's end
            for _, future in jobs:
                future.set_exception(exc)
            return
        offset = 0
        for images, future in jobs:
            future.set_result(proba[offset : offset + len(images)])
            offset += len(images)
