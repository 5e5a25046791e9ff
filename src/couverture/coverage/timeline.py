"""Timeline: the story's articles in publication order, and where each shared fact first appeared."""
from __future__ import annotations

from .sources import label_of


def timeline(articles, shared: list[dict], order: dict[str, int]) -> list[dict]:
    """One entry per article, earliest first (undated ones last, in store order).

    ``first_reports`` lists the shared facts this article is the first to carry; a
    fact's first appearance is its earliest article.
    """
    ranked = sorted(articles, key=lambda a: (a.published is None, a.published or 0, order.get(a.id, 0)))
    rank = {a.id: i for i, a in enumerate(ranked)}
    first: dict[str, list[dict]] = {}
    for fact in shared:
        earliest = min(fact["article_ids"], key=lambda a: rank.get(a, len(rank)))
        first.setdefault(earliest, []).append({"fact": fact["id"], "text": fact["text"]})
    return [
        {
            "article_id": a.id,
            "published": a.published.isoformat() if a.published else None,
            "outlet": label_of(a),
            "lang": a.lang,
            "title": a.title,
            "first_reports": first.get(a.id, []),
        }
        for a in ranked
    ]
