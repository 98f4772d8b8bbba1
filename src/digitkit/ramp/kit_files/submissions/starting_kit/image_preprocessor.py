"""Each raw image (28x28 uint8, as read from data/imgs/) scaled to [0, 1]."""

import numpy as np


def transform(x):
    return (np.asarray(x, dtype=np.float32) / 255.0).reshape(28, 28)
