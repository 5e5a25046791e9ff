"""Train the shipped join and merge decisions (src/couverture/cluster/decision_model.json
and merge_model.json).

Training data: the recipe of `couverture.learn.recipe` (read its doc): the
ECB+ stream (all 982 documents, seeded shuffle, gold `event_cluster`), the
multinews_dev stream (155 real articles in 20 languages, publication order as an
ingest reads them, gold `story`; and the same with a seeded half of its dates removed,
which only votes in the choice of thresholds), each stream weighing the same, and the
SemEval-2022 Task 8 pairs (article-vs-one-article rows, same story when Overall <= 1.5,
different when Overall >= 2.5). Join rows are article-vs-candidate-story rows of each
stream replayed with its gold stories as state; the join threshold is the one with the
best mean BCubed F1 over the streams without merges. The merge model is then fitted on
story-vs-story pairs from those clusterings (`learn.training.merge_rows`) and its threshold
chosen the same way, with merges. Last, the regroup's pair model is fitted on article
pairs of the streams (`learn.training.pair_decision_rows`) plus the SemEval pairs, and the
regroup's linkage, threshold and cut ratio are chosen with everything in place.

The short-text decisions (short_decision_model.json, short_merge_model.json: join
and merge for articles with at most `SHORT_TERMS` distinct lemmas, i.e. headlines and
title-only items) are fitted the same way on all 1,328 French headlines of
../shared/data/googlenews_fr (silver stories).

Because these models have seen ECB+, multinews_dev, SemEval and the headlines, figures
on those sets are measured with models refitted without the scored fold (`couverture
eval`, `couverture eval multinews_dev`, bench/bench_baselines.py), never with this file.

    python bench/train_decision.py
"""
from __future__ import annotations

import random
import shlex
import sys

from couverture.cluster.similarity import (
    DEFAULT_MERGE_MODEL_PATH, DEFAULT_MODEL_PATH, DEFAULT_SHORT_MERGE_MODEL_PATH, DEFAULT_SHORT_MODEL_PATH,
)
from couverture.learn.training import train_on_stream, train_on_streams
from couverture.eval.datasets import load_googlenews_fr
from couverture.eval.runner import analyze_labelled
from couverture.learn.recipe import shipped_recipe


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
    recipe = shipped_recipe()
    print("full-length decisions, on " + ", ".join(f"{s.name} ({len(s.order)} articles)" for s in recipe.streams)
          + f" and {len(recipe.extra_rows[0])} SemEval pairs:")
    join, merge = train_on_streams(recipe.streams, recipe.extra_rows, log=lambda line: print("  " + line))
    join.save(DEFAULT_MODEL_PATH)
    merge.save(DEFAULT_MERGE_MODEL_PATH)
    print(f"written to {DEFAULT_MODEL_PATH} and {DEFAULT_MERGE_MODEL_PATH}")


if __name__ == "__main__":
    main()
