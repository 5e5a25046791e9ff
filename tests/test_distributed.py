"""The distributed ingest (issue 24) on a real local Dask cluster and a real SQLite store.

Two worker processes (each under a nanny) extract, analyse and embed; the driver
clusters and writes through the single-process engine. On a few hundred real articles
(the demo corpus, the multinews_dev stream in 20 languages and ECB+ documents, with an
unreadable record and a repeated article among them) the distributed ingest stores
each article once and its stories agree with the single-process path's; a worker killed
while it holds tasks is replaced, its tasks run again, and nothing is lost or stored
twice.
"""
from __future__ import annotations

import json
import os
import signal
from datetime import datetime, timedelta, timezone

import pytest

from conftest import DATA, ROOT
from couverture.distributed import DistributedStats, PreparedAnalyzer, ingest_distributed, prepare_batch
from couverture.engine import ingest_documents
from couverture.errors import InputError
from couverture.eval.metrics import bcubed
from couverture.ingest import read_inputs
from couverture.models import Notice, RawDocument
from couverture.store import Store

distributed = pytest.importorskip("distributed")  # in the test extra: present wherever the suite runs

ECB_DOCS = 120


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> str:
    """One JSONL stream: demo + multinews_dev + ECB+ (dated by topic), one record that
    cannot be read, and one article twice."""
    records = [json.loads(line) for line in (ROOT / "src/couverture/demo/articles.jsonl").open(encoding="utf-8")]
    records += [json.loads(line) for line in (DATA / "multinews_dev/stories.jsonl").open(encoding="utf-8")]
    start = datetime(2019, 3, 1, 8, tzinfo=timezone.utc)
    with (DATA / "ecbplus/ecbplus_docs.jsonl").open(encoding="utf-8") as lines:
        for n, line in zip(range(ECB_DOCS), lines):
            doc = json.loads(line)
            published = start + timedelta(days=10 * int(doc["topic"]), hours=n % 30)
            records.append({"id": f"ecb-{doc['doc_id']}", "text": doc["text"], "published": published.isoformat()})
    records.insert(7, {"text": ""})  # unreadable: reported, in both paths alike
    records.append(dict(records[3]))  # the same article again: stored once
    path = tmp_path_factory.mktemp("distributed") / "stream.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def single(corpus, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("single") / "single.db")
    report = ingest_documents(store, read_inputs([corpus]), progress=False)
    yield store, report
    store.close()


@pytest.fixture(scope="module")
def client():
    from couverture.distributed import dask_client

    with dask_client(workers=2) as c:
        yield c


def _agreement(report, reference) -> float:
    ids = sorted(reference.story_of)
    f1 = bcubed([report.story_of[i] for i in ids], [reference.story_of[i] for i in ids]).f1
    print(f"BCubed F1 against the single-process path: {f1:.4f} on {len(ids)} articles")
    return f1


def test_prepare_batch_outcomes_in_input_order():
    """Without Dask: one outcome per input, in order; errors and notes pass as tuples."""
    items = [
        RawDocument("a.txt", "text", "Floods in Valencia\nHeavy rain flooded the streets of Valencia on Tuesday."),
        InputError("b.txt", "is a binary file"),
        RawDocument("c.jsonl:1", "record", {"text": ""}),
        Notice("feed", "3 entries left unfetched"),
        RawDocument("d.txt", "text", "Zweiter Text\nDer Regen hat in Valencia die Straßen überflutet.",
                    encoding_note="decoded as cp1252"),
    ]
    outcomes = prepare_batch(items)
    assert [o[0] for o in outcomes] == ["article", "error", "error", "note", "article", "note"]
    assert outcomes[0][1].title == "Floods in Valencia" and outcomes[0][2].embedding.shape == (512,)
    assert outcomes[1][1:] == ("b.txt", "is a binary file")
    assert outcomes[5][1:] == ("d.txt", "decoded as cp1252")
    # The driver's analyzer hands each article its own features, once.
    analyzer = PreparedAnalyzer()
    analyzer.keep(outcomes[0][1], outcomes[0][2])
    assert analyzer.analyze_many([outcomes[0][1]]) == [outcomes[0][2]]
    with pytest.raises(RuntimeError):
        analyzer.analyze_many([outcomes[0][1]])


def test_distributed_ingest_agrees_with_single_process(corpus, single, client, tmp_path):
    single_store, reference = single
    store = Store(tmp_path / "dask.db")
    stats = DistributedStats()
    report = ingest_distributed(store, read_inputs([corpus]), client=client, task_batch=32, stats=stats,
                                progress=False)
    assert stats.workers == 2 and stats.batches >= 8
    assert report.added == reference.added >= 300
    assert store.count_articles() == single_store.count_articles() == report.added
    assert sorted(report.story_of) == sorted(reference.story_of)
    assert report.duplicates == reference.duplicates >= 1  # the repeated article (and one more in the data)
    assert report.updated_articles == reference.updated_articles
    assert [e.origin for e in report.errors] == [e.origin for e in reference.errors] and len(report.errors) == 1
    assert _agreement(report, reference) >= 0.98
    # Again: everything is already stored, nothing is added twice.
    again = ingest_distributed(store, read_inputs([corpus]), client=client, progress=False)
    assert again.added == 0 and again.duplicates == report.added + report.duplicates + report.updated_articles
    assert store.count_articles() == report.added
    store.close()


def test_killed_worker_is_retried_nothing_lost_or_duplicated(corpus, single, client, tmp_path):
    single_store, reference = single
    killed: dict = {}

    def kill_a_busy_worker(taken: int) -> None:
        if killed:
            return
        busy = [address for address, keys in client.processing().items() if keys]
        if not busy:
            return
        pids = client.run(os.getpid, workers=[busy[0]])
        killed["address"], killed["pid"] = busy[0], pids[busy[0]]
        killed["tasks"] = len(client.processing()[busy[0]])
        os.kill(killed["pid"], signal.SIGKILL)

    store = Store(tmp_path / "killed.db")
    report = ingest_distributed(store, read_inputs([corpus]), client=client, task_batch=16,
                                on_batch=kill_a_busy_worker, progress=False)
    assert killed and killed["tasks"] >= 1, "no worker was busy to be killed"
    print(f"killed worker {killed['pid']} holding {killed['tasks']} task(s)")
    assert killed["address"] not in client.scheduler_info(n_workers=-1)["workers"]  # it is gone (the nanny starts another)
    assert store.count_articles() == single_store.count_articles() == report.added
    assert sorted(report.story_of) == sorted(reference.story_of)
    assert report.duplicates == reference.duplicates
    assert _agreement(report, reference) >= 0.98
    store.close()
