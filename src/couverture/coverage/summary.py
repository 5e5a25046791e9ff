"""A short extractive summary: the story's most central sentences, each citing its sources.

A fact's weight is how many sources (families) carry it, how close it is to
everything else the story's articles say (its centrality, as in LexRank), and how
early it comes in its articles (news writing puts what matters first). The summary
takes the best facts, one sentence each, and skips a sentence too close to one
already taken. When some source writes in the reader's language, every sentence is
in that language: a fact that only other languages tell is left to the facts
sections, where it is marked with its language.
"""
from __future__ import annotations

import numpy as np

from .align import Alignment
from .facts import fact_families, representative

MIN_SENTENCES = 3
MAX_SENTENCES = 5
NEAR_DUPLICATE = 0.7
MIN_WORDS = 6
MAX_WORDS = 60


def summarize(alignment: Alignment, family_of: dict[str, str], preferred_lang: str | None = None,
              order: dict[str, int] | None = None, size: int = MAX_SENTENCES) -> list[dict]:
    order = order or {}
    statements = alignment.statements
    if not statements:
        return []
    total = max(1, len(set(family_of.values())))
    families = fact_families(alignment, family_of)
    article_of = np.array([s.article for s in statements])
    # Centrality: mean similarity to the 3 closest statements of other articles.
    masked = np.where(article_of[:, None] != article_of[None, :], alignment.dense, -np.inf)
    top = -np.sort(-masked, axis=1)[:, :3]
    valid = np.isfinite(top)
    centrality = np.where(valid, top, 0.0).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)
    in_reader_language = bool(preferred_lang) and any(s.lang == preferred_lang for s in statements)
    scored = []
    for gid, group in enumerate(alignment.groups):
        usable = [u for u in group if MIN_WORDS <= statements[u].words <= MAX_WORDS and not statements[u].text.endswith("?")
                  and (not in_reader_language or statements[u].lang == preferred_lang)]
        if not usable:
            continue
        support = len(families[gid]) / total
        lead = max(1.0 / (1 + statements[u].index) for u in group)
        central = max(float(centrality[u]) for u in group)
        score = support + 0.5 * central + 0.3 * lead
        scored.append((score, gid, usable))
    scored.sort(key=lambda item: -item[0])
    chosen: list[tuple[float, int, int]] = []
    for score, gid, usable in scored:
        u = representative(alignment, usable, preferred_lang, order)
        if any(alignment.vectors[u] @ alignment.vectors[v] >= NEAR_DUPLICATE for _, _, v in chosen):
            continue
        chosen.append((score, gid, u))
        if len(chosen) >= size:
            break
    if preferred_lang:
        chosen.sort(key=lambda item: statements[item[2]].lang != preferred_lang)  # stable: best first within each
    out = []
    for score, gid, u in chosen:
        s = statements[u]
        cites = list(dict.fromkeys(sorted((statements[v].article_id for v in alignment.groups[gid]),
                                          key=lambda a: order.get(a, 0))))
        out.append({"text": s.text, "lang": s.lang, "article_id": s.article_id, "sentence": s.index,
                    "article_ids": cites, "fact": f"f{gid + 1}", "score": round(score, 3)})
    return out
