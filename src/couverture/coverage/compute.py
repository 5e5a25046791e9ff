"""Computing a story's coverage from its stored articles: the costly part of a ``StoryView``.

Every sentence is embedded by the multilingual encoder and aligned across articles;
``view.build_story_view`` calls this only when no stored view fits the story's
current articles, so the modules below load only then.
"""
from __future__ import annotations

from ..analyze.embed import default_embedder
from ..analyze.entities import extract_entities
from .align import align
from .copies import families, find_copies
from .divergence import find_divergences
from .facts import shared_facts, unique_facts
from .quotes import NameBook, extract_quotes, merge_quotes
from .sources import source_entry
from .summary import summarize
from .timeline import timeline
from .view import StoryView

MAX_ALIGNED_ARTICLES = 60  # a larger story aligns its 30 earliest and 30 latest articles (a page must stay fast)


def compute_story_view(articles, story_id: str, headline: str | None = None, embedder=None,
                       preferred_lang: str | None = None) -> StoryView:
    """The coverage of ``articles`` (stored articles, in store order) with any ``Embedder``."""
    articles = list(articles)
    embedder = embedder or default_embedder()
    order = {a.id: i for i, a in enumerate(articles)}
    aligned = articles
    if len(articles) > MAX_ALIGNED_ARTICLES:
        half = MAX_ALIGNED_ARTICLES // 2
        aligned = articles[:half] + articles[-half:]
    positions = {a.id: i for i, a in enumerate(aligned)}
    alignment = align(aligned, embedder)

    copies = find_copies(aligned, alignment, positions)
    family_of = families([a.id for a in articles], copies)
    link_of = {c["article_id"]: c for c in copies}

    shared = shared_facts(alignment, family_of, preferred_lang, order)
    unique = unique_facts(alignment, aligned, family_of, order)
    summary = summarize(alignment, family_of, preferred_lang, order)

    story_names = NameBook([e[0] for a in articles for e in (a.features or {}).get("entities", [])])
    mentions = []
    for article in articles:
        names = [e[0] for e in (article.features or {}).get("entities", [])]
        if not names:
            names = [e.text for e in extract_entities((article.features or {}).get("sentences", []), article.lang)]
        mentions.extend(extract_quotes(article.text, article.lang, article.id, names, story_names))
    quotes, speaker_divergences = merge_quotes(mentions, embedder, order, preferred_lang)

    entity_keys: dict[str, set[str]] = {}
    for article in articles:
        fam = family_of.get(article.id, article.id)
        entity_keys.setdefault(fam, set()).update(k for _, k, _ in (article.features or {}).get("entities", []))
    years = {a.published.year for a in articles if a.published}
    divergences = find_divergences(alignment, aligned, family_of, entity_keys, years) + speaker_divergences

    return StoryView(
        id=story_id,
        headline=headline if headline is not None else (articles[0].title if articles else ""),
        sources=[source_entry(a, link_of.get(a.id)) for a in articles],
        timeline=timeline(articles, shared, order),
        summary=summary,
        quotes=quotes,
        shared_facts=shared,
        unique_facts=unique,
        divergences=divergences,
        copies=copies,
    )
