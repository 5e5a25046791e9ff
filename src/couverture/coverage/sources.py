"""Sources: who published each article, when, in which language, under whose byline and credit."""
from __future__ import annotations

from pathlib import PurePath
from urllib.parse import urlparse


def outlet_of(article) -> str | None:
    """The outlet from the article's metadata, else from its URL's host ("www.lemonde.fr" -> "lemonde.fr")."""
    if article.outlet:
        return article.outlet
    if article.url:
        host = urlparse(article.url).hostname or ""
        host = host[4:] if host.startswith("www.") else host
        return host or None
    return None


def label_of(article) -> str:
    """A name to show for the source even when the outlet is unknown: the agency credit, else the file name."""
    outlet = outlet_of(article)
    if outlet:
        return outlet
    if article.agencies:
        return "/".join(article.agencies)
    return PurePath(article.origin.split(":")[0]).name if article.origin else article.id


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
