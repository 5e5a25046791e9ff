"""Tokens and lemmas (simplemma), shared by the lexical and entity features."""
from __future__ import annotations

import re
from functools import lru_cache

import simplemma

from ..extract.boilerplate import strip_accents  # noqa: F401  (re-exported: entities use it)
from .stopwords import stopwords_for

# Words, keeping inner hyphens and apostrophes ("Jong-un", "aujourd'hui").
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
# French and Italian elisions glued to the next word: l'Ukraine, dell'Onu, d'armes.
ELISION = re.compile(r"^(?:[ldjmntsc]|qu|jusqu|lorsqu|puisqu|dell|all|dall|nell|sull|coll|un|quest|quell)['’]", re.I)

_LEMMA_LANGS = frozenset({"en", "fr", "it", "de", "es", "pt", "nl", "pl", "tr", "ru", "sv", "da", "fi", "el", "cs", "ro", "hu"})


def tokenize(text: str) -> list[str]:
    """Word tokens with elided articles removed ("l’Ukraine" -> "Ukraine")."""
    out = []
    for token in TOKEN.findall(text):
        if "'" in token or "’" in token:  # an elision needs an apostrophe: skip the regex otherwise
            token = ELISION.sub("", token)
        if token:
            out.append(token)
    return out


@lru_cache(maxsize=200_000)
def lemma(token: str, lang: str) -> str:
    lowered = token.lower()
    if lang not in _LEMMA_LANGS:
        return lowered
    try:
        # low_memory: simplemma reads its compressed word lists in place instead of
        # building a dict per language (same lemmas; ~1 GB less for ten languages).
        return simplemma.lemmatize(lowered, lang=lang, low_memory=True).lower()
    except (ValueError, KeyError):
        return lowered


def content_lemmas(text: str, lang: str) -> list[str]:
    """Lemmas of the content words of ``text``: no stopwords, no one-letter tokens."""
    stop = stopwords_for(lang)
    out = []
    for token in tokenize(text):
        lowered = token.lower()
        if len(lowered) < 2 or lowered in stop or lowered.isdigit():
            continue
        lem = lemma(lowered, lang)  # the lowered form: "The" and "the" share one cache entry
        if lem not in stop:
            out.append(lem)
    return out
