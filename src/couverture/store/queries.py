"""Read-only queries behind the web page, the API and the story list: filtered, paginated, light.

The story page must stay fast on large archives, so these queries read only the
columns a page shows: never the feature JSON or the embedding blobs that
``Store.story_articles`` returns for the clusterer. ``Store.list_stories`` (the
command line's list) is the unfiltered ``list_stories`` here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from ..models import DateEstimate
from .convert import chunks, utc
from .outlets import ARTICLES_WITH_OUTLETS, OUTLET_NAME, list_outlets, outlet_condition
from .rows import StorySummary, estimate_from_json
from .schema import articles, stories
from .search import article_match, article_snippets, query_words, search_articles

MAX_PER_PAGE = 100


@dataclass
class Filters:
    """What a reader narrowed the list to; every field optional."""

    q: str | None = None
    lang: str | None = None
    outlet: str | None = None
    start: date | None = None  # first day included
    end: date | None = None  # last day included
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def article_conditions(self) -> list[ColumnElement[bool]]:
        """Conditions on ``articles`` for language, outlet and dates (not the text query)."""
        conditions = []
        if self.lang:
            conditions.append(articles.c.lang == self.lang)
        if self.outlet:  # a domain or an outlet's name: every domain of that outlet
            conditions.append(outlet_condition(self.outlet))
        if self.start:
            conditions.append(articles.c.published >= _day_start(self.start))
        if self.end:
            conditions.append(articles.c.published < _day_start(self.end + timedelta(days=1)))
        return conditions

    @property
    def active(self) -> bool:
        return any((self.q, self.lang, self.outlet, self.start, self.end))


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass
class ArticleRow:
    """An article as listed on a page: metadata, no text."""

    id: str
    story_id: str
    title: str
    lang: str
    published: datetime | None
    fetched_at: datetime | None
    url: str | None
    outlet: str | None  # the outlet's name as shown (store/outlets.py), None when unknown
    byline: str | None
    agencies: list[str] = field(default_factory=list)
    estimate: DateEstimate | None = None  # only for an undated article: bounds on its date
    domain: str | None = None  # the outlet's domain, None when unknown

    @property
    def when(self) -> datetime | None:
        """When it appeared: published, else when it was collected."""
        return self.published or self.fetched_at

    def to_json(self) -> dict:
        return {
            "id": self.id, "story_id": self.story_id, "title": self.title, "lang": self.lang,
            "published": self.published.isoformat() if self.published else None, "url": self.url,
            "outlet": self.outlet, "domain": self.domain, "byline": self.byline, "agencies": self.agencies,
            "estimated": self.estimate.to_json() if self.estimate else None,
        }


_ROW_COLUMNS = (
    articles.c.id, articles.c.story_id, articles.c.title, articles.c.lang, articles.c.published,
    articles.c.fetched_at, articles.c.url, OUTLET_NAME.label("outlet"), articles.c.domain, articles.c.byline,
    articles.c.agencies,
    # Only the estimate out of the features JSON (json_extract / ->): the rest of it
    # (sentences, lemmas, entities) is far too heavy for a list of sources.
    articles.c.features["estimate"].label("estimate"),
)


_ROWS = select(*_ROW_COLUMNS).select_from(ARTICLES_WITH_OUTLETS)


def _row(r) -> ArticleRow:
    return ArticleRow(
        id=r.id, story_id=r.story_id, title=r.title, lang=r.lang, published=utc(r.published),
        fetched_at=utc(r.fetched_at), url=r.url, outlet=r.outlet, byline=r.byline, agencies=list(r.agencies or []),
        estimate=None if r.published is not None else estimate_from_json({"estimate": r.estimate}), domain=r.domain,
    )


def _day_start(day: date) -> datetime:
    # Stored datetimes are UTC; SQLite compares them as naive.
    return datetime.combine(day, time.min)


_RECENCY = func.coalesce(stories.c.last_published, stories.c.updated_at)


_SUMMARY_COLUMNS = (stories.c.id, stories.c.headline, stories.c.size, stories.c.first_published,
                   stories.c.last_published, stories.c.updated_at)
_LISTED = (stories.c.merged_into.is_(None), stories.c.size > 0)  # not merged away, not emptied


def list_stories(engine: Engine, filters: Filters) -> Page:
    """Stories, most recently active first, with an article matching each filter."""
    with engine.connect() as conn:
        where = list(_LISTED)
        conditions = filters.article_conditions()
        words = query_words(filters.q)
        if words:
            conditions.append(article_match(conn, words))
        if conditions:
            where.append(stories.c.id.in_(select(articles.c.story_id).where(and_(*conditions))))
        total = conn.execute(select(func.count()).select_from(stories).where(*where)).scalar_one()
        rows = conn.execute(
            select(*_SUMMARY_COLUMNS).where(*where).order_by(_RECENCY.desc(), stories.c.id)
            .limit(filters.per_page).offset(filters.offset)
        ).all()
        summaries = _summaries(conn, rows)
    return Page(items=summaries, total=total, page=filters.page, per_page=filters.per_page)


def all_stories(engine: Engine, limit: int | None = None, offset: int = 0) -> list[StorySummary]:
    """Every listed story, most recently active first (``Store.list_stories``)."""
    query = select(*_SUMMARY_COLUMNS).where(*_LISTED).order_by(_RECENCY.desc(), stories.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return _summaries(conn, conn.execute(query).all())


def _summaries(conn, rows) -> list[StorySummary]:
    ids = [r.id for r in rows]
    outlets: dict[str, set] = {i: set() for i in ids}
    langs: dict[str, set] = {i: set() for i in ids}
    for chunk in chunks(ids, 500):
        for sid, outlet, lang in conn.execute(
            select(articles.c.story_id, OUTLET_NAME, articles.c.lang).select_from(ARTICLES_WITH_OUTLETS)
            .where(articles.c.story_id.in_(chunk)).distinct()
        ):
            if outlet:
                outlets[sid].add(outlet)
            langs[sid].add(lang)
    return [
        StorySummary(
            id=r.id, headline=r.headline, size=r.size, first_published=utc(r.first_published),
            last_published=utc(r.last_published), updated_at=utc(r.updated_at),
            outlets=sorted(outlets[r.id]), languages=sorted(langs[r.id]),
        )
        for r in rows
    ]


def story_summary(engine: Engine, story_id: str) -> StorySummary | None:
    with engine.connect() as conn:
        rows = conn.execute(select(*_SUMMARY_COLUMNS).where(stories.c.id == story_id)).all()
        found = _summaries(conn, rows)
    return found[0] if found else None


def story_sources(engine: Engine, story_id: str) -> list[ArticleRow]:
    """A story's articles, oldest first (undated last), without their texts."""
    query = (
        _ROWS.where(articles.c.story_id == story_id)
        .order_by(articles.c.published.is_(None), articles.c.published, articles.c.ingested_at, articles.c.id)
    )
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(query)]


def list_articles(engine: Engine, filters: Filters, story_id: str | None = None) -> Page:
    """Articles, newest first, narrowed by the filters (the text query included)."""
    with engine.connect() as conn:
        conditions = filters.article_conditions()
        words = query_words(filters.q)
        if words:
            conditions.append(article_match(conn, words))
        if story_id:
            conditions.append(articles.c.story_id == story_id)
        where = and_(*conditions) if conditions else None
        count = select(func.count()).select_from(articles)
        query = _ROWS
        if where is not None:
            count, query = count.where(where), query.where(where)
        total = conn.execute(count).scalar_one()
        rows = conn.execute(
            query.order_by(articles.c.published.is_(None), articles.c.published.desc(), articles.c.id)
            .limit(filters.per_page).offset(filters.offset)
        ).all()
    return Page(items=[_row(r) for r in rows], total=total, page=filters.page, per_page=filters.per_page)


@dataclass
class Match:
    article: ArticleRow
    snippet: str  # with search hit marks; render with store.search.snippet_html


def search(engine: Engine, filters: Filters) -> Page:
    """Articles matching the text query, best first, narrowed by the other filters."""
    conditions = filters.article_conditions()
    hits, total = search_articles(
        engine, filters.q or "", limit=filters.per_page, offset=filters.offset,
        where=and_(*conditions) if conditions else None,
    )
    rows = articles_by_id(engine, [h.article_id for h in hits])
    items = [Match(article=rows[h.article_id], snippet=h.snippet) for h in hits if h.article_id in rows]
    return Page(items=items, total=total, page=filters.page, per_page=filters.per_page)


def matches_in_stories(engine: Engine, filters: Filters, story_ids: list[str], per_story: int = 3) -> dict[str, list[Match]]:
    """For a page of search results: the best matching articles of each listed story."""
    if not story_ids or not query_words(filters.q):
        return {}
    conditions = [articles.c.story_id.in_(story_ids), *filters.article_conditions()]
    hits, _ = search_articles(engine, filters.q or "", limit=per_story * len(story_ids) * 4, where=and_(*conditions),
                              snippets=False)
    rows = articles_by_id(engine, [h.article_id for h in hits])
    chosen: dict[str, list[ArticleRow]] = {}
    for hit in hits:
        row = rows.get(hit.article_id)
        if row is not None and len(chosen.setdefault(row.story_id, [])) < per_story:
            chosen[row.story_id].append(row)
    excerpts = article_snippets(engine, filters.q or "", [r.id for group in chosen.values() for r in group])
    return {sid: [Match(article=r, snippet=excerpts.get(r.id, "")) for r in group] for sid, group in chosen.items()}


def articles_by_id(engine: Engine, ids: list[str]) -> dict[str, ArticleRow]:
    if not ids:
        return {}
    with engine.connect() as conn:
        return {r.id: _row(r) for r in conn.execute(_ROWS.where(articles.c.id.in_(ids)))}


@dataclass
class Facets:
    """The values a reader can filter on, with how many articles have each: languages
    ``(code, count)``, outlets ``(value for the filter: a domain or a name, name, count)``,
    each outlet once by its name."""

    languages: list[tuple[str, int]]
    outlets: list[tuple[str, str, int]]


def facets(engine: Engine) -> Facets:
    with engine.connect() as conn:
        langs = conn.execute(
            select(articles.c.lang, func.count()).group_by(articles.c.lang).order_by(articles.c.lang)
        ).all()
        outlets = list_outlets(conn)
    return Facets(languages=[(lang, n) for lang, n in langs], outlets=[(o.key, o.name, o.articles) for o in outlets])
