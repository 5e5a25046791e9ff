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


# --- time shards and the stitching pass ----------------------------------------------

def test_shard_plan_cuts_calendar_months_and_day_spans():
    from couverture.distributed import ShardPlan

    month = ShardPlan.parse("month")
    assert month.start_of(datetime(2024, 2, 29, 23, 59, tzinfo=timezone.utc)) == datetime(2024, 2, 1, tzinfo=timezone.utc)
    # Shards are cut in UTC: 00:30 on 1 March in Paris is still February there.
    paris = timezone(timedelta(hours=1))
    assert month.start_of(datetime(2024, 3, 1, 0, 30, tzinfo=paris)) == datetime(2024, 2, 1, tzinfo=timezone.utc)
    week = ShardPlan.parse("week")
    assert week == ShardPlan.parse("7d") and week.days == 7
    monday = week.start_of(datetime(2024, 3, 6, tzinfo=timezone.utc))
    assert monday <= datetime(2024, 3, 6, tzinfo=timezone.utc) < monday + timedelta(days=7)
    assert week.start_of(monday + timedelta(days=6, hours=23)) == monday
    assert ShardPlan.parse("none") is None
    for wrong in ("fortnight", "0d", "-3d", ""):
        with pytest.raises(ValueError, match="month, week"):
            ShardPlan.parse(wrong)


def test_a_shard_begins_with_the_last_window_of_the_one_before():
    from couverture.cluster import ArticleProfile
    from couverture.distributed.shards import ShardPlan, _shards

    def profile(n: int, day: int, month: int = 1) -> ArticleProfile:
        return ArticleProfile(id=f"a{n}", lang="en", time=datetime(2024, month, day, 12, tzinfo=timezone.utc),
                              embedding=None, terms=None, entities=None, numbers=set())

    dated = [profile(0, 3), profile(1, 20), profile(2, 26), profile(3, 31), profile(4, 1, 2), profile(5, 9, 2)]
    shards = _shards(dated, ShardPlan(), timedelta(days=7))
    assert [start.month for start, _, _ in shards] == [1, 2]
    january, february = shards[0][1:], shards[1][1:]
    assert [p.id for p in january[0]] == ["a0", "a1", "a2", "a3"] and january[1] == 0
    # February's task sees 26 and 31 January first (within 7 days of 1 February), not the 20th.
    assert [p.id for p in february[0]] == ["a2", "a3", "a4", "a5"] and february[1] == 2


def _event_records(event: str) -> list[dict]:
    records = [json.loads(line) for line in (ROOT / "src/couverture/demo/articles.jsonl").open(encoding="utf-8")]
    return [r for r in records if r.get("event") == event]


def test_sharded_ingest_stores_each_article_once_and_agrees_with_single_process(corpus, single, client, tmp_path):
    single_store, reference = single
    from couverture.distributed import ShardPlan

    store = Store(tmp_path / "sharded.db")
    stats = DistributedStats()
    report = ingest_distributed(store, read_inputs([corpus]), client=client, shards=ShardPlan.parse("month"),
                                stats=stats, progress=False)
    assert stats.shards >= 10  # the stream spans months of dates: many shard tasks ran
    assert report.added == reference.added and store.count_articles() == report.added
    assert sorted(report.story_of) == sorted(reference.story_of)
    assert [e.origin for e in report.errors] == [e.origin for e in reference.errors]
    assert _agreement(report, reference) >= 0.98
    # What the report says is what the store holds, and every story row a member points to exists.
    stored = {a.id: a.story_id for a in store.iter_articles()}
    assert stored == report.story_of
    assert {s.id for s in store.list_stories()} == set(report.story_of.values())
    store.close()


def test_stitching_joins_a_story_cut_by_a_shard_boundary_and_keeps_the_stored_id(client, tmp_path):
    """One real event's articles, the larger part dated at the end of January and
    stored first, the rest in early February ingested later in shards: the February
    shard's story is stitched to the stored one, which keeps its id."""
    from couverture.distributed import ShardPlan

    records = _event_records("leo-xiv-election-2025")
    assert len(records) == 5
    early, late = records[:3], records[3:]
    for n, record in enumerate(early):
        record["published"] = datetime(2024, 1, 28 + n % 3, 9 + n, tzinfo=timezone.utc).isoformat()
    for n, record in enumerate(late):
        record["published"] = datetime(2024, 2, 1 + n % 2, 9 + n, tzinfo=timezone.utc).isoformat()
    first, second = tmp_path / "january.jsonl", tmp_path / "february.jsonl"
    for path, part in ((first, early), (second, late)):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in part), encoding="utf-8")
    store = Store(tmp_path / "stitched.db")
    stored = ingest_documents(store, read_inputs([str(first)]), progress=False)
    assert len(set(stored.story_of.values())) == 1
    (january_story,) = set(stored.story_of.values())
    stats = DistributedStats()
    report = ingest_distributed(store, read_inputs([str(second)]), client=client, shards=ShardPlan.parse("month"),
                                stats=stats, progress=False)
    assert stats.shards == 1 and stats.stitched == 1
    assert set(report.story_of.values()) == {january_story}
    assert report.new_stories == 0 and report.updated_stories == 1
    assert {a.story_id for a in store.iter_articles()} == {january_story}
    (story,) = store.list_stories()
    assert story.size == len(records)
    store.close()


def test_killed_worker_during_shard_tasks_is_retried(corpus, single, client, tmp_path):
    from couverture.distributed import ShardPlan

    single_store, reference = single
    killed: dict = {}

    def kill_a_busy_worker(done: int, total: int) -> None:
        busy = [address for address, keys in client.processing().items() if keys]
        if killed or not busy:
            return
        killed["pid"] = client.run(os.getpid, workers=[busy[0]])[busy[0]]
        killed["left"] = total - done
        os.kill(killed["pid"], signal.SIGKILL)

    store = Store(tmp_path / "killed-shards.db")
    report = ingest_distributed(store, read_inputs([corpus]), client=client, shards=ShardPlan.parse("month"),
                                on_shard=kill_a_busy_worker, progress=False)
    assert killed and killed["left"] >= 1, "no shard task was running to be killed"
    assert store.count_articles() == single_store.count_articles() == report.added
    assert sorted(report.story_of) == sorted(reference.story_of)
    assert _agreement(report, reference) >= 0.98
    store.close()


def test_cli_ingest_in_shards_and_a_wrong_shard_size(tmp_path):
    from cli_runner import run

    wrong = run("ingest", "--engine", "dask", "--shards", "fortnight", ROOT / "src/couverture/demo/articles.jsonl",
                "--db", tmp_path / "never.db")
    assert wrong.exit_code == 2 and "--shards" in wrong.output and "month, week" in wrong.output
    assert not (tmp_path / "never.db").exists()  # refused before anything was opened
    done = run("ingest", "--engine", "dask", "--workers", "1", "--shards", "week", "--no-progress",
               ROOT / "src/couverture/demo/articles.jsonl", "--db", tmp_path / "demo.db")
    assert done.exit_code == 0, done.output
    store = Store(tmp_path / "demo.db")
    demo = [json.loads(line) for line in (ROOT / "src/couverture/demo/articles.jsonl").open(encoding="utf-8")]
    assert store.count_articles() == len(demo)
    stories = {a.id: a.story_id for a in store.iter_articles()}
    gold = [r["event"] for r in demo]
    assert bcubed([stories[r["id"]] for r in demo], gold).f1 >= 0.98  # the demo's 15 events, shards or not
    store.close()


def test_sharded_ingest_in_several_segments_keeps_every_story_reachable(corpus, single, client, tmp_path):
    """Segments of 120 articles: each is sharded, stitched to what the earlier ones
    stored, and written; every article once, and every story the report names is a
    stored story (a merged-away one would be an alias, not a row of its own). Short
    segments of this unsorted stream (years apart, half undated) cost one process
    agreement with its own whole-stream run too: the sharded path may lose no more."""
    from couverture.distributed import ShardPlan

    single_store, reference = single
    store = Store(tmp_path / "segments.db")
    report = ingest_distributed(store, read_inputs([corpus]), client=client, shards=ShardPlan.parse("month"),
                                segment_size=120, progress=False)
    assert store.count_articles() == single_store.count_articles() == report.added
    stored = {a.id: a.story_id for a in store.iter_articles()}
    assert stored == report.story_of
    assert set(report.story_of.values()) == {s.id for s in store.list_stories()}
    one_process = ingest_documents(Store(tmp_path / "segments-single.db"), read_inputs([corpus]), segment_size=120,
                                   progress=False)
    assert _agreement(report, reference) >= _agreement(one_process, reference) - 0.02
    store.close()
