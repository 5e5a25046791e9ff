"""Sentence splitting for news prose, without a model.

Splits after . ! ? … (and a closing quote or bracket that follows them) when the
next word starts a sentence; paragraphs always end a sentence. Abbreviations and
initials ("M.", "Dr.", "J. Biden", "U.S.") do not end one.
"""
from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st jr sr gen col lt sgt rep sen gov pres no nr vol art p pp fig ca approx etc vs e.g
    i.e m mm mme mlle me dr pr av bd cf hr fr frau sig sigg dott ing avv on sra sr sres dña dª núm pág
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
_QUOTE_CLOSERS = "\"'”’»)]›"
_OPENERS = "\"'“‘«([‹¿¡„"

_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_QUOTE_CLOSERS) + r"]*)(\s+)(?=[" + re.escape(_OPENERS) + r"]*[^\s\w]*[\w])")


_PARAGRAPH = re.compile(r"\n\s*\n|\n")
_LAST_WORD = re.compile(r"(\w+(?:\.\w+)*)\.$")
_WORD_OR_DOT = re.compile(r"[\w.]")
_INITIALISM = re.compile(r"(?:\w\.)+\w")  # "U.S", "e.g"
_TAIL = 80  # characters: the last word of a sentence is looked for here first


def _ends_with_abbreviation(text: str) -> bool:
    # An end-anchored search still tries every start position, which is quadratic
    # over a long paragraph; the tail holds the answer unless the word fills it.
    match = _LAST_WORD.search(text, max(0, len(text) - _TAIL))
    if match and match.start() > 0 and _WORD_OR_DOT.match(text, match.start() - 1):
        match = _LAST_WORD.search(text)  # the word may begin before the tail
    if not match:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():  # an initial: "J. Biden"
        return True
    return word.lower() in _ABBREVIATIONS or bool(_INITIALISM.fullmatch(word))


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            end = match.end(2)
            candidate = paragraph[start:end].strip()
            nxt = paragraph[match.end(3) : match.end(3) + 1]
            if match.group(1) == "." and _ends_with_abbreviation(paragraph[start : match.end(1)]):
                continue
            if nxt.islower():  # "... a déclaré M. le ministre" or a stray full stop mid-sentence
                continue
            if candidate:
                sentences.append(candidate)
            start = match.end(3)
        tail = paragraph[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences
