"""The story page's coverage sections, read from the coverage stage's ``StoryView``.

``couverture.coverage`` builds a story's view (summary with citations, quotes,
shared and unique facts, divergences, copies and translations); this module reads
it through the typed records of ``coverage.sections``, strictly, and turns it into
the shapes the templates draw (one heading per speaker, one list of facts per
source). A key the records do not declare is an error, so a renamed key fails a test
instead of making a section vanish. A failure inside the coverage stage is logged and
the page is served without those sections rather than failing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..coverage import sections as typed

log = logging.getLogger(__name__)


@dataclass
class Cited:
    text: str
    article_ids: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # e.g. what only this source says
    kind: str | None = None  # for quotes: "direct" or "reported"
    lang: str | None = None


@dataclass
class SpeakerQuotes:
    speaker: str
    quotes: list[Cited]
    role: str | None = None


@dataclass
class Divergence:
    text: str
    variants: list[Cited] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


@dataclass
class CopyLink:
    article_id: str
    original_id: str | None
    kind: str  # "copy", "translation", ...
    score: float | None = None


@dataclass
class CoverageSections:
    summary: list[Cited] = field(default_factory=list)
    quotes: list[SpeakerQuotes] = field(default_factory=list)
    shared_facts: list[Cited] = field(default_factory=list)
    unique_facts: list[tuple[str, list[Cited]]] = field(default_factory=list)  # (article id, facts)
    divergences: list[Divergence] = field(default_factory=list)
    copies: list[CopyLink] = field(default_factory=list)
    lang: str | None = None  # the reader's language the view is written for
    headline: str | None = None  # in the reader's language when a source writes in it
    headline_lang: str | None = None
    note: str | None = None  # e.g. that no source is in the reader's language
    raw: object = None  # what the coverage stage returned, for the API

    @property
    def empty(self) -> bool:
        return not any((self.summary, self.quotes, self.shared_facts, self.unique_facts, self.divergences, self.copies))


def build_story_view(store, story_id: str, preferred_lang: str | None = None, accept_language: str | None = None):
    from ..coverage import build_story_view as build

    return build(store, story_id, preferred_lang=preferred_lang, accept_language=accept_language)


def story_coverage(store, story_id: str, lang: str | None = None,
                   accept_language: str | None = None) -> CoverageSections | None:
    """The coverage sections of a story, or None when they could not be computed.

    ``lang`` is the reader's language asked for (checked by the caller); without it the
    coverage stage picks one from ``accept_language`` (the request's header) or the sources.
    """
    try:
        return sections_of(build_story_view(store, story_id, lang, accept_language))
    except Exception:  # the page must not fail because one section could not be computed
        log.exception("coverage of story %s failed; serving the page without it", story_id)
        return None


def sections_of(view) -> CoverageSections:
    """A ``StoryView`` as the templates' shapes, each section read through its record."""
    sections = CoverageSections(raw=view, lang=view.lang, headline=view.headline or None,
                                headline_lang=view.headline_lang, note=view.note)
    sections.summary = [Cited(text=s.text, article_ids=s.article_ids, lang=s.lang)
                        for s in typed.records(typed.SummarySentence, view.summary) if s.text]
    by_speaker: dict[str, SpeakerQuotes] = {}  # one heading per person; the first role given
    for quote in typed.records(typed.Quote, view.quotes):
        speaker = quote.speaker or "Speaker unknown"
        group = by_speaker.setdefault(speaker, SpeakerQuotes(speaker, []))
        group.role = group.role or quote.role
        group.quotes.append(Cited(text=quote.text, article_ids=quote.article_ids, kind=quote.kind, lang=quote.lang))
    sections.quotes = list(by_speaker.values())
    sections.shared_facts = [Cited(text=f.text, article_ids=f.article_ids, lang=f.lang)
                             for f in typed.records(typed.SharedFact, view.shared_facts) if f.text]
    sections.unique_facts = [
        (entry.article_id, [Cited(text=f.text, article_ids=[f.article_id], details=f.details, lang=f.lang)
                            for f in entry.facts])
        for entry in typed.records(typed.SourceFacts, view.unique_facts) if entry.facts]
    for item in typed.records(typed.Divergence, view.divergences):
        label = item.what if not item.kind or item.kind == item.what else f"{item.what} ({item.kind})"
        sections.divergences.append(Divergence(
            text=label, variants=[Cited(text=v.value, article_ids=v.article_ids) for v in item.versions]))
    sections.copies = [CopyLink(article_id=c.article_id, original_id=c.original_id, kind=c.kind, score=c.similarity)
                       for c in typed.records(typed.CopyLink, view.copies)]
    return sections
