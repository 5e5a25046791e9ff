"""Live ingestion: web pages by URL, RSS/Atom feeds, OPML lists and ``couverture watch``.

Modules, in the order data flows: ``urls`` (canonical URLs, dates in URLs), ``fetch``
(a careful HTTP client: address policy, caps, redirects, retries, robots.txt, rate
limit), ``parse`` (feeds and OPML), ``documents`` (pages and entries -> RawDocuments),
``state`` (the feed registry in the store's database), ``watch`` (the polling loop)
and ``cli`` (the ``feeds`` and ``watch`` commands). The names below are the public API.
"""
from .._lazy import lazy_exports

# Imported on first use (see couverture/_lazy.py): the command line loads this package for
# its ``feeds`` and ``watch`` commands at start, and has no use for the HTTP client then.
_EXPORTS = {
    "USER_AGENT": ".fetch",
    "BlockedAddress": ".fetch",
    "Feed": ".state",
    "FeedError": ".parse",
    "FeedRegistry": ".state",
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
