"""Train the shipped join and merge decisions (src/couverture/cluster/decision_model.json
and merge_model.json).

Training data: the ECB+ stream (all 982 documents, seeded shuffle, gold
`event_cluster`: article-vs-candidate-story rows) and the SemEval-2022 Task 8 pairs
(article-vs-one-article rows, same story when Overall <= 1.5, different when
Overall >= 2.5; in-between pairs are left out), which bring the cross-lingual cases
ECB+ lacks. The threshold is the one with the best BCubed F1 on the ECB+ stream
without merges. The merge model is then fitted on story-vs-story pairs from that
clustering (`training.merge_rows`) and its threshold chosen the same way, with merges.
Last, the regroup's pair model is fitted on article pairs of the ECB+ stream
(`training.pair_decision_rows`) plus the SemEval pairs, and the regroup's linkage,
threshold and cut ratio are chosen with everything in place.

The short-text decisions (short_decision_model.json, short_merge_model.json: join
and merge for articles with at most `SHORT_TERMS` distinct lemmas, i.e. headlines and
title-only items) are fitted the same way on all 1,328 French headlines of
../shared/data/googlenews_fr (silver stories).

Because these models have seen ECB+, SemEval and the headlines, figures on those sets are measured
with models refitted on held-out folds (`couverture eval`, bench/bench_cluster.py),
never with this file.

    python bench/train_decision.py
"""
from __future__ import annotations

import random
import shlex
import sys

from couverture.cluster.similarity import (
    DEFAULT_MERGE_MODEL_PATH, DEFAULT_MODEL_PATH, DEFAULT_SHORT_MERGE_MODEL_PATH, DEFAULT_SHORT_MODEL_PATH,
)
from couverture.cluster.training import train_on_stream
from couverture.eval.datasets import load_ecbplus, load_googlenews_fr
from couverture.eval.semeval import semeval_pair_features
from couverture.eval.runner import analyze_labelled


def _fold_same_lang(bias: float, weights: dict[str, float]) -> float:
    """Zero the "same language" weight in place; returns the bias that absorbs it."""
    folded = round(bias + weights.get("same_lang", 0.0), 4)
    weights["same_lang"] = 0.0
    return folded


def train_short() -> None:
    """The short-text join and merge decisions, on all French headlines (silver stories)."""
    data = analyze_labelled(load_googlenews_fr())
    order = list(range(len(data.articles)))
    random.Random(0).shuffle(order)
    print(f"short decisions, on {len(order)} headlines:")
    join, merge = train_on_stream(data.articles, data.features, data.gold, order, log=lambda line: print("  " + line))
    # Every headline here is French: "same language" is always 1, so its weight is
    # only a second bias. Folded into the bias it changes nothing on these rows and
    # leaves cross-language pairs to the dense similarity instead of a free bonus.
    # The same holds for the join, the merge and the regroup's pair model.
    for model in (join, merge):
        model.bias = _fold_same_lang(model.bias, model.weights)
    join.pair_bias = _fold_same_lang(join.pair_bias, join.pair_weights)
    join.save(DEFAULT_SHORT_MODEL_PATH)
    merge.save(DEFAULT_SHORT_MERGE_MODEL_PATH)
    print(f"  after folding 'same language' into the bias: join bias {join.bias}, pair model bias {join.pair_bias}, "
          f"merge bias {merge.bias}")
    print(f"written to {DEFAULT_SHORT_MODEL_PATH} and {DEFAULT_SHORT_MERGE_MODEL_PATH}")


def main() -> None:
    print("$ python " + " ".join(shlex.quote(a) for a in sys.argv))
    train_short()
    data = analyze_labelled(load_ecbplus())
    order = list(range(len(data.articles)))
    random.Random(0).shuffle(order)
    pairs = semeval_pair_features()
    kept = [(r, int(o <= 1.5)) for r, o in zip(pairs.rows, pairs.overall) if o <= 1.5 or o >= 2.5]
    print(f"full-length decisions, on the ECB+ stream ({len(order)} documents) and {len(kept)} SemEval pairs:")
    join, merge = train_on_stream(data.articles, data.features, data.gold, order,
                                  extra_rows=([r for r, _ in kept], [y for _, y in kept]),
                                  log=lambda line: print("  " + line))
    join.save(DEFAULT_MODEL_PATH)
    merge.save(DEFAULT_MERGE_MODEL_PATH)
    print(f"written to {DEFAULT_MODEL_PATH} and {DEFAULT_MERGE_MODEL_PATH}")


if __name__ == "__main__":
    main()
