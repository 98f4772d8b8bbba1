import numpy as np
import pytest
from PIL import Image

from digitkit.data.folder import open_image_folder, read_image_folder
from digitkit.errors import DataError


@pytest.fixture
def folder(tmp_path, mnist_test):
    images, labels = mnist_test
    (tmp_path / "images").mkdir()
    rows = ["id,class"]
    for i in range(10):
        Image.fromarray(255 - images[i]).save(tmp_path / "images" / f"img{i}.png")  # black on white
        rows.append(f"img{i},{labels[i]}")
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    return tmp_path


def test_folder_reads_lazily_in_batches(folder, mnist_test):
    dataset = open_image_folder(folder)
    batches = list(dataset.batches(4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    first_images, first_labels = batches[0]
    assert first_labels.tolist() == mnist_test[1][:4].tolist()
    # Inverted on disk, normalized back to MNIST: same pixels as the original digit.
    assert np.abs(first_images[0] - mnist_test[0][0] / 255).max() < 0.01


def test_read_whole_folder(folder):
    images, labels = read_image_folder(folder)
    assert images.shape == (10, 28, 28) and len(labels) == 10


def test_missing_image_and_bad_csv_are_named(folder):
    (folder / "images" / "img3.png").unlink()
    with pytest.raises(DataError, match="img3"):
        read_image_folder(folder)
    (folder / "train.csv").write_text("name,label\nx,1\n")
    with pytest.raises(DataError, match="id,class"):
        open_image_folder(folder)
