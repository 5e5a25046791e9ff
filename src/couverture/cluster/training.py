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

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from ..models import Article, Features
from .online import OnlineClusterer
from .profile import ArticleProfile, StoryProfile
from .regroup import LINKAGES, pair_feature_matrices, probabilities_of_features
from .similarity import DecisionModel, default_decision_model, pair_features


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
        clusterer._expire(profile)
        clusterer.observe_frequencies(profile)
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


def fit_decision(rows: list[dict[str, float]], labels: list[int], c: float = 1.0, threshold: float = 0.5) -> DecisionModel:
    from sklearn.linear_model import LogisticRegression

    template = default_decision_model()
    names = sorted(n for n in template.vector(rows[0]) if n not in FIXED_WEIGHTS)
    matrix = np.array([[template.vector(r)[n] for n in names] for r in rows], dtype=np.float64)
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(matrix, np.asarray(labels))
    weights = {name: round(float(w), 4) for name, w in zip(names, model.coef_[0])}
    weights.update(FIXED_WEIGHTS)
    return DecisionModel(bias=round(float(model.intercept_[0]), 4), weights=weights, threshold=threshold)


THRESHOLDS = (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
MERGE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99)
REGROUP_THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6)
# The cut of look-alike stories (regroup.split_incohesive) pays when the linkage gathers
# generously, so its ratios are tried with the lower thresholds only. The cut reads the
# pair probabilities raised to regroup.CUT_POWER, hence ratios well under 1.
REGROUP_SPLITS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
REGROUP_SPLIT_THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3)
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


def _best_setting(values: Sequence, articles, features, gold, order,
                  clusterer_for: Callable[[object], OnlineClusterer],
                  run_key: Callable[[object], object] = lambda value: None) -> tuple[object, float]:
    """The value (and its BCubed F1) whose clusterer ``clusterer_for(value)`` scores best
    on ``order`` and its reverse.

    When neighbouring values of the grid tie for best (the training stream cannot tell
    them apart: no story of it falls between them), the middle of that run of ties is
    taken rather than its first value: it is the setting farthest from the edges where
    the training score falls, so the least likely to sit on the wrong side of an edge
    that moves a little on new data. Only neighbours with the same ``run_key`` form a
    run (see ``plateau_middle``).
    """
    scores = [_bcubed_f1(articles, features, gold, order, lambda: clusterer_for(value)) for value in values]
    return plateau_middle(values, scores, run_key=run_key)


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


def choose_threshold(
    model: DecisionModel,
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    thresholds: Sequence[float] = THRESHOLDS,
) -> tuple[float, float]:
    """The join threshold with the best BCubed F1 when clustering ``order`` without
    merges (training data only)."""
    return _best_setting(thresholds, articles, features, gold, order, lambda value: OnlineClusterer(
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


def choose_merge_threshold(
    join: DecisionModel,
    merge: DecisionModel,
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    thresholds: Sequence[float] = MERGE_THRESHOLDS,
) -> tuple[float, float]:
    """The merge threshold with the best BCubed F1 on ``order`` (training data only)."""
    return _best_setting(thresholds, articles, features, gold, order, lambda value: OnlineClusterer(
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


def choose_regroup(
    join: DecisionModel,
    merge: DecisionModel,
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    choices: Sequence[tuple[str, float, float | None]] = REGROUP_CHOICES,
) -> tuple[tuple[str, float, float | None], float]:
    """The regroup (linkage, threshold, split ratio) of ``join`` with the best BCubed F1
    on ``order``, joins and merges as fitted (training data only); on tied neighbours
    the middle one, a run of ties being cut ratios of one linkage and threshold (the
    grid's innermost axis)."""
    return _best_setting(choices, articles, features, gold, order, lambda choice: OnlineClusterer(
        decision=_with(join, regroup_linkage=choice[0], regroup_threshold=choice[1], regroup_split=choice[2]),
        merge_decision=merge), run_key=lambda choice: choice[:2])


def train_on_stream(
    articles: Sequence[Article],
    features: Sequence[Features],
    gold: Sequence[str],
    order: Sequence[int],
    extra_rows: tuple[list[dict[str, float]], list[int]] | None = None,
    log: Callable[[str], None] | None = None,
) -> tuple[DecisionModel, DecisionModel]:
    """Fit the join decision on a labelled stream (plus optional pair rows, which also
    go to the regroup's pair model) and pick its threshold; then fit the merge decision
    on the stories it makes, and pick its own; last, the regroup's pair model, and its
    linkage, threshold and cut ratio with both decisions in place.

    ``log`` receives a line per step (row counts, chosen settings and their BCubed F1
    on this same stream, hence optimistic)."""
    say = log or (lambda line: None)
    extra, extra_labels = extra_rows or ([], [])
    rows, labels = stream_rows(articles, features, gold, order)
    join = fit_decision(rows + extra, labels + extra_labels)
    join.threshold, score = choose_threshold(join, articles, features, gold, order)
    say(f"join rows: {len(rows)} from the stream, {len(extra)} extra pairs")
    say(f"join threshold {join.threshold} (BCubed F1 {score:.4f} on the training stream, optimistic by construction)")
    say(f"join bias {join.bias}, weights {join.weights}")
    story_rows, story_labels = merge_rows(articles, features, gold, order, join)
    merge = fit_decision(story_rows, story_labels)
    merge.threshold, score = choose_merge_threshold(join, merge, articles, features, gold, order)
    say(f"merge rows: {len(story_rows)} story pairs ({sum(story_labels)} of one gold story)")
    say(f"merge threshold {merge.threshold} (BCubed F1 {score:.4f} on the training stream, with merges)")
    say(f"merge bias {merge.bias}, weights {merge.weights}")
    regroup_rows, regroup_labels = pair_decision_rows(articles, features, gold, order, join)
    pair = fit_decision(regroup_rows + extra, regroup_labels + extra_labels)
    join = with_pair_model(join, pair)
    say(f"regroup pair model on {len(regroup_rows)} article pairs of the stream ({sum(regroup_labels)} of one story) "
        f"and the {len(extra)} extra pairs: bias {pair.bias}, weights {pair.weights}")
    (join.regroup_linkage, join.regroup_threshold, join.regroup_split), score = choose_regroup(
        join, merge, articles, features, gold, order)
    say(f"regroup: {join.regroup_linkage} linkage, threshold {join.regroup_threshold}, split {join.regroup_split} "
        f"(BCubed F1 {score:.4f} on the training stream, joins, merges and regroups)")
    return join, merge
