"""Regroup: re-cluster the articles of a few related stories by hierarchical linkage.

Online assignment decides once per article, against story profiles as they stand at
that moment. One lenient early join (an obituary of one Watergate figure into a
three-article story about another) leaves a story whose profile holds both, and
everything that follows gathers around it. Looking again at the members, every pair
of them, undoes that: two articles stay together when, on average, the articles of
their groups belong together by a pair probability.

The pair probability is a decision model applied to an article and a one-article
story holding the other, averaged over both directions. ``pair_probabilities``
computes it for all pairs at once with sparse products; ``tests/test_regroup.py``
checks it against ``pair_features`` pair by pair. The model is the join decision's
pair model (``DecisionModel.pair_model``): the same features, weighted by a logistic
regression fitted on article pairs (``training.pair_decision_rows``), since the join
weights, fitted on article-vs-story rows, score single articles low and flat. A
model without one scores pairs with the join weights themselves: the similarity that
bench/bench_semeval.py measures.

Groups join while their linkage similarity clears the decision's regroup threshold.
Two linkages are offered, and training picks one with the threshold
(``training.choose_regroup``): *average* (the mean over all pairs across the two
groups) and *weighted* (WPGMA: a merged group's similarity to a third is the plain
mean of its two halves', so a large half does not outvote a small one).

Linkage alone cannot tell one story from two stories of the same kind told with the
same words (two earthquakes on one island, the deaths of two Watergate figures): the
pairs across them score well above the threshold, only less than the pairs within
each. So every group the linkage makes may then be cut in two (``split_incohesive``):
its best two-way cut by the pair probabilities (the spectral, Fiedler-vector cut), kept
when the mean probability across the cut is less than ``regroup_split`` times the
mean within the less cohesive side, all read on the probabilities cubed (``CUT_POWER``)
so that middling pairs count for less than strong ones. Training fits that ratio with
the linkage and its threshold; a lower threshold then gathers a story's scattered
pieces and the cut separates the look-alike story.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse import csr_matrix
from scipy.spatial.distance import squareform

from .profile import ArticleProfile, DocumentFrequencies
from .similarity import DecisionModel


def _vocabulary(bags: Sequence[Counter]) -> dict[str, int]:
    index: dict[str, int] = {}
    for bag in bags:
        for key in bag:
            if key not in index:
                index[key] = len(index)
    return index


def _directed_cosine(bags: Sequence[Counter], frequencies: DocumentFrequencies) -> np.ndarray:
    """[a, b]: cosine of a's (1 + log tf) * idf vector with the one-article story {b}.

    A one-article story weighs each of its keys by (share of members = 1) * idf, which
    is what ``similarity._weighted_cosine`` computes for a story of size one. All bags
    are laid out as one flat array (row, key, count) so the weights and norms are a
    few array operations, not a few per article.
    """
    n = len(bags)
    index: dict[str, int] = {}
    columns: list[int] = []
    counts: list[int] = []
    lengths: list[int] = []
    for bag in bags:
        lengths.append(len(bag))
        for key, count in bag.items():
            column = index.get(key)
            if column is None:
                column = index[key] = len(index)
            columns.append(column)
            counts.append(count)
    if not index:
        return np.zeros((n, n))
    table = frequencies.idf_table
    idf = np.fromiter((table[key] for key in index), dtype=np.float64, count=len(index))
    cols = np.asarray(columns, dtype=np.int64)
    rows = np.repeat(np.arange(n), lengths)
    key_idf = idf[cols]
    weights = (1.0 + np.log(np.asarray(counts, dtype=np.float64))) * key_idf
    article_norm = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=n))
    story_norm = np.sqrt(np.bincount(rows, weights=key_idf * key_idf, minlength=n))
    shape = (n, len(index))
    articles = csr_matrix((weights * key_idf / article_norm[rows], (rows, cols)), shape=shape)
    stories = csr_matrix((1.0 / story_norm[rows], (rows, cols)), shape=shape)
    return (articles @ stories.T).toarray()


def _shared_numbers(profiles: Sequence[ArticleProfile]) -> np.ndarray:
    """[a, b]: share of a's salient numbers that b also reports."""
    n = len(profiles)
    index = _vocabulary([Counter(p.numbers) for p in profiles])
    if not index:
        return np.zeros((n, n))
    rows, cols = [], []
    for row, profile in enumerate(profiles):
        for number in profile.numbers:
            rows.append(row)
            cols.append(index[number])
    present = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(index)))
    shared = (present @ present.T).toarray()
    counts = np.array([max(len(p.numbers), 1) for p in profiles], dtype=np.float64)
    return shared / counts[:, None]


def _rarest_shared_entity(profiles: Sequence[ArticleProfile], frequencies: DocumentFrequencies) -> np.ndarray:
    """[a, b]: normalised IDF of the rarest entity atom a and b share (symmetric)."""
    n = len(profiles)
    holders: dict[str, list[int]] = {}
    for row, profile in enumerate(profiles):
        for atom in profile.entities:
            holders.setdefault(atom, []).append(row)
    ceiling = math.log(frequencies.docs + 2) + 1.0
    rare = np.zeros((n, n))
    for atom, rows in holders.items():
        if len(rows) < 2:
            continue
        block = np.ix_(rows, rows)
        rare[block] = np.maximum(rare[block], frequencies.idf(atom) / ceiling)
    return rare


def _gap_days(profiles: Sequence[ArticleProfile]) -> np.ndarray:
    known = np.array([p.time is not None for p in profiles])
    seconds = np.array([p.time.timestamp() if p.time is not None else 0.0 for p in profiles])
    gap = np.abs(seconds[:, None] - seconds[None, :]) / 86400.0
    gap[~(known[:, None] & known[None, :])] = 0.0
    return gap


def pair_feature_matrices(
    profiles: Sequence[ArticleProfile],
    term_df: DocumentFrequencies,
    entity_df: DocumentFrequencies,
) -> dict[str, np.ndarray]:
    """The pair features (as ``similarity.pair_features`` names them) of every ordered
    pair of articles, [a, b] for a into the one-article story {b}."""
    n = len(profiles)
    embeddings = np.stack([np.asarray(p.embedding, dtype=np.float64) for p in profiles])
    langs = [p.lang for p in profiles]
    return {
        "dense": embeddings @ embeddings.T,
        "lexical": _directed_cosine([p.terms for p in profiles], term_df),
        "entity": _directed_cosine([p.entities for p in profiles], entity_df),
        "rare_entity": _rarest_shared_entity(profiles, entity_df),
        "numbers": _shared_numbers(profiles),
        "gap_days": _gap_days(profiles),
        "same_lang": (np.array(langs, dtype=object)[:, None] == np.array(langs, dtype=object)[None, :]).astype(float),
        "log_size": np.full((n, n), math.log1p(1)),
    }


def pair_probabilities(
    profiles: Sequence[ArticleProfile],
    decision: DecisionModel,
    term_df: DocumentFrequencies,
    entity_df: DocumentFrequencies,
) -> np.ndarray:
    """Symmetric matrix of ``decision``'s probability for every pair of articles,
    averaged over both directions (a into {b}, b into {a}); 1 on the diagonal."""
    if not profiles:
        return np.zeros((0, 0))
    symmetric = probabilities_of_features(pair_feature_matrices(profiles, term_df, entity_df), decision)
    np.fill_diagonal(symmetric, 1.0)
    return symmetric


def probabilities_of_features(features: dict[str, np.ndarray], decision: DecisionModel) -> np.ndarray:
    """``decision``'s probability for every pair given its feature matrices
    (``pair_feature_matrices``), averaged over both directions."""
    logits = np.asarray(decision.logit(features), dtype=np.float64)
    probability = 1.0 / (1.0 + np.exp(-np.clip(logits, -50.0, 50.0)))
    return (probability + probability.T) / 2.0


LINKAGES = ("average", "weighted")


# A side of a cut needs at least this many articles: a pair or a lone article is not
# a story of its own for the cut to find, and the linkage places those already.
SPLIT_MIN_SIDE = 3


def fiedler_cut(probabilities: np.ndarray) -> np.ndarray:
    """The two-way cut of a similarity block that the normalised-cut relaxation gives:
    the sign of the Fiedler vector (second eigenvector of the normalised Laplacian).
    Returns a boolean mask, True on the side of the first article."""
    weights = np.array(probabilities, dtype=np.float64)
    np.fill_diagonal(weights, 0.0)
    degree = np.maximum(weights.sum(axis=1), 1e-12)
    scale = 1.0 / np.sqrt(degree)
    laplacian = np.eye(len(weights)) - scale[:, None] * weights * scale[None, :]
    _, vectors = np.linalg.eigh(laplacian)
    fiedler = vectors[:, 1] * scale
    side = fiedler > 0
    return side if side[0] else ~side


def cut_cohesion(probabilities: np.ndarray, side: np.ndarray) -> float:
    """Mean probability across the cut over the mean within its less cohesive side:
    near 1 for one story cut anywhere, well under 1 for two stories."""
    inside, outside = np.flatnonzero(side), np.flatnonzero(~side)
    within = []
    for part in (inside, outside):
        block = probabilities[np.ix_(part, part)]
        within.append(block[np.triu_indices(len(part), 1)].mean())
    across = probabilities[np.ix_(inside, outside)].mean()
    return float(across / max(min(within), 1e-12))


def split_incohesive(probabilities: np.ndarray, labels: Sequence[int], ratio: float | None,
                     min_side: int = SPLIT_MIN_SIDE) -> list[int]:
    """Cut each group of ``labels`` in two where its best cut leaves both sides at least
    ``min_side`` articles and a cohesion (``cut_cohesion``) below ``ratio``. Groups are
    cut once: the linkage runs again from scratch at the next regroup. Returns labels
    renumbered 0, 1, ... in order of first member; ``ratio`` None cuts nothing."""
    labels = list(labels)
    if ratio is not None:
        members: dict[int, list[int]] = {}
        for position, label in enumerate(labels):
            members.setdefault(label, []).append(position)
        fresh = max(labels, default=-1) + 1
        for label in sorted(members):
            group = np.asarray(members[label])
            if len(group) < 2 * min_side:
                continue
            block = probabilities[np.ix_(group, group)]
            side = fiedler_cut(block)
            if min(side.sum(), (~side).sum()) < min_side or cut_cohesion(block, side) >= ratio:
                continue
            for position in group[~side]:
                labels[position] = fresh
            fresh += 1
    relabel: dict[int, int] = {}
    return [relabel.setdefault(label, len(relabel)) for label in labels]


# The cut reads the pair probabilities raised to this power. Two look-alike stories sit
# at middling probabilities across (0.4-0.6) and high ones within (0.7-0.95); cubing
# shrinks the middle far more than the top, which sharpens both the Fiedler vector and
# the cohesion ratio. On ECB+ topics taken whole (a group that holds two stories) against
# each of their stories alone (one story), the ratio's ROC AUC for "needs a cut" rose
# from 0.958 to 0.994 on one half of the topics and 0.951 to 0.975 on the other (powers
# 2.5-5 scored alike on the first half, 2.5-3 best on the second; see bench/RESULTS.md).
CUT_POWER = 3.0


def regroup_labels(probabilities: np.ndarray, decision: DecisionModel) -> list[int]:
    """The regroup's partition under ``decision``: its linkage at its threshold, then
    the cut of look-alike stories at its split ratio, over the probabilities raised
    to ``CUT_POWER``."""
    labels = linkage_groups(probabilities, decision.regroup_threshold, decision.regroup_linkage)
    if decision.regroup_split is None:
        return labels
    return split_incohesive(probabilities ** CUT_POWER, labels, decision.regroup_split)


def linkage_groups(probabilities: np.ndarray, threshold: float, method: str = "average") -> list[int]:
    """Group labels (0, 1, ... in order of first member) from hierarchical linkage
    (``method``, one of LINKAGES): two groups join while their linkage similarity (for
    "average", the mean pair probability between them) is at least ``threshold``."""
    if method not in LINKAGES:
        raise ValueError(f"unknown regroup linkage {method!r}; expected one of {', '.join(LINKAGES)}")
    n = len(probabilities)
    if n < 2:
        return [0] * n
    distances = squareform(np.clip(1.0 - probabilities, 0.0, 1.0), checks=False)
    tree = linkage(distances, method=method)
    raw = fcluster(tree, t=1.0 - threshold, criterion="distance")
    relabel: dict[int, int] = {}
    return [relabel.setdefault(int(label), len(relabel)) for label in raw]
