"""Fit the join decision from labelled data (Miranda et al. 2018, simplified).

The stream is replayed with the *gold* stories as state: for each article, the
clusterer's own candidate retrieval proposes stories, and every candidate yields a
feature row labelled 1 if it is the article's gold story, else 0. A logistic
regression over those rows is the decision model. Pairs of articles with a
same-story label (e.g. SemEval-2022 Task 8, cross-lingual) can be added as
article-vs-one-article-story rows.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..cluster import OnlineClusterer
from ..cluster.passes import story_as_article
from ..cluster.profile import ArticleProfile, StoryProfile
from ..cluster.regroup import pair_feature_matrices, probabilities_of_features
from ..cluster.similarity import DecisionModel, default_decision_model, pair_features
from ..models import Article, Features
from .search import (LabelledStream, choose_merge_threshold, choose_regroup, choose_run_gap, choose_threshold,
                     model_with, never_merge)


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
        clusterer.attach(profile, target)
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
        probe = story_as_article(clusterer.stories[sid])
        for other_id, dense in sorted(clusterer.candidates(probe).items()):
            if other_id == sid:
                continue
            other = clusterer.stories[other_id]
            rows.append(pair_features(probe, other, clusterer.term_df, clusterer.entity_df, dense=dense))
            labels.append(int(majority[sid] == majority[other_id]))
    return rows, labels


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
    return model_with(join, pair_bias=pair.bias, pair_weights=dict(pair.weights))


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
