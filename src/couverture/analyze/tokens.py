"""Tokens and lemmas (simplemma), shared by the lexical and entity features."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma

from .stopwords import stopwords_for

# Words, keeping inner hyphens and apostrophes ("Jong-un", "aujourd'hui").
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
# French and Italian elisions glued to the next word: l'Ukraine, dell'Onu, d'armes.
ELISION = re.compile(r"^(?:[ldjmntsc]|qu|jusqu|lorsqu|puisqu|dell|all|dall|nell|sull|coll|un|quest|quell)['’]", re.I)

_LEMMA_LANGS = frozenset({"en", "fr", "it", "de", "es", "pt", "nl", "pl", "tr", "ru", "sv", "da", "fi", "el", "cs", "ro", "hu"})


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Word tokens with elided articles removed ("l’Ukraine" -> "Ukraine")."""
    out = []
    for match in TOKEN.finditer(text):
        token = ELISION.sub("", match.group())
        if token:
            out.append(token)
    return out


@lru_cache(maxsize=200_000)
def lemma(token: str, lang: str) -> str:
    lowered = token.lower()
    if lang not in _LEMMA_LANGS:
        return lowered
    try:
        return simplemma.lemmatize(lowered, lang=lang).lower()
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
        lem = lemma(token, lang)
        if lem not in stop:
            out.append(lem)
    return out
