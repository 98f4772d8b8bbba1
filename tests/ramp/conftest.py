import shutil

import pytest

from digitkit.data.sources import Dataset
from digitkit.ramp.kit import write_kit


@pytest.fixture(scope="session")
def small_kit(tmp_path_factory, mnist_test):
    """A RAMP kit of MNIST test images: 1,200 train rows, 300 test rows, 2 folds."""
    images, labels = mnist_test
    folder = tmp_path_factory.mktemp("kits") / "mnist"
    return write_kit(
        folder,
        Dataset(images[:1200], labels[:1200], "train"),
        Dataset(images[1200:1500], labels[1200:1500], "test"),
        folds=2,
    )


@pytest.fixture
def submission(tmp_path, small_kit):
    """edit(batch_classifier=..., image_preprocessor=...) -> a copy of the starting kit with those lines edited."""

    def edit(**replacements: tuple[str, str]):
        folder = tmp_path / "edited"
        shutil.copytree(small_kit / "submissions" / "starting_kit", folder)
        for stem, (old, new) in replacements.items():
            path = folder / f"{stem}.py"
            text = path.read_text()
            assert old in text, f"{old!r} is not in {path.name}"
            path.write_text(text.replace(old, new))
        return folder

    return edit
