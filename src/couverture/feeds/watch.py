"""Poll registered feeds on their schedule, ingest and cluster new entries as they come.

A poll of one feed: conditional GET; on 200, the entries not seen before become
documents (teasers are completed by fetching their page) and are ingested in one go,
so they join stories right away. The validators (ETag, Last-Modified) are kept only
when every new entry was handled, otherwise a 304 at the next poll would hide the
entries left over. A failing feed is retried later with growing delays (and never
before the server's Retry-After); the other feeds are not held up.

Ctrl-C and SIGTERM set a stop flag: waits are cut short, no new request starts, what
was already fetched is ingested, and :meth:`Watcher.run` returns.
"""
from __future__ import annotations

import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from ..engine import ingest_documents
from ..errors import InputError
from ..store import Store
from .documents import MAX_PAGES_PER_POLL, TEASER_CHARS, entry_key, entry_outcomes
from .fetch import ACCEPT_FEED, FetchError, Fetcher, FetchPolicy, Interrupted
from .parse import FeedError, parse_feed
from ..store.feeds import Feed, FeedRegistry

DEFAULT_INTERVAL = 15 * 60
MAX_ERROR_DELAY = 6 * 3600  # a failing feed is still tried at least this often
MAX_TTL = 6 * 3600  # a feed's <ttl> is honoured up to this

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?", re.I)
_UNITS = {"ms": 0.001, "s": 1, "": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """Seconds in ``"15m"``, ``"90s"``, ``"1h30m"``, ``"2h"``, ``"1d"`` or plain ``"600"``."""
    cleaned = str(text).strip().lower().replace(" ", "")
    if not cleaned:
        raise ValueError("empty interval")
    total, position = 0.0, 0
    for match in _DURATION.finditer(cleaned):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNITS[(match.group(2) or "").lower()]
        position = match.end()
    if position != len(cleaned):
        raise ValueError(f"cannot read the interval {text!r}; write e.g. 30s, 15m, 1h or 1h30m")
    if total <= 0:
        raise ValueError("the interval must be positive")
    return total


@dataclass
class PollResult:
    feed: Feed
    status: str  # "ingested", "not-modified", "error", "stopped"
    added: int = 0
    duplicates: int = 0
    entry_errors: list[InputError] = field(default_factory=list)
    error: str | None = None  # why the feed itself could not be read
    next_poll_at: datetime | None = None

    def line(self) -> str:
        name = self.feed.title or self.feed.url
        if self.status == "error":
            return f"error: {self.feed.url}: {self.error}"
        if self.status == "not-modified":
            return f"{name}: not modified"
        if self.status == "stopped":
            return f"{name}: stopped before polling"
        failed = f", {len(self.entry_errors)} failed" if self.entry_errors else ""
        return f"{name}: {self.added} new article(s), {self.duplicates} already stored{failed}"


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into ``stop.set()`` while inside; a second signal acts as usual."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, object] = {}

    def handler(signum, _frame):
        stop.set()
        for number, old in previous.items():
            signal.signal(number, old)

    for number in (signal.SIGINT, signal.SIGTERM):
        previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


class Watcher:
    """Polls the feeds registered in ``store`` and ingests what is new."""

    def __init__(
        self,
        store: Store,
        *,
        policy: FetchPolicy | None = None,
        interval: float = DEFAULT_INTERVAL,
        analyzer=None,
        teaser_chars: int = TEASER_CHARS,
        max_pages: int = MAX_PAGES_PER_POLL,
        log: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ):
        self.store = store
        self.registry = FeedRegistry(store)
        self.stop = stop or threading.Event()
        self.fetcher = Fetcher(policy, stop=self.stop)
        self.interval = interval
        self.analyzer = analyzer
        self.teaser_chars = teaser_chars
        self.max_pages = max_pages
        self.log = log or (lambda message: None)

    def close(self) -> None:
        self.fetcher.close()

    def __enter__(self) -> "Watcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- schedule ---
    def _interval_of(self, feed: Feed) -> float:
        return float(feed.interval_seconds or self.interval)

    def _after_error(self, feed: Feed, retry_after: float | None) -> datetime:
        interval = self._interval_of(feed)
        failures = feed.error_count + 1
        delay = min(interval * 2 ** min(failures - 1, 10), max(interval, MAX_ERROR_DELAY))
        if retry_after:
            delay = max(delay, retry_after)
        return datetime.now(timezone.utc) + timedelta(seconds=delay)

    def _after_success(self, feed: Feed, ttl_minutes: int | None = None) -> datetime:
        delay = self._interval_of(feed)
        if ttl_minutes:
            delay = max(delay, min(ttl_minutes * 60, MAX_TTL))
        return datetime.now(timezone.utc) + timedelta(seconds=delay)

    # --- one feed ---
    def _failed(self, feed: Feed, reason: str, retry_after: float | None = None) -> PollResult:
        next_at = self._after_error(feed, retry_after)
        self.registry.record_error(feed.id, reason, next_poll_at=next_at)
        # Logged with the other ingest errors; no clustering state is touched, so no need
        # to wait for the writer lock while another ingest runs.
        self.store.write_batch([], [], {}, {}, errors=[InputError(feed.url, reason)])
        return PollResult(feed, "error", error=reason, next_poll_at=next_at)

    def _stored_url(self, url: str) -> bool:
        return bool(self.store.existing_keys([], [url], [])[1])

    def poll(self, feed: Feed) -> PollResult:
        """Poll one feed now and ingest its new entries; never raises for a feed's fault."""
        if self.stop.is_set():
            return PollResult(feed, "stopped")
        try:
            result = self.fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=ACCEPT_FEED)
        except Interrupted:
            return PollResult(feed, "stopped")
        except FetchError as exc:
            return self._failed(feed, exc.reason, exc.retry_after)
        if result.not_modified:
            next_at = self._after_success(feed)
            self.registry.record_success(feed.id, next_poll_at=next_at, status="not modified", keep_validators=True)
            return PollResult(feed, "not-modified", next_poll_at=next_at)
        try:
            parsed = parse_feed(result.body, result.final_url, result.content_type)
        except FeedError as exc:
            return self._failed(feed, exc.reason)

        seen = self.registry.seen_keys(feed.id)

        def is_seen(key: str) -> bool:
            return self.registry.is_seen_in(seen, key)

        pending = sum(1 for entry in parsed.entries if not is_seen(entry_key(entry)))
        outcomes = []
        for outcome in entry_outcomes(parsed, feed.url, self.fetcher, teaser_chars=self.teaser_chars,
                                      max_pages=self.max_pages, is_seen=is_seen, is_stored_url=self._stored_url):
            outcomes.append(outcome)
        documents = [o.item for o in outcomes if o.item is not None]
        report = ingest_documents(self.store, documents, analyzer=self.analyzer) if documents else None
        self.registry.mark_seen(feed.id, [o.key for o in outcomes if o.settled],
                                current=[entry_key(e) for e in parsed.entries])
        complete = len(outcomes) == pending and all(o.settled for o in outcomes)
        errors = list(report.errors) if report else []
        added = report.added if report else 0
        duplicates = (report.duplicates if report else 0) + sum(1 for o in outcomes if o.item is None and o.settled)
        warning = parsed.warning
        if errors:
            first = errors[0]
            warning = (f"{len(errors)} entr{'y' if len(errors) == 1 else 'ies'} failed, e.g. {first.origin}: {first.reason}"
                       + (f"; {warning}" if warning else ""))
        next_at = self._after_success(feed, parsed.ttl_minutes)
        status = f"{added} new, {duplicates} already stored" + (f", {len(errors)} failed" if errors else "")
        if not complete:
            status += ", some entries left for the next poll"
        self.registry.record_success(
            feed.id, next_poll_at=next_at, status=status, title=parsed.title, added=added, warning=warning,
            etag=result.etag if complete else None, last_modified=result.last_modified if complete else None,
        )
        return PollResult(feed, "ingested", added=added, duplicates=duplicates, entry_errors=errors, next_poll_at=next_at)

    # --- all feeds ---
    def poll_due(self, everything: bool = False) -> list[PollResult]:
        """Poll the feeds whose time has come (or all of them), one after the other."""
        results = []
        for feed in self.registry.all() if everything else self.registry.due():
            if self.stop.is_set():
                break
            try:
                result = self.poll(feed)
            except Exception as exc:  # a bug or a library failure on one feed must not stop the others
                result = self._failed(feed, f"could not be polled ({type(exc).__name__}: {exc})")
            if result.status != "stopped":
                self.log(result.line())
                for error in result.entry_errors:
                    self.log(f"error: {error.origin}: {error.reason}")
            results.append(result)
        return results

    def run(self, once: bool = False, max_idle: float = 60.0) -> list[PollResult]:
        """Poll until stopped (or one round with ``once``); returns every poll's result."""
        results: list[PollResult] = []
        with stop_on_signals(self.stop):
            if not self.registry.all():
                self.log("no feeds registered yet: add some with `couverture feeds add URL`")
            while not self.stop.is_set():
                results.extend(self.poll_due(everything=once))
                if once:
                    break
                next_at = self.registry.next_due()
                wait = max_idle if next_at is None else (next_at - datetime.now(timezone.utc)).total_seconds()
                # Wake up at least every max_idle seconds: feeds may be added meanwhile.
                self.stop.wait(min(max(wait, 0.05), max_idle))
        return results
