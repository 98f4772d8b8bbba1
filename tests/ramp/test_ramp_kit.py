"""The kit rampwf reads, and digitkit cv against rampwf's own ramp-test on it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digitkit.errors import ConfigError
from digitkit.ramp.kit import write_kit

RAMP_TEST = Path(sys.executable).parent / "ramp-test"


def ramp_test_scores(kit, *args):
    """Per-fold (bal_acc, acc, nll) of the test step, as rampwf's ramp-test prints them."""
    env = {**os.environ, "TERM": "dumb"}  # no colour codes in the table
    done = subprocess.run(
        [RAMP_TEST, "--submission", "starting_kit", *args], cwd=kit, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    folds = done.stdout.split("Mean CV scores")[0]
    return [tuple(map(float, m)) for m in re.findall(r"\ttest\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", folds)]


def test_the_kit_has_rampwf_s_layout(small_kit):
    assert (small_kit / "problem.py").is_file() and "_n_splits = 2" in (small_kit / "problem.py").read_text()
    train = (small_kit / "data" / "train.csv").read_text().splitlines()
    assert train[0] == "id,class" and len(train) == 1201 and train[1].startswith("0.png,")
    assert len(list((small_kit / "data" / "imgs").iterdir())) == 1500
    assert {p.name for p in (small_kit / "submissions" / "starting_kit").iterdir()} >= {
        "batch_classifier.py",
        "image_preprocessor.py",
    }


def test_a_kit_is_not_written_over_a_folder_in_use(tmp_path, small_kit):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty"):
        write_kit(tmp_path / "used", None, None)  # type: ignore[arg-type]
    assert (tmp_path / "used" / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("quick", [True, False], ids=["quick-test", "full"])
def test_digitkit_cv_prints_what_ramp_test_prints(tmp_path, small_kit, cli, quick):
    """The starting kit (a numpy MLP whose transform divides raw pixels by 255) scored by both runners."""
    flags = ["--quick-test"] if quick else []
    expected = ramp_test_scores(small_kit, *flags)
    assert len(expected) == 2 and all(acc > 0.6 for _, acc, _ in expected)  # raw pixels reach the transform
    done = cli(
        "cv", "--ramp-kit-dir", small_kit, "--submission", "starting_kit", "--json", tmp_path / "cv.json", *flags
    )
    assert done.returncode == 0, done.stderr
    folds = json.loads((tmp_path / "cv.json").read_text())["folds"]
    got = [(f["test"]["bal_acc"], f["test"]["acc"], f["test"]["nll"]) for f in folds]
    assert [tuple(round(v, 4) for v in fold) for fold in got] == expected


def test_a_recipe_runs_as_a_submission_on_a_kit_made_for_it(tmp_path, cli):
    done = cli(
        "cv",
        "smoke",
        "--subset",
        "2000",
        "--test-size",
        "300",
        "--folds",
        "2",
        "--epochs",
        "3",
        "--json",
        tmp_path / "cv.json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "cv.json").read_text())
    assert result["submission"] == "recipe_smoke" and len(result["folds"]) == 2
    assert result["mean"]["test"]["acc"] > 0.5
    assert "Mean CV scores" in done.stdout
