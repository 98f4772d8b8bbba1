import numpy as np
import pytest

from digitkit.data.kaggle import read_kaggle_test, read_kaggle_train, write_submission
from digitkit.errors import DataError

HEADER = ",".join(f"pixel{i}" for i in range(784))


def write_csv(path, rows, with_label=True):
    header = ("label," if with_label else "") + HEADER
    path.write_text("\n".join([header, *(",".join(map(str, r)) for r in rows)]) + "\n")


def test_round_trip_train_and_test_csv(tmp_path):
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(3, 784))
    write_csv(tmp_path / "train.csv", [[d, *p] for d, p in zip([4, 0, 9], pixels, strict=True)])
    write_csv(tmp_path / "test.csv", pixels.tolist(), with_label=False)
    images, labels = read_kaggle_train(tmp_path / "train.csv")
    assert labels.tolist() == [4, 0, 9]
    assert np.array_equal(images.reshape(3, -1), pixels)
    assert read_kaggle_test(tmp_path / "test.csv").shape == (3, 28, 28)


def test_wrong_header_is_refused(tmp_path):
    (tmp_path / "train.csv").write_text("a,b,c\n1,2,3\n")
    with pytest.raises(DataError, match="expected the header of a Kaggle train.csv"):
        read_kaggle_train(tmp_path / "train.csv")


def test_test_csv_given_as_train_is_refused(tmp_path):
    write_csv(tmp_path / "test.csv", [[0] * 784], with_label=False)
    with pytest.raises(DataError, match="train.csv"):
        read_kaggle_train(tmp_path / "test.csv")


def test_short_row_and_bad_values_are_refused(tmp_path):
    write_csv(tmp_path / "train.csv", [[1, *([0] * 783)]])
    with pytest.raises(DataError):
        read_kaggle_train(tmp_path / "train.csv")
    write_csv(tmp_path / "t2.csv", [[1, *([300] * 784)]])
    with pytest.raises(DataError, match="0-255"):
        read_kaggle_train(tmp_path / "t2.csv")


def test_submission_has_image_ids_from_one(tmp_path):
    write_submission(tmp_path / "submission.csv", np.array([3, 1, 4]))
    assert (tmp_path / "submission.csv").read_text().splitlines() == ["ImageId,Label", "1,3", "2,1", "3,4"]


def test_kaggle_predict_round_trip_keeps_every_row_in_order(tmp_path, mnist_test, cli):

    images, labels = mnist_test
    write_csv(tmp_path / "test.csv", images[:50].reshape(50, -1).tolist(), with_label=False)
    done = cli("kaggle", "predict", "default", str(tmp_path / "test.csv"), "-o", str(tmp_path / "submission.csv"))
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "submission.csv").read_text().splitlines()
    assert lines[0] == "ImageId,Label" and len(lines) == 51
    ids = [int(line.split(",")[0]) for line in lines[1:]]
    predicted = np.array([int(line.split(",")[1]) for line in lines[1:]])
    assert ids == list(range(1, 51)) and (predicted == labels[:50]).mean() >= 0.96


def test_train_reads_a_kaggle_train_csv(tmp_path, mnist_test, mnist_cache, cli):
    import json

    images, labels = mnist_test
    write_csv(
        tmp_path / "train.csv", [[d, *im] for d, im in zip(labels[:300], images[:300].reshape(300, -1), strict=True)]
    )
    done = cli(
        "train",
        "smoke",
        "--data",
        f"kaggle:{tmp_path / 'train.csv'}",
        "--run-dir",
        str(tmp_path / "run"),
        "--suite-size",
        "0",
        "--cache",
        str(mnist_cache),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "run" / "artifact.json").read_text())["data"] == "kaggle:train.csv"
