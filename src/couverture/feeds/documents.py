"""Fetched pages and feeds -> RawDocuments for the engine.

A page is read with trafilatura here rather than handed on as raw HTML, because only
this stage knows what the page itself cannot be trusted to say: the canonical URL
we accept for it, and the publication date the feed gave. Dates come from the feed,
then the page metadata, then the URL; all go through ``parse_date`` (UTC, 1990..now).
Each document is a ``record`` whose ``url`` is canonical, which is what the store
dedupes on.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from ..errors import BrokenInstall, InputError
from ..extract.dates import parse_date
from ..ingest.decode import decode_bytes
from ..models import Notice, RawDocument
from .fetch import ACCEPT_FEED, FetchError, Fetcher, FetchPolicy, FetchResult, Interrupted
from .parse import FeedEntry, FeedError, ParsedFeed, looks_like_feed, looks_like_html, parse_feed
from .urls import canonical_url, canonicalize, is_url, url_date

TEASER_CHARS = 400  # an entry with less text than this is a teaser: its page is fetched
MAX_PAGES_PER_POLL = 50  # page fetches per feed and poll; the rest wait for the next poll

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)


def decode_page(body: bytes, charset: str | None, origin: str) -> str:
    """Text of a page: the declared charset (header, then ``<meta>``), else a careful guess."""
    candidates = [charset] if charset else []
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii", "replace"))
    for name in candidates:
        try:
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    text, _note = decode_bytes(body, origin)  # raises InputError for binary or empty bodies
    return text


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def page_document(result: FetchResult, *, origin: str | None = None, title: str | None = None,
                  published: datetime | None = None, source: str | None = None,
                  feed: str | None = None) -> RawDocument | InputError:
    """The article of a fetched web page, or an :class:`InputError` saying why there is none.

    ``title``, ``published`` and ``source`` are what a feed said about the page; the
    feed's date wins over the page's, the page's title and site name over the feed's.
    """
    origin = origin or result.url
    kind = result.content_type
    if kind == "text/plain":
        try:
            text = decode_page(result.body, result.charset, origin)
        except InputError as exc:
            return exc
        url = canonicalize(result.final_url)
        return RawDocument(origin, "record", _record(text, title, url, published or url_date(url), source, feed=feed),
                           url=url, fetched_at=result.fetched_at)
    if not looks_like_html(result.body, kind):
        return InputError(origin, f"not a web page (Content-Type {kind or 'missing'})")
    try:
        html = decode_page(result.body, result.charset, origin)
    except InputError as exc:
        return exc
    url = canonical_url(html, result.final_url)

    import trafilatura

    try:
        document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                               include_tables=False)
    except ImportError as exc:  # a broken install, not a bad page: stop once and say so
        raise BrokenInstall(exc) from exc
    except Exception as exc:  # a library failure on one hostile page must not stop the others
        return InputError(origin, f"could not read the page ({type(exc).__name__}: {exc})")
    if document is None:
        return InputError(origin, "no article text found in the page (navigation or an empty template?)")
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    text = data.get("text") or ""
    page_title = data.get("title") or title or ""
    if page_title and text.startswith(page_title):  # trafilatura repeats the <h1> as the first line
        text = text[len(page_title):].lstrip("\n")
    date = published or parse_date(data.get("date")) or url_date(url) or url_date(result.final_url)
    record = _record(text, page_title or None, url, date, data.get("sitename") or source,
                     byline=data.get("author"), lang=data.get("language"), feed=feed)
    return RawDocument(origin, "record", record, url=url, fetched_at=result.fetched_at)


def _record(text: str, title: str | None, url: str, published: datetime | None, source: str | None, *,
            byline: str | None = None, lang: str | None = None, feed: str | None = None) -> dict:
    record = {"text": text, "title": title, "url": url, "published": _iso(published), "source": source}
    if byline:
        record["byline"] = byline
    if lang:
        record["lang"] = lang
    if feed:
        record["feed"] = feed  # kept with the article (extra) as its provenance
    return record


# --- feed entries -------------------------------------------------------------------------------

@dataclass
class EntryOutcome:
    """What became of one feed entry.

    ``item`` is None when nothing needs ingesting (already stored, or deferred);
    ``settled`` is False when the entry must be tried again at the next poll.
    """

    key: str
    item: RawDocument | InputError | None
    settled: bool = True


def entry_key(entry: FeedEntry) -> str:
    """A stable name for an entry: its id, else its canonical link, else its content."""
    if entry.entry_id:
        return "id:" + entry.entry_id
    if entry.link:
        return "url:" + canonicalize(entry.link)
    return "text:" + hashlib.sha256(((entry.title or "") + "\n" + entry.text).encode("utf-8")).hexdigest()[:32]


def entry_outcomes(
    feed: ParsedFeed,
    feed_url: str,
    fetcher: Fetcher,
    *,
    teaser_chars: int = TEASER_CHARS,
    max_pages: int = MAX_PAGES_PER_POLL,
    is_seen: Callable[[str], bool] = lambda key: False,
    is_stored_url: Callable[[str], bool] = lambda url: False,
) -> Iterator[EntryOutcome]:
    """Documents for the new entries of ``feed``: records for full-text entries, fetched
    pages for teasers. Stops early (leaving the rest unsettled) when the fetcher is stopped."""
    pages = 0
    source = feed.title
    for index, entry in enumerate(feed.entries):
        try:
            key = entry_key(entry)
            link = canonicalize(entry.link) if entry.link and is_url(entry.link) else None
        except ValueError as exc:  # a link that is not a URL ("http://[::1/"): that entry only
            origin = f"{feed_url}#entry-{index + 1}"
            yield EntryOutcome("text:" + origin, InputError(origin, f"the entry's link is not a URL ({exc})"))
            continue
        if is_seen(key):
            continue
        if fetcher.stop.is_set():
            return
        origin = entry.link or f"{feed_url}#entry-{index + 1}"
        if len(entry.text) >= teaser_chars or (link is None and entry.text):
            published = entry.published or url_date(link)
            record = _record(entry.text, entry.title, link, published, source, byline=entry.author, feed=feed_url)
            if link is None:
                del record["url"]
            yield EntryOutcome(key, RawDocument(origin, "record", record, url=link))
            continue
        if link is None:
            yield EntryOutcome(key, InputError(origin, "feed entry has neither text nor a link"))
            continue
        if is_stored_url(link):
            yield EntryOutcome(key, None)
            continue
        if pages >= max_pages:
            yield EntryOutcome(key, None, settled=False)
            continue
        pages += 1
        try:
            result = fetcher.get(entry.link)
        except Interrupted:
            yield EntryOutcome(key, None, settled=False)
            return
        except FetchError as exc:
            yield EntryOutcome(key, InputError(origin, exc.reason), settled=not exc.transient)
            continue
        yield EntryOutcome(key, page_document(result, origin=origin, title=entry.title, published=entry.published,
                                              source=source, feed=feed_url))


# --- any URL -------------------------------------------------------------------------------------

def documents_from_response(result: FetchResult, fetcher: Fetcher, *, teaser_chars: int = TEASER_CHARS,
                            store=None, max_pages: int = MAX_PAGES_PER_POLL) -> Iterator[RawDocument | InputError | Notice]:
    """A fetched URL, whatever it is: a feed's entries (at most ``max_pages`` teaser pages
    fetched; a :class:`Notice` says how many were left), or a page's article."""
    body, kind = result.body, result.content_type
    if looks_like_feed(body, kind) or (not looks_like_html(body, kind) and kind != "text/plain" and _parses_as_feed(body, result)):
        try:
            feed = parse_feed(body, result.final_url, kind)
        except FeedError as exc:
            yield InputError(result.url, exc.reason)
            return
        def is_stored_url(url: str) -> bool:
            return store is not None and bool(store.existing_keys([], [url], [])[1])

        left = 0
        for outcome in entry_outcomes(feed, result.final_url, fetcher, teaser_chars=teaser_chars,
                                      max_pages=max_pages, is_stored_url=is_stored_url):
            if outcome.item is not None:
                yield outcome.item
            elif not outcome.settled:
                left += 1
        if left:
            yield Notice(result.url, f"{left} teaser entr{'y' if left == 1 else 'ies'} not fetched: at most "
                                     f"{max_pages} page(s) per feed (--max-pages); ingest the feed again for more")
        return
    yield page_document(result)


def _parses_as_feed(body: bytes, result: FetchResult) -> bool:
    try:
        parse_feed(body, result.final_url, result.content_type)
    except FeedError:
        return False
    return True


def documents_from_sources(
    sources: Iterable[str],
    allow_private: bool = False,
    policy: FetchPolicy | None = None,
    *,
    teaser_chars: int = TEASER_CHARS,
    fetcher: Fetcher | None = None,
    store=None,
    max_pages: int = MAX_PAGES_PER_POLL,
) -> Iterator[RawDocument | InputError | Notice]:
    """Documents for the http(s) URLs among ``sources`` (web pages or feeds, told apart by
    content); other sources are skipped, so a caller can pass files and URLs alike.

    With a ``store``, the pages of feed entries already stored are not fetched again.
    Every failure is yielded as an :class:`InputError` naming the URL, never raised.
    """
    if policy is None:
        policy = FetchPolicy(allow_private=allow_private)
    elif allow_private and not policy.allow_private:
        from dataclasses import replace

        policy = replace(policy, allow_private=True)
    own = fetcher is None
    fetcher = fetcher or Fetcher(policy)
    try:
        for source in sources:
            if not is_url(source):
                continue
            url = source.strip()
            try:
                result = fetcher.get(url, accept=ACCEPT_FEED)
                yield from documents_from_response(result, fetcher, teaser_chars=teaser_chars, store=store,
                                                   max_pages=max_pages)
            except FetchError as exc:
                yield InputError(url, exc.reason)
            except (BrokenInstall, ImportError):
                raise
            except Exception as exc:  # one URL's failure costs that URL only
                yield InputError(url, f"could not be read ({type(exc).__name__}: {exc})")
    finally:
        if own:
            fetcher.close()
