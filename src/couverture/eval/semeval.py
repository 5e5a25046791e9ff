"""SemEval-2022 Task 8 pairs as article-vs-article similarity data.

Each pair becomes two articles; the similarity the clusterer would use between
them is the decision model's score of the first article against a one-article
story holding the second. Gold ``Overall`` runs from 1 (same story) to 4
(unrelated); ``Overall <= 1.5`` is read as "same story".
"""
from __future__ import annotations

from dataclasses import dataclass

from ..cluster.online import OnlineClusterer
from ..cluster.profile import ArticleProfile, StoryProfile
from ..cluster.similarity import pair_features
from ..models import RawDocument
from ..pipeline import analyze_all, extract_all
from .datasets import load_semeval_pairs

SAME_STORY_MAX = 1.5


@dataclass
class PairSet:
    rows: list[dict[str, float]]  # pair features, as the decision model sees them
    overall: list[float]
    language_pairs: list[str]  # "de-en" (sorted), "fr-fr", ...
    pair_ids: list[str]

    @property
    def same_story(self) -> list[int]:
        return [int(o <= SAME_STORY_MAX) for o in self.overall]


def semeval_pair_features(path=None, analyzer=None) -> PairSet:
    pairs = load_semeval_pairs(path)
    documents = []
    for row in pairs:
        for side in ("1", "2"):
            record = {"id": f"{row['pair_id']}-{side}", "text": row["text" + side], "lang": row["lang" + side]}
            documents.append(RawDocument(f"semeval:{row['pair_id']}:{side}", "record", record))
    prepared = extract_all(documents)
    by_origin = {a.origin: a for a in prepared.articles}
    features = analyze_all(prepared.articles, analyzer)
    feats_of = {a.origin: f for a, f in zip(prepared.articles, features)}
    # Document frequencies from every text of the set, as a stream would have them.
    reference = OnlineClusterer()
    for article in prepared.articles:
        reference.observe_frequencies(ArticleProfile.build(article, feats_of[article.origin]))
    rows, overall, languages, ids = [], [], [], []
    for row in pairs:
        left, right = f"semeval:{row['pair_id']}:1", f"semeval:{row['pair_id']}:2"
        if left not in by_origin or right not in by_origin:
            continue  # an unreadable text (too short after cleaning)
        story = StoryProfile(id="pair")
        story.add(ArticleProfile.build(by_origin[right], feats_of[right]))
        probe = ArticleProfile.build(by_origin[left], feats_of[left])
        rows.append(pair_features(probe, story, reference.term_df, reference.entity_df))
        overall.append(row["Overall"])
        languages.append("-".join(sorted((row["lang1"], row["lang2"]))))
        ids.append(row["pair_id"])
    return PairSet(rows, overall, languages, ids)


def base_pair_id(pair_id: str) -> str:
    """The original pair of a machine-translated copy ("1484039360it_1484180228it" ->
    "1484039360_1484180228"), so that a pair and its copies share a fold."""
    return "_".join(part.rstrip("abcdefghijklmnopqrstuvwxyz") for part in pair_id.split("_"))


def crossvalidated_similarity(pairs: PairSet, folds: int = 5, c: float = 1.0) -> list[float]:
    """Held-out same-story log-odds for every pair.

    The clusterer's similarity is its join decision: a logistic model over the pair
    features. Here its weights are refitted on the other folds' pairs (same story when
    Overall <= 1.5, different when >= 2.5; in-between pairs only scored), so no pair is
    scored by a model that saw it or a translated copy of it.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from ..cluster.similarity import default_decision_model

    template = default_decision_model()
    names = sorted(template.vector(pairs.rows[0]))
    matrix = np.array([[template.vector(r)[n] for n in names] for r in pairs.rows])
    overall = np.asarray(pairs.overall, dtype=float)
    groups = [base_pair_id(p) for p in pairs.pair_ids]
    scores = np.zeros(len(overall))
    for train, test in GroupKFold(n_splits=folds).split(matrix, groups=groups):
        clear = [i for i in train if overall[i] <= SAME_STORY_MAX or overall[i] >= 2.5]
        model = LogisticRegression(C=c, max_iter=2000).fit(matrix[clear], overall[clear] <= SAME_STORY_MAX)
        scores[test] = model.decision_function(matrix[test])
    return scores.tolist()
