"""A failing RAMP submission: one line naming the file, the stage and the problem; --verbose adds the traceback."""

import pytest

BROKEN = {
    "missing file": ({}, "image_preprocessor.py is missing"),
    "syntax error": (
        {"batch_classifier": ("class BatchClassifier:", "class BatchClassifier(")},
        "stage train: batch_classifier.py line 9: syntax error",
    ),
    "exception in fit": (
        {"batch_classifier": ("rng = np.random.default_rng(0)", "raise ValueError('bad learning rate')")},
        "stage train: batch_classifier.py line 15, in fit: ValueError: bad learning rate",
    ),
    "exception in predict_proba": (
        {"batch_classifier": ("return self._forward(X.reshape(len(X), -1))[1]", "return 1 / 0")},
        "stage valid: batch_classifier.py line 43, in predict_proba: ZeroDivisionError",
    ),
    "9 columns": (
        {"batch_classifier": ("[1]\n", "[1][:, :9]\n")},
        "stage valid: batch_classifier.py: predict_proba returned shape (1200, 9) for 1,200 images; "
        "expected (1200, 10)",
    ),
    "11 columns": (
        {"batch_classifier": ("[1]\n", "[1].repeat(2, axis=1)[:, :11]\n")},
        "returned shape (1200, 11)",
    ),
    "NaN": ({"batch_classifier": ("[1]\n", "[1] * np.nan\n")}, "returned 12,000 NaN or infinite values"),
    "rows not summing to 1": ({"batch_classifier": ("[1]\n", "[1] * 2\n")}, "rows that do not sum to 1"),
}


@pytest.mark.parametrize("edits, message", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_submission_is_one_line(small_kit, submission, cli, edits, message):
    folder = submission(**edits)
    if not edits:
        (folder / "image_preprocessor.py").unlink()
    done = cli("cv", "--ramp-kit-dir", small_kit, "--submission", folder)
    assert done.returncode == 2
    error = done.stderr.strip().splitlines()
    assert len(error) == 1 and message in error[0] and "Traceback" not in done.stderr, done.stderr


def test_verbose_shows_the_traceback(small_kit, submission, cli):
    folder = submission(batch_classifier=("rng = np.random.default_rng(0)", "raise ValueError('bad')"))
    done = cli("cv", "--ramp-kit-dir", small_kit, "--submission", folder, "--verbose")
    assert done.returncode == 2 and "Traceback" in done.stderr and "ValueError: bad" in done.stderr


def test_a_uniform_submission_scores_chance_and_passes(tmp_path, small_kit, submission, cli):
    import json

    folder = submission(
        batch_classifier=("return self._forward(X.reshape(len(X), -1))[1]", "return np.full((len(X), 10), 0.1)")
    )
    done = cli("cv", "--ramp-kit-dir", small_kit, "--submission", folder, "--json", tmp_path / "cv.json")
    assert done.returncode == 0, done.stderr
    accuracy = json.loads((tmp_path / "cv.json").read_text())["mean"]["test"]["acc"]
    assert 0.05 < accuracy < 0.15
