import gzip
import json
import os

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


def kaggle_bytes(rows, with_label=True, newline="\n"):
    header = ("label," if with_label else "") + HEADER
    return newline.join([header, *(",".join(map(str, r)) for r in rows)]).encode() + newline.encode()


FORMATS = {
    "CRLF": lambda rows: kaggle_bytes(rows, newline="\r\n"),
    "BOM": lambda rows: b"\xef\xbb\xbf" + kaggle_bytes(rows),
    "integral floats": lambda rows: kaggle_bytes([[f"{v}.0" for v in r] for r in rows]),
    "gzip": lambda rows: gzip.compress(kaggle_bytes(rows)),
}


@pytest.mark.parametrize("make", FORMATS.values(), ids=FORMATS.keys())
def test_kaggle_files_as_users_have_them(tmp_path, make):
    rows = [[d, *np.random.default_rng(d).integers(0, 256, 784)] for d in (4, 0, 9)]
    name = "train.csv.gz" if make is FORMATS["gzip"] else "train.csv"
    (tmp_path / name).write_bytes(make(rows))
    images, labels = read_kaggle_train(tmp_path / name)
    assert labels.tolist() == [4, 0, 9] and np.array_equal(images.reshape(3, -1), np.array(rows)[:, 1:])


ROW = [1, *([0] * 784)]
MISTAKES = {
    "a word": ([ROW] * 4 + [[1, 0, 0, "x", *([0] * 781)]], "line 6, column pixel2: 'x' is not a number"),
    "a short row": ([ROW, [1, *([0] * 783)]], "line 3: 784 values, expected 785 (label..pixel783)"),
    "a pixel of 300": ([ROW, ROW, [1, *([0] * 10), 300, *([0] * 773)]], "line 4, column pixel10: 300 is not a whole"),
    "a label of 12": ([ROW, [12, *([0] * 784)]], "line 3, column label: 12 is not a digit 0-9"),
    "a fraction": ([[1, 0.5, *([0] * 783)]], "line 2, column pixel0: 0.5 is not a whole number"),
    "header only": ([], "has a header but no rows"),
}


@pytest.mark.parametrize("rows, message", MISTAKES.values(), ids=MISTAKES.keys())
def test_every_mistake_names_its_file_line_and_column(tmp_path, rows, message):
    (tmp_path / "train.csv").write_bytes(kaggle_bytes(rows))
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_kaggle_train(tmp_path / "train.csv")


def test_blank_lines_do_not_shift_the_line_named(tmp_path):
    text = kaggle_bytes([ROW]).decode() + "\n" + ",".join(map(str, [1, 999, *([0] * 783)])) + "\n"
    (tmp_path / "train.csv").write_text(text)
    with pytest.raises(DataError, match="line 4, column pixel0: 999"):
        read_kaggle_train(tmp_path / "train.csv")


def test_a_header_only_test_csv_is_one_line_exit_2(tmp_path, cli):
    (tmp_path / "test.csv").write_bytes(kaggle_bytes([], with_label=False))
    done = cli("kaggle", "predict", "default", tmp_path / "test.csv", "-o", tmp_path / "submission.csv")
    assert done.returncode == 2 and "has a header but no rows" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "submission.csv").exists()


def test_submission_has_image_ids_from_one_lf_endings_and_normal_permissions(tmp_path):
    write_submission(tmp_path / "submission.csv", np.array([3, 1, 4]))
    assert (tmp_path / "submission.csv").read_bytes() == b"ImageId,Label\n1,3\n2,1\n3,4\n"
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "submission.csv").stat().st_mode & 0o777 == 0o666 & ~umask


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


def write_mnist_train_csv(path, mnist_test, rows):
    images, labels = mnist_test
    pixels = images[:rows].reshape(rows, -1)
    write_csv(path, [[d, *im] for d, im in zip(labels[:rows], pixels, strict=True)])


def test_train_reads_a_kaggle_train_csv(tmp_path, mnist_test, mnist_cache, cli):
    write_mnist_train_csv(tmp_path / "train.csv", mnist_test, 300)
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
    artifact = json.loads((tmp_path / "run" / "artifact.json").read_text())
    assert artifact["data"] == "kaggle:train.csv"
    # Validated on 10% of the user's own rows (30 of 300), not on MNIST test.
    assert "valid_accuracy" in artifact["metrics"] and "mnist_accuracy" not in artifact["metrics"]
    assert (tmp_path / "run" / "confusion.png").is_file()
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["history"][-1]["valid_accuracy"] == pytest.approx(artifact["metrics"]["valid_accuracy"], abs=0.04)


def test_cv_on_a_kaggle_train_csv(tmp_path, mnist_test, cli):
    write_mnist_train_csv(tmp_path / "train.csv", mnist_test, 700)
    kit_options = ["--data", f"kaggle:{tmp_path / 'train.csv'}", "--folds", "2"]
    done = cli("cv", "--submission", "starting_kit", *kit_options, "--json", tmp_path / "cv.json")
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "cv.json").read_text())
    assert len(result["folds"]) == 2 and result["mean"]["test"]["acc"] > 0.5
