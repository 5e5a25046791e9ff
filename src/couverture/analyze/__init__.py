"""Analyze: sentences, lemmas, entities, numbers, dates and a dense embedding."""
from .embed import Embedder, USEEmbedder, default_embedder
from .entities import entity_key, extract_entities
from .features import Analyzer, embedding_text
from .numbers import extract_dates, extract_numbers
from .sentences import split_sentences
from .tokens import content_lemmas, lemma, tokenize

__all__ = [
    "Analyzer", "Embedder", "USEEmbedder", "content_lemmas", "default_embedder", "embedding_text",
    "entity_key", "extract_dates", "extract_entities", "extract_numbers", "lemma", "split_sentences", "tokenize",
]
