"""A deterministic stand-in for the sentence encoder: a vector from a hash of the text.

Cheap to load, so tests can start real embedding worker processes with it
(``ProcessEmbedder("hash_embedder:HashEmbedder")`` with this folder on PYTHONPATH).
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np


class HashEmbedder:
    name = "hash-embedder"
    dim = 16

    def __init__(self, fail_on: str | None = None, hold_until: str | None = None, **_):
        self.fail_on = fail_on
        # A file whose appearance releases embed() (all calls but the worker's first,
        # made at load): lets a test hold the worker busy as long as it needs,
        # instead of racing it.
        self.hold_until = hold_until
        self.calls = 0

    def embed(self, texts):
        self.calls += 1
        if self.hold_until is not None and self.calls > 1:
            deadline = time.monotonic() + 60
            while not Path(self.hold_until).exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        if self.fail_on is not None and self.fail_on in texts:
            raise ValueError(f"refused {self.fail_on!r}")
        rows = [np.frombuffer(hashlib.sha256(t.encode("utf-8")).digest()[: self.dim], dtype=np.uint8) for t in texts]
        matrix = np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim) + 1.0
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
