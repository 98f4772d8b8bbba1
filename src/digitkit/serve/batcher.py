"""Dynamic batching: concurrent requests share one runtime call, so throughput grows with load.

Requests put their images on a queue; one worker takes everything waiting (up to ``max_batch`` images,
after waiting at most ``max_wait_s`` for more), preprocesses and predicts it in a thread (onnxruntime and
numpy release the GIL), and hands each request its slice. At low load a request waits for nobody.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from digitkit.preprocess import normalize_batch
from digitkit.runtime import Model
from digitkit.runtime.model import softmax

log = logging.getLogger(__name__)


@dataclass
class _Job:
    images: np.ndarray  # (k, H, W) grayscale, one size within a job; (k, 28, 28) when normalized
    normalized: bool
    future: asyncio.Future[np.ndarray]


class Batcher:
    def __init__(
        self,
        model: Model,
        *,
        max_batch: int = 64,
        max_wait_s: float = 0.0,
        on_batch: Callable[[int], None] | None = None,
    ):
        self.model = model
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.on_batch = on_batch
        self._queue: asyncio.Queue[_Job] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"batch-{model.name}")

    def start(self) -> None:
        self._queue = asyncio.Queue()
        self._worker = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        self._executor.shutdown(wait=False)

    async def predict_proba(self, images: np.ndarray, normalized: bool = False) -> np.ndarray:
        """(k, H, W) grayscale images -> (k, 10) probabilities, batched with whatever else is waiting.

        ``normalized``: the images already went through the shared preprocessing (the JSON API does that
        per image, since its images differ in size).
        """
        if self._queue is None:
            raise RuntimeError("Batcher.start() was not called")
        future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Job(images, normalized, future))
        return await future

    def _compute(self, jobs: list[_Job]) -> np.ndarray:
        normalized = np.concatenate([job.images if job.normalized else normalize_batch(job.images) for job in jobs])
        return softmax(self.model.predict_logits(normalized))

    async def _take(self) -> list[_Job]:
        assert self._queue is not None
        jobs = [await self._queue.get()]
        count = len(jobs[0].images)
        deadline = asyncio.get_running_loop().time() + self.max_wait_s
        while count < self.max_batch:
            if self._queue.empty():
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    break
                try:
                    job = await asyncio.wait_for(self._queue.get(), remaining)
                except asyncio.TimeoutError:
                    break
            else:
                job = self._queue.get_nowait()
            jobs.append(job)
            count += len(job.images)
        return jobs

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            jobs = await self._take()
            live = [job for job in jobs if not job.future.done()]  # clients that went away are skipped
            if not live:
                continue
            try:
                proba = await loop.run_in_executor(self._executor, self._compute, live)
            except Exception as exc:  # a failure is every waiting request's failure, never the worker's end
                log.exception("batch of %d requests failed", len(live))
                for job in live:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            if self.on_batch is not None:
                self.on_batch(len(proba))
            offset = 0
            for job in live:
                part = proba[offset : offset + len(job.images)]
                offset += len(job.images)
                if not job.future.done():
                    job.future.set_result(part)
