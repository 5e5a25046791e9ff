"""Sources: who published each article, when, in which language, under whose byline and credit."""
from __future__ import annotations

UNKNOWN_OUTLET = "outlet unknown"


def outlet_of(article) -> str | None:
    """The outlet's name: a stored article's is its row in ``outlets`` (store/outlets.py);
    else the name its input gave, else its domain; None when unknown. Never an agency
    credited by a text published elsewhere: agencies are credits (``article.agencies``)."""
    return article.outlet or getattr(article, "domain", None) or None


def label_of(article) -> str:
    """The outlet's name, or "outlet unknown" (as the web page says it)."""
    return outlet_of(article) or UNKNOWN_OUTLET


def _estimated(article) -> dict | None:
    """An undated article's estimated date (earliest, latest, how it was estimated)."""
    estimate = getattr(article, "estimate", None)
    return estimate.to_json() if estimate is not None and article.published is None else None


def estimate_label(estimated: dict | None) -> str | None:
    """"est. 2024-10" for a month, "est. 2024-10-09" for a day; None without an estimate."""
    if not estimated:
        return None
    earliest, latest = estimated["earliest"][:10], estimated["latest"][:10]
    if earliest == latest:
        return f"est. {earliest}"
    if earliest[:7] == latest[:7]:
        return f"est. {earliest[:7]}"
    return f"est. {earliest}..{latest}"


def source_entry(article, copy_link: dict | None = None) -> dict:
    return {
        "article_id": article.id,
        "title": article.title,
        "outlet": outlet_of(article),
        "domain": getattr(article, "domain", None),
        "label": label_of(article),
        "url": article.url,
        "lang": article.lang,
        "published": article.published.isoformat() if article.published else None,
        "estimated": _estimated(article),
        "byline": article.byline,
        "agencies": list(article.agencies or []),
        "origin": article.origin,
        "copy_of": copy_link["original_id"] if copy_link and copy_link["kind"] == "copy" else None,
        "translation_of": copy_link["original_id"] if copy_link and copy_link["kind"] == "translation" else None,
    }
