"""Run the clustering pipeline on labelled data and score it."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
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


@dataclass
class AnalyzedDataset:
    """A labelled set extracted and analysed, gold labels aligned with what could be read."""

    articles: list
    features: list
    gold: list[str]
    groups: list[str]
    errors: list  # the inputs that could not be read, dropped from every list above


def analyze_labelled(data: LabelledDocuments) -> AnalyzedDataset:
    prepared = extract_all(data.documents)
    readable = {a.origin for a in prepared.articles}
    kept = [i for i, d in enumerate(data.documents) if d.origin in readable]
    return AnalyzedDataset(
        prepared.articles, analyze_all(prepared.articles),
        [data.gold[i] for i in kept], [data.groups[i] for i in kept], prepared.errors,
    )


def crossfit_predictions(articles, features, gold, groups, sequence, folds: int = 2) -> tuple[list[str], list[dict]]:
    """Cluster each fold of groups with a decision model trained on the other folds only.

    Groups (ECB+ topics) are dealt to folds in sorted order, so no topic is both
    trained on and scored. Each fold is clustered as its own stream; story ids are
    prefixed with the fold so stories never span folds. The fitted decisions judge
    every article of the fold, short or not.
    """
    from ..cluster import OnlineClusterer
    from ..cluster.training import train_on_stream

    names = sorted(set(groups), key=lambda g: (len(g), g))
    fold_of = {g: i % folds for i, g in enumerate(names)}
    predicted = [""] * len(articles)
    models = []
    for fold in range(folds):
        train = [i for i in sequence if fold_of[groups[i]] != fold]
        test = [i for i in sequence if fold_of[groups[i]] == fold]
        join, merge = train_on_stream(articles, features, gold, train)
        models.append({
            "fold": fold,
            "join": {"bias": join.bias, "weights": join.weights, "threshold": join.threshold,
                     "regroup_threshold": join.regroup_threshold, "regroup_linkage": join.regroup_linkage,
                     "regroup_split": join.regroup_split},
            "regroup_pair_model": {"bias": join.pair_bias, "weights": join.pair_weights},
            "merge": {"bias": merge.bias, "weights": merge.weights, "threshold": merge.threshold},
        })
        ids = cluster_articles(articles, features, OnlineClusterer(decision=join, merge_decision=merge), order=test)
        for i in test:
            predicted[i] = f"{fold}:{ids[i]}"
    return predicted, models


def evaluate(name: str = "ecbplus", gold_field: str | None = None, text_field: str = "text",
             order: str = "shuffle", seed: int = 0, clusterer=None, folds: int | None = None) -> dict:
    """Cluster a labelled dataset and score it.

    ``folds`` (default: 2 for ECB+ and the French headlines, none otherwise) scores
    with decision models trained on group-disjoint folds (ECB+ topics, headline
    categories), since the shipped models have seen both sets.
    """
    data = load_dataset(name, gold_field, text_field)
    if folds is None:
        folds = 2 if name in ("ecbplus", "googlenews_fr") else 0
    started = time.perf_counter()
    analyzed = analyze_labelled(data)
    articles, features, gold, groups = analyzed.articles, analyzed.features, analyzed.gold, analyzed.groups
    if order == "shuffle":
        sequence = list(range(len(articles)))
        random.Random(seed).shuffle(sequence)
    elif order == "time":
        sequence = stream_order(articles)
    else:
        sequence = list(range(len(articles)))
    models = None
    if folds and folds > 1:
        predicted, models = crossfit_predictions(articles, features, gold, groups, sequence, folds)
    else:
        predicted = cluster_articles(articles, features, clusterer=clusterer, order=sequence)
    elapsed = time.perf_counter() - started
    counts = cluster_counts(predicted)
    return {
        "dataset": name,
        "documents": len(articles),
        "errors": len(analyzed.errors),
        "gold_stories": len(set(gold)),
        "predicted_stories": counts["clusters"],
        "singletons": counts["singletons"],
        "order": order,
        "seed": seed,
        "folds": folds or 1,
        "fold_models": models,
        "bcubed": bcubed(predicted, gold).as_dict(),
        "pairwise": pairwise(predicted, gold).as_dict(),
        "seconds": elapsed,
        "articles_per_second": len(articles) / elapsed if elapsed else 0.0,
    }
