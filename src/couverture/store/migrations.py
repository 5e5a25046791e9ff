"""Schema versions: how a database is recognised as couverture's, and upgraded step by step.

A couverture database records its schema version in ``meta`` (key ``schema_version``).
Opening one for writing (``Store(db)``: ingest, demo, feeds, migrate) runs the steps
from its version up to ``SCHEMA_VERSION`` in one transaction, so an interrupted
upgrade leaves the old version whole. Opening for reading (``Store(db, create=False)``:
stories, show, export, serve, eval) changes nothing: a database of another version is
refused with a line that says what to run.

Two writers may open a new (or older) database at once: the upgrade runs in a
``schema_transaction``, one process at a time, and the second finds the work done.

Databases written before version 3 ran every step on every open; the steps stay safe
on a database that already has what they create (tables are created only when
missing), so such a database upgrades cleanly whatever its reader created meanwhile.
"""
from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, Table, bindparam, inspect, select, text

from . import schema
from .schema import SCHEMA_VERSION, meta

VERSION_KEY = "schema_version"


@dataclass
class Found:
    """What an opened database holds, before anything is changed."""

    tables: set[str]
    version: int | None  # None: no couverture version recorded (an empty or a foreign database)

    @property
    def empty(self) -> bool:
        return not self.tables


def inspect_database(conn: Connection) -> Found:
    """The tables of the database behind ``conn`` and its recorded schema version, read only."""
    if conn.dialect.name == "sqlite":
        # sqlite_master directly: cheaper than SQLAlchemy's inspector for a check made
        # on every open, and it also sees FTS and other virtual tables.
        names = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    else:
        names = set(inspect(conn).get_table_names())
    version = None
    if meta.name in names:
        value = conn.execute(select(meta.c.value).where(meta.c.key == VERSION_KEY)).scalar()
        if value is not None and str(value).isdigit():
            version = int(value)
    return Found(names, version)


@contextmanager
def schema_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction for changing the schema, held by one process at a time.

    Without it two writers opening a new database at once both create its tables (the
    second fails on "already exists" or on the version row), or one sees the other's
    tables half made and refuses the database as another program's. SQLite: ``BEGIN
    IMMEDIATE`` takes the write lock from the start, and puts the CREATE statements
    inside the transaction (the driver would run them outside one, each visible at
    once). PostgreSQL, whose DDL is transactional already: an advisory lock held until
    the transaction ends. Readers are not blocked by either.
    """
    from .lock import advisory_key

    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key("couverture schema")})
        yield conn


def create_missing(engine: Engine, tables: Sequence[Table]) -> None:
    """Create those of ``tables`` (a group made on demand, such as ``schema.FEED_TABLES``)
    that the database lacks, in a ``schema_transaction``; when none is missing, nothing
    is locked or written."""
    with engine.connect() as conn:
        present = inspect_database(conn).tables
    if {t.name for t in tables} <= present:
        return
    with schema_transaction(engine) as conn:
        schema.metadata.create_all(conn, tables=list(tables), checkfirst=True)


def upgrade(conn: Connection, found: Found) -> int:
    """Bring a couverture (or empty) database to ``SCHEMA_VERSION``; returns the version it had (0: empty).

    Runs inside the caller's transaction.
    """
    start = found.version or 0
    for version in range(start + 1, SCHEMA_VERSION + 1):
        STEPS[version](conn)
    if start == 0:
        conn.execute(meta.insert().values(key=VERSION_KEY, value=str(SCHEMA_VERSION)))
    elif start < SCHEMA_VERSION:
        conn.execute(meta.update().where(meta.c.key == VERSION_KEY).values(value=str(SCHEMA_VERSION)))
    return start


def _create(conn: Connection, *tables) -> None:
    schema.metadata.create_all(conn, tables=list(tables), checkfirst=True)


def _to_1_base(conn: Connection) -> None:
    """Articles, stories, merges, ingest errors, and the full-text index over articles."""
    from .search import create_search_index

    _create(conn, schema.meta, schema.stories, schema.articles, schema.story_merges, schema.ingest_errors)
    create_search_index(conn, conn.dialect.name)


def _to_2_frequencies(conn: Connection) -> None:
    """Document frequencies from one compressed JSON value per name in ``meta``
    (rewritten whole by every batch) to the ``frequencies`` table, one row per key."""
    from .database import _save_frequencies
    from .rows import StoredFrequencies

    _create(conn, schema.frequencies)
    for key, value in conn.execute(select(meta.c.key, meta.c.value).where(meta.c.key.like("df:%"))).all():
        data = json.loads(zlib.decompress(bytes.fromhex(value)).decode("utf-8"))
        counts = StoredFrequencies(docs=data["docs"], df=Counter(data["df"]))
        _save_frequencies(conn, key[len("df:"):], counts, counts.df.keys())
        conn.execute(meta.delete().where(meta.c.key == key))


# Indexes the web page's listing queries need on large archives: the story list's order
# (a partial index matching exactly its WHERE, so counting and paging read the index, not
# the wide story rows), and covering indexes for the language and outlet filters and the
# filter menus. The web app created them when it started, which made serving a write.
_WEB_INDEXES = {
    "sqlite": [
        "CREATE INDEX IF NOT EXISTS ix_web_stories_recency ON stories "
        "(coalesce(last_published, updated_at) DESC, id) WHERE merged_into IS NULL AND size > 0",
        "CREATE INDEX IF NOT EXISTS ix_web_articles_lang ON articles (lang, story_id)",
        "CREATE INDEX IF NOT EXISTS ix_web_articles_outlet ON articles (outlet, story_id)",
    ],
    "postgresql": [
        "CREATE INDEX IF NOT EXISTS ix_web_stories_recency ON stories "
        "((coalesce(last_published, updated_at)) DESC, id) WHERE merged_into IS NULL AND size > 0",
        "CREATE INDEX IF NOT EXISTS ix_web_articles_lang ON articles (lang, story_id)",
        "CREATE INDEX IF NOT EXISTS ix_web_articles_outlet ON articles (outlet, story_id)",
    ],
}


def _to_3_read_paths(conn: Connection) -> None:
    """The coverage caches and the web page's indexes, which readers used to create on first use."""
    _create(conn, schema.coverage_cache, schema.coverage_views)
    for statement in _WEB_INDEXES.get(conn.dialect.name, []):
        conn.execute(text(statement))


def _to_4_article_versions(conn: Connection) -> None:
    """The history of articles whose page changed under the same URL (the article row keeps
    the latest content; ingest stores the earlier one here)."""
    _create(conn, schema.article_versions)


def _to_5_outlets(conn: Connection) -> None:
    """Outlets in a table of their own (``store/outlets.py``): the shipped list, then each
    stored article's outlet worked out again by the rule ingest now follows
    (``publishers.py``): its domain from its URL; an agency's name in its outlet
    column becomes a credit; a name that was only its URL's host (what earlier versions
    stored when the input gave none) is no name. Articles are read and rewritten a page
    at a time, by id."""
    from ..publishers import page_credits, publisher
    from .outlets import note_seen, seed_shipped

    if "domain" not in {c["name"] for c in inspect(conn).get_columns("articles")}:
        conn.execute(text("ALTER TABLE articles ADD COLUMN domain TEXT"))
    _create(conn, schema.outlets)
    seed_shipped(conn)
    a = schema.articles
    last = None
    while True:
        query = select(a.c.id, a.c.url, a.c.outlet, a.c.agencies, a.c.lang).order_by(a.c.id).limit(1000)
        rows = conn.execute(query if last is None else query.where(a.c.id > last)).all()
        if not rows:
            break
        last = rows[-1].id
        changes, seen = [], []
        for row in rows:
            given = row.outlet
            if given and row.url and given == _old_host(row.url):
                given = None
            found = publisher(given, row.url)
            agencies = page_credits(found.domain, found.credits, row.agencies or [])
            seen.append((found.domain, found.name, row.lang))
            changes.append({"article_id": row.id, "outlet": found.name, "domain": found.domain, "agencies": agencies})
        note_seen(conn, seen)
        conn.execute(a.update().where(a.c.id == bindparam("article_id")), changes)
    for statement in ("CREATE INDEX IF NOT EXISTS ix_web_articles_domain ON articles (domain, outlet, story_id)",):
        conn.execute(text(statement))


def _old_host(url: str) -> str | None:
    """The outlet versions 1-4 stored for a page whose input gave no source: its host
    without "www." and the like."""
    from ..publishers import outlet_from_url

    return outlet_from_url(url)


STEPS = {1: _to_1_base, 2: _to_2_frequencies, 3: _to_3_read_paths, 4: _to_4_article_versions, 5: _to_5_outlets}
assert sorted(STEPS) == list(range(1, SCHEMA_VERSION + 1)), "one step per schema version"
