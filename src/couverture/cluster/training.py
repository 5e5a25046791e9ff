"""Fit the join decision from labelled data (Miranda et al. 2018, simplified).

The stream is replayed with the *gold* stories as state: for each article, the
clusterer's own candidate retrieval proposes stories, and every candidate yields a
feature row labelled 1 if it is the article's gold story, else 0. A logistic
regression over those rows is the decision model. Pairs of articles with a
same-story label (e.g. SemEval-2022 Task 8, cross-lingual) can be added as
article-vs-one-article-story rows.
"""
from __future__ import annotations

import math
import multiprocessing
import os

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..models import Article, Features
from .online import OnlineClusterer
from .profile import ArticleProfile, StoryProfile
from .regroup import LINKAGES, pair_feature_matrices, probabilities_of_features
from .similarity import DecisionModel, default_decision_model, pair_features


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


def stream_rows(
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    clusterer: OnlineClusterer | None = None,
) -> tuple[list[dict[str, float]], list[int]]:
    clusterer = clusterer or OnlineClusterer()
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    gold_to_story: dict[str, str] = {}
    for index in order:
        profile = ArticleProfile.build(articles[index], features[index])
        clusterer.admit(profile)
        target = gold_to_story.get(gold[index])
        for sid, dense in clusterer.candidates(profile).items():
            rows.append(pair_features(profile, clusterer.stories[sid], clusterer.term_df, clusterer.entity_df, dense=dense))
            labels.append(int(sid == target))
        if target is None or target not in clusterer.stories:
            target = f"gold-{gold[index]}"
            gold_to_story[gold[index]] = target
            clusterer.stories[target] = StoryProfile(id=target)
        story = clusterer.stories[target]
        story.add(profile)
        clusterer._tick += 1
        clusterer._touched[target] = clusterer._tick
        clusterer._set_row(story)
        for atom in profile.entities:
            clusterer._entity_index[atom].add(target)
    return rows, labels


def pair_rows(
    left: Sequence[tuple[Article, Features]],
    right: Sequence[tuple[Article, Features]],
    same: Sequence[bool],
    reference: OnlineClusterer,
) -> tuple[list[dict[str, float]], list[int]]:
    """Rows for article pairs: the right article as a one-member story.

    ``reference`` supplies document frequencies (fill it with all texts first).
    """
    rows, labels = [], []
    for (la, lf), (ra, rf), label in zip(left, right, same):
        story = StoryProfile(id="pair")
        story.add(ArticleProfile.build(ra, rf))
        rows.append(pair_features(ArticleProfile.build(la, lf), story, reference.term_df, reference.entity_df))
        labels.append(int(label))
    return rows, labels


# The labelled sets at hand carry no reliable publication times (ECB+ gold stories
# span years of follow-up coverage), so the time-gap weight cannot be learned from
# them; it is fixed by prior: each doubling of the gap in days lowers the odds.
FIXED_WEIGHTS = {"log_gap": -1.0}


def fit_decision(rows: list[dict[str, float]], labels: list[int], c: float = 1.0, threshold: float = 0.5,
                 weights: Sequence[float] | None = None) -> DecisionModel:
    from sklearn.linear_model import LogisticRegression

    template = default_decision_model()
    names = sorted(n for n in template.vector(rows[0]) if n not in FIXED_WEIGHTS)
    matrix = np.array([[template.vector(r)[n] for n in names] for r in rows], dtype=np.float64)
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(matrix, np.asarray(labels), sample_weight=None if weights is None else np.asarray(weights, dtype=np.float64))
    weights = {name: round(float(w), 4) for name, w in zip(names, model.coef_[0])}
    weights.update(FIXED_WEIGHTS)
    return DecisionModel(bias=round(float(model.intercept_[0]), 4), weights=weights, threshold=threshold)


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


def _with(model: DecisionModel, **changes) -> DecisionModel:
    """A copy of ``model`` (weights not shared) with some fields changed."""
    return replace(model, weights=dict(model.weights), **changes)


def choose_threshold(model: DecisionModel, streams: Sequence[LabelledStream],
                     thresholds: Sequence[float] = THRESHOLDS) -> tuple[float, float]:
    """The join threshold with the best BCubed F1 when clustering the training
    ``streams`` without merges."""
    return _best_setting(thresholds, streams, lambda value: OnlineClusterer(
        decision=_with(model, threshold=value, regroup_threshold=None), merge_decision=never_merge()))


def merge_rows(
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    join: DecisionModel,
) -> tuple[list[dict[str, float]], list[int]]:
    """Story-vs-story rows: cluster the stream with ``join`` and no merges, then pair
    every story with the candidates a merge pass would retrieve for it. A pair is
    labelled 1 when both stories' majority gold story is the same."""
    from collections import Counter

    clusterer = OnlineClusterer(decision=join, merge_every=0, merge_decision=never_merge())
    gold_of = {}
    for index in order:
        profile = ArticleProfile.build(articles[index], features[index])
        gold_of[profile.id] = gold[index]
        clusterer.add(profile)
    majority = {
        sid: Counter(gold_of[m] for m in story.members).most_common(1)[0][0] for sid, story in clusterer.stories.items()
    }
    rows, labels = [], []
    for sid in sorted(clusterer.stories):
        probe = clusterer._as_article(clusterer.stories[sid])
        for other_id, dense in sorted(clusterer.candidates(probe).items()):
            if other_id == sid:
                continue
            other = clusterer.stories[other_id]
            rows.append(pair_features(probe, other, clusterer.term_df, clusterer.entity_df, dense=dense))
            labels.append(int(majority[sid] == majority[other_id]))
    return rows, labels


def choose_merge_threshold(join: DecisionModel, merge: DecisionModel, streams: Sequence[LabelledStream],
                           thresholds: Sequence[float] = MERGE_THRESHOLDS) -> tuple[float, float]:
    """The merge threshold with the best BCubed F1 on the training ``streams``."""
    return _best_setting(thresholds, streams, lambda value: OnlineClusterer(
        decision=join, merge_decision=_with(merge, threshold=value, regroup_threshold=None)))


# The regroup's pair model learns from the pairs a regroup gets to see: those the join
# decision gives at least PAIR_FLOOR (others never share a regroup component). Pairs are
# taken within blocks of PAIR_BLOCK consecutive training articles, so the feature
# matrices stay a few hundred MB whatever the size of the training stream.
PAIR_FLOOR = 0.01
PAIR_BLOCK = 2000


def pair_decision_rows(
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    join: DecisionModel,
    floor: float = PAIR_FLOOR,
) -> tuple[list[dict[str, float]], list[int]]:
    """Article-vs-article rows for the regroup's pair model, labelled 1 for two
    articles of one gold story.

    The join decision is fitted on article-vs-story rows, where a story's size and
    blended profile carry part of the evidence; the regroup compares single articles,
    whose pair probabilities the join weights place too low and too flat to tell two
    look-alike stories apart. Each row holds a pair's features averaged over both
    directions, as the regroup averages the two directed probabilities.
    """
    reference = OnlineClusterer()
    profiles = []
    for index in order:
        profile = ArticleProfile.build(articles[index], features[index])
        reference.observe_frequencies(profile)
        profiles.append(profile)
    labels_of = [gold[index] for index in order]
    rows: list[dict[str, float]] = []
    labels: list[int] = []
    for start in range(0, len(profiles), PAIR_BLOCK):
        block = profiles[start:start + PAIR_BLOCK]
        if len(block) < 2:
            continue
        matrices = pair_feature_matrices(block, reference.term_df, reference.entity_df)
        seen = probabilities_of_features(matrices, join) >= floor
        first, second = np.nonzero(np.triu(seen, k=1))
        both = {name: (matrix + matrix.T) / 2.0 for name, matrix in matrices.items()}
        for a, b in zip(first.tolist(), second.tolist()):
            rows.append({name: float(matrix[a, b]) for name, matrix in both.items()})
            labels.append(int(labels_of[start + a] == labels_of[start + b]))
    return rows, labels


def with_pair_model(join: DecisionModel, pair: DecisionModel) -> DecisionModel:
    """``join`` carrying ``pair``'s weights as the regroup's pair model."""
    return _with(join, pair_bias=pair.bias, pair_weights=dict(pair.weights))


def choose_regroup(join: DecisionModel, merge: DecisionModel, streams: Sequence[LabelledStream],
                   choices: Sequence[tuple[str, float, float | None]] = REGROUP_CHOICES,
                   ) -> tuple[tuple[str, float, float | None], float]:
    """The regroup (linkage, threshold, split ratio) of ``join`` with the best BCubed F1
    on the training ``streams``, joins and merges as fitted; on tied neighbours the
    middle one, a run of ties being cut ratios of one linkage and threshold (the
    grid's innermost axis)."""
    return _best_setting(choices, streams, lambda choice: OnlineClusterer(
        decision=_with(join, regroup_linkage=choice[0], regroup_threshold=choice[1], regroup_split=choice[2]),
        merge_decision=merge), run_key=lambda choice: choice[:2])


# Days without a dated article between two runs of dated ones above which the regroup
# parts them (regroup.split_by_time); None: the clustering window (7 days).
RUN_GAPS = (2.0, 3.0, 4.0, 5.0, None)


def choose_run_gap(join: DecisionModel, merge: DecisionModel, streams: Sequence[LabelledStream],
                   gaps: Sequence[float | None] = RUN_GAPS) -> tuple[float | None, float]:
    """The regroup's run gap with the best training score, regroup as fitted: streams
    without dates cannot tell the gaps apart, and leave the middle of the grid."""
    return _best_setting(gaps, streams, lambda gap: OnlineClusterer(
        decision=_with(join, regroup_run_gap=gap), merge_decision=merge))


def _pooled(streams: Sequence[LabelledStream], rows_of: Callable[[LabelledStream], tuple[list, list[int]]],
            extra_rows: tuple[list, list[int]] = ([], [])) -> tuple[list, list[int], list[float], list[str]]:
    """Rows of every stream that gives rows, each stream's together weighing its
    ``weight`` times the first one's, then ``extra_rows`` at one each; with a line per
    stream for the log."""
    rows: list = []
    labels: list[int] = []
    weights: list[float] = []
    notes: list[str] = []
    reference = None
    for stream in streams:
        if stream.score_only:
            continue
        own, own_labels = rows_of(stream)
        if not own:
            continue
        if reference is None:
            reference = len(own) / stream.weight
        each = stream.weight * reference / len(own)
        rows += own
        labels += own_labels
        weights += [each] * len(own)
        notes.append(f"{stream.name}: {len(own)} rows ({sum(own_labels)} positive), weight {each:.3g} each")
    extra, extra_labels = extra_rows
    rows += list(extra)
    labels += list(extra_labels)
    weights += [1.0] * len(extra)
    if extra:
        notes.append(f"extra pairs: {len(extra)} rows ({sum(extra_labels)} positive), weight 1 each")
    return rows, labels, weights, notes


def train_on_stream(
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    extra_rows: tuple[list[dict[str, float]], list[int]] | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[DecisionModel, DecisionModel]:
    """``train_on_streams`` on one labelled stream."""
    return train_on_streams([LabelledStream(articles, features, gold, order)], extra_rows, log)


def train_on_streams(
    streams: Sequence[LabelledStream],
    extra_rows: tuple[list[dict[str, float]], list[int]] | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[DecisionModel, DecisionModel]:
    """Fit the join decision on labelled streams (plus optional pair rows, which also
    go to the regroup's pair model) and pick its threshold; then fit the merge decision
    on the stories it makes, and pick its own; last, the regroup's pair model, and its
    linkage, threshold and cut ratio with both decisions in place.

    ``log`` receives a line per step (row counts, chosen settings and their BCubed F1
    on these same streams, hence optimistic)."""
    say = log or (lambda line: None)
    extra = extra_rows or ([], [])
    rows, labels, weights, notes = _pooled(
        streams, lambda st: stream_rows(st.articles, st.features, st.gold, st.order), extra)
    join = fit_decision(rows, labels, weights=weights)
    join.threshold, score = choose_threshold(join, streams)
    for note in notes:
        say(f"join rows, {note}")
    say(f"join threshold {join.threshold} (BCubed F1 {score:.4f} on the training streams, optimistic by construction)")
    say(f"join bias {join.bias}, weights {join.weights}")
    rows, labels, weights, notes = _pooled(
        streams, lambda st: merge_rows(st.articles, st.features, st.gold, st.order, join))
    merge = fit_decision(rows, labels, weights=weights)
    merge.threshold, score = choose_merge_threshold(join, merge, streams)
    for note in notes:
        say(f"merge rows (story pairs), {note}")
    say(f"merge threshold {merge.threshold} (BCubed F1 {score:.4f} on the training streams, with merges)")
    say(f"merge bias {merge.bias}, weights {merge.weights}")
    rows, labels, weights, notes = _pooled(
        streams, lambda st: pair_decision_rows(st.articles, st.features, st.gold, st.order, join), extra)
    pair = fit_decision(rows, labels, weights=weights)
    join = with_pair_model(join, pair)
    for note in notes:
        say(f"regroup pair model rows (article pairs), {note}")
    say(f"regroup pair model: bias {pair.bias}, weights {pair.weights}")
    (join.regroup_linkage, join.regroup_threshold, join.regroup_split), score = choose_regroup(join, merge, streams)
    say(f"regroup: {join.regroup_linkage} linkage, threshold {join.regroup_threshold}, split {join.regroup_split} "
        f"(BCubed F1 {score:.4f} on the training streams, joins, merges and regroups)")
    if join.regroup_threshold is not None:
        join.regroup_run_gap, score = choose_run_gap(join, merge, streams)
        say(f"regroup run gap {join.regroup_run_gap} days (BCubed F1 {score:.4f} on the training streams)")
    return join, merge
