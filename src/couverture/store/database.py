"""Storage: SQLite file by default, PostgreSQL when given a URL.

Every ingest batch is written in one transaction: a crash or an error while writing
leaves the database as it was before the batch.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, bindparam, create_engine, event, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from ..errors import DatabaseError
from ..models import Article, Features, Merge, Placement
from . import DEFAULT_DB, schema
from .convert import chunks as _chunks
from .convert import iso, parse_time, utc, vector, vector_bytes
from .lock import WriterLock
from .migrations import inspect_database, schema_transaction, upgrade
from .opening import check_contents, check_location, engine_url, short_reason
from .outlets import ARTICLES_WITH_OUTLETS, OUTLET_NAME, note_seen
from .rows import (
    SavedFrequencies, SavedStory, StoredArticle, StoredFrequencies, StoredStory, StorySummary, estimate_from_json,
    features_from_json, features_json,
)
from .schema import SCHEMA_VERSION, article_versions, articles, frequencies, ingest_errors, meta, stories, story_merges
from .search import like_escape

if TYPE_CHECKING:  # numpy is imported where used: listing stories needs none
    import numpy as np


def database_url(target: str | Path) -> str:
    """A SQLAlchemy URL for a file path (SQLite) or a URL given as is."""
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


class Store:
    """The database behind the CLI and the web: articles, stories, membership."""

    def __init__(self, target: str | Path = DEFAULT_DB, echo: bool = False, *, create: bool = True):
        """Open ``target``, a SQLite file path or a database URL.

        ``create=True`` (write commands): a missing SQLite file or an empty database is
        made a couverture database, and an older schema is upgraded. ``create=False``
        (read commands): the database must exist and be couverture's at this schema
        version; nothing is created or migrated. Either way a database that is not
        couverture's, or of a newer schema, is refused: :class:`DatabaseError`, whose
        message is one line for the user.
        """
        shown = str(target)
        self.url = database_url(target)  # as shown to the user and as a cache key
        check_location(shown, create)
        self.engine: Engine = create_engine(engine_url(shown, create), echo=echo, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.writer = WriterLock(self.engine)  # taken by ingests (``writing``); readers never take it
        try:
            with self.engine.connect() as conn:
                found = inspect_database(conn)
                check_contents(shown, found, create)
                if create and conn.dialect.name == "sqlite":
                    # Persistent once set, and set only on couverture's own (or a new) file:
                    # readers (the web page) never block the ingest writer.
                    conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            self.found_version = found.version  # as opened (None: a new database), before any upgrade
            if create and found.version != SCHEMA_VERSION:
                self.migrate()
        except DatabaseError:
            self.engine.dispose()
            raise
        except SQLAlchemyError as exc:
            self.engine.dispose()
            if "file is not a database" in str(exc):
                raise DatabaseError(f"{shown} is not a SQLite database; give another --db") from exc
            raise DatabaseError(f"cannot open database {shown}: {short_reason(exc)}") from exc

    def writing(self, on_wait=None, timeout: float | None = None):
        """Context manager: hold the database's writer lock (see ``store/lock.py``);
        ``on_wait(message)`` is called once if another writer makes this one wait."""
        return self.writer.hold(on_wait=on_wait, timeout=timeout)

    # --- schema -------------------------------------------------------------------
    def migrate(self) -> int:
        """Bring the database to this code's schema version; returns the version it had
        (0: empty). A store opened with ``create=True`` has already done it.

        One writer at a time (``schema_transaction``): a second writer that opened the
        database while the first was upgrading it finds it upgraded and does nothing.
        The steps create only what is missing and the version is recorded last, so an
        upgrade cut short is finished by the next writer that opens the database.
        """
        with schema_transaction(self.engine) as conn:
            found = inspect_database(conn)
            check_contents(self.url, found, create=True)
            return upgrade(conn, found)

    def close(self) -> None:
        self.engine.dispose()

    # --- dedupe -------------------------------------------------------------------
    def existing_keys(self, ids: Sequence[str], urls: Sequence[str], hashes: Sequence[str]) -> tuple[set, set, set]:
        found_ids, found_urls, found_hashes = set(), set(), set()
        with self.engine.connect() as conn:
            for chunk in _chunks(list(ids), 500):
                found_ids.update(conn.execute(select(articles.c.id).where(articles.c.id.in_(chunk))).scalars())
            for chunk in _chunks([u for u in urls if u], 500):
                found_urls.update(conn.execute(select(articles.c.url).where(articles.c.url.in_(chunk))).scalars())
            for chunk in _chunks(list(hashes), 500):
                found_hashes.update(
                    conn.execute(select(articles.c.content_hash).where(articles.c.content_hash.in_(chunk))).scalars()
                )
                # An earlier version's content is known too: reading it again (a re-run, an
                # old copy of the page) must not roll the article back.
                found_hashes.update(conn.execute(
                    select(article_versions.c.content_hash).where(article_versions.c.content_hash.in_(chunk))).scalars())
        return found_ids, found_urls, found_hashes

    def url_owners(self, urls: Sequence[str]) -> dict[str, tuple[str, str]]:
        """``url -> (article id, content hash)`` of the stored articles at ``urls``."""
        found: dict[str, tuple[str, str]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(u for u in urls if u)), 500):
                query = select(articles.c.url, articles.c.id, articles.c.content_hash).where(articles.c.url.in_(chunk))
                found.update((url, (aid, digest)) for url, aid, digest in conn.execute(query))
        return found

    def replace_articles(self, versions: Sequence[tuple[str, Article, Features]]) -> None:
        """New versions of stored articles, ``(stored id, article, features)``, in one
        transaction: the row keeps its id and story and takes the new content; what it
        held is kept in ``article_versions``. The story's headline follows the article's
        title when it was that title."""
        now = datetime.now(timezone.utc)
        with self.engine.begin() as conn:
            for old_id, article, feats in versions:
                old = conn.execute(select(articles).where(articles.c.id == old_id)).first()
                if old is None:
                    continue
                conn.execute(article_versions.insert().values(
                    article_id=old.id, url=old.url, content_hash=old.content_hash, title=old.title, text=old.text,
                    published=old.published, fetched_at=old.fetched_at, ingested_at=old.ingested_at, replaced_at=now,
                ))
                conn.execute(articles.update().where(articles.c.id == old_id).values(
                    content_hash=article.content_hash, title=article.title, text=article.text,
                    published=article.published or old.published, fetched_at=article.fetched_at, ingested_at=now,
                    outlet=article.outlet or old.outlet, domain=article.domain or old.domain, byline=article.byline,
                    agencies=article.agencies,
                    origin=article.origin, removed_lines=article.removed_lines, features=features_json(feats),
                    embedding=vector_bytes(feats.embedding),
                ))
                story = stories.update().where(stories.c.id == old.story_id)
                conn.execute(story.values(updated_at=now))
                conn.execute(story.where(stories.c.headline == old.title).values(headline=article.title))
            note_seen(conn, [(a.domain, a.outlet, a.lang) for _, a, _ in versions])

    def article_history(self, article_id: str) -> list[dict]:
        """The earlier versions of an article, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(article_versions).where(article_versions.c.article_id == article_id)
                                .order_by(article_versions.c.id)).all()
        return [dict(r._mapping) for r in rows]

    # --- clustering state -----------------------------------------------------------
    def frequency_docs(self, name: str) -> int:
        """How many documents the stored document frequencies ``name`` count."""
        with self.engine.connect() as conn:
            return _frequency_docs(conn, name)

    def frequency_counts(self, name: str, keys: Sequence[str]) -> dict[str, int]:
        """Stored document frequencies of ``keys`` (absent keys are left out)."""
        found: dict[str, int] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(keys), 500):
                found.update(conn.execute(
                    select(frequencies.c.key, frequencies.c.df)
                    .where(frequencies.c.name == name, frequencies.c.key.in_(chunk))
                ).all())
        return found

    def load_frequencies(self, name: str) -> StoredFrequencies:
        """Every stored document frequency ``name`` at once (for tools and checks; ingest
        reads the counts of the keys it needs, ``frequency_docs`` and ``frequency_counts``)."""
        loaded = StoredFrequencies()
        with self.engine.connect() as conn:
            loaded.docs = _frequency_docs(conn, name)
            if loaded.docs:
                loaded.df = Counter(dict(conn.execute(
                    select(frequencies.c.key, frequencies.c.df).where(frequencies.c.name == name)
                ).all()))
        return loaded

    def active_stories(self, limit: int, since: datetime | None = None, until: datetime | None = None) -> list[StoredStory]:
        """The most recently active stories, newest first, with their clustering state.

        ``since``: only stories last published at or after it, and undated ones.
        ``until``: only stories first published at or before it, and undated ones.
        """
        recency = func.coalesce(stories.c.last_published, stories.c.updated_at)
        query = select(stories).where(stories.c.merged_into.is_(None))
        if since is not None:
            query = query.where(or_(stories.c.last_published >= utc(since), stories.c.last_published.is_(None)))
        if until is not None:
            query = query.where(or_(stories.c.first_published <= utc(until), stories.c.first_published.is_(None)))
        query = query.order_by(recency.desc(), stories.c.id).limit(limit)
        out = []
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                m = row._mapping
                profile = m["profile"] or {}
                span = profile.get("span") or [None, None]
                out.append(
                    StoredStory(
                        id=m["id"], size=m["size"], embedding_sum=vector(m["embedding_sum"]),
                        term_df=Counter(profile.get("terms", {})), entity_df=Counter(profile.get("entities", {})),
                        number_df=Counter(profile.get("numbers", {})), langs=Counter(profile.get("langs", {})),
                        first=utc(m["first_published"]), last=utc(m["last_published"]),
                        clue_weekdays=Counter({int(k): v for k, v in profile.get("clue_weekdays", {}).items()}),
                        clue_days=Counter({tuple(int(x) for x in k.split("-")): v
                                           for k, v in profile.get("clue_days", {}).items()}),
                        # Stories stored before estimated dates existed: their given dates.
                        span_first=parse_time(span[0]) or utc(m["first_published"]),
                        span_last=parse_time(span[1]) or utc(m["last_published"]),
                    )
                )
        return out

    # --- what coverage keeps: the coverage stage calls these, it never imports the store ---
    def cached_vectors(self, keys) -> dict:
        from .coverage import cached_vectors

        return cached_vectors(self.engine, keys)

    def save_vectors(self, rows) -> None:
        from .coverage import save_vectors

        save_vectors(self.engine, rows)

    def load_view(self, key: str) -> dict | None:
        from .coverage import load_view

        return load_view(self.engine, key)

    def save_view(self, key: str, story_id: str, members: str, view: dict) -> None:
        from .coverage import save_view

        save_view(self.engine, key, story_id, members, view)

    def story_headline(self, story_id: str) -> str | None:
        from .coverage import story_headline

        return story_headline(self.engine, story_id)

    def related_index(self, describe, policy: str):
        """The index of stories' main names (``describe`` says what a story's are)."""
        from .related_index import RelatedIndex

        return RelatedIndex(self.engine, describe, policy)

    def create_related_tables(self) -> None:
        from .related_index import create_index_tables

        create_index_tables(self.engine)

    def story_headlines(self, story_ids) -> dict:
        from .related_index import story_headlines

        return story_headlines(self.engine, story_ids)

    # --- writing ------------------------------------------------------------------
    def write_batch(
        self,
        batch: Sequence[Placement],
        touched: Iterable[SavedStory],
        headlines: dict[str, str],
        frequencies: dict[str, SavedFrequencies],
        errors: Sequence = (),
        merges: Sequence[Merge] = (),
        changed_keys: dict[str, Iterable[str]] | None = None,
        moves: dict[str, str] | None = None,
    ) -> None:
        """Write articles (with their story id), story profiles and errors, all or nothing.

        ``moves``: stored articles a regroup moved, with their story now; applied after
        the merges, and the stories they leave or enter get their headline from their
        earliest article again.

        ``frequencies``: document frequencies to save; only the keys in
        ``changed_keys[name]`` when given (those of the batch's articles), else all.
        """
        now = datetime.now(timezone.utc)
        touched = list(touched)
        with self.engine.begin() as conn:
            _write_stories(conn, touched, headlines, now)
            if batch:
                _write_articles(conn, batch, now)
            # A story may be merged into one that a later merge or regroup of the same
            # batch took away before it was ever written: rows point past such stories,
            # along the batch's own chain, to one that has a row; the merge records keep
            # every step, so the passing id still resolves.
            _write_merges(conn, merges, {s.id for s in touched}, now)
            if moves:
                _apply_moves(conn, moves)
            if errors:
                conn.execute(
                    ingest_errors.insert(), [{"origin": e.origin, "reason": e.reason, "at": now} for e in errors]
                )
            for name, counts in frequencies.items():
                keys = counts.df.keys() if changed_keys is None or name not in changed_keys else changed_keys[name]
                _save_frequencies(conn, name, counts, keys)

    # --- reading ------------------------------------------------------------------
    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(articles)).scalar_one()

    def resolve_story_id(self, story_id: str) -> str | None:
        """Follow merges, and accept a unique id prefix (as git does)."""
        if not story_id or len(story_id) > MAX_STORY_ID_CHARS:
            return None  # no story has such an id (and SQLite refuses a LIKE pattern that long)
        with self.engine.connect() as conn:
            row = conn.execute(select(stories.c.id, stories.c.merged_into).where(stories.c.id == story_id)).first()
            if row is None and len(story_id) >= 4:
                prefix = stories.c.id.like(like_escape(story_id) + "%", escape="\\")
                matches = conn.execute(select(stories.c.id).where(prefix).limit(2)).scalars().all()
                if len(matches) == 1:
                    row = conn.execute(
                        select(stories.c.id, stories.c.merged_into).where(stories.c.id == matches[0])
                    ).first()
            if row is None:
                # A story opened and merged away inside one batch never got a row of
                # its own; its merge record still says where it went.
                into = conn.execute(
                    select(story_merges.c.into_story).where(story_merges.c.from_story == story_id)
                    .order_by(story_merges.c.id.desc()).limit(1)
                ).scalar()
                if into is not None:
                    row = conn.execute(select(stories.c.id, stories.c.merged_into).where(stories.c.id == into)).first()
            seen = set()
            while row is not None and row.merged_into and row.id not in seen:
                seen.add(row.id)
                row = conn.execute(select(stories.c.id, stories.c.merged_into).where(stories.c.id == row.merged_into)).first()
            return row.id if row is not None else None

    def story_ids_with_prefix(self, prefix: str, limit: int = 10) -> list[str]:
        """Ids of the listed stories (not merged away, not empty) that begin with ``prefix``, in order."""
        if len(prefix) > MAX_STORY_ID_CHARS:
            return []  # longer than any id (and SQLite refuses a LIKE pattern that long)
        query = (
            select(stories.c.id)
            .where(stories.c.id.startswith(prefix, autoescape=True), stories.c.merged_into.is_(None), stories.c.size > 0)
            .order_by(stories.c.id).limit(limit)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def list_stories(self, limit: int | None = None, offset: int = 0) -> list[StorySummary]:
        """The listed stories (not merged away, not empty), most recently active first."""
        from .queries import all_stories

        return all_stories(self.engine, limit, offset)

    def story_articles(self, story_id: str) -> list[StoredArticle]:
        query = (
            _WHOLE_ARTICLES.where(articles.c.story_id == story_id)
            .order_by(articles.c.published.is_(None), articles.c.published, articles.c.ingested_at, articles.c.id)
        )
        with self.engine.connect() as conn:
            return [StoredArticle.from_row(r) for r in conn.execute(query)]

    def get_article(self, article_id: str) -> StoredArticle | None:
        with self.engine.connect() as conn:
            row = conn.execute(_WHOLE_ARTICLES.where(articles.c.id == article_id)).first()
        return StoredArticle.from_row(row) if row is not None else None

    def iter_articles(self, batch: int = 500):
        """All articles in a stable order, a page at a time (for export)."""
        last = None
        while True:
            query = _WHOLE_ARTICLES.order_by(articles.c.id).limit(batch)
            if last is not None:
                query = query.where(articles.c.id > last)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield StoredArticle.from_row(row)
            last = rows[-1].id

    def story_members(self, story_ids: Sequence[str]) -> dict[str, list[tuple[Article, Features]]]:
        """The articles of each story as the clusterer reads them: id, language, date,
        title, estimated date, and their features (for a regroup after a restore)."""
        out: dict[str, list[tuple[Article, Features]]] = {sid: [] for sid in story_ids}
        columns = (articles.c.id, articles.c.story_id, articles.c.lang, articles.c.published, articles.c.title,
                   articles.c.features, articles.c.embedding)
        with self.engine.connect() as conn:
            for chunk in _chunks(list(story_ids), 200):
                query = select(*columns).where(articles.c.story_id.in_(chunk)).order_by(articles.c.ingested_at, articles.c.id)
                for row in conn.execute(query):
                    features = features_from_json(row.features or {}, vector(row.embedding))
                    article = Article(id=row.id, title=row.title, text="", lang=row.lang, origin="",
                                      content_hash="", published=utc(row.published),
                                      estimate=estimate_from_json(row.features))
                    out[row.story_id].append((article, features))
        return out

    def article_embeddings(self, article_ids: Sequence[str]) -> dict[str, np.ndarray]:
        out = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(article_ids), 500):
                for aid, blob in conn.execute(select(articles.c.id, articles.c.embedding).where(articles.c.id.in_(chunk))):
                    out[aid] = vector(blob)
        return out

    def recent_errors(self, limit: int = 50) -> list[tuple[str, str, datetime]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(ingest_errors).order_by(ingest_errors.c.id.desc()).limit(limit)).all()
        return [(r.origin, r.reason, utc(r.at)) for r in rows]

    # --- outlets ------------------------------------------------------------------
    def list_outlets(self, everything: bool = False) -> list:
        """Outlets with their article counts (``store.outlets.OutletListing``), by name."""
        from .outlets import list_outlets

        with self.engine.connect() as conn:
            return list_outlets(conn, everything)

    def set_outlets(self, edits: Sequence[dict]) -> list:
        """The user's edits, ``{"domain", "name", "country", "lang", "kind"}`` (all but the
        domain optional), in one transaction under the writer lock; returns the rows as
        set (``OutletInfo``). Raises ValueError, before writing anything, on a domain or
        kind that is not one."""
        from .outlets import normal_domain, set_outlet

        normal = []
        for edit in edits:
            domain = normal_domain(edit.get("domain") or "")
            if domain is None:
                raise ValueError(f"{edit.get('domain')!r} is not a domain (give one such as zeit.de)")
            normal.append({**edit, "domain": domain})
        with self.writing(), self.engine.begin() as conn:
            return [set_outlet(conn, e["domain"], e.get("name"), e.get("country"), e.get("lang"), e.get("kind"))
                    for e in normal]

    def search_articles(self, query: str, limit: int = 50) -> list[StoredArticle]:
        """Whole articles with every word of ``query``, best first (``store.search``: the
        full-text index on SQLite, substrings elsewhere)."""
        from .search import search_articles

        hits, _ = search_articles(self.engine, query, limit=limit, snippets=False)
        ids = [h.article_id for h in hits]
        with self.engine.connect() as conn:
            found = {r.id: StoredArticle.from_row(r) for r in conn.execute(_WHOLE_ARTICLES.where(articles.c.id.in_(ids)))}
        return [found[i] for i in ids if i in found]


def _write_stories(conn, touched: list[SavedStory], headlines: dict[str, str], now: datetime) -> None:
    """The batch's stories: new ones inserted, known ones updated (headline only when given)."""
    known = set()
    ids = [s.id for s in touched]
    for chunk in _chunks(ids, 500):
        known.update(conn.execute(select(stories.c.id).where(stories.c.id.in_(chunk))).scalars())
    # One executemany per kind of statement, not one statement per story.
    inserts: list[dict] = []
    updates: dict[bool, list[dict]] = {True: [], False: []}  # with a new headline or not
    for story in touched:
        values = {
            "merged_into": None,  # written as a live story: live again if a regroup revived its id
            "size": story.size,
            "first_published": story.first,
            "last_published": story.last,
            "updated_at": now,
            "embedding_sum": vector_bytes(story.embedding_sum),
            "profile": {
                "terms": dict(story.term_df), "entities": dict(story.entity_df),
                "numbers": dict(story.number_df), "langs": dict(story.langs),
                "clue_weekdays": {str(k): v for k, v in story.clue_weekdays.items() if v},
                "clue_days": {f"{m}-{d}": v for (m, d), v in story.clue_days.items() if v},
                "span": [iso(story.span_first), iso(story.span_last)],
            },
        }
        if story.id in known:
            if story.id in headlines:
                values["headline"] = headlines[story.id]
            updates[story.id in headlines].append({"story_id": story.id, **values})
        else:
            inserts.append({"id": story.id, "headline": headlines.get(story.id, ""), "created_at": now, **values})
    if inserts:
        conn.execute(stories.insert(), inserts)
    for rows in updates.values():
        if rows:
            conn.execute(stories.update().where(stories.c.id == bindparam("story_id")), rows)


def _write_articles(conn, batch: Sequence[Placement], now: datetime) -> None:
    conn.execute(
        articles.insert(),
        [
            {
                "id": a.id, "story_id": sid, "url": a.url, "content_hash": a.content_hash,
                "title": a.title, "text": a.text, "lang": a.lang, "published": a.published,
                "fetched_at": a.fetched_at, "ingested_at": now, "outlet": a.outlet, "domain": a.domain,
                "byline": a.byline,
                "agencies": a.agencies, "origin": a.origin, "join_probability": p, "extra": a.extra,
                "removed_lines": a.removed_lines, "features": features_json(f, a.estimate),
                "embedding": vector_bytes(f.embedding),
            }
            for a, f, sid, p in batch
        ],
    )
    note_seen(conn, [(a.domain, a.outlet, a.lang) for a, _, _, _ in batch])


def _write_merges(conn, merges: Sequence[Merge], written: set[str], now: datetime) -> None:
    """Each merge: the story marked merged, its articles moved, the merge recorded;
    ``written``: every story this batch writes a row for."""
    onward = {from_story: into_story for from_story, into_story, _ in merges}
    for from_story, into_story, score in merges:
        target, seen = into_story, {from_story}
        while target not in written and target in onward and target not in seen:
            seen.add(target)
            target = onward[target]
        conn.execute(stories.update().where(stories.c.id == from_story).values(merged_into=target, size=0))
        conn.execute(articles.update().where(articles.c.story_id == from_story).values(story_id=target))
        conn.execute(
            story_merges.insert().values(from_story=from_story, into_story=into_story, merged_at=now, score=score)
        )


# Whole article rows with the name their outlet is shown by (StoredArticle.outlet).
_WHOLE_ARTICLES = select(articles, OUTLET_NAME.label("outlet_name")).select_from(ARTICLES_WITH_OUTLETS)

MAX_STORY_ID_CHARS = 64  # story ids are 32 characters at most; a longer one names nothing


def _upsert(conn, table, rows: list[dict], key_columns: Sequence[str]) -> None:
    """Insert rows, replacing those whose key columns already exist (SQLite and PostgreSQL)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    updated = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in key_columns}
    conn.execute(statement.on_conflict_do_update(index_elements=list(key_columns), set_=updated), rows)


def _apply_moves(conn, moves: dict[str, str]) -> None:
    old = set()
    for chunk in _chunks(sorted(moves), 500):
        old.update(conn.execute(select(articles.c.story_id).where(articles.c.id.in_(chunk))).scalars())
    conn.execute(
        articles.update().where(articles.c.id == bindparam("article_id")),
        [{"article_id": aid, "story_id": sid} for aid, sid in sorted(moves.items())],
    )
    for story_id in sorted(old | set(moves.values())):
        earliest = (
            select(articles.c.title).where(articles.c.story_id == story_id)
            .order_by(articles.c.published.is_(None), articles.c.published, articles.c.ingested_at, articles.c.id)
            .limit(1).scalar_subquery()
        )
        count = select(func.count()).select_from(articles).where(articles.c.story_id == story_id).scalar_subquery()
        conn.execute(stories.update().where(stories.c.id == story_id).values(headline=func.coalesce(earliest, stories.c.headline), size=count))


def _frequency_docs(conn, name: str) -> int:
    """How many documents the stored document frequencies ``name`` count."""
    return int(conn.execute(select(meta.c.value).where(meta.c.key == f"dfdocs:{name}")).scalar() or 0)


def _save_frequencies(conn, name: str, counts: SavedFrequencies, keys: Iterable[str]) -> None:
    df = counts.df
    _upsert(conn, frequencies, [{"name": name, "key": k, "df": df[k]} for k in keys if df.get(k)], ("name", "key"))
    _upsert(conn, meta, [{"key": f"dfdocs:{name}", "value": str(counts.docs)}], ("key",))


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


__all__ = ["DEFAULT_DB", "Store", "StoredArticle", "StorySummary", "database_url", "features_from_json", "schema"]
