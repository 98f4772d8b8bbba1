"""A numpy MLP (784-128-10) trained by minibatch SGD from RAMP's batch generators.

RAMP's BatchGeneratorBuilder yields X of shape (B, 1, 28, 28), float32, and one-hot y of shape (B, 10).
"""

import numpy as np


class BatchClassifier:
    def __init__(self, hidden=128, epochs=3, batch_size=64, learning_rate=0.1):
        self.hidden, self.epochs = hidden, epochs
        self.batch_size, self.learning_rate = batch_size, learning_rate

    def fit(self, gen_builder):
        rng = np.random.default_rng(0)
        self.w1 = rng.normal(0, np.sqrt(2 / 784), (784, self.hidden)).astype(np.float32)
        self.b1 = np.zeros(self.hidden, np.float32)
        self.w2 = rng.normal(0, np.sqrt(1 / self.hidden), (self.hidden, 10)).astype(np.float32)
        self.b2 = np.zeros(10, np.float32)
        gen_train, _, nb_train, _ = gen_builder.get_train_valid_generators(batch_size=self.batch_size, valid_ratio=0.1)
        steps = max(1, -(-nb_train // self.batch_size))
        for _ in range(self.epochs * steps):
            x, y = next(gen_train)
            self._step(x.reshape(len(x), -1), y)
        return self

    def _forward(self, x):
        h = np.maximum(x @ self.w1 + self.b1, 0)
        logits = h @ self.w2 + self.b2
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return h, e / e.sum(axis=1, keepdims=True)

    def _step(self, x, y):
        h, p = self._forward(x)
        grad = (p - y) / len(x)
        grad_h = (grad @ self.w2.T) * (h > 0)
        self.w2 -= self.learning_rate * h.T @ grad
        self.b2 -= self.learning_rate * grad.sum(axis=0)
        self.w1 -= self.learning_rate * x.T @ grad_h
        self.b1 -= self.learning_rate * grad_h.sum(axis=0)

    def predict_proba(self, X):
        return self._forward(X.reshape(len(X), -1))[1]
