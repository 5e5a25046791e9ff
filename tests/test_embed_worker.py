"""The embedding worker process and the queue that feeds it: same vectors, right rows."""
from __future__ import annotations

import os
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from hash_embedder import HashEmbedder

from couverture.analyze.embed_worker import EmbeddingQueue, ProcessEmbedder, WorkerError
from couverture.models import Article

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def tests_on_path(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH")) if p))


def _articles(n: int) -> list[Article]:
    return [Article(id=f"a{i}", title=f"Title {i}", text=f"Text number {i} " * (1 + i % 5), lang="en",
                    origin="test", content_hash=f"h{i}") for i in range(n)]


def _text(article: Article) -> str:
    return article.title + "\n" + article.text


class ThreadlessSubmitter:
    """An embedder with ``submit`` whose futures finish only when the test says so."""

    name = "fake"
    dim = HashEmbedder.dim

    def __init__(self):
        self.inner = HashEmbedder()
        self.sent: list[tuple[list[str], Future]] = []

    def submit(self, texts):
        future = Future()
        self.sent.append((list(texts), future))
        return future

    def finish_all(self):
        for texts, future in self.sent:
            if future.set_running_or_notify_cancel():
                future.set_result(self.inner.embed(texts))


def test_queue_returns_each_articles_row_whatever_the_order():
    articles = _articles(70)
    submitter = ThreadlessSubmitter()
    queue = EmbeddingQueue(submitter, _text, batch=8)
    queue.add(articles[:30])
    queue.add(articles[30:])
    order = list(reversed(articles))
    queue.prioritise(order)  # nothing has started: every batch is re-queued in this order
    first_texts = submitter.sent[-9][0] if len(submitter.sent) >= 9 else None
    assert first_texts is not None and first_texts[0] == _text(order[0])
    submitter.finish_all()
    expected = HashEmbedder().embed([_text(a) for a in order])
    got = np.vstack([queue.vectors(order[:5]), queue.vectors(order[5:40]), np.vstack([queue.vector(a) for a in order[40:]])])
    assert np.array_equal(got, expected)
    assert not queue._jobs and not queue._where  # taken results are dropped


def test_queue_helps_with_batches_the_worker_has_not_taken():
    articles = _articles(40)
    submitter = ThreadlessSubmitter()
    local = HashEmbedder()
    queue = EmbeddingQueue(submitter, _text, batch=10, local=lambda: local, help_from=40)
    queue.add(articles)
    queue.flush()
    # No result ever arrives from the "worker": this process embeds what it needs itself.
    got = queue.vectors(articles)
    assert np.array_equal(got, HashEmbedder().embed([_text(a) for a in articles]))
    assert queue.helped == 4 and local.calls == 4


def test_queue_does_not_load_a_second_model_for_a_short_run():
    articles = _articles(30)
    submitter = ThreadlessSubmitter()
    queue = EmbeddingQueue(submitter, _text, batch=10, local=HashEmbedder, help_from=31)
    queue.add(articles)
    queue.flush()
    submitter.finish_all()
    queue.vectors(articles)
    assert queue.helped == 0 and queue._local is None


def test_queue_without_a_worker_embeds_on_request():
    embedder = HashEmbedder()
    queue = EmbeddingQueue(embedder, _text)
    articles = _articles(5)
    queue.add(articles)
    assert embedder.calls == 0
    assert np.array_equal(queue.vectors(articles), HashEmbedder().embed([_text(a) for a in articles]))


def test_worker_process_embeds_like_the_embedder_in_this_process(tests_on_path, tmp_path):
    texts = [f"sentence {i} " * (i % 7 + 1) for i in range(50)]
    release = tmp_path / "release"
    with ProcessEmbedder("hash_embedder:HashEmbedder", hold_until=str(release)) as worker:
        assert worker.ready(timeout=60)
        assert (worker.name, worker.dim) == ("hash-embedder", 16)
        futures = [worker.submit(texts[i : i + 5]) for i in range(0, 50, 5)]
        # The worker is held on the first batch: at most two batches are at it, the
        # last one still waits here and can be cancelled.
        cancelled = futures[-1].cancel()
        release.touch()
        assert cancelled
        got = np.vstack([f.result(timeout=60) for f in futures[:-1]])
        assert np.array_equal(got, HashEmbedder().embed(texts[:45]))
    with pytest.raises(WorkerError):
        worker.embed(["after close"])


def test_worker_failures_are_reported_not_hung(tests_on_path):
    with ProcessEmbedder("no_such_module:Nothing") as broken:
        assert not broken.ready(timeout=60)
        with pytest.raises(WorkerError, match="could not start"):
            broken.embed(["x"])
    with ProcessEmbedder("hash_embedder:HashEmbedder", fail_on="poison") as worker:
        with pytest.raises(WorkerError, match="refused"):
            worker.embed(["fine", "poison"])
        assert worker.embed(["fine"]).shape == (1, 16)  # one bad batch does not kill the worker


def test_queue_finishes_in_this_process_when_the_worker_dies(tests_on_path):
    articles = _articles(20)
    worker = ProcessEmbedder("no_such_module:Nothing")
    try:
        queue = EmbeddingQueue(worker, _text, batch=8, local=HashEmbedder)
        queue.add(articles)
        assert np.array_equal(queue.vectors(articles), HashEmbedder().embed([_text(a) for a in articles]))
    finally:
        worker.close()


def test_ingest_with_the_worker_clusters_like_ingest_in_one_process(tmp_path):
    """Past BACKGROUND_MIN_ARTICLES the default analyzer embeds in a worker process
    (and this process helps): the stories must be those of a one-process run."""
    from couverture.analyze import Analyzer, USEEmbedder
    from couverture.engine import BACKGROUND_MIN_ARTICLES, ingest_documents
    from couverture.eval.datasets import load_ecbplus
    from couverture.store import Store

    documents = load_ecbplus().documents[: BACKGROUND_MIN_ARTICLES + 40]
    runs = {}
    for name, analyzer in [("one process", Analyzer(USEEmbedder(threads=1))), ("worker", None)]:
        store = Store(tmp_path / f"{name}.db")
        report = ingest_documents(store, documents, analyzer=analyzer, batch_size=50)
        vectors = store.article_embeddings(sorted(report.story_of))
        store.close()
        runs[name] = (report.story_of, vectors)
    (stories_a, vectors_a), (stories_b, vectors_b) = runs.values()
    assert len(stories_a) == len(documents)
    assert stories_a == stories_b
    assert all(np.allclose(vectors_a[k], vectors_b[k], atol=1e-5) for k in vectors_a)


def test_every_encoder_the_pipeline_starts_runs_on_one_blas_thread():
    """A second BLAS thread only waits for its turn on two shared cores: one ECB+ lead
    took 0.2 s with two threads against 8 ms with one (bench/RESULTS.md, issue 22), and
    the in-process ingest embeds one article at a time."""
    import couverture.engine as engine
    from couverture.analyze import Analyzer, default_embedder
    from couverture.coverage import view

    assert default_embedder().threads == 1
    assert Analyzer().embedder.threads == 1
    assert engine._local_embedder().threads == 1
    assert view._coverage_encoder().threads == 1
