"""Sentence vectors kept in the story's database, so a coverage view is fast to compute again.

Coverage embeds every sentence and quote of a story (the stored article embedding
covers only the title and lead), at about 60-100 texts a second on two cores, so
vectors are cached by text (table ``coverage_cache``): a story that gains one article
only pays for that article's sentences. Whole views are kept too (``view.py``).

The table belongs to the store (``store/schema.py``, read and written by
``store/coverage.py``); readers only add rows, and a database they cannot write to
still gets its coverage, computed again next time.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

import numpy as np


def _key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode("utf-8")).hexdigest()


class CachedEmbedder:
    """An ``Embedder`` that looks texts up in the database before running the model."""

    def __init__(self, embedder, store=None):
        """``store``: where vectors are kept (anything with ``cached_vectors(keys)`` and
        ``save_vectors(rows)``, as ``couverture.store.Store``); None keeps them in memory only."""
        self.embedder = embedder
        self.store = store
        self.name = getattr(embedder, "name", type(embedder).__name__)
        self.dim = getattr(embedder, "dim", None)
        self._memory: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.computed = 0  # texts embedded by the model (not found in a cache), for tests and logs

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        keys = [_key(self.name, t) for t in texts]
        found: dict[str, np.ndarray] = {k: self._memory[k] for k in keys if k in self._memory}
        missing = [k for k in dict.fromkeys(keys) if k not in found]
        if missing and self.store is not None:
            for key, blob in self.store.cached_vectors(missing).items():
                found[key] = np.frombuffer(blob, dtype=np.float32).copy()
        todo = [(k, t) for k, t in dict(zip(keys, texts)).items() if k not in found]
        if todo:
            vectors = np.asarray(self.embedder.embed([t for _, t in todo]), dtype=np.float32)
            self.computed += len(todo)
            rows = []
            for (key, _), vector in zip(todo, vectors):
                found[key] = vector
                rows.append({"key": key, "model": self.name, "vector": vector.tobytes()})
            if self.store is not None:
                self.store.save_vectors(rows)
        with self._lock:
            for key in keys:
                self._memory[key] = found[key]
            if len(self._memory) > 50_000:
                self._memory.clear()
        return np.stack([found[k] for k in keys])

