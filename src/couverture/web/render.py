"""Templates: one Jinja environment, autoescaping everything, with the page helpers as filters.

Titles, texts, outlets, bylines and URLs all come from scraped input and are treated
as hostile: nothing is marked safe except markup this package builds itself from
escaped parts (search snippets).
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..store.search import snippet_html
from .queries import Filters
from .text import (format_estimate, format_moment, format_span, iso, language_name, paragraphs, path_segment, plural,
                   safe_href)

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")

environment = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=True,  # every template, whatever its extension
    undefined=StrictUndefined,  # a typo in a template fails the tests instead of rendering nothing
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    moment=format_moment, span=format_span, estimate=format_estimate, iso=iso, language_name=language_name, paragraphs=paragraphs,
    seg=path_segment, safe_href=safe_href, snippet=snippet_html,
)
environment.globals.update(plural=plural)


def story_path(story_id: str) -> str:
    return "/stories/" + path_segment(story_id)


def article_path(article_id: str) -> str:
    return "/articles/" + path_segment(article_id)


def citation_order(ids, numbering: dict[str, int]) -> list[str]:
    """Cited article ids of this story, once each, in source-list order."""
    return sorted({i for i in ids if i in numbering}, key=numbering.get)


environment.globals.update(story_path=story_path, article_path=article_path, citation_order=citation_order)


def filter_query(filters: Filters, page: int | None = None, **changes) -> str:
    """The front page's query string for these filters (empty ones left out)."""
    values = {
        "q": filters.q, "lang": filters.lang, "outlet": filters.outlet,
        "from": filters.start.isoformat() if filters.start else None,
        "to": filters.end.isoformat() if filters.end else None,
    }
    if filters.per_page != Filters.per_page:
        values["per_page"] = filters.per_page
    values.update(changes)
    if page and page > 1:
        values["page"] = page
    pairs = [(k, v) for k, v in values.items() if v not in (None, "")]
    return "?" + urlencode(pairs) if pairs else ""


environment.globals.update(filter_query=filter_query)


def render(name: str, status_code: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(environment.get_template(name).render(**context), status_code=status_code)
