"""The HTTP layer of `digitkit serve`, guarded against slow and huge clients (slowloris, header floods).

uvicorn has a keep-alive timeout but none for reading a request: a client that trickles its headers or stops
half-way through a body holds a connection (and a file descriptor) for ever. Here every request's headers
must arrive within ``header_timeout_s`` and fit in ``max_header_bytes`` (else 408 / 431), and a body, once
started, must be complete within ``body_timeout_s`` (else 408). Answers are JSON, and the connection closes.

Open connections are capped below the process's file-descriptor limit. At the cap, a new connection closes
the oldest one with no request in flight (a slowloris, or an idle keep-alive) with a JSON 503, so held
connections cannot lock normal clients out; only when every connection is busy is the newcomer refused.
"""

from __future__ import annotations

import asyncio
import resource

from digitkit.serve.contract.server import JsonErrorProtocol
from digitkit.serve.settings import Settings


class GuardedProtocol(JsonErrorProtocol):
    header_timeout_s = 10.0
    body_timeout_s = 30.0
    max_header_bytes = 64 * 1024
    max_connections = 900

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._opened = self.loop.time()
        self._head_bytes: int | None = 0  #: parsed bytes of the request head so far; None once it is complete
        self._unparsed_bytes = 0  #: bytes received while the head was incomplete
        self._head_overflow = False
        self._timer: asyncio.TimerHandle | None = None
        self._start_timer(self.header_timeout_s, "the request's headers did not arrive in time")
        if len(self.connections) > self.max_connections:
            self._make_room()

    def _make_room(self) -> None:
        idle = [
            other
            for other in self.connections
            if isinstance(other, GuardedProtocol)
            and other is not self
            and not other.transport.is_closing()
            and (other.cycle is None or other.cycle.response_complete)
        ]
        if idle:
            oldest = min(idle, key=lambda other: other._opened)
            oldest._stop_timer()
            oldest.send_json_error(
                b"503 Service Unavailable", "too many open connections; this idle one was closed to serve another"
            )
        else:
            self._stop_timer()
            self.send_json_error(b"503 Service Unavailable", "too many open connections; try again shortly")

    def _start_timer(self, seconds: float, why: str) -> None:
        self._stop_timer()
        self._timer = self.loop.call_later(seconds, self._expire, why)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self, why: str) -> None:
        self._timer = None
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()  # too late for an answer of our own
        else:
            self.send_json_error(b"408 Request Timeout", f"{why}; the connection is closed")

    def data_received(self, data: bytes) -> None:
        if self._head_bytes is not None:
            self._unparsed_bytes += len(data)
        super().data_received(data)
        if self._head_bytes is not None and self._unparsed_bytes > self.max_header_bytes:
            self._head_too_large()  # a head that never ends: nothing has been parsed out of it yet

    def _count_head(self, size: int) -> None:
        """Bytes of a parsed request line or header; past the limit the parser stops (see send_400_response)."""
        if self._head_bytes is not None:
            self._head_bytes += size
            if self._head_bytes > self.max_header_bytes:
                self._head_overflow = True
                raise OverflowError("request head too large")  # httptools turns it into a parser error

    def on_url(self, url: bytes) -> None:
        self._count_head(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def send_400_response(self, msg: str) -> None:
        if self._head_overflow:
            self._head_too_large()
        else:
            super().send_400_response(msg)

    def _head_too_large(self) -> None:
        self._stop_timer()
        self.send_json_error(
            b"431 Request Header Fields Too Large", f"the request's headers exceed {self.max_header_bytes:,} bytes"
        )

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._start_timer(self.header_timeout_s, "the request's headers did not arrive in time")

    def on_headers_complete(self) -> None:
        self._head_bytes, self._unparsed_bytes = None, 0
        self._start_timer(self.body_timeout_s, "the request's body did not arrive in time")
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._stop_timer()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)


#: File descriptors kept free of connections: the listening socket, the database, models, logs, threads' pipes.
FD_RESERVE = 64


def connection_cap(setting: int) -> int:
    """``max_connections``, lowered to fit under this process's soft file-descriptor limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return setting if soft == resource.RLIM_INFINITY else max(1, min(setting, soft - FD_RESERVE))


def configure_guard(settings: Settings) -> None:
    """Set this process's limits. Worker processes call it too: uvicorn hands them the class by reference."""
    GuardedProtocol.header_timeout_s = settings.header_timeout_s
    GuardedProtocol.body_timeout_s = settings.body_timeout_s
    GuardedProtocol.max_header_bytes = settings.max_header_bytes
    GuardedProtocol.max_connections = connection_cap(settings.max_connections)
