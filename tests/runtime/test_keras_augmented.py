"""The shipped default against augmentation that digitkit did not write: Keras 3's own preprocessing layers,
as benchmarks/keras_augmented.py applies them (a thousand MNIST test images here, ten thousand there)."""

import numpy as np
import pytest

from digitkit.preprocess import normalize_batch
from digitkit.runtime import load_model
from keras_augmented import SETS, augmented


@pytest.mark.parametrize(
    ("name", "least"),
    [
        ("kaggle-classic", 0.99),  # 99.50% on 10,000
        # Every image with a Keras RandomErasing patch: 76.9% on 10,000 before the default's second stage blanked
        # rectangles of its own (data/augment.erase), 85.3% after.
        ("erasing", 0.82),
    ],
)
def test_the_shipped_default_reads_mnist_augmented_by_keras(mnist_test, name, least):
    images, labels = (part[:1000] for part in mnist_test)
    pictures = augmented(images, SETS[name], 7)
    assert np.array_equal(pictures, augmented(images, SETS[name], 7))  # the seed fixes the set
    assert (pictures != images).any(axis=(1, 2)).mean() > 0.6  # Keras changed most of them
    read = load_model("default").predict_logits(normalize_batch(pictures)).argmax(1)
    assert (read == labels).mean() >= least
