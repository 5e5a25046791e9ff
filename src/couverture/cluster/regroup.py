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
regression fitted on article pairs (``learn.training.pair_decision_rows``), since the join
weights, fitted on article-vs-story rows, score single articles low and flat. A
model without one scores pairs with the join weights themselves: the similarity that
bench/bench_semeval.py measures.

Groups join while their linkage similarity clears the decision's regroup threshold.
Two linkages are offered, and training picks one with the threshold
(``learn.search.choose_regroup``): *average* (the mean over all pairs across the two
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

from ..analyze.when import SLACK_DAYS
from .profile import ArticleProfile, DocumentFrequencies, days_apart
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


def _gap_days(profiles: Sequence[ArticleProfile]) -> tuple[np.ndarray, np.ndarray]:
    """[a, b]: days between a's and b's publication ranges (0 when they meet or when
    either is unknown), as ``profile.days_apart``; and 1 where both are known."""
    dated = np.array([p.earliest is not None and p.latest is not None for p in profiles])
    low = np.array([p.earliest.timestamp() if p.earliest is not None else 0.0 for p in profiles])
    high = np.array([p.latest.timestamp() if p.latest is not None else 0.0 for p in profiles])
    gap = np.maximum(np.maximum(low[:, None] - high[None, :], low[None, :] - high[:, None]), 0.0) / 86400.0
    known = dated[:, None] & dated[None, :]
    gap[~known] = 0.0
    return gap, known.astype(float)


def _day_clash(profiles: Sequence[ArticleProfile]) -> np.ndarray:
    """[a, b]: 1 when a's and b's day clues conflict (``analyze.when.clue_conflict``
    for every pair at once): weekdays as 7-bit masks, days as bits over 12 months of
    33 slots (a day said without its month stands for that day in every month)."""
    n = len(profiles)
    weekdays = np.array([p.clues.weekdays for p in profiles], dtype=np.int64)
    spread = np.zeros(n, dtype=np.int64)
    for shift in range(-SLACK_DAYS, SLACK_DAYS + 1):
        for number in range(7):
            spread |= ((weekdays >> number) & 1) << ((number + shift) % 7)
    has_weekdays = weekdays != 0
    both_weekdays = has_weekdays[:, None] & has_weekdays[None, :]
    weekday_agree = both_weekdays & ((weekdays[:, None] & spread[None, :]) != 0)
    exact = np.zeros((n, 12 * 33), dtype=np.float32)
    near = np.zeros((n, 12 * 33), dtype=np.float32)
    for row, profile in enumerate(profiles):
        for month, day in profile.clues.days:
            months = range(12) if month == 0 else (month - 1,)
            for m in months:
                exact[row, m * 33 + day] = 1.0
                for shift in range(-SLACK_DAYS, SLACK_DAYS + 1):
                    if 0 <= day + shift < 33:
                        near[row, m * 33 + day + shift] = 1.0
    has_days = exact.any(axis=1)
    both_days = has_days[:, None] & has_days[None, :]
    day_agree = both_days & ((exact @ near.T) > 0)
    compared = both_weekdays | both_days
    return (compared & ~(weekday_agree | day_agree)).astype(float)


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
    gap, gap_known = _gap_days(profiles)
    return {
        "dense": embeddings @ embeddings.T,
        "lexical": _directed_cosine([p.terms for p in profiles], term_df),
        "entity": _directed_cosine([p.entities for p in profiles], entity_df),
        "rare_entity": _rarest_shared_entity(profiles, entity_df),
        "numbers": _shared_numbers(profiles),
        "gap_days": gap,
        "gap_known": gap_known,
        "same_lang": (np.array(langs, dtype=object)[:, None] == np.array(langs, dtype=object)[None, :]).astype(float),
        "log_size": np.full((n, n), math.log1p(1)),
        "clash": _day_clash(profiles),
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


def cut_cohesion(probabilities: np.ndarray, side: np.ndarray, comparable: np.ndarray | None = None) -> float | None:
    """Mean probability across the cut over the mean within its less cohesive side:
    near 1 for one story cut anywhere, well under 1 for two stories.

    ``comparable`` (a boolean matrix) restricts both means to the pairs whose
    probabilities can be compared (two articles in one language: see
    ``regroup_labels``); None when the cut leaves no such pair across it, since then
    nothing says it parts two stories rather than two languages. A side with no such
    pair of its own (one article per language, as a story told in five languages and
    its look-alike told in the same five) is read on all its pairs: the pairs across,
    in one language each, still say whether the cut parts two stories."""
    inside, outside = np.flatnonzero(side), np.flatnonzero(~side)
    within = []
    for part in (inside, outside):
        upper = np.triu_indices(len(part), 1)
        values = probabilities[np.ix_(part, part)][upper]
        if comparable is not None:
            alike = comparable[np.ix_(part, part)][upper]
            if alike.any():
                values = values[alike]
        if len(values):
            within.append(values.mean())
    across = probabilities[np.ix_(inside, outside)]
    if comparable is not None:
        across = across[comparable[np.ix_(inside, outside)]]
    if not within or not across.size:
        return None
    return float(across.mean() / max(min(within), 1e-12))


def renumbered(labels) -> list[int]:
    """Labels renumbered 0, 1, ... in order of first member."""
    number: dict[int, int] = {}
    return [number.setdefault(label, len(number)) for label in labels]


def split_incohesive(probabilities: np.ndarray, labels: Sequence[int], ratio: float | None,
                     min_side: int = SPLIT_MIN_SIDE, comparable: np.ndarray | None = None) -> list[int]:
    """Cut each group of ``labels`` in two where its best cut leaves both sides at least
    ``min_side`` articles and a cohesion (``cut_cohesion``) below ``ratio``. Returns
    labels renumbered 0, 1, ... in order of first member; ``ratio`` None cuts nothing.

    Each group is cut once, not again on each side: cutting the sides again split
    single ECB+ stories told from several angles (2-fold B3 F1 0.949 with one cut,
    0.931 when cutting on; on multinews_dev the two scored alike), see bench/RESULTS.md."""
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
            if min(side.sum(), (~side).sum()) < min_side:
                continue
            cohesion = cut_cohesion(block, side, None if comparable is None else comparable[np.ix_(group, group)])
            if cohesion is None or cohesion >= ratio:
                continue
            for position in group[~side]:
                labels[position] = fresh
            fresh += 1
    return renumbered(labels)


# The cut reads the pair probabilities raised to this power. Two look-alike stories sit
# at middling probabilities across (0.4-0.6) and high ones within (0.7-0.95); cubing
# shrinks the middle far more than the top, which sharpens both the Fiedler vector and
# the cohesion ratio. On ECB+ topics taken whole (a group that holds two stories) against
# each of their stories alone (one story), the ratio's ROC AUC for "needs a cut" rose
# from 0.958 to 0.994 on one half of the topics and 0.951 to 0.975 on the other (powers
# 2.5-5 scored alike on the first half, 2.5-3 best on the second; see bench/RESULTS.md).
CUT_POWER = 3.0


def language_balanced(probabilities: np.ndarray, langs: Sequence[str] | None) -> np.ndarray:
    """The pair probabilities with those across two languages scaled up to the mean of
    those within one language (at most 1), for the cut only.

    Two articles in one language share words and spellings, two in different languages
    mostly their meaning, so the pair model gives a story's cross-language pairs lower
    probabilities than its same-language pairs. Read as it is, a story told in German,
    Portuguese and Arabic looks like three stories to the cut, which would part it by
    language. Balancing the two kinds of pairs leaves the cut what tells stories apart."""
    if langs is None or len(set(langs)) < 2:
        return probabilities
    codes = np.array(langs, dtype=object)
    same = codes[:, None] == codes[None, :]
    off_diagonal = ~np.eye(len(codes), dtype=bool)
    within, across = same & off_diagonal, ~same
    if not within.any():
        return probabilities
    scale = probabilities[within].mean() / max(probabilities[across].mean(), 1e-12)
    if scale <= 1.0:
        return probabilities
    balanced = probabilities.copy()
    balanced[across] = np.minimum(probabilities[across] * scale, 1.0)
    return balanced


def split_by_time(probabilities: np.ndarray, labels: Sequence[int], profiles: Sequence[ArticleProfile],
                  window_days: float, run_gap_days: float | None = None) -> list[int]:
    """Part each group whose dated members fall into runs more than ``run_gap_days``
    (default: ``window_days``) apart, with nothing between: one story is not the fire of
    2019 and a visit of 2023, nor the grounding of a ship and its refloating six days
    later, however alike their words. Runs are made of publication dates; a member
    known only to a range (a month stamp) goes to the run its range is nearest to (the
    most probable one among those it overlaps), or makes a run of its own when it is
    more than ``window_days`` from all of them; a member of unknown date goes to the run
    it is most probable with. Linkage averages pairs, so a few strong undated pairs could
    carry a group over pairs that the dates rule out; the online join never lets that
    happen (``OnlineClusterer.score``), and neither does this. Returns labels renumbered
    0, 1, ... in order of first member."""
    labels = list(labels)
    fresh = max(labels, default=-1) + 1
    members: dict[int, list[int]] = {}
    for position, label in enumerate(labels):
        members.setdefault(label, []).append(position)
    for label in sorted(members):
        group = members[label]
        gap = window_days if run_gap_days is None else run_gap_days
        dated = sorted((profiles[i].time, i) for i in group if profiles[i].time is not None)
        runs: list[list[int]] = []
        bounds: list[list] = []
        for moment, i in dated:
            if not runs or (moment - bounds[-1][1]).total_seconds() / 86400 > gap:
                runs.append([])
                bounds.append([moment, moment])
            runs[-1].append(i)
            bounds[-1][1] = moment
        ranged = [i for i in group if profiles[i].time is None and profiles[i].earliest is not None
                  and profiles[i].latest is not None]
        for i in sorted(ranged, key=lambda i: profiles[i].earliest):
            profile = profiles[i]
            if all(days_apart(profile.earliest, profile.latest, low, high) > window_days for low, high in bounds):
                runs.append([i])  # a month of its own, far from every dated run
                bounds.append([profile.earliest, profile.latest])
        if len(runs) < 2:
            continue
        run_of = {i: k for k, run in enumerate(runs) for i in run}
        for i in group:
            if i in run_of:
                continue
            candidates = list(range(len(runs)))
            profile = profiles[i]
            if profile.earliest is not None and profile.latest is not None:
                apart = [days_apart(profile.earliest, profile.latest, low, high) for low, high in bounds]
                nearest = min(apart)
                candidates = [k for k in candidates if apart[k] == nearest]
            run_of[i] = max(candidates, key=lambda k: (probabilities[i, runs[k]].mean(), -k))
        for i in group:
            if run_of[i] > 0:
                labels[i] = fresh + run_of[i] - 1
        fresh += len(runs) - 1
    return renumbered(labels)


def regroup_labels(probabilities: np.ndarray, decision: DecisionModel, langs: Sequence[str] | None = None,
                   profiles: Sequence[ArticleProfile] | None = None, window_days: float | None = None) -> list[int]:
    """The regroup's partition under ``decision``: its linkage at its threshold, then
    the cut of look-alike stories at its split ratio, over the probabilities raised
    to ``CUT_POWER``. Given the articles' ``langs``, a group in several languages is
    cut on language-balanced probabilities (``language_balanced``) and a cut is kept
    only when pairs in one language say so (``cut_cohesion``'s ``comparable``). Given
    their ``profiles`` and the clustering window, groups are first parted where their
    dates are more than the window apart (``split_by_time``)."""
    labels = linkage_groups(probabilities, decision.regroup_threshold, decision.regroup_linkage)
    if profiles is not None and window_days is not None:
        labels = split_by_time(probabilities, labels, profiles, window_days, decision.regroup_run_gap)
    if decision.regroup_split is None:
        return labels
    if langs is None or len(set(langs)) < 2:
        return split_incohesive(probabilities ** CUT_POWER, labels, decision.regroup_split)
    codes = np.array(langs, dtype=object)
    same_language = codes[:, None] == codes[None, :]
    out = list(labels)
    fresh = max(labels, default=-1) + 1
    for label in sorted(set(labels)):
        group = [i for i, value in enumerate(labels) if value == label]
        block = language_balanced(probabilities[np.ix_(group, group)], [langs[i] for i in group])
        parts = split_incohesive(block ** CUT_POWER, [0] * len(group), decision.regroup_split,
                                 comparable=same_language[np.ix_(group, group)])
        for i, part in zip(group, parts):
            if part:
                out[i] = fresh + part - 1
        fresh += max(parts, default=0)
    return renumbered(out)


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
    return renumbered(int(label) for label in raw)
