"""Live ingestion: web pages by URL, RSS/Atom feeds, OPML lists and ``couverture watch``.

Modules, in the order data flows: ``urls`` (canonical URLs, dates in URLs), ``fetch``
(a careful HTTP client: address policy, caps, redirects, retries, robots.txt, rate
limit), ``parse`` (feeds and OPML), ``documents`` (pages and entries -> RawDocuments),
``watch`` (the polling loop) and ``cli`` (the ``feeds`` and ``watch`` commands); the
feed registry lives in the store (``store/feeds.py``). The names below are the public API.
"""
from .._lazy import lazy_exports

# Imported on first use (see couverture/_lazy.py): the command line loads this package for
# its ``feeds`` and ``watch`` commands at start, and has no use for the HTTP client then.
_EXPORTS = {
    "USER_AGENT": ".fetch",
    "BlockedAddress": ".fetch",
    "Feed": "..store.feeds",
    "FeedError": ".parse",
    "FeedRegistry": "..store.feeds",
    "FetchError": ".fetch",
    "FetchPolicy": ".fetch",
    "FetchResult": ".fetch",
    "Fetcher": ".fetch",
    "ParsedFeed": ".parse",
    "PollResult": ".watch",
    "RobotsDisallowed": ".fetch",
    "TooLarge": ".fetch",
    "Watcher": ".watch",
    "canonicalize": ".urls",
    "documents_from_sources": ".documents",
    "is_url": ".urls",
    "page_document": ".documents",
    "parse_feed": ".parse",
    "parse_interval": ".watch",
    "read_opml": ".parse",
    "url_date": ".urls",
}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
__all__ = list(_EXPORTS)
