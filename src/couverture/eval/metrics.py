"""Clustering quality: pairwise P/R/F1 (Miranda et al. 2018) and BCubed P/R/F1."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def pairwise(predicted: Sequence, gold: Sequence) -> Scores:
    """Over all unordered pairs of items: is the pair together in both clusterings?

    Counted from contingency sizes, so it is O(n) rather than O(n^2).
    """
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold must have the same length")
    joint = Counter(zip(predicted, gold))
    together_both = sum(c * (c - 1) // 2 for c in joint.values())
    together_pred = sum(c * (c - 1) // 2 for c in Counter(predicted).values())
    together_gold = sum(c * (c - 1) // 2 for c in Counter(gold).values())
    p = together_both / together_pred if together_pred else 1.0
    r = together_both / together_gold if together_gold else 1.0
    return Scores(p, r, _f1(p, r))


def bcubed(predicted: Sequence, gold: Sequence) -> Scores:
    """Per item: the share of its predicted cluster that shares its gold label
    (precision) and the share of its gold cluster found in its predicted cluster
    (recall), averaged over items (Bagga & Baldwin 1998; Amigó et al. 2009)."""
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold must have the same length")
    if not gold:
        return Scores(1.0, 1.0, 1.0)
    joint = Counter(zip(predicted, gold))
    pred_size = Counter(predicted)
    gold_size = Counter(gold)
    p = sum(c * c / pred_size[pl] for (pl, _), c in joint.items()) / len(gold)
    r = sum(c * c / gold_size[gl] for (_, gl), c in joint.items()) / len(gold)
    return Scores(p, r, _f1(p, r))


def cluster_counts(labels: Sequence) -> dict[str, int]:
    sizes = Counter(labels)
    return {"clusters": len(sizes), "singletons": sum(1 for s in sizes.values() if s == 1)}


def group_by(labels: Sequence) -> dict:
    groups = defaultdict(list)
    for index, label in enumerate(labels):
        groups[label].append(index)
    return groups


def hard_negatives_merged(predicted: Sequence, gold: Sequence, pairs: Sequence[tuple[str, str]]) -> int:
    """How many of the hard-negative ``pairs`` of gold stories (same people or place,
    another day) were merged: the majority of one story's articles sits in the
    predicted story that holds most of the other's."""
    counts: dict = {}
    for p, g in zip(predicted, gold):
        counts.setdefault(g, {}).setdefault(p, 0)
        counts[g][p] += 1
    home = {g: max(sorted(c), key=lambda p: c[p]) for g, c in counts.items()}
    size = {g: sum(c.values()) for g, c in counts.items()}
    merged = 0
    for a, b in pairs:
        if a not in counts or b not in counts:
            continue
        if 2 * counts[a].get(home[b], 0) > size[a] or 2 * counts[b].get(home[a], 0) > size[b]:
            merged += 1
    return merged


def heldout_scores(runs: Sequence[tuple[Sequence, Sequence[int]]], gold: Sequence) -> tuple[Scores, Scores]:
    """BCubed and pairwise scores when each item is judged by one of several runs:
    ``runs`` holds (labels of every item, the items that run judges), each item judged
    by exactly one run (a fold's models clustering the whole stream, scored on the
    fold's own articles).

    Clusters are read over every item of a run, so an article merged with another
    fold's look-alike costs its precision. BCubed averages each item's precision and
    recall from its own run; a pair is judged by the run(s) of its two items, half by
    each when they differ.
    """
    n = len(gold)
    judge = [None] * n
    for k, (_, items) in enumerate(runs):
        for i in items:
            if judge[i] is not None:
                raise ValueError(f"item {i} is judged by two runs")
            judge[i] = k
    if any(k is None for k in judge):
        raise ValueError("every item must be judged by one run")
    gold_size = Counter(gold)
    precision = recall = 0.0
    together_both = together_pred = 0.0
    for k, (labels, items) in enumerate(runs):
        if len(labels) != n:
            raise ValueError("each run labels every item")
        members = group_by(labels)
        for i in items:
            cluster = members[labels[i]]
            agree = sum(1 for j in cluster if gold[j] == gold[i])
            precision += agree / len(cluster)
            recall += agree / gold_size[gold[i]]
            for j in cluster:
                if j == i:
                    continue
                # Pair (i, j) seen from i's run: half of its judgment (the other half
                # comes from j's run, or again from this one when j is of this fold).
                together_pred += 0.5
                if gold[j] == gold[i]:
                    together_both += 0.5
    together_gold = sum(c * (c - 1) // 2 for c in gold_size.values())
    p, r = precision / n, recall / n
    pp = together_both / together_pred if together_pred else 1.0
    pr = together_both / together_gold if together_gold else 1.0
    return Scores(p, r, _f1(p, r)), Scores(pp, pr, _f1(pp, pr))
