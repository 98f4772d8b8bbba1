"""Data sources: MNIST (fetch, verify, IDX), Kaggle CSV, RAMP-style image folders, batch iteration."""
