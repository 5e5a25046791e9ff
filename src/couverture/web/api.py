"""The JSON API under /api/: stories, articles, search."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ..store import Store
from ..store.search import query_words, snippet_text
from . import queries
from .coverage_view import story_coverage
from .errors import ERROR_RESPONSES, BadParameters, problem
from .params import LANG_PATTERN, MAX_PAGE, MAX_QUERY_CHARS, checked, reader_lang_param
from .queries import MAX_PER_PAGE, Filters
from .related import RelatedOut, find_related, related_out
from .render import article_path, story_path

router = APIRouter(prefix="/api", tags=["api"], responses={422: ERROR_RESPONSES[422]})


# --- response shapes ---------------------------------------------------------------------
class StoryOut(BaseModel):
    id: str
    headline: str
    article_count: int
    outlets: list[str] = Field(description="Names of its outlets, each once (agencies are credits, not outlets).")
    languages: list[str] = Field(description="Language codes (ISO 639-1) of its articles.")
    first_published: datetime | None
    last_published: datetime | None
    page: str = Field(description="Path of the story's web page.")


class EstimatedDate(BaseModel):
    earliest: datetime
    latest: datetime
    source: str = Field(description="How it was estimated: a month stamp, a weekday resolved against its story...")


class ArticleBrief(BaseModel):
    id: str
    story_id: str
    title: str
    lang: str
    published: datetime | None
    url: str | None = Field(description="The original address, as ingested (not checked: may be any scheme).")
    outlet: str | None = Field(description="Name of the outlet that published it; null when unknown.")
    domain: str | None = Field(None, description="The outlet's registrable domain (e.g. bbc.co.uk); null when unknown.")
    byline: str | None
    agencies: list[str] = Field(description="News agencies credited (AFP, dpa...): credits, never the outlet.")
    estimated: EstimatedDate | None = Field(None, description="For an undated article, its estimated date, if any.")
    page: str = Field(description="Path of the article's web page.")


class ArticleOut(ArticleBrief):
    text: str
    fetched_at: datetime | None
    story: StoryOut | None


class StoryDetail(StoryOut):
    articles: list[ArticleBrief]
    coverage: Any = Field(None, description="The coverage view (summary, quotes, facts...) when the coverage module is installed.")
    related: list[RelatedOut] = Field([], description="Related stories, within 30 days (see /api/stories/{id}/related).")


class PageInfo(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int


class StoryList(PageInfo):
    stories: list[StoryOut]


class ArticleList(PageInfo):
    articles: list[ArticleBrief]


class SearchHitOut(BaseModel):
    article: ArticleBrief
    snippet: str = Field(description="Plain-text excerpt around the matched words.")


class SearchResult(PageInfo):
    query: str
    words: list[str] = Field(description="The words searched for (each must occur; each matches as a prefix).")
    hits: list[SearchHitOut]


def story_out(summary) -> StoryOut:
    return StoryOut(
        id=summary.id, headline=summary.headline, article_count=summary.size, outlets=summary.outlets,
        languages=summary.languages, first_published=summary.first_published,
        last_published=summary.last_published, page=story_path(summary.id),
    )


def article_brief(row) -> ArticleBrief:
    return ArticleBrief(
        id=row.id, story_id=row.story_id, title=row.title, lang=row.lang, published=row.published, url=row.url,
        outlet=row.outlet, domain=row.domain, byline=row.byline, agencies=list(row.agencies),
        page=article_path(row.id),
        estimated=EstimatedDate(**row.estimate.to_json()) if row.estimate else None,
    )


# --- parameters --------------------------------------------------------------------------
def get_store(request: Request) -> Store:
    return request.app.state.store


StoreDep = Annotated[Store, Depends(get_store)]


def api_filters(
    lang: Annotated[str | None, Query(pattern=LANG_PATTERN, description="Only stories/articles in this language (code).")] = None,
    outlet: Annotated[str | None, Query(min_length=1, max_length=200, description="Only this outlet: a domain (bbc.co.uk) or an outlet's exact name (BBC).")] = None,
    start: Annotated[date | None, Query(alias="from", description="Published on or after this day (UTC).")] = None,
    end: Annotated[date | None, Query(alias="to", description="Published on or before this day (UTC).")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> Filters:
    return checked(Filters(lang=lang, outlet=outlet, start=start, end=end, page=page, per_page=per_page))


FiltersDep = Annotated[Filters, Depends(api_filters)]
OptionalQuery = Annotated[str | None, Query(max_length=MAX_QUERY_CHARS, description="Full-text search over titles and texts.")]


def _page_info(page: queries.Page) -> dict:
    return {"total": page.total, "page": page.page, "per_page": page.per_page, "pages": page.pages}


# --- endpoints ---------------------------------------------------------------------------
@router.get("/stories", response_model=StoryList, summary="List stories, most recently active first")
def list_stories(store: StoreDep, filters: FiltersDep, q: OptionalQuery = None) -> StoryList:
    filters.q = q
    page = queries.list_stories(store.engine, filters)
    return StoryList(stories=[story_out(s) for s in page.items], **_page_info(page))


@router.get("/stories/{story_id}", response_model=StoryDetail, responses={404: ERROR_RESPONSES[404]},
            summary="One story: its articles and, when available, its coverage")
def get_story(story_id: str, store: StoreDep, request: Request,
              lang: Annotated[str | None, Query(pattern=LANG_PATTERN, description=(
                  "The reader's language: the coverage's headline, summary, facts and quotes come from sources "
                  "in it when any exist. Default: the Accept-Language header, else the sources' majority."))] = None,
              ) -> StoryDetail:
    resolved = store.resolve_story_id(story_id)
    summary = queries.story_summary(store.engine, resolved) if resolved else None
    if summary is None:
        raise HTTPException(404, f"no story {story_id!r}")
    sources = queries.story_sources(store.engine, resolved)
    coverage = story_coverage(store, resolved, reader_lang_param(lang), request.headers.get("accept-language"))
    return StoryDetail(
        **story_out(summary).model_dump(), articles=[article_brief(a) for a in sources],
        coverage=coverage.raw.to_json() if coverage is not None else None,
        related=related_out(find_related(store, resolved)),
    )


@router.get("/articles", response_model=ArticleList, summary="List articles, newest first")
def list_articles(
    store: StoreDep, filters: FiltersDep, q: OptionalQuery = None,
    story_id: Annotated[str | None, Query(min_length=1, max_length=64, description="Only this story's articles.")] = None,
) -> ArticleList:
    filters.q = q
    resolved = None
    if story_id is not None:
        resolved = store.resolve_story_id(story_id)
        if resolved is None:
            raise HTTPException(404, f"no story {story_id!r}")
    page = queries.list_articles(store.engine, filters, story_id=resolved)
    return ArticleList(articles=[article_brief(a) for a in page.items], **_page_info(page))


@router.get("/articles/{article_id:path}", response_model=ArticleOut, responses={404: ERROR_RESPONSES[404]},
            summary="One article: clean text, metadata and its story")
def get_article(article_id: str, store: StoreDep) -> ArticleOut:
    article = store.get_article(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id!r}")
    summary = queries.story_summary(store.engine, store.resolve_story_id(article.story_id) or article.story_id)
    row = queries.ArticleRow(
        id=article.id, story_id=article.story_id, title=article.title, lang=article.lang, published=article.published,
        fetched_at=article.fetched_at, url=article.url, outlet=article.outlet, byline=article.byline,
        agencies=article.agencies, estimate=article.estimate, domain=article.domain,
    )
    return ArticleOut(**article_brief(row).model_dump(), text=article.text, fetched_at=article.fetched_at,
                      story=story_out(summary) if summary else None)


@router.get("/search", response_model=SearchResult, summary="Full-text search over article titles and texts")
def search(
    store: StoreDep, filters: FiltersDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="Words to find (all of them).")],
) -> SearchResult:
    words = query_words(q)
    if not words:
        raise BadParameters([problem("q", "no words to search for")])
    filters.q = q
    page = queries.search(store.engine, filters)
    return SearchResult(
        query=q, words=words, hits=[SearchHitOut(article=article_brief(m.article), snippet=snippet_text(m.snippet))
                                    for m in page.items],
        **_page_info(page),
    )
