"""MNIST-C: deterministic corruptions that change the image, held out from training, and the official layout."""

from pathlib import Path

import numpy as np
import pytest

from digitkit.data.mnist_c import CORRUPTIONS, corrupt

SRC = Path(__file__).resolve().parents[2] / "src" / "digitkit"


def test_the_fifteen_corruptions_of_the_paper():
    assert len(CORRUPTIONS) == 15 and {"stripe", "zigzag", "canny_edges", "fog", "glass_blur"} <= set(CORRUPTIONS)


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_each_corruption_is_deterministic_and_changes_the_image(name, mnist_test):
    images = mnist_test[0][:20]
    first, again = corrupt(images, name, seed=7), corrupt(images, name, seed=7)
    assert first.dtype == np.uint8 and first.shape == images.shape
    assert np.array_equal(first, again)
    changed = [not np.array_equal(a, b) for a, b in zip(first, images, strict=True)]
    assert all(changed), f"{name} left {changed.count(False)} of 20 images untouched"


@pytest.mark.parametrize("module", ["mnist_c", "held_out"])
def test_training_never_calls_the_held_out_benchmarks(module):
    """MNIST-C and the held-out family are benchmarks: only evaluation code may import them."""
    users = {str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if f"data.{module}" in p.read_text()}
    assert users == {"evaluate/report.py"}


def test_the_held_out_family_is_deterministic_cached_and_pixelated(tmp_path, mnist_cache, mnist_test):
    import shutil

    from digitkit.data.held_out import BLOCKS, build_held_out

    shutil.copytree(mnist_cache / "mnist", tmp_path / "mnist")
    first = build_held_out(tmp_path, size=30)
    (tmp_path / "held-out-v1-30.npz").unlink()
    second = build_held_out(tmp_path, size=30)
    assert (tmp_path / "held-out-v1-30.npz").is_file() and set(first) == {"labels", *BLOCKS}
    for name, block in BLOCKS.items():
        assert np.array_equal(first[name], second[name]) and first[name].dtype == np.uint8
        assert all(not np.array_equal(a, b) for a, b in zip(first[name], mnist_test[0][:30], strict=True))
        # Blocks of one value: neighbours along a row differ only at cell borders, every block-th pair at most.
        same = (np.diff(first[name].astype(int), axis=2) == 0).mean()
        assert same >= 1 - 1 / block, name


def test_evaluate_on_the_held_out_family(cli):
    done = cli("evaluate", "default", "--data", "held-out", "--suite-size", "40")
    assert done.returncode == 0, done.stderr
    assert "held-out family (no training op is related) (40 images per corruption)" in done.stdout
    assert "  pixelate_2" in done.stdout and "  pixelate_3" in done.stdout


def test_evaluate_on_generated_mnist_c(cli):
    done = cli("evaluate", "default", "--data", "mnist-c", "--suite-size", "40")
    assert done.returncode == 0, done.stderr
    assert "MNIST-C (generated) (40 images per corruption)" in done.stdout
    assert all(f"  {name}" in done.stdout for name in CORRUPTIONS) and "worst:" in done.stdout


def test_evaluate_reads_the_official_release_layout(tmp_path, mnist_test, cli):
    images, labels = mnist_test
    for name in ("fog", "stripe"):
        (tmp_path / name).mkdir()
        np.save(tmp_path / name / "test_images.npy", corrupt(images[:50], name, 1)[..., None])
        np.save(tmp_path / name / "test_labels.npy", labels[:50].astype(np.int64))
    done = cli("evaluate", "default", "--data", f"mnist-c:{tmp_path}", "--json", tmp_path / "r.json")
    assert done.returncode == 0, done.stderr
    assert f"MNIST-C from {tmp_path} (50 images per corruption)" in done.stdout
    assert "  fog" in done.stdout and "  stripe" in done.stdout and "zigzag" not in done.stdout


def test_a_folder_without_mnist_c_is_one_line(tmp_path, cli):
    done = cli("evaluate", "default", "--data", f"mnist-c:{tmp_path}")
    assert done.returncode == 2 and "holds none of MNIST-C's folders" in done.stderr
