"""Article -> Features: sentences, lemmas, entities, numbers, dates, embedding."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..models import Article, Features
from .embed import Embedder, default_embedder
from .entities import extract_entities
from .numbers import extract_dates, extract_numbers, extract_scores
from .sentences import split_sentences
from .tokens import content_lemmas
from .when import time_clues

# The embedding reads the title and the lead: where a news story says what happened.
# Longer inputs cost time linearly and add background, not identity.
DEFAULT_LEAD_CHARS = 700


def embedding_text(article: Article, lead_chars: int = DEFAULT_LEAD_CHARS) -> str:
    lead = article.text[:lead_chars]
    return f"{article.title}\n{lead}" if article.title and not article.text.startswith(article.title) else lead


class Analyzer:
    def __init__(self, embedder: Embedder | None = None, lead_chars: int = DEFAULT_LEAD_CHARS):
        self.embedder = embedder or default_embedder()
        self.lead_chars = lead_chars

    def analyze(self, article: Article) -> Features:
        return self.analyze_many([article])[0]

    def embedding_text(self, article: Article) -> str:
        return embedding_text(article, self.lead_chars)

    def analyze_many(self, articles: Sequence[Article], vectors: np.ndarray | None = None) -> list[Features]:
        """Analyze a batch; embeddings are computed in one call, which is much faster.

        ``vectors`` are the articles' embeddings when they were computed elsewhere.
        """
        if vectors is None:
            vectors = self.embedder.embed([self.embedding_text(a) for a in articles])
        out = self.analyze_text(articles)
        for features, vector in zip(out, vectors):
            features.embedding = vector
        return out

    def analyze_text(self, articles: Sequence[Article]) -> list[Features]:
        """Everything but the embedding (left ``None`` for the caller to set)."""
        out = []
        for article in articles:
            full = f"{article.title}.\n{article.text}" if article.title else article.text
            sentences = split_sentences(article.text)
            title_entities = extract_entities([article.title], article.lang) if article.title else []
            for entity in title_entities:
                entity.sentence = -1  # -1: the title
            out.append(
                Features(
                    sentences=sentences,
                    lemmas=content_lemmas(full, article.lang),
                    entities=title_entities + extract_entities(sentences, article.lang),
                    numbers=extract_numbers(article.text) + extract_scores(f"{article.title}\n{article.text}"),
                    dates=extract_dates(full),
                    embedding=None,
                    time_clues=time_clues(article.title, article.text, article.lang),
                )
            )
        return out
