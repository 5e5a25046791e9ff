"""Sentences aligned across a story's articles by meaning, whatever their languages.

Every sentence of every article is a *statement*. Two statements of different
articles are compared with the multilingual sentence encoder (the best of the whole
sentence and its clauses, since one long sentence often carries two facts) plus a
lexical bonus for what they share exactly: lemmas and lemma pairs (same language),
entity keys and numbers (any language, see ``analyze.aliases``). For each pair of
articles, statements are matched one to one, best pairs first, above a threshold;
matched statements, and near-identical sentences within one article (a lead repeated
in the body), form a *fact*.

Thresholds were set on the seed pair (a French article and a French machine
translation of an Italian one): true matches there score 0.59-1.0, the closest
wrong ones 0.54. A pair in two languages has its own, lower bar, and matches join
into a fact only while no article tells that fact twice (one sentence per article
per fact, beside its own near-identical repeats): without that rule a chain of
matches ran the arms for Pyongyang, the warning to Seoul and the US embassy's
criticism into one fact (bench/bench_fact_groups.py).
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..analyze.aliases import KNOWN_KEYS
from ..analyze.numbers import extract_numbers
from ..analyze.tokens import content_lemmas

MATCH_THRESHOLD = 0.58  # combined score for two statements to state the same fact
LEXICAL_WEIGHT = 0.5
NEAR_DUPLICATE = 0.8  # dense similarity of two sentences of one article that say the same thing
MIN_WORDS = 4  # shorter lines are intertitles ("Washington est inquiet")
MIN_SEGMENT_WORDS = 6
# The encoder scores a sentence and its translation lower than two wordings in one
# language, and across languages no lemma is shared: a pair in two languages is a match
# from this score. Chosen on 4 of the 7 events of bench/data/fact_groups.jsonl (0.48-0.52
# within 0.005 of F1 there) and checked on the other 3: cross-language pair F1 0.246 ->
# 0.486 with the one-article-per-fact rule below (bench/RESULTS.md).
CROSS_THRESHOLD = 0.50


@dataclass
class Statement:
    uid: int
    article: int  # position of the article in the story's list
    article_id: str
    index: int  # sentence index in the article's stored features
    text: str
    lang: str
    anchors: frozenset = field(default_factory=frozenset)

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class Alignment:
    statements: list[Statement]
    vectors: np.ndarray  # one unit row per statement (whole sentence)
    dense: np.ndarray  # statement x statement, best of sentence and clause similarities
    score: np.ndarray  # dense + lexical bonus
    pairs: list[tuple[int, int, float]]  # one-to-one matches between statements of different articles
    groups: list[list[int]]  # facts: statement uids
    group_of: list[int]

    def by_article(self, article: int) -> list[Statement]:
        return [s for s in self.statements if s.article == article]


def clauses(sentence: str) -> list[str]:
    """A long sentence cut at commas, semicolons, colons, dashes and brackets into clauses of 6+ words."""
    parts = re.split(r"(?<=[,;:])\s+|\s+[–—]\s+|\s*\(\s*|\s*\)\s*", sentence)
    out: list[str] = []
    current = ""
    for part in parts:
        current = f"{current} {part}".strip() if current else part
        if len(current.split()) >= MIN_SEGMENT_WORDS:
            out.append(current)
            current = ""
    if current:
        if out:
            out[-1] = f"{out[-1]} {current}"
        else:
            out.append(current)
    return out if len(out) > 1 else []


def _known_parts(key: str) -> set[str]:
    """The known names inside a longer key: "united states botschaft" (German "US-Botschaft")
    holds "united states", as "Die US-Botschaft" and "la embajada de Estados Unidos" both say."""
    words = key.split()
    if len(words) < 2:
        return set()
    return {" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)
            if " ".join(words[i:i + n]) in KNOWN_KEYS and " ".join(words[i:i + n]) != key}


def anchors(sentence: str, lang: str, entity_keys: Sequence[str]) -> frozenset:
    lemmas = content_lemmas(sentence, lang)
    items = {f"{lang}:{w}" for w in lemmas}
    items |= {f"{lang}:{a}_{b}" for a, b in zip(lemmas, lemmas[1:])}
    items |= {f"E:{k}" for k in entity_keys}
    items |= {f"E:{part}" for k in entity_keys for part in _known_parts(k)}
    items |= {f"N:{n}" for n in extract_numbers(sentence) if len(n) > 1 or n != "1"}
    return frozenset(items)


def statements_of(articles: Sequence) -> list[Statement]:
    """Statements from stored articles (``features["sentences"]`` and ``features["entities"]``)."""
    out: list[Statement] = []
    for position, article in enumerate(articles):
        features = article.features or {}
        keys_by_sentence: dict[int, list[str]] = {}
        for _text, key, sentence in features.get("entities", []):
            keys_by_sentence.setdefault(sentence, []).append(key)
        for index, sentence in enumerate(features.get("sentences", [])):
            if len(sentence.split()) < MIN_WORDS:
                continue
            out.append(Statement(uid=len(out), article=position, article_id=article.id, index=index, text=sentence,
                                 lang=article.lang, anchors=anchors(sentence, article.lang, keys_by_sentence.get(index, []))))
    return out


def _lexical(statements: list[Statement]) -> np.ndarray:
    """IDF-weighted Dice overlap of anchors between every two statements.

    A big story has tens of thousands of distinct anchors, most held by one statement:
    only those shared by two or more add to an overlap, each to the block of its
    holders. Plain numpy on purpose: importing scipy.sparse for this cost 0.2 s of a
    story's first coverage (bench/RESULTS.md, issue 22).
    """
    n = len(statements)
    df = Counter(a for s in statements for a in s.anchors)
    weight = {a: math.log(1 + n / c) for a, c in df.items()}
    totals = np.array([sum(weight[a] for a in s.anchors) for s in statements], dtype=np.float32)
    holders: dict[str, list[int]] = {}
    for s in statements:
        for a in s.anchors:
            if df[a] > 1:
                holders.setdefault(a, []).append(s.uid)
    shared = np.zeros((n, n), dtype=np.float32)  # weight of the anchors u and v both hold
    for a, uids in holders.items():
        block = np.asarray(uids)
        shared[np.ix_(block, block)] += weight[a]
    np.fill_diagonal(shared, totals)  # a statement shares all its anchors with itself
    denominator = totals[:, None] + totals[None, :]
    return np.where(denominator > 0, 2 * shared / np.maximum(denominator, 1e-9), 0.0)


def _dense(statements: list[Statement], embedder) -> tuple[np.ndarray, np.ndarray]:
    texts: list[str] = []
    owner: list[int] = []
    for s in statements:
        texts.append(s.text)
        owner.append(s.uid)
    whole = len(texts)
    for s in statements:
        for clause in clauses(s.text):
            texts.append(clause)
            owner.append(s.uid)
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32) if texts else np.zeros((0, 512), dtype=np.float32)
    sentence_vectors = vectors[:whole]
    similarity = vectors @ vectors.T
    # Best over the clauses of each statement: reduce rows, then columns, by owner.
    order = np.argsort(np.asarray(owner), kind="stable")
    owners_sorted = np.asarray(owner)[order]
    starts = np.flatnonzero(np.r_[True, owners_sorted[1:] != owners_sorted[:-1]])
    reduced = np.maximum.reduceat(similarity[order][:, order], starts, axis=0)
    reduced = np.maximum.reduceat(reduced, starts, axis=1)
    return sentence_vectors, reduced


def align(articles: Sequence, embedder, threshold: float = MATCH_THRESHOLD,
          cross_threshold: float | None = CROSS_THRESHOLD) -> Alignment:
    """Align the sentences of a story's articles; ``embedder`` is any ``Embedder``."""
    articles = list(articles)
    statements = statements_of(articles)
    n = len(statements)
    if n == 0:
        empty = np.zeros((0, 0), dtype=np.float32)
        return Alignment(statements, np.zeros((0, 512), dtype=np.float32), empty, empty, [], [], [])
    vectors, dense = _dense(statements, embedder)
    lexical = _lexical(statements)
    score = dense + LEXICAL_WEIGHT * lexical
    lang_of = np.array([s.lang for s in statements])
    other_language = lang_of[:, None] != lang_of[None, :]
    matching = score  # pairs across languages meet their own bar: raised by the difference
    if cross_threshold is not None and other_language.any():
        matching = np.where(other_language, score + (threshold - cross_threshold), score)
    article_of = np.array([s.article for s in statements])
    same_article = article_of[:, None] == article_of[None, :]

    pairs: list[tuple[int, int, float]] = []
    candidates = np.argwhere((matching >= threshold) & ~same_article)
    by_articles: dict[tuple[int, int], list[tuple[float, int, int]]] = {}
    for u, v in candidates:
        if u < v:
            key = (article_of[u], article_of[v])
            by_articles.setdefault(key, []).append((float(matching[u, v]), int(u), int(v)))
    for key in sorted(by_articles):
        used_u: set[int] = set()
        used_v: set[int] = set()
        for value, u, v in sorted(by_articles[key], reverse=True):
            if u in used_u or v in used_v:
                continue
            used_u.add(u)
            used_v.add(v)
            pairs.append((u, v, value))

    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    # Near-identical sentences of one article (a lead repeated in the body) first; then the
    # matches, best first, each joining two facts only when no article would then tell the
    # fact twice: chained matches (a→b in one pair of articles, b→c in another) otherwise
    # run one fact into the next (bench/bench_fact_groups.py).
    sentence_similarity = vectors @ vectors.T
    for u, v in np.argwhere((sentence_similarity >= NEAR_DUPLICATE) & same_article):
        if u < v:
            union(int(u), int(v))
    articles_in: dict[int, set[int]] = {}
    for uid in range(n):
        articles_in.setdefault(find(uid), set()).add(int(article_of[uid]))
    for u, v, _ in sorted(pairs, key=lambda p: -p[2]):
        ru, rv = find(u), find(v)
        if ru == rv or articles_in[ru] & articles_in[rv]:
            continue
        union(ru, rv)
        articles_in[find(ru)] = articles_in.pop(ru, set()) | articles_in.pop(rv, set())
    members: dict[int, list[int]] = {}
    for uid in range(n):
        members.setdefault(find(uid), []).append(uid)
    groups = sorted(members.values(), key=lambda g: g[0])
    group_of = [0] * n
    for gid, group in enumerate(groups):
        for uid in group:
            group_of[uid] = gid
    return Alignment(statements, vectors, dense, score, pairs, groups, group_of)
