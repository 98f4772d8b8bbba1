"""The drawing page's API: recognise several digits, store feedback, review it."""

import numpy as np
import pytest
from starlette.testclient import TestClient

from digitkit.data.strokes import on_canvas
from digitkit.serve.settings import Settings
from digitkit.serve.web.app import create_app
from helpers import TOUCHING_170, canvas, data_uri


@pytest.fixture
def client(tmp_path):
    settings = Settings(models=("default",), data_dir=tmp_path, admin_token=TOKEN)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as test_client:
        yield test_client


TOKEN = "review-token"
ADMIN = {"authorization": f"Bearer {TOKEN}"}


def test_draw_reads_a_multi_digit_number(client, encode, mnist_test):
    images, labels = mnist_test
    response = client.post("/api/v1/draw", json={"image": data_uri(canvas(images[:3]))})
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "".join(map(str, labels[:3]))
    assert [d["box"][0] for d in body["digits"]] == sorted(d["box"][0] for d in body["digits"])


def test_empty_canvas_and_bad_images(client, encode):
    blank = data_uri(np.full((50, 80), 255, np.uint8))
    assert client.post("/api/v1/draw", json={"image": blank}).json() == {"number": "", "digits": [], "model": "default"}
    response = client.post("/api/v1/draw", json={"image": "data:image/png;base64,aGVsbG8="})
    assert response.status_code == 400 and "not a readable" in response.json()["error"]


def test_feedback_round_trip_through_review(client, encode, mnist_test):
    image = data_uri(canvas(mnist_test[0][:2]))
    drawn = client.post("/api/v1/draw", json={"image": image}).json()["digits"]
    digits = [{"box": d["box"], "predicted": d["label"], "label": d["label"]} for d in drawn]
    digits[1]["label"] = 9 if drawn[1]["label"] != 9 else 8  # the person corrects the second digit
    saved = client.post("/api/v1/feedback", json={"image": image, "digits": digits})
    assert saved.status_code == 201
    again = client.post("/api/v1/feedback", json={"image": image, "digits": digits})
    assert again.status_code == 409
    (sample,) = client.get("/api/v1/samples", headers=ADMIN).json()
    assert sample["id"] == saved.json()["id"] and [d["disagrees"] for d in sample["digits"]] == [False, True]
    assert sample["digits"][1]["crop"].startswith("data:image/png;base64,")
    first = sample["digits"][0]["id"]
    assert client.put(f"/api/v1/digits/{first}/label", json={"label": 3}, headers=ADMIN).status_code == 200
    assert client.put(f"/api/v1/digits/{first}/label", json={"label": 11}, headers=ADMIN).status_code == 400
    assert client.delete(f"/api/v1/samples/{sample['id']}", headers=ADMIN).status_code == 204
    assert client.get("/api/v1/samples", headers=ADMIN).json() == []
    assert client.delete(f"/api/v1/samples/{sample['id']}", headers=ADMIN).status_code == 404


def test_feedback_for_a_box_that_is_not_there_is_refused(client, encode, mnist_test):
    image = data_uri(canvas(mnist_test[0][:1]))
    response = client.post(
        "/api/v1/feedback", json={"image": image, "digits": [{"box": [1, 2, 3, 4], "predicted": 1, "label": 1}]}
    )
    assert response.status_code == 400 and "no digit at box" in response.json()["error"]


def test_strokes_sent_with_the_canvas_cut_touching_digits_apart(client):
    image = data_uri(on_canvas([np.array(s) for s in TOUCHING_170], size=(300, 400)))
    strokes = [{"width": 30, "points": [list(p) for p in s]} for s in TOUCHING_170]
    assert client.post("/api/v1/draw", json={"image": image}).json()["number"] != "170"  # ink alone: one group
    answer = client.post("/api/v1/draw", json={"image": image, "strokes": strokes}).json()
    assert answer["number"] == "170", answer
    digits = [{"box": d["box"], "predicted": d["label"], "label": d["label"]} for d in answer["digits"]]
    # Feedback finds the same three boxes when it gets the same strokes, and none without them.
    assert client.post("/api/v1/feedback", json={"image": image, "digits": digits}).status_code == 400
    saved = client.post("/api/v1/feedback", json={"image": image, "strokes": strokes, "digits": digits})
    assert saved.status_code == 201


@pytest.mark.parametrize(
    "strokes, where",
    [
        ([{"width": -3, "points": [[1, 2]]}], "strokes.0.width"),
        ([{"width": 3, "points": []}], "strokes.0.points"),
        ([{"width": 3, "points": [[1, 2, 3]]}], "strokes.0.points.0"),
        ([{"width": 3, "points": [[1, 2]]}] * 2001, "strokes"),
        ("a stroke", "strokes"),
        ([{"width": 3, "points": [[1, 2]] * 20_000}] * 6, "strokes"),
    ],
    ids=["negative width", "no points", "three coordinates", "too many strokes", "not a list", "too many points"],
)
def test_bad_strokes_are_a_400_that_says_where(client, strokes, where):
    image = data_uri(np.full((50, 80), 255, np.uint8))
    response = client.post("/api/v1/draw", json={"image": image, "strokes": strokes})
    assert response.status_code == 400 and f"at body.{where}" in response.json()["error"], response.json()


def test_pages_and_static_assets_are_served(client):
    assert "<canvas" in client.get("/").text and "review.js" in client.get("/review").text
    assert client.get("/static/draw.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404
