"""Tokens and lemmas (simplemma), shared by the lexical and entity features."""
from __future__ import annotations

import re
from functools import lru_cache

from ..extract.boilerplate import strip_accents  # noqa: F401  (re-exported: entities use it)
from .scripts import WORD, arabic_light_stem, has_unspaced, unspaced_terms
from .stopwords import stopwords_for

# Words in any script, with their combining marks, keeping inner hyphens and
# apostrophes ("Jong-un", "aujourd'hui", "राष्ट्रपति").
TOKEN = WORD
# French and Italian elisions glued to the next word: l'Ukraine, dell'Onu, d'armes.
ELISION = re.compile(r"^(?:[ldjmntsc]|qu|jusqu|lorsqu|puisqu|dell|all|dall|nell|sull|coll|un|quest|quell)['’]", re.I)

# The languages simplemma lemmatises (its codes), and ours that it files under another
# code: Croatian, Bosnian and Serbian share its Serbo-Croatian lists.
_LEMMA_LANGS = frozenset({
    "bg", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "ga", "gl", "hbs", "hi", "hu",
    "hy", "id", "is", "it", "ka", "la", "lt", "lv", "mk", "ms", "nb", "nl", "nn", "pl", "pt", "ro", "ru", "sk",
    "sl", "sq", "sv", "sw", "tl", "tr", "uk",
})
_LEMMA_CODE = {"hr": "hbs", "bs": "hbs", "sr": "hbs", "no": "nb"}


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
    if lang == "ar":
        return arabic_light_stem(lowered)
    code = _LEMMA_CODE.get(lang, lang)
    if code not in _LEMMA_LANGS:
        return lowered
    try:
        # simplemma's memory-frugal reader (low_memory: its compressed word lists read in
        # place instead of a dict per language; same lemmas, ~1 GB less for ten
        # languages), with each list's decoded form kept on disk between processes.
        return _lemmatize()(lowered, code).lower()
    except (ValueError, KeyError):
        return lowered


@lru_cache(maxsize=1)
def _lemmatize():
    from .wordlist_cache import make_lemmatize

    return make_lemmatize()


def content_lemmas(text: str, lang: str) -> list[str]:
    """Lemmas of the content words of ``text``: no stopwords, no one-letter tokens
    (one character of a script without spaces is a word), digits left to numbers.py;
    text without spaces between words (Chinese, Japanese, Thai) as character bigrams."""
    stop = stopwords_for(lang)
    out = []
    for token in tokenize(text):
        lowered = token.lower()
        if has_unspaced(lowered):
            out.extend(term for term in unspaced_terms(lowered)
                       if not term.isdigit() and (len(term) > 1 or has_unspaced(term)))
            continue
        if len(lowered) < 2 or lowered in stop or lowered.isdigit():
            continue
        lem = lemma(lowered, lang)  # the lowered form: "The" and "the" share one cache entry
        if lem not in stop:
            out.append(lem)
    return out
