"""CONTRACT.md section 1, row by row, through a real HTTP connection to a started server."""

import concurrent.futures
import io
import os
import socket
import threading
import time

import httpx
import numpy as np
import pytest
from PIL import Image

from digitkit.runtime import load_model
from helpers import png_bytes


def post(server, files, **kwargs):
    return httpx.post(f"{server.url}/predict", files=files, timeout=30, **kwargs)


def raw_request(server, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_status_is_ok(server):
    response = httpx.get(f"{server.url}/status")
    assert response.status_code == 200 and response.json() == {"status": "Ok"}


def test_one_png_gives_one_digit(server, smoke_artifact, mnist_test, encode):
    image = mnist_test[0][0]
    expected = int(load_model(smoke_artifact).predict(image[None])[0])
    response = post(server, [("x", ("a.png", encode(image), "image/png"))])
    assert response.status_code == 200 and response.json() == {"y": [expected]}


def test_many_png_and_jpeg_answers_in_order(server, smoke_artifact, mnist_test, encode):
    images = mnist_test[0][:12]
    files = [
        ("x", (f"{i}.{'jpg' if i % 2 else 'png'}", encode(im, fmt="JPEG" if i % 2 else "PNG"), "image/png"))
        for i, im in enumerate(images)
    ]
    response = post(server, files)
    assert response.status_code == 200
    singles = [post(server, [f]).json()["y"][0] for f in files]
    assert response.json()["y"] == singles
    # The same answers as the model given the decoded pixels directly (JPEG's own decoding included).
    decoded = np.stack([np.asarray(Image.open(io.BytesIO(f[1][1]))) for f in files])
    assert singles == load_model(smoke_artifact).predict(decoded).tolist()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda im, encode: encode(im)[:50], "broken"),
        (lambda im, encode: b"this is not an image", "not a readable"),
        (lambda im, encode: encode(np.zeros((32, 32), np.uint8)), "28x28"),
        (lambda im, encode: encode(im, mode="RGB"), "mode RGB"),
        (lambda im, encode: encode(im, mode="RGBA"), "mode RGBA"),
        (lambda im, encode: encode(im.astype(np.uint16) * 256), "mode I;16"),
        (lambda im, encode: b"", "empty"),
    ],
)
def test_bad_images_get_a_json_400(server, mnist_test, make, message, encode):
    response = post(server, [("x", ("bad.png", make(mnist_test[0][0], encode), "image/png"))])
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_good_images_mixed_with_a_broken_one_get_400(server, mnist_test, encode):
    good = encode(mnist_test[0][0])
    files = [
        ("x", ("1.png", good, "image/png")),
        ("x", ("2.png", good[:40], "image/png")),
        ("x", ("3.png", good, "image/png")),
    ]
    response = post(server, files)
    assert response.status_code == 400 and "image 2" in response.json()["error"]


def test_missing_field_non_multipart_and_text_value_get_400(server, mnist_test, encode):
    good = encode(mnist_test[0][0])
    assert post(server, [("y", ("1.png", good, "image/png"))]).status_code == 400
    response = httpx.post(f"{server.url}/predict", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 400 and "multipart/form-data" in response.json()["error"]
    response = httpx.post(f"{server.url}/predict", data={"x": "hello"}, files={"z": ("a", b"b")})
    assert response.status_code == 400 and "not a file" in response.json()["error"]
    response = httpx.post(
        f"{server.url}/predict", content=b"--x\r\nbroken", headers={"content-type": "multipart/form-data; boundary=x"}
    )
    assert response.status_code == 400 and "error" in response.json()


def test_malformed_http_gets_a_json_400(server):
    answer = raw_request(server, b"THIS IS NOT HTTP\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"application/json" in head.lower()
    assert body.startswith(b'{"error"')


def test_unknown_path_and_wrong_method_answer_json(server):
    missing = httpx.get(f"{server.url}/nope")
    wrong = httpx.get(f"{server.url}/predict")
    assert missing.status_code == 404 and "error" in missing.json()
    assert wrong.status_code == 405 and "error" in wrong.json()


def test_parallel_requests_each_get_their_own_answer(server, mnist_test, encode):
    images = mnist_test[0][:16]
    expected = [post(server, [("x", ("a.png", encode(im), "image/png"))]).json()["y"] for im in images]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda im: post(server, [("x", ("a.png", encode(im), "image/png"))]).json()["y"], list(images) * 4)
        )
    assert answers == expected * 4


def test_oversize_body_gets_a_json_413(smoke_artifact, start_server):
    env = {**os.environ, "DIGITKIT_MAX_BODY_BYTES": "2000"}
    small = start_server(["--model", str(smoke_artifact), "--no-access-log"], env=env)
    response = httpx.post(f"{small.url}/predict", files=[("x", ("a.png", b"\0" * 5000, "image/png"))])
    assert response.status_code == 413 and "limit" in response.json()["error"]


@pytest.mark.parametrize("workers", [1, 2])
def test_exit_answers_then_ends_the_process_with_code_zero(smoke_artifact, start_server, workers):
    running = start_server(["--model", str(smoke_artifact), "--workers", str(workers), "--allow-exit"])
    response = httpx.get(f"{running.url}/exit", timeout=10)
    assert response.status_code == 200 and response.json() == {"exit": "Ok"}
    assert running.process.wait(timeout=5) == 0


def test_a_request_in_flight_when_exit_arrives_gets_its_answer(smoke_artifact, start_server, mnist_test):
    """/exit lets what is in flight finish: here a prediction held 2.5 s by the batcher's wait for company."""
    env = {**os.environ, "DIGITKIT_BATCH_WAIT_MS": "2500"}
    running = start_server(["--model", str(smoke_artifact), "--allow-exit", "--no-access-log"], env=env)
    answers: list[httpx.Response] = []
    image = png_bytes(mnist_test[0][0])
    worker = threading.Thread(target=lambda: answers.append(post(running, [("x", ("d.png", image, "image/png"))])))
    worker.start()
    time.sleep(0.5)
    assert httpx.get(f"{running.url}/exit", timeout=10).status_code == 200
    worker.join(30)
    assert answers[0].status_code == 200 and list(answers[0].json()) == ["y"]
    assert running.process.wait(timeout=10) == 0
