"""End-to-end quality and speed of the spine, on real data.

Quality: story clustering on ECB+ (gold `event_cluster`), pairwise and BCubed.
Speed: articles/s through the whole pipeline (read -> clean -> analyze -> cluster ->
SQLite store, one transaction per batch), and peak resident memory, on a stream
made of the ECB+ documents (repeated with new ids and shifted dates when --articles
exceeds 982, so that every copy is a new article).

    python bench/bench_pipeline.py                  # both, 982-article stream
    python bench/bench_pipeline.py --articles 3000  # a longer stream
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from couverture.engine import ingest_documents
from couverture.learn import evaluate
from couverture.eval.datasets import ecbplus_path
from couverture.models import RawDocument
from couverture.store import Store
from peak_memory import own_peak_rss_mb  # (this folder is on sys.path)


def stream(n: int):
    """n documents from ECB+, copies renamed and moved 30 days later per round."""
    rows = [json.loads(line) for line in ecbplus_path().read_text(encoding="utf-8").splitlines() if line.strip()]
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    for index in range(n):
        base = rows[index % len(rows)]
        round_ = index // len(rows)
        text = base["text"] if round_ == 0 else f"{base['text']}\n(edition {round_})"
        published = start + timedelta(days=30 * round_, minutes=index % len(rows))
        record = {"id": f"{base['doc_id']}#{round_}", "text": text, "published": published.isoformat()}
        yield RawDocument(f"ecbplus:{index}", "record", record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=982, help="length of the speed stream")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    print("$ python " + " ".join(shlex.quote(a) for a in sys.argv))

    if not args.skip_quality:
        result = evaluate("ecbplus")
        b, p = result["bcubed"], result["pairwise"]
        print(f"quality  ECB+ ({result['documents']} docs, {result['gold_stories']} gold stories, seeded shuffle):")
        print(f"  BCubed   P {b['precision']:.4f} R {b['recall']:.4f} F1 {b['f1']:.4f}")
        print(f"  pairwise P {p['precision']:.4f} R {p['recall']:.4f} F1 {p['f1']:.4f}")
        print(f"  predicted stories {result['predicted_stories']}")

    if not args.skip_speed:
        with tempfile.TemporaryDirectory() as folder:
            store = Store(Path(folder) / "bench.db")
            started = time.perf_counter()
            report = ingest_documents(store, stream(args.articles), progress=False)
            elapsed = time.perf_counter() - started
            print(f"speed    {report.added} articles end-to-end into SQLite in {elapsed:.1f}s: "
                  f"{report.added / elapsed:.1f} articles/s; peak RSS {own_peak_rss_mb():.0f} MB")
            store.close()


if __name__ == "__main__":
    main()
