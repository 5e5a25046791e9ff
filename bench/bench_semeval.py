"""Article-vs-article similarity on SemEval-2022 Task 8 pairs, as the clusterer sees it.

For each pair the first article is scored against a one-article story holding the
second (`couverture.eval.semeval`); the similarity is the join decision's log-odds,
with its weights refitted under 5-fold cross-validation grouped by original pair (a
machine-translated copy stays in its original's fold). Reported: Pearson with gold
`Overall` (1 = same story ... 4 = unrelated, so a good similarity correlates
negatively), and ROC AUC as a same-story classifier (Overall <= 1.5) per language pair.
The same held-out decision is also reported as a probability (the logistic of the
log-odds): the join compares the log-odds with its threshold, but the regroup linkage
averages probabilities, so both are similarities the clusterer uses. They rank pairs
alike (same AUC) and differ only in Pearson, which rewards a linear relation.

    python bench/bench_semeval.py
"""
from __future__ import annotations

import shlex
import sys
from collections import defaultdict

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import roc_auc_score

from couverture.eval.semeval import crossvalidated_similarity, semeval_pair_features


def auc(labels, scores) -> float | None:
    return float(roc_auc_score(labels, scores)) if 0 < sum(labels) < len(labels) else None


def main() -> None:
    print("$ python " + " ".join(shlex.quote(a) for a in sys.argv))
    pairs = semeval_pair_features()
    overall = np.asarray(pairs.overall, dtype=float)
    same = np.asarray(pairs.same_story)
    similarity = np.asarray(crossvalidated_similarity(pairs))
    print(f"pairs: {len(overall)} scored, {int(same.sum())} same story (Overall <= 1.5)")
    print("similarity                          Pearson vs Overall   same-story AUC")
    for name in ("dense", "lexical", "entity"):
        values = np.array([r[name] for r in pairs.rows])
        print(f"  {name + ' alone (no fitting)':34s} {pearsonr(values, overall)[0]:+.4f}            {auc(same, values):.4f}")
    print(f"  {'join decision, 5-fold CV':34s} {pearsonr(similarity, overall)[0]:+.4f}            {auc(same, similarity):.4f}")
    probability = 1.0 / (1.0 + np.exp(-similarity))
    print(f"  {'  as probability (regroup)':34s} {pearsonr(probability, overall)[0]:+.4f}            {auc(same, probability):.4f}")
    print("published best on the official test set: Pearson 0.818 (|r|)")
    print()
    by_pair: dict[str, list[int]] = defaultdict(list)
    for index, languages in enumerate(pairs.language_pairs):
        by_pair[languages].append(index)
    print("language pair   pairs  same   AUC     Pearson")
    for languages, idx in sorted(by_pair.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        kind = "cross" if languages.split("-")[0] != languages.split("-")[-1] else ""
        value = auc(same[idx].tolist(), similarity[idx])
        text = f"{value:.3f}" if value is not None else "  -  "
        r = pearsonr(similarity[idx], overall[idx])[0] if len(idx) > 2 else float("nan")
        print(f"  {languages:12s} {len(idx):5d} {int(same[idx].sum()):5d}   {text}   {r:+.3f}  {kind}")
    cross = [i for i, l in enumerate(pairs.language_pairs) if l.split("-")[0] != l.split("-")[-1]]
    mono = [i for i in range(len(overall)) if i not in set(cross)]
    for label, idx in (("all monolingual", mono), ("all cross-lingual", cross)):
        print(f"  {label:18s} {len(idx):5d}  AUC {auc(same[idx].tolist(), similarity[idx]):.3f}  "
              f"Pearson {pearsonr(similarity[idx], overall[idx])[0]:+.3f}")


if __name__ == "__main__":
    main()
