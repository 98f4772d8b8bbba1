"""What a running service holds: loaded models with their batchers, settings, and how to stop."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.requests import Request

from digitkit.errors import UnknownNameError
from digitkit.serve.batcher import Batcher
from digitkit.serve.settings import Settings

T = TypeVar("T")


@dataclass
class ServiceState:
    settings: Settings
    batchers: dict[str, Batcher]  #: model name -> its batcher; insertion order, the first is the default
    request_exit: Callable[[], None] = field(default=lambda: os.kill(os.getpid(), signal.SIGTERM))

    @property
    def default_model(self) -> str:
        return next(iter(self.batchers))

    def batcher(self, name: str | None = None) -> Batcher:
        name = name or self.default_model
        try:
            return self.batchers[name]
        except KeyError:
            raise UnknownNameError(f"unknown model {name!r}; loaded models: {', '.join(self.batchers)}") from None

    async def within_time(self, work: Awaitable[T]) -> T:
        """Bound a request's work by the configured timeout (TimeoutError -> 500 JSON)."""
        return await asyncio.wait_for(work, self.settings.request_timeout_s)


def service(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.digitkit
    return state
