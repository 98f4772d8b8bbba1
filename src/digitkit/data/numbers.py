"""Numbers written with MNIST digits side by side, touching or apart: the canvases that test splitting."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def written_number(digits: Sequence[np.ndarray], advance: float = 1.0, scale: int = 4) -> np.ndarray:
    """MNIST digits (white on black) enlarged ``scale`` times, each starting ``advance`` x the previous one's ink
    width further right (1.0: the ink boxes touch; below, they overlap; above, a gap), on a 140-pixel-high
    canvas in the page's polarity: black ink on white."""
    pieces = []
    for digit in digits:
        big = np.kron(digit, np.ones((scale, scale), np.uint8))
        columns = np.flatnonzero(big.max(axis=0) > 30)
        pieces.append(big[:, columns[0] : columns[-1] + 1])
    out = np.zeros((140, sum(p.shape[1] for p in pieces) + 100), np.uint8)
    x = 30
    for piece in pieces:
        region = out[14 : 14 + piece.shape[0], x : x + piece.shape[1]]
        np.maximum(region, piece, out=region)
        x += int(advance * piece.shape[1])
    return 255 - out
