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
