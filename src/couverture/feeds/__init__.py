"""Live ingestion: web pages by URL, RSS/Atom feeds, OPML lists and ``couverture watch``.

Modules, in the order data flows: ``urls`` (canonical URLs, dates in URLs), ``fetch``
(a careful HTTP client: address policy, caps, redirects, retries, robots.txt, rate
limit), ``parse`` (feeds and OPML), ``documents`` (pages and entries -> RawDocuments),
``state`` (the feed registry in the store's database), ``watch`` (the polling loop)
and ``cli`` (the ``feeds`` and ``watch`` commands). The names below are the public API.
"""
from .documents import documents_from_sources, page_document
from .fetch import (
    USER_AGENT, BlockedAddress, FetchError, Fetcher, FetchPolicy, FetchResult, RobotsDisallowed, TooLarge,
)
from .parse import FeedError, ParsedFeed, parse_feed, read_opml
from .state import Feed, FeedRegistry
from .urls import canonicalize, is_url, url_date
from .watch import PollResult, Watcher, parse_interval

__all__ = [
    "USER_AGENT",
    "BlockedAddress",
    "Feed",
    "FeedError",
    "FeedRegistry",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "Fetcher",
    "ParsedFeed",
    "PollResult",
    "RobotsDisallowed",
    "TooLarge",
    "Watcher",
    "canonicalize",
    "documents_from_sources",
    "is_url",
    "page_document",
    "parse_feed",
    "parse_interval",
    "read_opml",
    "url_date",
]
