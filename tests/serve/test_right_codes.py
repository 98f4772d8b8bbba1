"""Issue 13's wrong answers, each against a started server over a real connection: the right code now."""

import base64
import io
import os
import struct
import zlib
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from digitkit.serve.settings import settings_from_env
from helpers import data_uri, png_bytes


def short_png(rows: int = 20) -> bytes:
    """A valid PNG whose header declares 28x28 but whose pixel data holds only ``rows`` rows."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes([200] * 28) for _ in range(rows))
    header = struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_png_with_fewer_rows_than_its_header_is_400_on_both_predict_routes(server):
    files = [("x", ("short.png", short_png(), "image/png"))]
    contract = httpx.post(f"{server.url}/predict", files=files)
    assert contract.status_code == 400 and "ends before the rows" in contract.json()["error"]
    api = httpx.post(f"{server.url}/api/v1/predict", json={"images": [base64.b64encode(short_png()).decode()]})
    assert api.status_code == 400 and "ends before the rows" in api.json()["error"]
    whole = httpx.post(f"{server.url}/predict", files=[("x", ("whole.png", short_png(rows=28), "image/png"))])
    assert whole.status_code == 200


def test_an_interlaced_png_is_still_read(server, mnist_test):
    buffer = io.BytesIO()
    Image.fromarray(mnist_test[0][0]).save(buffer, format="PNG", interlace=1)
    response = httpx.post(f"{server.url}/predict", files=[("x", ("i.png", buffer.getvalue(), "image/png"))])
    assert response.status_code == 200, response.text


def test_a_lab_tiff_is_400_not_500(server):
    lab = Image.new("LAB", (40, 40), (50, 0, 0))
    buffer = io.BytesIO()
    lab.save(buffer, format="TIFF")
    response = httpx.post(
        f"{server.url}/api/v1/predict", json={"images": [base64.b64encode(buffer.getvalue()).decode()]}
    )
    assert response.status_code == 400 and "colour mode LAB" in response.json()["error"]


@pytest.mark.parametrize(
    "encode",
    [
        lambda b: base64.encodebytes(b).decode(),  # GNU base64's default: a line break every 76 characters
        lambda b: " ".join(base64.b64encode(b).decode()[i : i + 10] for i in range(0, 4 * len(b), 10)),
        lambda b: base64.urlsafe_b64encode(b).decode().rstrip("="),  # URL-safe, padding dropped
    ],
)
def test_base64_as_common_tools_write_it_is_accepted(server, mnist_test, encode):
    digit = png_bytes(np.kron(255 - mnist_test[0][0], np.ones((3, 3), np.uint8)))
    response = httpx.post(f"{server.url}/api/v1/predict", json={"images": [encode(digit)]})
    assert response.status_code == 200, response.text


def test_text_fields_do_not_count_as_images(start_server, smoke_artifact, mnist_test):
    env = {**os.environ, "DIGITKIT_MAX_IMAGES": "2"}
    running = start_server(["--model", str(smoke_artifact), "--no-access-log"], env=env)
    image = png_bytes(mnist_test[0][0])
    files = [("x", ("a.png", image, "image/png")), ("x", ("b.png", image, "image/png"))]
    response = httpx.post(f"{running.url}/predict", files=files, data={"note": "hello", "other": "x"})
    assert response.status_code == 200 and len(response.json()["y"]) == 2, response.text
    three = httpx.post(f"{running.url}/predict", files=files * 2)
    assert three.status_code == 413 and "more than 2 files" in three.json()["error"]


def test_huge_ids_and_pages(page_server):
    admin = {"authorization": f"Bearer {page_server.admin_token}"}
    huge = httpx.delete(f"{page_server.url}/api/v1/samples/99999999999999999999999", headers=admin)
    assert huge.status_code == 400 and "sample_id" in huge.json()["error"]
    page = httpx.get(f"{page_server.url}/api/v1/samples?limit=5", headers=admin)
    assert page.status_code == 200 and int(page.headers["x-total-count"]) >= len(page.json())
    assert httpx.get(f"{page_server.url}/api/v1/samples?limit=100000", headers=admin).status_code == 400


def test_chunked_json_over_the_body_limit_is_413(start_server, smoke_artifact):
    env = {**os.environ, "DIGITKIT_MAX_BODY_BYTES": "20000"}
    running = start_server(["--model", str(smoke_artifact), "--no-access-log"], env=env)

    def chunks():
        yield b'{"images": ["'
        for _ in range(20):
            yield b"A" * 4000
        yield b'"]}'

    response = httpx.post(
        f"{running.url}/api/v1/predict", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413 and "limit of 20,000 bytes" in response.json()["error"]


def test_many_huge_images_are_refused_before_decoding(start_server, smoke_artifact):
    running = start_server(["--model", str(smoke_artifact), "--no-access-log"])
    big = base64.b64encode(png_bytes(np.zeros((4096, 4096), np.uint8))).decode()

    def rss_mb() -> float:
        status = Path(f"/proc/{running.process.pid}/status").read_text()
        return int(status.split("VmRSS:")[1].split()[0]) / 1024

    small = base64.b64encode(png_bytes(np.zeros((64, 64), np.uint8))).decode()
    assert httpx.post(f"{running.url}/api/v1/predict", json={"images": [small]}).status_code == 200  # warm up
    before = rss_mb()
    response = httpx.post(f"{running.url}/api/v1/predict", json={"images": [big] * 16}, timeout=60)
    assert response.status_code == 413, response.text
    assert "declare 268,435,456 pixels together" in response.json()["error"]
    assert rss_mb() - before <= 50, f"RSS grew {rss_mb() - before:.0f} MB"


def test_a_request_past_the_timeout_is_a_json_504(start_server, smoke_artifact):
    env = {**os.environ, "DIGITKIT_REQUEST_TIMEOUT_S": "0.001"}
    running = start_server(["--model", str(smoke_artifact), "--no-access-log"], env=env)
    big = data_uri(np.random.default_rng(0).integers(0, 255, (2000, 2000), dtype=np.uint8))
    response = httpx.post(f"{running.url}/api/v1/predict", json={"images": [big]}, timeout=60)
    assert response.status_code == 504 and "DIGITKIT_REQUEST_TIMEOUT_S" in response.json()["error"]
    assert httpx.get(f"{running.url}/status").status_code == 200


def test_store_faults_are_503_and_predictions_go_on(start_server, smoke_artifact, mnist_test):
    env = {**os.environ, "DIGITKIT_DATABASE_URL": "nosuchdriver://user@localhost/db"}
    running = start_server(["--model", str(smoke_artifact), "--no-access-log"], env=env)
    canvas = data_uri(255 - np.kron(mnist_test[0][0], np.ones((4, 4), np.uint8)))
    drawn = httpx.post(f"{running.url}/api/v1/draw", json={"image": canvas}).json()
    box = drawn["digits"][0]["box"]
    feedback = {"image": canvas, "digits": [{"box": box, "predicted": 7, "label": 7}]}
    response = httpx.post(f"{running.url}/api/v1/feedback", json=feedback)
    assert response.status_code == 503 and "DIGITKIT_DATABASE_URL" in response.json()["error"]
    assert httpx.post(f"{running.url}/api/v1/draw", json={"image": canvas}).status_code == 200


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_nan_inf_and_negative_settings_are_refused_at_start(cli, value):
    done = cli("serve", env={**os.environ, "DIGITKIT_BATCH_WAIT_MS": value})
    assert done.returncode == 2 and "batch_wait_ms must be a finite number >= 0" in done.stderr


def test_a_misspelt_setting_is_named_with_the_closest_one(caplog):
    settings_from_env({"DIGITKIT_PROT": "9000", "DIGITKIT_CACHE": "/tmp/c"})
    assert "DIGITKIT_PROT is not a digitkit setting and is ignored; did you mean DIGITKIT_PORT?" in caplog.text
    assert "DIGITKIT_CACHE" not in caplog.text


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    from sqlalchemy import text

    from digitkit.store import FeedbackStore

    store = FeedbackStore(f"sqlite:///{tmp_path / 'f.db'}")
    with store.database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000
