"""A RAMP BatchClassifier: a small PyTorch CNN trained from the builder's batch generators."""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class BatchClassifier:
    def __init__(self, epochs: int = 1, batch_size: int = 64, lr: float = 3e-3):
        self.epochs, self.batch_size, self.lr = epochs, batch_size, lr

    def fit(self, gen_builder):
        torch.manual_seed(0)
        self.model_ = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, 10),
        )
        gen_train, _, nb_train, _ = gen_builder.get_train_valid_generators(batch_size=self.batch_size, valid_ratio=0.1)
        optimizer = torch.optim.Adam(self.model_.parameters(), lr=self.lr)
        for _ in range(self.epochs):
            for _ in range(max(1, nb_train // self.batch_size)):
                x, y = next(gen_train)
                loss = F.cross_entropy(
                    self.model_(torch.from_numpy(x)[:, None]), torch.from_numpy(np.asarray(y, np.int64))
                )
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        return self

    @torch.no_grad()
    def predict_proba(self, X):
        self.model_.eval()
        return F.softmax(self.model_(torch.from_numpy(np.asarray(X, np.float32))[:, None]), dim=1).numpy()
