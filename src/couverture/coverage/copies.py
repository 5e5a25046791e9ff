"""Copies and translations: which articles repeat another one.

- A *copy* (syndicated wire, republished text) is in the same language and shares
  most of its word 5-grams with the other article, whatever was added or dropped
  around them (a new headline, a sentence, a credit line).
- A *translation* is in another language and says the same sentences in the same
  order: most of the shorter article's sentences have a close counterpart in the other
  with a high similarity, and the pairs keep their order.

The original is the earlier article (publication time, else the order the store
gives); the credits of both are kept as provenance.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from .align import Alignment

SHINGLE = 5
COPY_CONTAINMENT = 0.5  # share of the smaller article's 5-grams found in the other
TRANSLATION_SIMILARITY = 0.6  # a sentence this close to one of the other article is "the same sentence"
TRANSLATION_MEAN = 0.6  # mean closest similarity of the shorter article's sentences
TRANSLATION_COVERAGE = 0.6  # share of the shorter article's sentences that have such a counterpart
TRANSLATION_ORDER = 0.8  # share of those counterparts in the same order (longest non-decreasing run)
MIN_SENTENCES = 3


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    return re.findall(r"\w+", text)


def shingles(text: str, size: int = SHINGLE) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + size]) for i in range(max(0, len(words) - size + 1))}


def containment(a: set, b: set) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _longest_non_decreasing(values: list[int]) -> int:
    tails: list[int] = []
    for value in values:
        lo, hi = 0, len(tails)
        while lo < hi:
            mid = (lo + hi) // 2
            if tails[mid] <= value:
                lo = mid + 1
            else:
                hi = mid
        if lo == len(tails):
            tails.append(value)
        else:
            tails[lo] = value
    return len(tails)


def translation_score(alignment: Alignment, a: int, b: int) -> tuple[float, float, float]:
    """(mean similarity, coverage, order) of the shorter article's sentences against the other's.

    Each sentence of the shorter article is paired with its closest sentence in the
    other (a translator may split or join sentences, so pairs need not be one to one).
    """
    left = [s.uid for s in alignment.statements if s.article == a]
    right = [s.uid for s in alignment.statements if s.article == b]
    if len(left) > len(right):
        left, right = right, left
    if len(left) < MIN_SENTENCES:
        return 0.0, 0.0, 0.0
    similarity = alignment.vectors[left] @ alignment.vectors[right].T
    best = similarity.max(axis=1)
    closest = similarity.argmax(axis=1)
    kept = [int(j) for j, value in zip(closest, best) if value >= TRANSLATION_SIMILARITY]
    if not kept:
        return float(best.mean()), 0.0, 0.0
    coverage = len(kept) / len(left)
    order = _longest_non_decreasing(kept) / len(kept)
    return float(best.mean()), coverage, order


def _earlier(first, second) -> bool:
    """True when ``first`` came out before ``second`` (publication time, else store order)."""
    if first.published and second.published and first.published != second.published:
        return first.published < second.published
    return True


def find_copies(articles: Sequence, alignment: Alignment | None = None, positions: dict[str, int] | None = None) -> list[dict]:
    """Copies and translations among ``articles`` (in store order), each linked to its original."""
    out: list[dict] = []
    taken: set[str] = set()  # an article is the copy of one original only
    grams = [shingles(f"{a.text}") for a in articles]
    for i, first in enumerate(articles):
        for j in range(i + 1, len(articles)):
            second = articles[j]
            original, copy = (first, second) if _earlier(first, second) else (second, first)
            if copy.id in taken:
                continue
            if first.lang == second.lang:
                share = containment(grams[i], grams[j])
                if share >= COPY_CONTAINMENT:
                    taken.add(copy.id)
                    out.append({"kind": "copy", "article_id": copy.id, "original_id": original.id,
                                "similarity": round(share, 3), "agencies": sorted(set(original.agencies) | set(copy.agencies))})
            elif alignment is not None and positions is not None and first.id in positions and second.id in positions:
                mean, coverage, order = translation_score(alignment, positions[first.id], positions[second.id])
                if mean >= TRANSLATION_MEAN and coverage >= TRANSLATION_COVERAGE and order >= TRANSLATION_ORDER:
                    taken.add(copy.id)
                    out.append({"kind": "translation", "article_id": copy.id, "original_id": original.id,
                                "similarity": round(mean, 3), "languages": [original.lang, copy.lang],
                                "agencies": sorted(set(original.agencies) | set(copy.agencies))})
    return out


def families(article_ids: Sequence[str], copies: Sequence[dict]) -> dict[str, str]:
    """Article id -> the id of the original it repeats (itself when it is one)."""
    root = {aid: aid for aid in article_ids}

    def find(x: str) -> str:
        while root[x] != x:
            x = root[x]
        return x

    for link in copies:
        if link["article_id"] in root and link["original_id"] in root:
            a, b = find(link["article_id"]), find(link["original_id"])
            if a != b:
                root[a] = b
    return {aid: find(aid) for aid in article_ids}
