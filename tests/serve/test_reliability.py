"""A bounded soak keeps RSS flat; a client vanishing mid-request hurts nobody else."""

import socket
import time
from pathlib import Path

import httpx


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_soak_keeps_memory_flat(server, mnist_test, encode):
    good = [("x", (f"{i}.png", encode(im), "image/png")) for i, im in enumerate(mnist_test[0][:8])]
    bad = [("x", ("b.png", b"broken", "image/png"))]
    with httpx.Client(base_url=server.url, timeout=10) as client:

        def burst(count: int) -> None:
            for i in range(count):
                response = client.post("/predict", files=good if i % 4 else bad)
                assert response.status_code == (200 if i % 4 else 400)

        burst(400)  # warm-up: allocators and caches reach their working size
        before = rss_mb(server.process.pid)
        deadline = time.monotonic() + 60
        for _ in range(4):
            if time.monotonic() > deadline:
                break
            burst(400)
        after = rss_mb(server.process.pid)
    assert after - before < 15, f"RSS grew from {before:.1f} MB to {after:.1f} MB"


def test_client_disconnecting_mid_request_does_not_hurt_others(server, mnist_test, encode):
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(
                b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                b'Content-Length: 100000\r\n\r\n--b\r\nContent-Disposition: form-data; name="x"; filename="a"\r\n\r\n'
                + encode(mnist_test[0][0])[:30]
            )
        # closed with 99% of the body missing
    response = httpx.post(f"{server.url}/predict", files=[("x", ("a.png", encode(mnist_test[0][1]), "image/png"))])
    assert response.status_code == 200 and len(response.json()["y"]) == 1
    assert server.process.poll() is None
    assert "Traceback" not in server.output()  # a client going away is not a server error
