"""Run a RAMP submission on a kit through rampwf itself, and explain a failing one in one line.

Reading the data, the folds, the batch generators (shapes, one-hot labels, ``transform``/``transform_test``,
chunked reading), the scores and the printed tables are rampwf's own (``run_submission_on_cv_fold``), so
``digitkit cv`` prints what ``ramp-test`` prints on the same kit. digitkit adds two things ramp-test lacks:
a failure names the submission file, the stage and the problem instead of a traceback, and probabilities
are checked (shape, finite, rows summing to 1) before they are scored.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from digitkit.errors import ConfigError, DigitkitError

SUBMISSION_FILES = ("image_preprocessor.py", "batch_classifier.py")


class SubmissionError(DigitkitError):
    """A submission failed; the message names the file, the stage and the problem."""


class _Failed(BaseException):
    """Carries a failure out of rampwf's fold runner, whose ``except Exception`` would print it and exit(1)."""

    def __init__(self, stage: str, detail: str, cause: BaseException | None):
        super().__init__(detail)
        self.stage, self.detail, self.cause = stage, detail, cause


@dataclass
class CheckedWorkflow:
    """problem.workflow, wrapped: each call is tagged with its stage and each prediction is checked.

    rampwf trains (stage "train"), then predicts every training row, scored as train and valid (stage
    "valid"), then the test rows (stage "test").
    """

    workflow: Any
    submission: Path
    n_classes: int
    stage: str = "train"

    def train_submission(self, module_path: str, X: Any, y: np.ndarray, train_is: Any = None) -> Any:
        with self._stage("train"):
            return self.workflow.train_submission(module_path, X, y, train_is)

    def test_submission(self, trained_model: Any, X: Any) -> np.ndarray:
        stage = "valid" if self.stage == "train" else "test"
        with self._stage(stage):
            proba = self.workflow.test_submission(trained_model, X)
        self._check(np.asarray(proba), len(X[1]), stage)
        return proba

    @contextmanager
    def _stage(self, stage: str) -> Iterator[None]:
        self.stage = stage
        try:
            yield
        except Exception as exc:
            raise _Failed(stage, describe(exc, self.submission), exc) from exc

    def _check(self, proba: np.ndarray, rows: int, stage: str) -> None:
        where = "batch_classifier.py: predict_proba"
        if proba.shape != (rows, self.n_classes):
            problem = f"returned shape {proba.shape} for {rows:,} images; expected ({rows}, {self.n_classes})"
        elif not np.isfinite(proba).all():
            problem = f"returned {int((~np.isfinite(proba)).sum()):,} NaN or infinite values"
        elif not np.allclose(proba.sum(axis=1), 1.0, atol=1e-3):
            worst = float(np.abs(proba.sum(axis=1) - 1.0).max())
            problem = f"returned rows that do not sum to 1 (off by up to {worst:.3g}); apply a softmax"
        else:
            return
        raise _Failed(stage, f"{where} {problem}", None)


def describe(exc: BaseException, submission: Path) -> str:
    """One line: the submission file and line where ``exc`` arose (when it did arise there) and what it says."""
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{Path(exc.filename).name} line {exc.lineno}: syntax error: {exc.msg}"
    folder = submission.resolve()
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).resolve().parent == folder]
    where = f"{Path(frames[-1].filename).name} line {frames[-1].lineno}, in {frames[-1].name}: " if frames else ""
    return f"{where}{type(exc).__name__}: {exc}"


@contextmanager
def quick_test_mode(enabled: bool) -> Iterator[None]:
    """RAMP_TEST_MODE=1, as ``ramp-test --quick-test`` sets it (problem.py reads fewer rows and folds)."""
    before = os.environ.get("RAMP_TEST_MODE")
    if enabled:
        os.environ["RAMP_TEST_MODE"] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("RAMP_TEST_MODE", None)
        else:
            os.environ["RAMP_TEST_MODE"] = before


def read_kit(kit: Path) -> tuple[Any, Any, np.ndarray, Any, np.ndarray]:
    """(problem, X_train, y_train, X_test, y_test) read by the kit's problem.py, as ramp-test reads them."""
    from rampwf.utils.testing import assert_read_problem

    if not (kit / "problem.py").is_file():
        raise ConfigError(f"{kit} is not a RAMP kit (no problem.py); make one with `digitkit ramp-kit {kit}`")
    try:
        problem = assert_read_problem(str(kit))
        return (problem, *problem.get_train_data(path=str(kit)), *problem.get_test_data(path=str(kit)))
    except Exception as exc:
        raise ConfigError(f"{kit}/problem.py cannot read the kit: {describe(exc, kit)}") from exc


def run_cv(kit: Path, submission: Path, *, quick_test: bool = False, show_traceback: bool = False) -> dict[str, Any]:
    """Every CV fold of ``submission`` on ``kit``; prints rampwf's tables and returns the scores."""
    from rampwf.utils.pretty_print import print_df_scores, print_title
    from rampwf.utils.scoring import mean_score_matrix, round_df_scores
    from rampwf.utils.submission import run_submission_on_cv_fold

    for name in SUBMISSION_FILES:
        if not (submission / name).is_file():
            raise SubmissionError(
                f"{submission / name} is missing; RAMP's image-classifier workflow needs image_preprocessor.py "
                "(def transform(x)) and batch_classifier.py (class BatchClassifier with fit and predict_proba)"
            )
    with quick_test_mode(quick_test):
        problem, X_train, y_train, X_test, y_test = read_kit(kit)
        folds = list(problem.get_cv(X_train, y_train))
        checked = CheckedWorkflow(problem.workflow, submission, problem.workflow.n_classes)
        problem.workflow = checked
        print_title(f"Testing {problem.problem_title}: {submission.name} on {len(folds)} folds")
        tables = []
        for fold_index, fold in enumerate(folds):
            print_title(f"CV fold {fold_index}")
            checked.stage = "train"
            try:
                _, _, table = run_submission_on_cv_fold(
                    problem, str(submission), fold, X_train, y_train, X_test, y_test
                )
            except _Failed as failed:
                if show_traceback and failed.cause is not None:
                    traceback.print_exception(type(failed.cause), failed.cause, failed.cause.__traceback__)
                raise SubmissionError(
                    f"submission {submission.name}, fold {fold_index}, stage {failed.stage}: {failed.detail}"
                ) from None
            print_df_scores(round_df_scores(table, problem.score_types), indent="\t")
            tables.append(table)
    print_title("----------------------------")
    print_title("Mean CV scores")
    print_title("----------------------------")
    print_df_scores(mean_score_matrix(tables, problem.score_types), indent="\t")
    return {
        "submission": submission.name,
        "folds": [{step: row.to_dict() for step, row in table.iterrows()} for table in tables],
        "mean": {
            step: {score: float(np.mean([t.loc[step, score] for t in tables])) for score in tables[0].columns}
            for step in tables[0].index
        },
    }
