"""digitkit: handwritten-digit recognition from raw MNIST to a tiny, robust served model."""

__version__ = "0.1.0"
