"""Threshold search: the settings of a fitted decision chosen by clustering labelled
streams and scoring them (BCubed F1, on each stream's order and its reverse).

Each ``choose_*`` replays every training stream once per value of its grid (in forked
workers when there are several cores, see GRID_WORKERS) and keeps the value that loses
least on the stream where it loses most (``_best_setting``), the middle of a run of
tied neighbours (``plateau_middle``).
"""
from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..cluster import OnlineClusterer
from ..cluster.regroup import LINKAGES
from ..cluster.similarity import DecisionModel
from ..models import Article, Features


@dataclass
class LabelledStream:
    """A labelled stream to learn from: articles with their features and gold stories,
    replayed in ``order``. Rows are drawn from every stream that is not ``score_only``;
    the rows of one stream together weigh ``weight`` times as much as those of the
    first stream (whatever their number), and every grid choice maximises the mean
    BCubed F1 over the streams, each counted ``weight`` times. A ``score_only`` stream
    (the same articles with half their dates removed, say) only votes in those choices."""

    articles: Sequence[Article]
    features: Sequence[Features]
    gold: Sequence[str]
    order: Sequence[int]
    weight: float = 1.0
    name: str = "stream"
    score_only: bool = False


THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
MERGE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99)
REGROUP_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5)
# The cut of look-alike stories (regroup.split_incohesive) pays when the linkage gathers
# generously, so its ratios are tried with the lower thresholds only. The cut reads the
# pair probabilities raised to regroup.CUT_POWER, hence ratios well under 1. (A finer
# grid, 9 thresholds and 7 ratios, took 88 replays of every training stream for
# differences within the noise of one fold; see bench/RESULTS.md.)
REGROUP_SPLITS = (0.4, 0.5, 0.6)
REGROUP_SPLIT_THRESHOLDS = (0.1, 0.15, 0.2, 0.3)
REGROUP_CHOICES = tuple((method, value, None) for method in LINKAGES for value in REGROUP_THRESHOLDS) + tuple(
    (method, value, ratio) for method in LINKAGES for value in REGROUP_SPLIT_THRESHOLDS for ratio in REGROUP_SPLITS)


def never_merge() -> DecisionModel:
    """A merge model that never fires: to fit and tune the join decision on its own."""
    return DecisionModel(bias=-50.0, weights={}, threshold=1.0)


def _bcubed_f1(articles, features, gold, order, make_clusterer) -> float:
    """Mean BCubed F1 over the stream and the same stream reversed.

    Online clustering depends on arrival order; scoring one order only makes the
    chosen threshold jump between neighbours of the grid from one run to the next.
    """
    from ..eval.metrics import bcubed
    from ..pipeline import cluster_articles

    scores = []
    for sequence in (list(order), list(reversed(order))):
        predicted = cluster_articles(articles, features, make_clusterer(), order=sequence)
        scores.append(bcubed([predicted[i] for i in sequence], [gold[i] for i in sequence]).f1)
    return sum(scores) / len(scores)


def _best_setting(values: Sequence, streams: Sequence[LabelledStream],
                  clusterer_for: Callable[[object], OnlineClusterer],
                  run_key: Callable[[object], object] = lambda value: None) -> tuple[object, float]:
    """The value whose clusterer ``clusterer_for(value)`` loses least on the stream where
    it loses most: each stream's BCubed F1 (on its order and the reverse) is compared
    with the best any value of the grid reaches on that stream, and the value with the
    smallest largest shortfall wins (each shortfall divided by the stream's ``weight``),
    so that no stream is given up for another (ECB+'s English look-alike events for
    multinews_dev's languages and missing dates, or the reverse). The score returned is
    the weighted mean F1 over the streams. With one stream this is its best F1.

    When neighbouring values of the grid tie for best (the training streams cannot tell
    them apart: no story of theirs falls between them), the middle of that run of ties
    is taken rather than its first value: it is the setting farthest from the edges
    where the training score falls, so the least likely to sit on the wrong side of an
    edge that moves a little on new data. Only neighbours with the same ``run_key`` form
    a run (see ``plateau_middle``).
    """
    total = sum(stream.weight for stream in streams)
    f1 = _grid_f1(values, streams, clusterer_for)
    best = [max(row[k] for row in f1) for k in range(len(streams))]
    regret = [-max((best[k] - row[k]) / streams[k].weight for k in range(len(streams))) for row in f1]
    chosen, _ = plateau_middle(values, regret, run_key=run_key)
    row = f1[list(values).index(chosen)]
    return chosen, sum(stream.weight * score for stream, score in zip(streams, row)) / total


# A grid replays every stream once per value: on a machine with several cores the
# replays run in forked worker processes (the streams and the clusterer factory are
# inherited, not pickled). GRID_WORKERS = 1 replays them here, one after the other.
GRID_WORKERS = max(1, min(4, os.cpu_count() or 1))
_GRID: tuple = ()  # (values, streams, clusterer_for) of the grid being scored, for forked workers


def _grid_cell(cell: tuple[int, int]) -> float:
    values, streams, clusterer_for = _GRID
    value, stream = values[cell[0]], streams[cell[1]]
    return _bcubed_f1(stream.articles, stream.features, stream.gold, stream.order, lambda: clusterer_for(value))


def _grid_f1(values: Sequence, streams: Sequence[LabelledStream], clusterer_for) -> list[list[float]]:
    """BCubed F1 of every value on every stream: ``[value][stream]``."""
    global _GRID
    cells = [(v, k) for v in range(len(values)) for k in range(len(streams))]
    _GRID = (list(values), list(streams), clusterer_for)
    try:
        scores = None
        if GRID_WORKERS > 1 and len(cells) > 1 and "fork" in multiprocessing.get_all_start_methods():
            try:
                with multiprocessing.get_context("fork").Pool(min(GRID_WORKERS, len(cells))) as pool:
                    scores = pool.map(_grid_cell, cells, chunksize=1)
            except OSError:  # no processes allowed here: score them in this one
                scores = None
        if scores is None:
            scores = [_grid_cell(cell) for cell in cells]
    finally:
        _GRID = ()
    return [scores[v * len(streams):(v + 1) * len(streams)] for v in range(len(values))]


def plateau_middle(values: Sequence, scores: Sequence[float], tolerance: float = 1e-9,
                   run_key: Callable[[object], object] = lambda value: None) -> tuple[object, float]:
    """The middle value of the first run of consecutive ``values`` that share the best
    score (for a run of even length, the later of its two middle values), with that score.

    A run stops where ``run_key`` changes: in a grid flattened from several axes, two
    neighbours in the list may differ in an outer axis (the last ratio of one threshold
    and the first of the next), and a plateau is only meaningful along one axis.
    """
    if not values or len(values) != len(scores):
        raise ValueError(f"plateau_middle needs one score per value (got {len(values)} values, {len(scores)} scores)")
    finite = [score for score in scores if not math.isnan(score)]
    if not finite:
        raise ValueError("plateau_middle: every score is NaN")
    best = max(finite)
    start = next(i for i, score in enumerate(scores) if score >= best - tolerance)
    end = start
    while (end + 1 < len(scores) and scores[end + 1] >= best - tolerance
           and run_key(values[end + 1]) == run_key(values[start])):
        end += 1
    middle = start + (end - start + 1) // 2
    return values[middle], scores[middle]


def model_with(model: DecisionModel, **changes) -> DecisionModel:
    """A copy of ``model`` (weights not shared) with some fields changed."""
    return replace(model, weights=dict(model.weights), **changes)


def choose_threshold(model: DecisionModel, streams: Sequence[LabelledStream],
                     thresholds: Sequence[float] = THRESHOLDS) -> tuple[float, float]:
    """The join threshold with the best BCubed F1 when clustering the training
    ``streams`` without merges."""
    return _best_setting(thresholds, streams, lambda value: OnlineClusterer(
        decision=model_with(model, threshold=value, regroup_threshold=None), merge_decision=never_merge()))


def choose_merge_threshold(join: DecisionModel, merge: DecisionModel, streams: Sequence[LabelledStream],
                           thresholds: Sequence[float] = MERGE_THRESHOLDS) -> tuple[float, float]:
    """The merge threshold with the best BCubed F1 on the training ``streams``."""
    return _best_setting(thresholds, streams, lambda value: OnlineClusterer(
        decision=join, merge_decision=model_with(merge, threshold=value, regroup_threshold=None)))


def choose_regroup(join: DecisionModel, merge: DecisionModel, streams: Sequence[LabelledStream],
                   choices: Sequence[tuple[str, float, float | None]] = REGROUP_CHOICES,
                   ) -> tuple[tuple[str, float, float | None], float]:
    """The regroup (linkage, threshold, split ratio) of ``join`` with the best BCubed F1
    on the training ``streams``, joins and merges as fitted; on tied neighbours the
    middle one, a run of ties being cut ratios of one linkage and threshold (the
    grid's innermost axis)."""
    return _best_setting(choices, streams, lambda choice: OnlineClusterer(
        decision=model_with(join, regroup_linkage=choice[0], regroup_threshold=choice[1], regroup_split=choice[2]),
        merge_decision=merge), run_key=lambda choice: choice[:2])


# Days without a dated article between two runs of dated ones above which the regroup
# parts them (regroup.split_by_time); None: the clustering window (7 days).
RUN_GAPS = (2.0, 3.0, 4.0, 5.0, None)


def choose_run_gap(join: DecisionModel, merge: DecisionModel, streams: Sequence[LabelledStream],
                   gaps: Sequence[float | None] = RUN_GAPS) -> tuple[float | None, float]:
    """The regroup's run gap with the best training score, regroup as fitted: streams
    without dates cannot tell the gaps apart, and leave the middle of the grid."""
    return _best_setting(gaps, streams, lambda gap: OnlineClusterer(
        decision=model_with(join, regroup_run_gap=gap), merge_decision=merge))
