"""The feed registry and each feed's polling state, in the store's own database.

The tables (``schema.FEED_TABLES``) stay outside the schema's version: they are created
on first use. Timestamps are UTC (SQLite hands them back naive).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update

from .convert import utc
from .database import Store
from .migrations import create_missing
from .schema import FEED_TABLES, feed_entries, feeds

ENTRY_MEMORY = timedelta(days=90)  # entries gone from the feed are forgotten after this


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass
class Feed:
    id: int
    url: str
    title: str | None
    added_at: datetime
    interval_seconds: int | None
    etag: str | None
    last_modified: str | None
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    error_count: int
    next_poll_at: datetime | None
    articles_added: int
    last_status: str | None

    @classmethod
    def from_row(cls, row) -> "Feed":
        m = dict(row._mapping)
        for name in ("added_at", "last_poll_at", "last_success_at", "last_error_at", "next_poll_at"):
            m[name] = utc(m[name])
        m["error_count"] = m["error_count"] or 0
        m["articles_added"] = m["articles_added"] or 0
        return cls(**m)

    @property
    def failing(self) -> bool:
        return self.error_count > 0

    def to_json(self) -> dict:
        def iso(moment):
            return moment.isoformat() if moment else None

        return {
            "id": self.id, "url": self.url, "title": self.title, "added_at": iso(self.added_at),
            "interval_seconds": self.interval_seconds, "last_poll_at": iso(self.last_poll_at),
            "last_success_at": iso(self.last_success_at), "last_error": self.last_error,
            "last_error_at": iso(self.last_error_at), "error_count": self.error_count,
            "next_poll_at": iso(self.next_poll_at), "articles_added": self.articles_added,
            "last_status": self.last_status,
        }


class FeedRegistry:
    """Feeds to poll and what happened at their last polls."""

    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine
        create_missing(self.engine, FEED_TABLES)  # two writers may open a new database at once

    # --- registry ---
    def add(self, url: str, title: str | None = None, interval_seconds: int | None = None) -> tuple[Feed, bool]:
        """Register ``url``; returns the feed and whether it was new."""
        existing = self.get(url)
        if existing is not None:
            return existing, False
        with self.engine.begin() as conn:
            conn.execute(feeds.insert().values(
                url=url, title=title, added_at=datetime.now(timezone.utc), interval_seconds=interval_seconds,
                error_count=0, articles_added=0,
            ))
        return self.get(url), True

    def get(self, ref: str | int) -> Feed | None:
        """A feed by id or URL."""
        query = select(feeds)
        if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
            query = query.where(feeds.c.id == int(ref))
        else:
            query = query.where(feeds.c.url == str(ref).strip())
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return Feed.from_row(row) if row is not None else None

    def remove(self, ref: str | int) -> Feed | None:
        feed = self.get(ref)
        if feed is None:
            return None
        with self.engine.begin() as conn:
            conn.execute(delete(feed_entries).where(feed_entries.c.feed_id == feed.id))
            conn.execute(delete(feeds).where(feeds.c.id == feed.id))
        return feed

    def all(self) -> list[Feed]:
        with self.engine.connect() as conn:
            return [Feed.from_row(r) for r in conn.execute(select(feeds).order_by(feeds.c.id))]

    def due(self, now: datetime | None = None) -> list[Feed]:
        """Feeds never polled or whose next poll has come, longest-waiting first."""
        now = now or datetime.now(timezone.utc)
        return sorted(
            (f for f in self.all() if f.next_poll_at is None or f.next_poll_at <= now),
            key=lambda f: (f.next_poll_at is not None, f.next_poll_at or now, f.id),
        )

    def next_due(self) -> datetime | None:
        with self.engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(feeds).where(feeds.c.next_poll_at.is_(None))).scalar():
                return datetime.now(timezone.utc)
            return utc(conn.execute(select(func.min(feeds.c.next_poll_at))).scalar())

    # --- entries ---
    def seen_keys(self, feed_id: int) -> set[str]:
        """Hashes of the entry keys already handled for this feed (see :meth:`is_seen_in`)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(feed_entries.c.key_hash).where(feed_entries.c.feed_id == feed_id)).scalars())

    @staticmethod
    def is_seen_in(hashes: set[str], key: str) -> bool:
        return _hash(key) in hashes

    def mark_seen(self, feed_id: int, keys: Iterable[str], current: Iterable[str] = ()) -> None:
        """Remember handled entries; forget old ones that have left the feed."""
        now = datetime.now(timezone.utc)
        hashes = {_hash(k) for k in keys}
        keep = {_hash(k) for k in current} | hashes
        with self.engine.begin() as conn:
            known = set(conn.execute(select(feed_entries.c.key_hash).where(feed_entries.c.feed_id == feed_id)).scalars())
            fresh = hashes - known
            if fresh:
                conn.execute(feed_entries.insert(), [{"feed_id": feed_id, "key_hash": h, "seen_at": now} for h in fresh])
            if hashes & known:
                conn.execute(update(feed_entries).where(feed_entries.c.feed_id == feed_id,
                                                        feed_entries.c.key_hash.in_(list(hashes & known)))
                             .values(seen_at=now))
            stale = conn.execute(select(feed_entries.c.key_hash).where(
                feed_entries.c.feed_id == feed_id, feed_entries.c.seen_at < now - ENTRY_MEMORY)).scalars().all()
            gone = [h for h in stale if h not in keep]
            if gone:
                conn.execute(delete(feed_entries).where(feed_entries.c.feed_id == feed_id,
                                                        feed_entries.c.key_hash.in_(gone)))

    # --- poll results ---
    def record_success(self, feed_id: int, *, next_poll_at: datetime, status: str, title: str | None = None,
                       etag: str | None = None, last_modified: str | None = None, keep_validators: bool = False,
                       added: int = 0, warning: str | None = None) -> None:
        """A poll that reached the feed. Validators are replaced (cleared when None) unless
        ``keep_validators`` (a 304 keeps the ones that produced it)."""
        now = datetime.now(timezone.utc)
        values = {"last_poll_at": now, "last_success_at": now, "error_count": 0, "next_poll_at": next_poll_at,
                  "last_status": status, "articles_added": feeds.c.articles_added + added}
        if not keep_validators:
            values.update(etag=etag, last_modified=last_modified)
        if title:
            values["title"] = title
        if warning:
            values.update(last_error=warning, last_error_at=now)
        with self.engine.begin() as conn:
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(**values))

    def record_error(self, feed_id: int, reason: str, *, next_poll_at: datetime) -> None:
        now = datetime.now(timezone.utc)
        with self.engine.begin() as conn:
            conn.execute(update(feeds).where(feeds.c.id == feed_id).values(
                last_poll_at=now, last_error=reason, last_error_at=now, error_count=feeds.c.error_count + 1,
                next_poll_at=next_poll_at, last_status="error",
            ))
