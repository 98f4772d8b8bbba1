"""Property-based fuzzing of the upload path: any bytes, mutated images, odd modes -> 400, never 500."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from starlette.testclient import TestClient

from digitkit.serve.settings import Settings
from digitkit.serve.web.app import create_app


@pytest.fixture(scope="module")
def client(smoke_artifact):
    app = create_app(Settings(models=(str(smoke_artifact),)))
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c


def image_bytes(mode: str, size: tuple[int, int], fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 128 if mode in ("L", "I;16", "I", "F") else None).save(buffer, format=fmt)
    return buffer.getvalue()


GOOD = image_bytes("L", (28, 28), "PNG")


def mutate(data: bytes, positions: list[int], values: list[int]) -> bytes:
    out = bytearray(data)
    for position, value in zip(positions, values, strict=False):
        out[position % len(out)] = value
    return bytes(out)


fuzz = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@fuzz
@given(st.binary(max_size=2000))
def test_random_bytes_get_400(client, data):
    response = client.post("/predict", files=[("x", ("f.png", data, "image/png"))])
    assert response.status_code == 400 and "error" in response.json()


@fuzz
@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=8),
    st.lists(st.integers(0, 255), min_size=1, max_size=8),
    st.sampled_from(["PNG", "JPEG"]),
)
def test_mutated_images_get_200_or_400(client, positions, values, fmt):
    data = mutate(image_bytes("L", (28, 28), fmt), positions, values)
    response = client.post("/predict", files=[("x", ("f", data, "image/png"))])
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert len(response.json()["y"]) == 1


@fuzz
@given(
    st.sampled_from(["1", "L", "P", "RGB", "RGBA", "LA", "I;16", "I", "CMYK"]),
    st.tuples(st.integers(1, 64), st.integers(1, 64)),
    st.sampled_from(["PNG", "JPEG", "TIFF", "BMP", "GIF"]),
)
def test_wrong_modes_sizes_and_formats_get_400_unless_contract_conform(client, mode, size, fmt):
    try:
        data = image_bytes(mode, size, fmt)
    except (OSError, KeyError, ValueError):
        return  # PIL cannot write that combination; nothing to send
    response = client.post("/predict", files=[("x", ("f", data, "image/png"))])
    conform = mode == "L" and size == (28, 28) and fmt in ("PNG", "JPEG")
    assert response.status_code == (200 if conform else 400)


@fuzz
@given(st.lists(st.booleans(), min_size=1, max_size=6))
def test_mixed_good_and_bad_files_fail_as_a_whole(client, pattern):
    files = [("x", ("f", GOOD if ok else GOOD[:30], "image/png")) for ok in pattern]
    response = client.post("/predict", files=files)
    if all(pattern):
        assert response.status_code == 200 and len(response.json()["y"]) == len(pattern)
    else:
        assert response.status_code == 400


def test_decompression_bomb_is_refused(client):
    bomb = image_bytes("L", (14000, 14000), "PNG")
    assert len(bomb) < 2_000_000
    response = client.post("/predict", files=[("x", ("bomb.png", bomb, "image/png"))])
    assert response.status_code == 400 and "pixels" in response.json()["error"]
