"""Run the clustering pipeline on labelled data and score it."""
from __future__ import annotations

import random
import time
from pathlib import Path

from ..pipeline import analyze_all, cluster_articles, extract_all, stream_order
from .datasets import LabelledDocuments, load_ecbplus, load_googlenews_fr, load_jsonl
from .metrics import bcubed, cluster_counts, pairwise


def load_dataset(name: str, gold_field: str | None = None, text_field: str = "text") -> LabelledDocuments:
    if name == "ecbplus":
        return load_ecbplus()
    if name == "googlenews_fr":
        return load_googlenews_fr()
    path = Path(name)
    if not path.exists():
        raise FileNotFoundError(f"no dataset {name!r}: give `ecbplus`, `googlenews_fr` or a JSONL path")
    if not gold_field:
        raise ValueError("a JSONL dataset needs --gold-field (the key holding each article's gold story)")
    return load_jsonl(path, gold_field=gold_field, text_field=text_field)


def evaluate(name: str = "ecbplus", gold_field: str | None = None, text_field: str = "text",
             order: str = "shuffle", seed: int = 0, clusterer=None) -> dict:
    data = load_dataset(name, gold_field, text_field)
    started = time.perf_counter()
    prepared = extract_all(data.documents)
    # Keep gold labels aligned with the documents that could be read.
    readable = {a.origin for a in prepared.articles}
    gold = [g for d, g in zip(data.documents, data.gold) if d.origin in readable]
    features = analyze_all(prepared.articles)
    if order == "shuffle":
        sequence = list(range(len(prepared.articles)))
        random.Random(seed).shuffle(sequence)
    elif order == "time":
        sequence = stream_order(prepared.articles)
    else:
        sequence = list(range(len(prepared.articles)))
    predicted = cluster_articles(prepared.articles, features, clusterer=clusterer, order=sequence)
    elapsed = time.perf_counter() - started
    counts = cluster_counts(predicted)
    return {
        "dataset": name,
        "documents": len(prepared.articles),
        "errors": len(prepared.errors),
        "gold_stories": len(set(gold)),
        "predicted_stories": counts["clusters"],
        "singletons": counts["singletons"],
        "order": order,
        "seed": seed,
        "bcubed": bcubed(predicted, gold).as_dict(),
        "pairwise": pairwise(predicted, gold).as_dict(),
        "seconds": elapsed,
        "articles_per_second": len(prepared.articles) / elapsed if elapsed else 0.0,
    }
