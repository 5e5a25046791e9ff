"""The HTML pages: the front page (stories, filters, search), a story, an article."""
from __future__ import annotations

from collections import OrderedDict

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse

from ..store import Store
from . import queries
from .coverage_view import story_coverage
from .params import from_form, reader_lang_param
from .related import find_related
from .render import render, story_path
from .text import language_name
from .timeline import build_timeline, language_classes

router = APIRouter(include_in_schema=False)


def _store(request: Request) -> Store:
    return request.app.state.store


@router.get("/")
def front_page(request: Request):
    params = request.query_params
    filters = from_form(
        params.get("q"), params.get("lang"), params.get("outlet"), params.get("from"), params.get("to"),
        params.get("page"), params.get("per_page"),
    )
    store = _store(request)
    page = queries.list_stories(store.engine, filters)
    matches = queries.matches_in_stories(store.engine, filters, [s.id for s in page.items])
    return render(
        "index.html", filters=filters, page=page, matches=matches, facets=queries.facets(store.engine),
        first_index=filters.offset + 1 if page.items else 0, last_index=filters.offset + len(page.items),
    )


@router.get("/stories/{story_id}")
def story_page(request: Request, story_id: str):
    store = _store(request)
    resolved = store.resolve_story_id(story_id)
    summary = queries.story_summary(store.engine, resolved) if resolved else None
    if summary is None:
        raise HTTPException(404, f"There is no story {story_id!r}. It may have been merged away or never existed.")
    if resolved != story_id:  # an id prefix or a merged story: one address per story
        query = f"?{request.url.query}" if request.url.query else ""  # keeps ?lang=
        return RedirectResponse(story_path(resolved) + query, status_code=308)
    sources = queries.story_sources(store.engine, resolved)
    classes = language_classes([a.lang for a in sources])
    by_language: OrderedDict[str, OrderedDict[str, list]] = OrderedDict()
    for lang in classes:  # most covered language first, as in the timeline legend
        by_language[lang] = OrderedDict()
    for article in sources:
        by_language[article.lang].setdefault(article.outlet or "", []).append(article)
    for lang, outlets in by_language.items():
        by_language[lang] = OrderedDict(sorted(outlets.items(), key=lambda item: (item[0] == "", item[0].lower())))
    numbering = {a.id: n for n, a in enumerate(
        (a for outlets in by_language.values() for group in outlets.values() for a in group), start=1)}
    lang = reader_lang_param(request.query_params.get("lang"))
    coverage = story_coverage(store, resolved, lang, request.headers.get("accept-language"))
    reader = coverage.lang if coverage is not None else None
    response = render(
        "story.html", story=summary, sources=sources, by_language=by_language, classes=classes,
        numbering=numbering, articles_by_id={a.id: a for a in sources}, timeline=build_timeline(sources, classes),
        coverage=coverage if coverage is not None and not coverage.empty else None, language_name=language_name,
        reader_lang=reader, language_choices=_language_choices(classes, reader),
        related=find_related(store, resolved),
    )
    response.headers["Vary"] = "Accept-Language"  # without ?lang=, the page follows the browser's languages
    return response


def _language_choices(classes, reader: str | None) -> list[tuple[str, str]]:
    """(code, name in itself) for the language switch: the story's languages, most covered
    first, and the reader's own when no source writes in it."""
    from ..coverage.reader import language_label

    codes = list(classes) + ([reader] if reader and reader not in classes else [])
    return [(code, language_label(code)) for code in codes if code]


@router.get("/articles/{article_id:path}")
def article_page(request: Request, article_id: str):
    store = _store(request)
    article = store.get_article(article_id)
    if article is None:
        raise HTTPException(404, f"There is no article {article_id!r}.")
    story_id = store.resolve_story_id(article.story_id) or article.story_id
    summary = queries.story_summary(store.engine, story_id)
    siblings = [a for a in queries.story_sources(store.engine, story_id) if a.id != article.id]
    return render("article.html", article=article, story=summary, siblings=siblings[:20], more=max(0, len(siblings) - 20))
