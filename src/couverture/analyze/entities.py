"""Named-entity spans from capitalisation, without a trained model.

News prose capitalises names in every language we read (and German capitalises
all nouns, which the document-level check below keeps in bounds). A span is a run
of capitalised words, possibly joined by name particles ("Corée du Nord", "Bank of
England"). A capitalised first word of a sentence only counts when the same word is
capitalised mid-sentence elsewhere in the article, or starts a multi-word name.
"""
from __future__ import annotations

import re

from ..models import Entity
from .aliases import ALIASES
from .scripts import latin
from .stopwords import ALL_STOPWORDS, stopwords_for
from .tokens import ELISION, strip_accents

_WORD = re.compile(r"[\w][\w'’‑-]*")
_PARTICLES = frozenset("de du des of the von van der den di del della dello da la le el al bin ibn y e".split())


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def fold_name(text: str) -> str:
    """Accent-free lowercase words; elided one-letter articles ("d'État") dropped."""
    folded = strip_accents(text).lower().replace("’", " ").replace("'", " ").replace("‑", "-")
    folded = re.sub(r"[^\w-]+", " ", folded)
    return " ".join(w for w in folded.split() if len(w) > 1 or w.isdigit())


def entity_key(text: str) -> str:
    """Accent-free lowercase key in Latin letters, with cross-language aliases applied
    ("Poutine" -> "putin", "Путин" -> "putin", "Милтон" -> "milton")."""
    folded = fold_name(text)
    if not folded.isascii():
        # Cyrillic, Greek, Armenian...: the transliteration meets the Latin spelling
        # of most names ("Милтон", "Флорида"); name_skeleton catches the rest.
        folded = fold_name(latin(folded))
    if folded in ALIASES:
        return ALIASES[folded]
    spaced = folded.replace("-", " ")
    if spaced in ALIASES:
        return ALIASES[spaced]
    words = [ALIASES.get(w, w) for w in spaced.split()]
    return " ".join(words)


def extract_entities(sentences: list[str], lang: str) -> list[Entity]:
    tokenised: list[list[str]] = []
    breaks: list[set[int]] = []  # positions preceded by punctuation: a span never crosses them
    mid_sentence_caps: set[str] = set()
    for sentence in sentences:
        words: list[str] = []
        broken: set[int] = set()
        last_end = 0
        for match in _WORD.finditer(sentence):
            word = match.group()
            if "'" in word or "’" in word:  # only then can an elided article be glued to it
                word = ELISION.sub("", word)
            word = word.strip("-'’")
            if not word:
                continue
            if sentence[last_end : match.start()].strip():
                broken.add(len(words))
            last_end = match.end()
            words.append(word)
        tokenised.append(words)
        breaks.append(broken)
        for position, word in enumerate(words):
            if position > 0 and _is_capitalised(word):
                mid_sentence_caps.add(word)

    stop = stopwords_for(lang) | ALL_STOPWORDS
    german = lang == "de"
    entities: list[Entity] = []
    for index, words in enumerate(tokenised):
        broken = breaks[index]
        position = 0
        while position < len(words):
            word = words[position]
            if not _is_capitalised(word) or word.isdigit():
                position += 1
                continue
            span = [word]
            end = position + 1
            while end < len(words) and end not in broken:
                nxt = words[end]
                if _is_capitalised(nxt) and not nxt.isdigit():
                    span.append(nxt)
                    end += 1
                elif (
                    nxt.lower() in _PARTICLES
                    and end + 1 < len(words)
                    and end + 1 not in broken
                    and _is_capitalised(words[end + 1])
                ):
                    span.extend([nxt, words[end + 1]])
                    end += 2
                else:
                    break
            if position == 0 and word not in mid_sentence_caps:
                # A capitalised first word is only a name if it recurs capitalised mid-sentence.
                span = span[1:]
            # Trim stopwords that got capitalised at a sentence start ("Le", "The", "Die").
            while span and span[0].lower() in stop:
                span = span[1:]
            while span and span[-1].lower() in stop:
                span = span[:-1]
            # German nouns are all capitalised: a lone word counts only if it is rare
            # enough to recur capitalised and is not a plain lowercase-able noun.
            if span and not (german and len(span) == 1 and not _looks_like_name(span[0])):
                text = " ".join(span)
                if len(text) > 1:
                    entities.append(Entity(text=text, key=entity_key(text), sentence=index))
            position = end
    return entities


def _looks_like_name(word: str) -> bool:
    # Acronyms and words with inner capitals or hyphens look like names in German too.
    return word.isupper() or any(ch.isupper() for ch in word[1:]) or "-" in word or strip_accents(word).lower() in ALIASES
