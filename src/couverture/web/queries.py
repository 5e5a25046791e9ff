"""The store's read-only queries the web page and the API call (``store/queries.py``)."""
from ..store.queries import (
    MAX_PER_PAGE, ArticleRow, Facets, Filters, Match, Page, articles_by_id, facets, list_articles, list_stories,
    matches_in_stories, search, story_sources, story_summary,
)

__all__ = [
    "MAX_PER_PAGE", "ArticleRow", "Facets", "Filters", "Match", "Page", "articles_by_id", "facets", "list_articles",
    "list_stories", "matches_in_stories", "search", "story_sources", "story_summary",
]
