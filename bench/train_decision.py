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
from couverture.cluster.training import (
    choose_merge_threshold, choose_regroup, choose_threshold, fit_decision, merge_rows, pair_decision_rows, stream_rows,
    train_on_stream, with_pair_model,
)
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
    join, merge = train_on_stream(data.articles, data.features, data.gold, order)
    # Every headline here is French: "same language" is always 1, so its weight is
    # only a second bias. Folded into the bias it changes nothing on these rows and
    # leaves cross-language pairs to the dense similarity instead of a free bonus.
    # The same holds for the join, the merge and the regroup's pair model.
    for model in (join, merge):
        model.bias = _fold_same_lang(model.bias, model.weights)
    join.pair_bias = _fold_same_lang(join.pair_bias, join.pair_weights)
    join.save(DEFAULT_SHORT_MODEL_PATH)
    merge.save(DEFAULT_SHORT_MERGE_MODEL_PATH)
    print(f"short join on {len(order)} headlines: threshold {join.threshold}, bias {join.bias}, weights {join.weights}")
    print(f"short regroup: {join.regroup_linkage} linkage, threshold {join.regroup_threshold}, split {join.regroup_split}, "
          f"pair model bias {join.pair_bias}, weights {join.pair_weights}")
    print(f"short merge: threshold {merge.threshold}, bias {merge.bias}, weights {merge.weights}")
    print(f"written to {DEFAULT_SHORT_MODEL_PATH} and {DEFAULT_SHORT_MERGE_MODEL_PATH}")


def main() -> None:
    print("$ python " + " ".join(shlex.quote(a) for a in sys.argv))
    train_short()
    data = analyze_labelled(load_ecbplus())
    articles, features = data.articles, data.features
    order = list(range(len(articles)))
    random.Random(0).shuffle(order)
    rows, labels = stream_rows(articles, features, data.gold, order)
    pairs = semeval_pair_features()
    kept = [(r, int(o <= 1.5)) for r, o in zip(pairs.rows, pairs.overall) if o <= 1.5 or o >= 2.5]
    model = fit_decision(rows + [r for r, _ in kept], labels + [y for _, y in kept])
    model.threshold, score = choose_threshold(model, articles, features, data.gold, order)
    model.save(DEFAULT_MODEL_PATH)
    print(f"join rows: {len(rows)} from the ECB+ stream, {len(kept)} SemEval pairs")
    print(f"join threshold {model.threshold} (BCubed F1 {score:.4f} on the training stream, optimistic by construction)")
    print(f"join bias {model.bias}, weights {model.weights}")
    print(f"written to {DEFAULT_MODEL_PATH}")
    story_rows, story_labels = merge_rows(articles, features, data.gold, order, model)
    merge = fit_decision(story_rows, story_labels)
    merge.threshold, score = choose_merge_threshold(model, merge, articles, features, data.gold, order)
    merge.save(DEFAULT_MERGE_MODEL_PATH)
    print(f"merge rows: {len(story_rows)} story pairs ({sum(story_labels)} of one gold story)")
    print(f"merge threshold {merge.threshold} (BCubed F1 {score:.4f} on the training stream, with merges)")
    print(f"merge bias {merge.bias}, weights {merge.weights}")
    print(f"written to {DEFAULT_MERGE_MODEL_PATH}")
    pair_rows, pair_labels = pair_decision_rows(articles, features, data.gold, order, model)
    pair = fit_decision(pair_rows + [r for r, _ in kept], pair_labels + [y for _, y in kept])
    model = with_pair_model(model, pair)
    print(f"regroup pair model on {len(pair_rows)} ECB+ article pairs ({sum(pair_labels)} of one story) "
          f"and the {len(kept)} SemEval pairs: bias {pair.bias}, weights {pair.weights}")
    (model.regroup_linkage, model.regroup_threshold, model.regroup_split), score = choose_regroup(
        model, merge, articles, features, data.gold, order)
    model.save(DEFAULT_MODEL_PATH)
    print(f"regroup: {model.regroup_linkage} linkage, threshold {model.regroup_threshold}, split {model.regroup_split} "
          f"(BCubed F1 {score:.4f} on the training stream, joins, merges and regroups)")
    print(f"written to {DEFAULT_MODEL_PATH}")


if __name__ == "__main__":
    main()
