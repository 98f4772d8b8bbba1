"""Per-client rate limits, the feedback drawing cap and the listing page budget: the public routes stay bounded."""

import os
import time

import httpx
import numpy as np
import pytest

from helpers import data_uri


@pytest.fixture(scope="module")
def limited(tmp_path_factory, smoke_artifact):
    from helpers import RunningServer

    env = {
        **os.environ,
        "DIGITKIT_RATE_LIMIT_PER_MINUTE": "60",
        "DIGITKIT_MAX_DRAWING_BYTES": "3000",
        "DIGITKIT_DATA_DIR": str(tmp_path_factory.mktemp("data")),
    }
    running = RunningServer(["--model", str(smoke_artifact), "--no-access-log"], env=env)
    yield running
    running.stop()


def predict(server, mnist_test, client: str | None = None) -> httpx.Response:
    # A local reverse proxy's X-Forwarded-For names the client, as uvicorn trusts it from 127.0.0.1.
    headers = {"x-forwarded-for": client} if client else {}
    body = {"images": [data_uri(mnist_test[0][0])]}
    return httpx.post(f"{server.url}/api/v1/predict", json=body, headers=headers)


def test_a_remote_client_past_its_rate_gets_a_json_429(limited, mnist_test):
    started, codes = time.monotonic(), []
    while 429 not in codes and len(codes) < 30:
        refused = predict(limited, mnist_test, "203.0.113.7")
        codes.append(refused.status_code)
    granted = len(codes) - 1  # 60 a minute: a burst of 6, then one more each second that passes
    assert codes[:6] == [200] * 6 and codes[-1] == 429 and granted <= 6 + int(time.monotonic() - started) + 1
    # The refusal itself is checked: a request sent after it may find a token refilled when the machine is busy.
    assert int(refused.headers["retry-after"]) >= 1
    assert "at most 60 a minute" in refused.json()["error"]
    assert predict(limited, mnist_test, "203.0.113.8").status_code == 200  # another client has its own bucket
    assert httpx.get(f"{limited.url}/status").status_code == 200  # reads are not limited


def test_loopback_clients_are_not_limited(limited, mnist_test):
    assert [predict(limited, mnist_test).status_code for _ in range(20)] == [200] * 20


def test_a_drawing_over_the_cap_is_not_stored(limited, mnist_test):
    canvas = np.random.default_rng(0).integers(0, 255, (200, 200), dtype=np.uint8)  # noise: a large PNG
    body = {"image": data_uri(canvas), "digits": [{"box": [0, 0, 10, 10], "predicted": 0, "label": 1}]}
    response = httpx.post(f"{limited.url}/api/v1/feedback", json=body)
    assert response.status_code == 413 and "DIGITKIT_MAX_DRAWING_BYTES" in response.json()["error"]


def test_the_bucket_refills_at_the_rate():
    import asyncio

    from digitkit.serve.rate import RateLimit

    now = [0.0]
    sent: list[int] = []

    async def app(scope, receive, send):
        sent.append(200)

    limit = RateLimit(app, per_minute=60, clock=lambda: now[0])

    async def call() -> None:
        async def send(message):
            if message["type"] == "http.response.start":
                sent.append(message["status"])

        scope = {"type": "http", "method": "POST", "path": "/api/v1/draw", "client": ("198.51.100.1", 1)}
        await limit(scope, None, send)

    async def run(times: int) -> None:
        for _ in range(times):
            await call()

    asyncio.run(run(7))
    assert sent == [200] * 6 + [429]
    now[0] = 2.0  # one token a second: two more
    sent.clear()
    asyncio.run(run(3))
    assert sent == [200, 200, 429]


def test_a_listing_page_stops_at_its_byte_budget():
    from types import SimpleNamespace

    from digitkit.serve.web.admin import PAGE_BYTES, _within_page_bytes

    def row(size: int) -> SimpleNamespace:
        return SimpleNamespace(drawing_png=b"x" * size, digits=[SimpleNamespace(crop_png=b"y" * 100)])

    rows = [row(PAGE_BYTES // 3) for _ in range(10)]
    assert len(_within_page_bytes(rows)) == 2  # a third would pass the budget; X-Next-Offset continues there
    assert len(_within_page_bytes([row(2 * PAGE_BYTES)])) == 1  # one oversized drawing still makes a page
    assert len(_within_page_bytes([row(10)] * 50)) == 50
