"""The driver of a distributed ingest: it reads, the workers prepare, it clusters and writes.

The driver reads the inputs (as the single-process path does) and sends them in
batches to Dask workers, which extract, analyse and embed them
(``worker.prepare_batch``). Results stream back as each batch completes
(``as_completed``) and are put back in input order (a batch waits in a small buffer
until those before it are in), then go through the single-process engine itself,
``engine.ingest_documents``: the same deduplication, the same segments in publication
order, the same ``OnlineClusterer`` decisions, the same store transactions. Only the
analyzer differs: it hands over the features the workers computed
(``PreparedAnalyzer``). So the stories are those of the single-process path on the same
input; the one difference is that each embedding was computed in a batch on a worker
rather than in the local embedding process, which can move a vector in its last float
bits.

Fault tolerance is Dask's: a worker that dies has its tasks run again elsewhere (the
scheduler's ``allowed-failures``), and a task that raises is retried (``retries``). A
result is taken once per batch, by its position, so a retried batch can neither be lost
nor counted twice; the engine's deduplication (by id, URL and content) is a second
guard. A batch that still fails after that stops the run the way a broken input stream
does in the single-process path: what was read before it is clustered and stored, then
the error is raised (``DistributedError``).

Clustering runs on the driver over the whole stream by default: the same stories as
one process, but that part does not scale with workers. With ``shards`` each segment is
clustered in time shards on the workers and stitched on the driver (``shards.py``;
docs/distributed.md says what that changes and what it buys).
"""
from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice

from ..errors import CouvertureError, InputError
from ..models import Article, Notice, RawDocument

# Inputs per task: large enough that a task's overhead (a few ms of scheduling and
# pickling) is small beside its work (about 10 ms an article), small enough that a
# retried task redoes little and the workers stay evenly loaded.
TASK_BATCH = 64
# Tasks submitted ahead of the oldest one not yet taken, per worker: keeps every worker
# busy while the results are held in input order, and bounds what waits in memory.
AHEAD_PER_WORKER = 4
TASK_RETRIES = 2
# Inputs whose results the driver takes ahead of the engine: one segment's worth, so the
# workers prepare the next segment while the engine clusters and writes this one.
PREFETCH_INPUTS = 20_000  # engine.SEGMENT_ARTICLES


class DistributedError(CouvertureError):
    """The distributed engine could not be started or a batch failed for good."""


@dataclass
class DistributedStats:
    """What the driver saw: for the report and the bench."""

    batches: int = 0
    inputs: int = 0
    workers: int = 0
    worker_seconds: float = 0.0  # time spent in tasks on the workers, summed
    wait_seconds: float = 0.0  # time the engine waited for the next prepared input
    batch_sizes: list = field(default_factory=list)
    shards: int = 0  # shard tasks run (a sharded ingest)
    stitched: int = 0  # stories the stitching pass joined
    driver_seconds: dict = field(default_factory=dict)  # a sharded ingest's driver steps


class PreparedAnalyzer:
    """An analyzer whose features were computed by the workers: ``analyze_many`` hands
    over each article's features, by the article object itself (the engine passes on the
    very objects it was given). Not an ``Analyzer``: the engine then starts no embedding
    process of its own and calls ``analyze_many`` only."""

    def __init__(self):
        self._features: dict[int, object] = {}

    def keep(self, article: Article, features) -> None:
        key = id(article)
        self._features[key] = features
        # A duplicate that the engine drops is never asked for: forget it with its article.
        weakref.finalize(article, self._features.pop, key, None)

    def analyze_many(self, articles) -> list:
        out = []
        for article in articles:
            features = self._features.pop(id(article), None)
            if isinstance(features, str):  # the worker's analyzer failed on it
                raise _RemoteAnalysisFailed(features)
            if features is None:
                raise _RemoteAnalysisFailed("no features came back from the workers")
            out.append(features)
        return out

    def analyze(self, article: Article):
        return self.analyze_many([article])[0]


class _RemoteAnalysisFailed(RuntimeError):
    pass


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def prepared_stream(client, items: Iterable[RawDocument | InputError | Notice], analyzer: PreparedAnalyzer,
                    stats: DistributedStats | None = None, task_batch: int = TASK_BATCH, ahead: int | None = None,
                    retries: int = TASK_RETRIES, on_batch: Callable[[int], None] | None = None,
                    prefetch: int = PREFETCH_INPUTS) -> Iterator:
    """Articles (with their features kept in ``analyzer``), errors and notices, in input
    order, from the workers of ``client``.

    A thread of the driver reads the inputs, submits the batches and takes their results
    in order into a buffer of up to ``prefetch`` inputs, so the workers go on while the
    engine clusters and writes a segment. ``on_batch(n)`` is called (in that thread)
    after the n-th batch (1-based) is taken."""
    stats = stats or DistributedStats()
    buffer: queue.Queue = queue.Queue(maxsize=max(1, prefetch // task_batch))
    stop = threading.Event()

    def offer(entry) -> bool:
        while not stop.is_set():
            try:
                buffer.put(entry, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        results = _ordered_results(client, items, stats, task_batch, ahead, retries, on_batch)
        try:
            for outcomes in results:
                if not offer(("batch", outcomes)):
                    return
            offer(("end", None))
        except BaseException as exc:  # handed to the consumer, raised there
            offer(("error", exc))
        finally:
            results.close()

    thread = threading.Thread(target=produce, name="couverture-distributed-reader", daemon=True)
    thread.start()
    try:
        while True:
            waiting = time.perf_counter()
            kind, value = buffer.get()
            stats.wait_seconds += time.perf_counter() - waiting
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield from _items(value, analyzer)
    finally:
        stop.set()
        thread.join(timeout=30)


def _ordered_results(client, items, stats: DistributedStats, task_batch: int, ahead: int | None, retries: int,
                     on_batch) -> Iterator[list]:
    """Each batch's outcomes, in input order, as the workers finish them: at most
    ``ahead`` batches submitted beyond the oldest one not yet taken."""
    from distributed import as_completed

    from .worker import prepare_batch

    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    stats.workers = workers
    ahead = ahead or AHEAD_PER_WORKER * workers
    now = datetime.now(timezone.utc)  # one clock for the whole run, as in extract_each
    batches = _batches(items, task_batch)
    run = uuid.uuid4().hex[:12]  # the tasks' keys: unique to this run on a shared scheduler
    index_of: dict = {}
    done: dict[int, list] = {}
    submitted = taken = 0
    pending = as_completed()

    def submit_more() -> None:
        nonlocal submitted
        while submitted - taken < ahead:
            batch = next(batches, None)
            if batch is None:
                return
            future = client.submit(_timed, prepare_batch, batch, now, pure=False, retries=retries,
                                   key=f"couverture-prepare-{run}-{submitted}")
            index_of[future.key] = submitted
            stats.inputs += len(batch)
            submitted += 1
            pending.add(future)

    try:
        submit_more()
        for future in pending:
            try:
                outcomes, seconds = future.result()
            except Exception as exc:
                raise DistributedError(f"a batch of inputs failed on the workers after {retries} retries "
                                       f"({type(exc).__name__}: {exc})") from exc
            done[index_of.pop(future.key)] = outcomes
            stats.worker_seconds += seconds
            future.release()
            while taken in done:
                outcomes = done.pop(taken)
                taken += 1
                stats.batches += 1
                stats.batch_sizes.append(len(outcomes))
                yield outcomes
                if on_batch is not None:
                    on_batch(taken)
            submit_more()
    finally:
        for future in list(pending.futures):
            future.cancel()


def _timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def _items(outcomes: list, analyzer: PreparedAnalyzer) -> Iterator:
    for outcome in outcomes:
        kind = outcome[0]
        if kind == "article" or kind == "unanalysed":
            analyzer.keep(outcome[1], outcome[2])
            yield outcome[1]
        elif kind == "error":
            yield InputError(outcome[1], outcome[2])
        elif kind == "note":
            yield Notice(outcome[1], outcome[2])
        else:  # pragma: no cover - a worker of another version
            raise DistributedError(f"unknown outcome from a worker: {kind!r}")


@contextlib.contextmanager
def dask_client(workers: int | None = None, address: str | None = None, threads_per_worker: int = 1):
    """A Dask client: on the scheduler at ``address`` (``tcp://host:8786``), or on a local
    cluster of ``workers`` worker processes (each under a nanny that restarts it if it
    dies), listening on the loopback only. Every worker loads the analyzer once, when it
    starts (a worker plugin)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise DistributedError("the dask engine needs Dask: pip install 'couverture[distributed]'") from exc
    from .worker import worker_plugin

    cluster = None
    try:
        if address:
            client = Client(address, timeout="30s")
        else:
            cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=threads_per_worker, processes=True,
                                   host="127.0.0.1", dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise DistributedError(f"could not reach the Dask scheduler ({exc})") from exc
    try:
        client.register_plugin(worker_plugin())
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def ingest_distributed(store, items: Iterable[RawDocument | InputError | Notice], *, workers: int | None = None,
                       address: str | None = None, client=None, task_batch: int = TASK_BATCH,
                       on_batch: Callable[[int], None] | None = None, stats: DistributedStats | None = None,
                       shards=None, on_shard: Callable[[int, int], None] | None = None, **engine_options):
    """``engine.ingest_documents`` with extraction, analysis and embedding on Dask workers.

    ``client``: an existing ``distributed.Client``; else one on the scheduler at
    ``address``, else on a local cluster of ``workers`` processes (started and stopped
    here). ``engine_options`` go to ``ingest_documents`` (``progress``, ``on_wait``,
    ``batch_size``, ``segment_size``, ``lock_timeout``); its ``analyzer`` is the
    workers'. Returns its ``IngestReport``.

    ``shards``: a ``shards.ShardPlan`` to cluster each segment in time shards on the
    workers too, stitched on the driver (``shards.ShardedIngestion``); None: the driver
    clusters the whole stream in order, as one process does. ``on_shard(done, total)``
    is called as each shard's stories come back.
    """
    from ..engine import SEGMENT_ARTICLES, ingest_documents

    if "analyzer" in engine_options:
        raise TypeError("the distributed path analyses on its workers: no analyzer option")
    stats = stats if stats is not None else DistributedStats()
    analyzer = PreparedAnalyzer()
    with contextlib.ExitStack() as stack:
        if client is None:
            client = stack.enter_context(dask_client(workers, address))
        prefetch = engine_options.get("segment_size") or SEGMENT_ARTICLES
        stream = prepared_stream(client, items, analyzer, stats, task_batch=task_batch, on_batch=on_batch,
                                 prefetch=prefetch)
        if shards is None:
            return ingest_documents(store, stream, analyzer=analyzer, **engine_options)
        from .shards import sharded

        make = sharded(client, shards, on_shard)
        try:
            return ingest_documents(store, stream, analyzer=analyzer, make_ingestion=make, **engine_options)
        finally:
            for ingestion in make.made:
                stats.shards += ingestion.shards
                stats.stitched += ingestion.stitched
                for step, seconds in ingestion.seconds.items():
                    stats.driver_seconds[step] = stats.driver_seconds.get(step, 0.0) + seconds
