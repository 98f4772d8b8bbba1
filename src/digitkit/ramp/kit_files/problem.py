"""MNIST digit classification, a RAMP kit written by `digitkit ramp-kit`.

Run the example submission with rampwf's own runner (``ramp-test --submission starting_kit``) or with
``digitkit cv --ramp-kit-dir . --submission starting_kit``; both read this file.
"""

import os

import pandas as pd
import rampwf as rw
from sklearn.model_selection import StratifiedShuffleSplit

problem_title = "MNIST digit classification"
_target_column_name = "class"
_prediction_label_names = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
_n_splits = 5  # written by digitkit ramp-kit --folds
_quick_test_rows = 500  # --quick-test (RAMP_TEST_MODE) reads this many rows of each file

Predictions = rw.prediction_types.make_multiclass(label_names=_prediction_label_names)
workflow = rw.workflows.ImageClassifier(
    test_batch_size=256, chunk_size=1024, n_jobs=1, n_classes=len(_prediction_label_names)
)
score_types = [
    rw.score_types.BalancedAccuracy(name="bal_acc", precision=4),
    rw.score_types.Accuracy(name="acc", precision=4),
    rw.score_types.NegativeLogLikelihood(name="nll", precision=4),
]


def get_cv(folder_X, y):
    _, X = folder_X
    n_splits = 2 if os.getenv("RAMP_TEST_MODE") else _n_splits
    cv = StratifiedShuffleSplit(n_splits=n_splits, test_size=0.2, random_state=57)
    return cv.split(X, y)


def _read_data(path, file_name):
    df = pd.read_csv(os.path.join(path, "data", file_name))
    if os.getenv("RAMP_TEST_MODE"):
        df = df[:_quick_test_rows]
    folder = os.path.join(path, "data", "imgs")
    return (folder, df["id"].values), df[_target_column_name].values


def get_train_data(path="."):
    return _read_data(path, "train.csv")


def get_test_data(path="."):
    return _read_data(path, "test.csv")
