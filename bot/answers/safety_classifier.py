"""The learned safety reading: a softmax regression over :data:`CLASSES` on sentence
embeddings, fitted by :class:`bot.answers.scope.ScopeReader` on the example bank (see there for
how it is read: on the whole message and on each clause)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bot.answers import safety

CLASSES = ("crisis", "someone_else", "emergency", "medical", "distress", "career")
#: Thresholds: the highest probability any of the 239 in-scope eval questions gets, plus a
#: margin, so none of them gets a crisis-first reply.
CLASSIFIER_AT = {"crisis": 0.93, "someone_else": 0.96}


@dataclass(frozen=True)
class SafetyClassifier:
    """A softmax regression over :data:`CLASSES` on sentence embeddings, fitted with numpy
    when the reader starts (a few hundred full-batch steps: well under a second), classes
    weighted equally whatever their number of examples."""

    weights: np.ndarray  # (dimensions, classes)
    bias: np.ndarray  # (classes,)
    SETTINGS: ClassVar[dict[str, float]] = {"l2": 1e-3, "steps": 400, "rate": 2.0, "scale": 5.0}

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: np.ndarray) -> SafetyClassifier:
        l2, rate, scale = (cls.SETTINGS[k] for k in ("l2", "rate", "scale"))
        steps = int(cls.SETTINGS["steps"])
        x = vectors * scale  # unit vectors, spread so that a few steps separate them
        n, k = len(x), len(CLASSES)
        counts = np.bincount(labels, minlength=k).astype(float)
        row_weight = (n / (k * np.maximum(counts, 1.0)))[labels]
        row_weight /= row_weight.sum()
        target = np.eye(k)[labels]
        weights, bias = np.zeros((x.shape[1], k)), np.zeros(k)
        for _ in range(steps):
            grad = (_softmax(x @ weights + bias) - target) * row_weight[:, None]
            weights -= rate * (x.T @ grad + l2 * weights)
            bias -= rate * grad.sum(axis=0)
        return cls(weights * scale, bias)

    def pack(self) -> np.ndarray:
        """One matrix of vector-sized rows (what the store's cache holds): the weights of each
        class, then the biases."""
        bias = np.zeros((1, self.weights.shape[0]))
        bias[0, :len(self.bias)] = self.bias
        return np.vstack([self.weights.T, bias]).astype(np.float32)

    @classmethod
    def unpack(cls, packed: np.ndarray) -> SafetyClassifier:
        k = len(CLASSES)
        return cls(packed[:k].T.astype(np.float64), packed[k, :k].astype(np.float64))

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """(rows, classes): each vector's probability of each class."""
        return _softmax(np.atleast_2d(vectors) @ self.weights + self.bias)

    def reads(self, vector: np.ndarray, probabilities: np.ndarray | None = None) -> str | None:
        """crisis or someone_else when the message is that sure to be one, else None."""
        if probabilities is None:
            probabilities = self.probabilities(vector)[0]
        p = dict(zip(CLASSES, probabilities.tolist(), strict=True))
        if p["crisis"] >= CLASSIFIER_AT["crisis"] and p["crisis"] >= p["someone_else"]:
            return safety.CRISIS
        if p["someone_else"] >= CLASSIFIER_AT["someone_else"]:
            return safety.SOMEONE_ELSE
        return None


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
