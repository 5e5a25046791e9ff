"""Article-vs-story similarity features and the decision that turns them into a join.

Features (all in [0, 1] except the time gap):
  dense     cosine of the article embedding with the story centroid (cross-lingual)
  lexical   TF-IDF cosine of the article's lemmas with the story's lemma profile
  entity    TF-IDF cosine of entity keys (aliases make it work across languages)
  numbers   share of the article's salient numbers that the story also reports
  rare_entity  rarity (normalised IDF) of the rarest entity the article shares with the story:
            one shared rare name ("INS Sukanya", "Sharron Smith") is strong evidence
  gap_days  days between the article's publication (or its estimated range) and the
            story's span (0 if unknown)
  gap_known 1 when both are dated; an unknown gap counts as UNKNOWN_GAP_DAYS
  same_lang 1 when the story already holds an article in the article's language
  log_size  log(1 + story size): large stories have flatter profiles
  clash     1 when the article's lead names a day (weekday or date) that none of the
            story's members names or is dated on, within a day (analyze/when.py): "on
            Tuesday" is not the Sunday final. Works without any publication date.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..analyze.when import clue_conflict
from .profile import ArticleProfile, DocumentFrequencies, StoryProfile, days_apart

FEATURES = ("dense", "lexical", "entity", "rare_entity", "numbers", "gap_days", "gap_known", "same_lang", "log_size",
            "clash")


def _story_norm(story: StoryProfile, name: str, counts: Counter, frequencies: DocumentFrequencies) -> float:
    """Norm of the story's (share of members) * idf vector.

    Scoring asks for it for every candidate story of every article, and a story's
    counts change one article at a time: within an idf epoch the sum of squares is
    updated from the keys added since, not summed again over the whole profile.
    """
    idf = frequencies.idf_table
    cached = story.norm_cache.get(name)
    pending = story.norm_pending.get(name)
    if cached is not None and pending is not None and cached[0] is frequencies and cached[1] == frequencies.epoch:
        if pending:
            squares = cached[2]
            for key, added in Counter(pending).items():
                count = counts.get(key, 0)
                weight = idf[key]
                squares += (count * count - (count - added) ** 2) * weight * weight
            cached[2] = squares
            pending.clear()
    else:
        squares = 0.0
        for key, count in counts.items():
            weight = count * idf[key]
            squares += weight * weight
        cached = [frequencies, frequencies.epoch, squares]
        story.norm_cache[name] = cached
        story.norm_pending[name] = []
    return math.sqrt(max(cached[2], 0.0)) / story.size


def _article_weights(article: ArticleProfile, name: str, counts: Counter, frequencies: DocumentFrequencies):
    """The article's (1 + log tf) * idf vector as (key, weight * idf) pairs, and its norm.

    Computed once per article and IDF epoch, not once per candidate story: an article
    is scored against a dozen or more stories, and this loop was most of the cost.
    """
    cached = article.weight_cache.get(name)
    if cached is not None and cached[0] is frequencies and cached[1] == frequencies.epoch:
        return cached[2], cached[3]
    idf = frequencies.idf_table
    pairs = []
    norm2 = 0.0
    for key, tf in counts.items():
        key_idf = idf[key]
        weight = (1.0 + math.log(tf)) * key_idf
        norm2 += weight * weight
        pairs.append((key, weight * key_idf))
    norm = math.sqrt(norm2)
    article.weight_cache[name] = (frequencies, frequencies.epoch, pairs, norm)
    return pairs, norm


def _weighted_cosine(article: ArticleProfile, name: str, story: StoryProfile, story_name: str,
                     frequencies: DocumentFrequencies) -> float:
    """Cosine of the article's (1 + log tf) * idf vector with the story's (share of members) * idf vector."""
    article_counts: Counter = getattr(article, name)
    counts: Counter = getattr(story, story_name)
    if not article_counts or not counts:
        return 0.0
    pairs, norm = _article_weights(article, name, article_counts, frequencies)
    get = counts.get
    dot = 0.0
    for key, weighted in pairs:
        share = get(key)
        if share:
            dot += weighted * share
    if dot == 0.0:
        return 0.0
    return (dot / story.size) / (norm * _story_norm(story, story_name, counts, frequencies))


def pair_features(
    article: ArticleProfile,
    story: StoryProfile,
    term_df: DocumentFrequencies,
    entity_df: DocumentFrequencies,
    dense: float | None = None,
) -> dict[str, float]:
    if dense is None:
        dense = float(article.embedding @ story.centroid)
    numbers = 0.0
    if article.numbers:
        numbers = sum(1 for n in article.numbers if story.number_df.get(n)) / len(article.numbers)
    # An unknown gap is no evidence either way (see UNKNOWN_GAP_DAYS), not a large gap.
    gap = days_apart(article.earliest, article.latest, story.span_first, story.span_last)
    rare = 0.0
    ceiling = math.log(entity_df.docs + 2) + 1.0
    for atom in article.entities:
        if story.entity_df.get(atom):
            rare = max(rare, entity_df.idf(atom) / ceiling)
    return {
        "dense": dense,
        "lexical": _weighted_cosine(article, "terms", story, "term_df", term_df),
        "entity": _weighted_cosine(article, "entities", story, "entity_df", entity_df),
        "rare_entity": rare,
        "numbers": numbers,
        "gap_days": gap or 0.0,
        "gap_known": 0.0 if gap is None else 1.0,
        "same_lang": 1.0 if story.langs.get(article.lang) else 0.0,
        "log_size": math.log1p(story.size),
        "clash": 1.0 if clue_conflict(article.clues, story.clues) else 0.0,
    }


# An unknown gap counts as the usual gap between two reports of one story, a day: no
# evidence either way. Counted as 0 (the same hour), as it once was, two undated
# reports of an event scored higher than two dated ones a day apart, and the regroup's
# cut parted a story into its dated and its undated articles; counted as large, an
# undated article could join nothing. Two reports dated the same day still count for
# more than two of unknown dates, and the next day's look-alike event for less.
UNKNOWN_GAP_DAYS = 1.0


def _log_gap(gap, known):
    """log(1 + gap in days), with UNKNOWN_GAP_DAYS where ``known`` is 0."""
    if isinstance(gap, np.ndarray) or isinstance(known, np.ndarray):
        return known * np.log1p(gap) + (1.0 - known) * math.log1p(UNKNOWN_GAP_DAYS)
    return math.log1p(gap) if known else math.log1p(UNKNOWN_GAP_DAYS)


@dataclass
class DecisionModel:
    """Logistic model over the pair features: P(article belongs to story).

    Within a language the lexical and entity evidence is strong; across languages
    the dense similarity carries the decision. Interaction terms with ``same_lang``
    let one model weigh both cases.
    """

    bias: float
    weights: dict[str, float]
    threshold: float = 0.5
    # Average pair probability above which the regroup pass keeps articles together
    # (see regroup.py); None: this model does not regroup.
    regroup_threshold: float | None = None
    # How the regroup joins groups of articles: "average" (mean over all pairs) or
    # "weighted" (each half of a merged group counts the same); fitted with the threshold.
    regroup_linkage: str = "average"
    # Cohesion ratio under which the regroup cuts a group in two (regroup.split_incohesive),
    # read on the pair probabilities raised to regroup.CUT_POWER; None: no cut. Fitted
    # with the linkage.
    regroup_split: float | None = None
    # Days with no dated article between two runs of dated articles above which the
    # regroup parts them as two events (regroup.split_by_time); None: the clustering
    # window. Fitted with the regroup, on the streams that carry dates.
    regroup_run_gap: float | None = None
    # The regroup's own pair model (same features, weights fitted on article pairs by
    # learn.training.pair_decision_rows); None: the regroup scores pairs with this model.
    pair_bias: float | None = None
    pair_weights: dict[str, float] | None = None

    def vector(self, features: dict[str, float]) -> dict[str, float]:
        same = features["same_lang"]
        return {
            "dense": features["dense"],
            "lexical": features["lexical"] * same,
            "entity": features["entity"],
            "entity_x_lang": features["entity"] * same,
            "numbers": features["numbers"],
            "rare_entity": features.get("rare_entity", 0.0),
            "log_size": features.get("log_size", 0.0),
            "log_gap": _log_gap(features["gap_days"], features.get("gap_known", 1.0)),
            "same_lang": same,
            "dense_x_cross": features["dense"] * (1.0 - same),
            "clash": features.get("clash", 0.0),
        }

    def logit(self, features: dict) -> float | np.ndarray:
        """The model's log-odds; works on scalars and, elementwise, on arrays of features."""
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in self.vector(features).items())

    def pair_model(self) -> "DecisionModel":
        """The model the regroup scores article pairs with."""
        if self.pair_weights is None:
            return self
        return DecisionModel(bias=self.pair_bias or 0.0, weights=self.pair_weights)

    def probability(self, features: dict[str, float]) -> float:
        z = self.logit(features)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def save(self, path: str | Path) -> None:
        data = asdict(self)
        if data["regroup_threshold"] is None:
            del data["regroup_threshold"], data["regroup_linkage"], data["regroup_split"]
        elif data["regroup_split"] is None:
            del data["regroup_split"]
        if data["regroup_run_gap"] is None:
            del data["regroup_run_gap"]
        if data["pair_weights"] is None:
            del data["pair_bias"], data["pair_weights"]
        Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "DecisionModel":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(bias=data["bias"], weights=data["weights"], threshold=data.get("threshold", 0.5),
                   regroup_threshold=data.get("regroup_threshold"),
                   regroup_linkage=data.get("regroup_linkage", "average"),
                   regroup_split=data.get("regroup_split"), regroup_run_gap=data.get("regroup_run_gap"),
                   pair_bias=data.get("pair_bias"), pair_weights=data.get("pair_weights"))


DEFAULT_MODEL_PATH = Path(__file__).with_name("decision_model.json")
# Story-vs-story: a model of its own, since a story seen as one long article has
# flatter profiles than an article and the join model is miscalibrated on it.
DEFAULT_MERGE_MODEL_PATH = Path(__file__).with_name("merge_model.json")


def default_decision_model() -> DecisionModel:
    return DecisionModel.load(DEFAULT_MODEL_PATH)


def default_merge_model() -> DecisionModel:
    return DecisionModel.load(DEFAULT_MERGE_MODEL_PATH)


# Join and merge decisions for short texts (headlines, title-only items), fitted on headlines.
DEFAULT_SHORT_MODEL_PATH = Path(__file__).with_name("short_decision_model.json")
DEFAULT_SHORT_MERGE_MODEL_PATH = Path(__file__).with_name("short_merge_model.json")


def default_short_decision_model() -> DecisionModel | None:
    """The shipped short-text join decision, or None when there is none."""
    return DecisionModel.load(DEFAULT_SHORT_MODEL_PATH) if DEFAULT_SHORT_MODEL_PATH.exists() else None


def default_short_merge_model() -> DecisionModel | None:
    """The shipped short-text merge decision, or None when there is none."""
    return DecisionModel.load(DEFAULT_SHORT_MERGE_MODEL_PATH) if DEFAULT_SHORT_MERGE_MODEL_PATH.exists() else None


def interaction_matrix(model: DecisionModel, rows: list[dict[str, float]]) -> np.ndarray:
    """Feature rows as the model sees them, for fitting."""
    names = sorted(model.vector(rows[0]).keys()) if rows else []
    return np.array([[model.vector(r)[n] for n in names] for r in rows], dtype=np.float64), names
