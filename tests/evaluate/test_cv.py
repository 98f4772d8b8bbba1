"""Cross-validation: fold arithmetic, the report, and a RAMP-shaped submission scored like a recipe."""

import json
import tracemalloc
from pathlib import Path

import numpy as np
from PIL import Image

from digitkit.data.batches import BatchGeneratorBuilder, folder_loader
from digitkit.data.folder import open_image_folder
from digitkit.evaluate.cv import cross_validate, format_cv, load_submission
from digitkit.train.batch_classifier import RecipeClassifier
from digitkit.train.recipe import load_recipe

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ramp_submission"


class MajorityClassifier:
    """Remembers which rows it was trained on, so the test can check the folds."""

    seen: list[int] = []

    def fit(self, gen_builder):
        _, _, nb_train, nb_valid = gen_builder.get_train_valid_generators(batch_size=50, valid_ratio=0.1)
        MajorityClassifier.seen.append(nb_train + nb_valid)
        return self

    def predict_proba(self, X):
        proba = np.zeros((len(X), 10))
        proba[:, 1] = 1.0
        return proba


def test_folds_partition_the_data_and_the_report_has_mean_and_std(mnist_test):
    images, labels = mnist_test[0][:500], mnist_test[1][:500]
    MajorityClassifier.seen = []
    result = cross_validate(MajorityClassifier, images, labels, images[:100], labels[:100], folds=5)
    assert MajorityClassifier.seen == [400] * 5
    assert [r["n_valid"] for r in result["folds"]] == [100] * 5
    expected = float((labels[:100] == 1).mean())
    assert result["mean"]["test"]["accuracy"] == (expected, 0.0)
    text = format_cv(result)
    assert "CV fold 4" in text and "Mean CV scores" in text and " ± " in text


def test_ramp_example_submission_runs_through_cv(tmp_path, mnist_cache, cli):
    out = tmp_path / "cv.json"
    done = cli(
        "cv",
        "--submission",
        str(EXAMPLE),
        "--folds",
        "2",
        "--subset",
        "1000",
        "--test-size",
        "500",
        "--json",
        str(out),
        "--cache",
        str(mnist_cache),
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert len(result["folds"]) == 2 and result["mean"]["test"]["accuracy"][0] > 0.5
    assert "Mean CV scores" in done.stdout


def test_example_submission_loads_its_transform():
    make, transform = load_submission(EXAMPLE)
    assert transform is not None and abs(float(transform(np.zeros((28, 28), np.float32)).mean()) + 0.4242) < 1e-3
    assert hasattr(make(), "fit")


def test_training_from_an_image_folder_holds_one_batch_at_a_time(tmp_path, mnist_test):
    images, labels = mnist_test
    n = 3000
    (tmp_path / "images").mkdir()
    rows = ["id,class"]
    for i in range(n):
        Image.fromarray(images[i]).save(tmp_path / "images" / f"{i}.png")
        rows.append(f"{i},{labels[i]}")
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    folder = open_image_folder(tmp_path)
    whole = n * 28 * 28 * 4  # the folder as float32 in memory: the limit this test sets
    recipe = load_recipe("smoke")
    classifier = RecipeClassifier(recipe, epochs=1)
    # Warm up first: first calls import and compile code, which tracemalloc would count as data.
    RecipeClassifier(recipe, epochs=1).fit(BatchGeneratorBuilder(folder_loader(folder), 200))
    tracemalloc.start()
    classifier.fit(BatchGeneratorBuilder(folder_loader(folder), len(folder)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < whole / 3, f"peak {peak:,} bytes against {whole:,} for the whole folder"
    assert classifier.history_[0]["valid_accuracy"] > 0.1
