"""Beyond one machine (issue 24): the whole pipeline with the dask engine against the
single-process path, on the same stream of real articles.

The stream is bench_scaling's (ECB+ and SemEval-2022 texts in ten languages, one era
of 30 days, then copies shifted by an era: every article distinct, in publication
order). For each configuration, into a fresh SQLite store:

- ``single``: ``engine.ingest_documents`` with the default analyzer (its embedding
  worker process beside the main one): the single-process path, as ``couverture
  ingest`` runs it;
- ``dask-N``: ``ingest_distributed`` on a local cluster of N worker processes (one
  thread each); timed twice over: with the cluster's start (workers importing
  couverture and loading the encoder) and without it (the ingest call alone on a
  started cluster, which is what a long run sees).

Each line gives articles/s, and for the dask runs the seconds the workers spent on
extraction + analysis + embedding (summed over workers), the seconds the driver waited
for the next batch, and the driver's own CPU seconds (clustering, store writes,
deduplication and Dask's client threads). The agreement is the BCubed F1 of the dask
run's stories against the single-process run's (the same article ids).

Then the per-article cost of each stage on one core, measured apart on the first
``--stage-sample`` articles: extraction, text analysis (sentences, lemmas, entities,
numbers, time clues), the encoder (batches of 64), and clustering + store writes (the
single-process engine given ready features). These are the figures docs/distributed.md
builds its scaling model on.

    python bench/bench_distributed.py                       # 2,000 articles: single, dask 1 and 2
    python bench/bench_distributed.py --articles 10000 --workers 2
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scaling import base_records, stream  # noqa: E402  (this folder)

ERA_DAYS = 30.0


def _documents(count: int) -> list:
    return list(stream(base_records(ERA_DAYS), ERA_DAYS, 0, count))


SEGMENT: dict = {}  # --segment: the engine's segment size, for both paths alike


def run_single(documents, folder: Path) -> dict:
    from couverture.engine import ingest_documents
    from couverture.store import Store

    store = Store(folder / "single.db")
    cpu, started = time.process_time(), time.perf_counter()
    report = ingest_documents(store, iter(documents), progress=False, **SEGMENT)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    stored = store.count_articles()
    store.close()
    return {"name": "single", "seconds": seconds, "with_start": seconds, "report": report, "stored": stored,
            "driver_cpu": cpu}


def run_dask(documents, folder: Path, workers: int) -> dict:
    from couverture.distributed import DistributedStats, dask_client, ingest_distributed
    from couverture.store import Store

    store = Store(folder / f"dask{workers}.db")
    stats = DistributedStats()
    begun = time.perf_counter()
    with dask_client(workers=workers) as client:
        client.wait_for_workers(workers)
        client.run(lambda: None)  # every worker up, its analyzer loaded (the plugin)
        cpu, started = time.process_time(), time.perf_counter()
        report = ingest_distributed(store, iter(documents), client=client, stats=stats, progress=False,
                                    **SEGMENT)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    with_start = time.perf_counter() - begun
    stored = store.count_articles()
    store.close()
    return {"name": f"dask-{workers}", "seconds": seconds, "with_start": with_start, "report": report,
            "stored": stored, "stats": stats, "driver_cpu": cpu}


def stage_costs(documents, folder: Path) -> dict:
    """Milliseconds per article for each stage, on one core, in this process."""
    from couverture.analyze import Analyzer, USEEmbedder
    from couverture.distributed import PreparedAnalyzer
    from couverture.engine import ingest_documents
    from couverture.extract import extract_article
    from couverture.store import Store

    started = time.perf_counter()
    articles = [extract_article(doc) for doc in documents]
    extract = time.perf_counter() - started
    analyzer = Analyzer(embedder=USEEmbedder(threads=1))
    started = time.perf_counter()
    features = analyzer.analyze_text(articles)
    text = time.perf_counter() - started
    analyzer.embedder.embed(["warm up"])
    started = time.perf_counter()
    vectors = []
    for start in range(0, len(articles), 64):
        vectors.extend(analyzer.embedder.embed([analyzer.embedding_text(a) for a in articles[start:start + 64]]))
    embed = time.perf_counter() - started
    from couverture.pipeline import cluster_articles

    for feats, vector in zip(features, vectors):
        feats.embedding = vector
    started = time.perf_counter()
    cluster_articles(articles, features)
    cluster = time.perf_counter() - started
    ready = PreparedAnalyzer()
    for article, feats in zip(articles, features):
        ready.keep(article, feats)
    store = Store(folder / "stages.db")
    started = time.perf_counter()
    ingest_documents(store, iter(articles), analyzer=ready, progress=False)
    cluster_store = time.perf_counter() - started
    store.close()
    n = len(articles)
    return {"extract": 1000 * extract / n, "analyse (text)": 1000 * text / n, "embed": 1000 * embed / n,
            "cluster (in memory)": 1000 * cluster / n,
            "dedupe + store writes (the rest of the driver's engine call)": 1000 * (cluster_store - cluster) / n}


def agreement(run: dict, reference: dict) -> float:
    from couverture.eval.metrics import bcubed

    ids = sorted(reference["report"].story_of)
    mine = run["report"].story_of
    return bcubed([mine.get(i, f"missing-{i}") for i in ids], [reference["report"].story_of[i] for i in ids]).f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2], help="dask runs (none: single only)")
    parser.add_argument("--stage-sample", type=int, default=1000, help="articles for the per-stage costs (0: none)")
    parser.add_argument("--segment", type=int, default=0,
                        help="the engine's segment size for both paths (default: the engine's, 20,000); a smaller "
                             "one lets the dask driver cluster a segment while the workers prepare the next")
    args = parser.parse_args()
    if args.segment:
        SEGMENT["segment_size"] = args.segment
    documents = _documents(args.articles)
    print(f"{len(documents):,} articles (bench_scaling's stream), {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="couverture-bench-dist-") as tmp:
        folder = Path(tmp)
        reference = run_single(documents, folder)
        runs = [reference] + [run_dask(documents, folder, n) for n in args.workers]
        for run in runs:
            report = run["report"]
            line = (f"{run['name']:>7}: {len(documents) / run['seconds']:6.1f} articles/s ({run['seconds']:.1f} s; "
                    f"{len(documents) / run['with_start']:.1f}/s with the cluster's start, {run['with_start']:.1f} s); "
                    f"stored {run['stored']:,}, {len(set(report.story_of.values())):,} stories; "
                    f"driver CPU {run['driver_cpu']:.1f} s")
            if "stats" in run:
                stats = run["stats"]
                line += (f"; workers busy {stats.worker_seconds:.1f} s in {stats.batches} tasks, driver waited "
                         f"{stats.wait_seconds:.1f} s; BCubed F1 vs single {agreement(run, reference):.4f}")
            print(line, flush=True)
        if args.stage_sample:
            costs = stage_costs(documents[: args.stage_sample], folder)
            print(f"per-article cost on one core ({min(args.stage_sample, len(documents)):,} articles): "
                  + ", ".join(f"{name} {ms:.2f} ms" for name, ms in costs.items())
                  + f"; total {sum(costs.values()):.2f} ms", flush=True)


if __name__ == "__main__":
    main()
