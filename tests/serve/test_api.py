"""The JSON API, metrics and docs, in process (the contract tests use a real server)."""

import base64

import numpy as np
import pytest
from starlette.testclient import TestClient

from digitkit.runtime import load_model
from digitkit.serve.settings import Settings
from digitkit.serve.web.app import create_app
from helpers import data_uri


@pytest.fixture(scope="module")
def client(smoke_artifact, tmp_path_factory):
    settings = Settings(
        models=(str(smoke_artifact),),
        max_images=8,
        max_pixels=512 * 512,
        cors_origins=("http://x",),
        data_dir=tmp_path_factory.mktemp("api-data"),  # no model versions: only the loaded model is listed
    )
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_predict_any_size_image_gives_label_and_probabilities(client, smoke_artifact, mnist_test, encode):
    digit = mnist_test[0][0]
    big = np.kron(255 - digit, np.ones((5, 5), np.uint8))  # 140x140, black ink on white
    response = client.post(
        "/api/v1/predict", json={"images": [data_uri(big), base64.b64encode(encode(digit)).decode()]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "smoke" and body["model_version"].startswith("smoke/")
    first, second = body["predictions"]
    assert len(first["probabilities"]) == 10 and abs(sum(first["probabilities"]) - 1) < 1e-3
    assert first["label"] == int(np.argmax(first["probabilities"]))
    expected = int(load_model(smoke_artifact).predict(digit[None])[0])
    assert second["label"] == expected


def test_mixed_sizes_keep_their_order_and_each_gets_its_own_answer(client, smoke_artifact, mnist_test, encode):
    digits = mnist_test[0][:5]
    images = [d if i % 2 == 0 else np.kron(255 - d, np.ones((4, 4), np.uint8)) for i, d in enumerate(digits)]
    response = client.post("/api/v1/predict", json={"images": [data_uri(im) for im in images]})
    assert response.status_code == 200
    model = load_model(smoke_artifact)
    for image, prediction in zip(images, response.json()["predictions"], strict=True):
        alone = model.predict_proba(image[None])[0]
        assert np.allclose(prediction["probabilities"], alone, atol=1e-5)


def test_model_is_selectable_and_unknown_one_is_404(client, mnist_test, encode):
    image = data_uri(mnist_test[0][0])
    assert client.post("/api/v1/predict", json={"images": [image], "model": "smoke"}).status_code == 200
    response = client.post("/api/v1/predict", json={"images": [image], "model": "nope"})
    assert response.status_code == 404 and "smoke" in response.json()["error"]


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"images": ["!!!not base64"]}, 400, "base64"),
        ({"images": [base64.b64encode(b"text").decode()]}, 400, "not a readable"),
        ({"images": []}, 400, "at least 1"),
        ({"pictures": []}, 400, "images"),
        ({"images": ["data:image/png,abc"]}, 400, "data URI"),
    ],
)
def test_bad_api_requests_get_json_errors(client, payload, status, message):
    response = client.post("/api/v1/predict", json=payload)
    assert response.status_code == status and message in response.json()["error"]


def test_limits_on_images_and_pixels(client, encode):
    small = data_uri(np.zeros((28, 28), np.uint8))
    assert client.post("/api/v1/predict", json={"images": [small] * 9}).status_code == 413
    huge = data_uri(np.zeros((600, 600), np.uint8))
    response = client.post("/api/v1/predict", json={"images": [huge]})
    assert response.status_code == 413 and "pixels" in response.json()["error"]


def test_models_lists_figures(client):
    (model,) = client.get("/api/v1/models").json()
    assert model["name"] == "smoke" and model["default"] and model["loaded"] and model["bytes"] > 1000
    assert "mnist_accuracy" in model["metrics"]


def test_metrics_count_requests_and_images(client, mnist_test, encode):
    client.post("/predict", files=[("x", ("a.png", encode(mnist_test[0][0]), "image/png"))] * 3)
    text = client.get("/metrics").text
    assert 'digitkit_requests_total{code="200",route="/predict"}' in text
    assert "digitkit_images_predicted_total" in text and "digitkit_request_seconds_bucket" in text


def test_docs_are_served_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in page.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "/api/v1/predict" in client.get("/openapi.json").json()["paths"]


def test_cors_allows_configured_origin(client):
    response = client.options(
        "/api/v1/predict", headers={"Origin": "http://x", "Access-Control-Request-Method": "POST"}
    )
    assert response.headers.get("access-control-allow-origin") == "http://x"
