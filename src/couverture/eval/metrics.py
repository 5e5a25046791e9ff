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
