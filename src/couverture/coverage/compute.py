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
from .reader import language_label, majority_language
from .sources import source_entry
from .summary import summarize
from .timeline import timeline
from .view import StoryView

MAX_ALIGNED_ARTICLES = 60  # a larger story aligns its 30 earliest and 30 latest articles (a page must stay fast)


def compute_story_view(articles, story_id: str, headline: str | None = None, embedder=None,
                       preferred_lang: str | None = None) -> StoryView:
    """The coverage of ``articles`` (stored articles, in store order) with any ``Embedder``,
    written for a reader of ``preferred_lang`` (a checked code; None: the sources' majority)."""
    articles = list(articles)
    preferred_lang = preferred_lang or majority_language([a.lang for a in articles])
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
    unique = _without_shared_quotes(unique, quotes, family_of)

    entity_keys: dict[str, set[str]] = {}
    for article in articles:
        fam = family_of.get(article.id, article.id)
        entity_keys.setdefault(fam, set()).update(k for _, k, _ in (article.features or {}).get("entities", []))
    years = {a.published.year for a in articles if a.published}
    divergences = find_divergences(alignment, aligned, family_of, entity_keys, years) + speaker_divergences

    headline_text, headline_lang = _headline(articles, headline, preferred_lang, summary, order)
    in_reader_language = any(a.lang == preferred_lang for a in articles)
    return StoryView(  # each section read strictly into its records (coverage.sections)
        id=story_id,
        headline=headline_text,
        lang=preferred_lang,
        headline_lang=headline_lang,
        note=None if in_reader_language or not preferred_lang else (
            f"No source is in {language_label(preferred_lang)} ({preferred_lang}): items are shown in the "
            f"sources' languages, each marked with its own."),
        sources=[source_entry(a, link_of.get(a.id)) for a in articles],
        timeline=timeline(articles, shared, order),
        summary=summary,
        quotes=quotes,
        shared_facts=shared,
        unique_facts=unique,
        divergences=divergences,
        copies=copies,
    )


def _headline(articles, stored: str | None, lang: str | None, summary: list[dict], order: dict[str, int]):
    """(headline, its language). The story's own headline stays unless it is the title of
    a source in another language than the reader's and some source writes in the reader's:
    then the title of the reader-language source the summary cites most (the earliest on a
    tie). A headline that is no source's title (set by hand) is kept, its language unknown."""
    if stored is None:
        stored = articles[0].title if articles else ""
    owner = next((a for a in articles if a.title == stored), None)
    own = [a for a in articles if a.lang == lang and (a.title or "").strip()]
    if owner is None or owner.lang == lang or not own:
        return stored, owner.lang if owner is not None else None
    cited: dict[str, int] = {}
    for item in summary:
        for article_id in item["article_ids"]:
            cited[article_id] = cited.get(article_id, 0) + 1
    best = max(own, key=lambda a: (cited.get(a.id, 0), -order.get(a.id, 0)))
    return best.title, best.lang


def _without_shared_quotes(unique: list[dict], quotes: list[dict], family_of: dict[str, str]) -> list[dict]:
    """A sentence is not "only in one source" when the quote it carries is told by other
    sources too, in other words or languages (« une très grosse erreur », "un error muy
    grande", „sehr großer Fehler“): sentence alignment can miss it, quote grouping not."""
    def flat(text: str) -> str:
        return " ".join(text.split())

    shared: dict[str, list[str]] = {}
    for quote in quotes:
        if len({family_of.get(a, a) for a in quote["article_ids"]}) >= 2:
            for version in quote["versions"]:
                shared.setdefault(version["article_id"], []).append(flat(version["text"]))
    for entry in unique:
        entry["facts"] = [fact for fact in entry["facts"] if fact["details"] or not any(
            text and text in flat(fact["text"]) for text in shared.get(fact["article_id"], []))]
    return unique
