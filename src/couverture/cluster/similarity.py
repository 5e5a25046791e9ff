"""Article-vs-story similarity features and the decision that turns them into a join.

Features (all in [0, 1] except the time gap):
  dense     cosine of the article embedding with the story centroid (cross-lingual)
  lexical   TF-IDF cosine of the article's lemmas with the story's lemma profile
  entity    TF-IDF cosine of entity keys (aliases make it work across languages)
  numbers   share of the article's salient numbers that the story also reports
  gap_days  days between the article and the story's nearest member (0 if unknown)
  same_lang 1 when the story already holds an article in the article's language
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .profile import ArticleProfile, DocumentFrequencies, StoryProfile

FEATURES = ("dense", "lexical", "entity", "numbers", "gap_days", "same_lang")


def _weighted_cosine(article: Counter, story: Counter, story_size: int, idf) -> float:
    if not article or not story:
        return 0.0
    a_weights = {k: (1.0 + math.log(v)) * idf(k) for k, v in article.items()}
    dot = 0.0
    for key, weight in a_weights.items():
        share = story.get(key)
        if share:
            dot += weight * (share / story_size) * idf(key)
    if dot == 0.0:
        return 0.0
    a_norm = math.sqrt(sum(w * w for w in a_weights.values()))
    s_norm = math.sqrt(sum(((v / story_size) * idf(k)) ** 2 for k, v in story.items()))
    return dot / (a_norm * s_norm)


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
    gap = 0.0
    if article.time is not None and story.first is not None:
        if article.time < story.first:
            gap = (story.first - article.time).total_seconds() / 86400
        elif article.time > story.last:
            gap = (article.time - story.last).total_seconds() / 86400
    return {
        "dense": dense,
        "lexical": _weighted_cosine(article.terms, story.term_df, story.size, term_df.idf),
        "entity": _weighted_cosine(article.entities, story.entity_df, story.size, entity_df.idf),
        "numbers": numbers,
        "gap_days": gap,
        "same_lang": 1.0 if story.langs.get(article.lang) else 0.0,
    }


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

    def vector(self, features: dict[str, float]) -> dict[str, float]:
        same = features["same_lang"]
        return {
            "dense": features["dense"],
            "lexical": features["lexical"] * same,
            "entity": features["entity"],
            "entity_x_lang": features["entity"] * same,
            "numbers": features["numbers"],
            "log_gap": math.log1p(features["gap_days"]),
            "same_lang": same,
            "dense_x_cross": features["dense"] * (1.0 - same),
        }

    def probability(self, features: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in self.vector(features).items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "DecisionModel":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(bias=data["bias"], weights=data["weights"], threshold=data.get("threshold", 0.5))


DEFAULT_MODEL_PATH = Path(__file__).with_name("decision_model.json")


def default_decision_model() -> DecisionModel:
    return DecisionModel.load(DEFAULT_MODEL_PATH)


def interaction_matrix(model: DecisionModel, rows: list[dict[str, float]]) -> np.ndarray:
    """Feature rows as the model sees them, for fitting."""
    names = sorted(model.vector(rows[0]).keys()) if rows else []
    return np.array([[model.vector(r)[n] for n in names] for r in rows], dtype=np.float64), names
