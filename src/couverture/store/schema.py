"""Every table of a couverture database, for SQLite and PostgreSQL (SQLAlchemy Core).

``SCHEMA_VERSION`` is the version this code reads and writes; ``migrations.py`` holds
the step from each version to the next. Adding or changing a versioned table means a
new step there and one more here.

Two groups of tables are declared here but made on demand instead, by the writer that
first needs them, and stay outside the version: the feed registry (``FEED_TABLES``,
made by ``store/feeds.py`` when feeds are first used) and the related-stories index
(``RELATED_TABLES``, made by ``store/related_index.py`` at the end of an ingest). A
database without them is complete: it has no feeds, and its index is built in memory.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table, Text,
)

metadata = MetaData()

# 1: articles, stories, merges, errors and the search index
# 2: document frequencies in their own table, one row per key
# 3: the coverage caches (sentence vectors, computed views) and the web page's indexes,
#    made by the upgrade instead of by the first reader that needed them
# 4: the earlier versions of articles whose page changed under the same URL
# 5: outlets in a table of their own, articles linked to theirs by domain
SCHEMA_VERSION = 5

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("headline", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("first_published", DateTime(timezone=True)),
    Column("last_published", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("merged_into", String(32), ForeignKey("stories.id")),  # set when merged away; the id stays valid
    Column("embedding_sum", LargeBinary),
    Column("profile", JSON),  # lemma/entity/number/language counts, for the online clusterer
    Index("ix_stories_updated", "updated_at"),
    Index("ix_stories_last_published", "last_published"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("story_id", String(32), ForeignKey("stories.id"), nullable=False),
    Column("url", Text, unique=True),
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("lang", String(8), nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("fetched_at", DateTime(timezone=True)),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("outlet", Text),  # the outlet's name as the input gave it (never an agency's)
    Column("domain", Text),  # the outlet: a row of ``outlets`` (none when unknown)
    Column("byline", Text),
    Column("agencies", JSON, nullable=False),
    Column("origin", Text, nullable=False),
    Column("join_probability", Float),
    Column("extra", JSON),
    Column("removed_lines", JSON),
    Column("features", JSON, nullable=False),  # sentences, entities, numbers, dates
    Column("embedding", LargeBinary, nullable=False),
    Index("ix_articles_story", "story_id"),
    Index("ix_articles_published", "published"),
)

story_merges = Table(
    "story_merges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("from_story", String(32), nullable=False),
    Column("into_story", String(32), nullable=False),
    Column("merged_at", DateTime(timezone=True), nullable=False),
    Column("score", Float),
)

ingest_errors = Table(
    "ingest_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("origin", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Document frequencies of lemmas and entity keys over every stored article (the
# clusterer's IDF), one row per key: an ingest batch rewrites only the keys its
# articles contain, not the whole vocabulary. The document count is in ``meta``
# under ``dfdocs:<name>``.
frequencies = Table(
    "frequencies",
    metadata,
    Column("name", String(16), primary_key=True),  # "terms" or "entities"
    Column("key", Text, primary_key=True),
    Column("df", Integer, nullable=False),
    sqlite_with_rowid=False,  # the key is the row: one B-tree instead of a table and an index
)

# The full-coverage stage's caches (``coverage/cache.py``): sentence vectors by text, and
# whole story views by the story's members, so that showing a story a second time, in
# another process, reads one row instead of running the encoder and the alignment.
coverage_cache = Table(
    "coverage_cache",
    metadata,
    Column("key", String(64), primary_key=True),  # sha1 of model name + text
    Column("model", String(64), nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

coverage_views = Table(
    "coverage_views",
    metadata,
    Column("key", String(64), primary_key=True),  # sha1 of story id, members, language, model, view version
    Column("story_id", String(32), nullable=False),
    Column("members", String(40), nullable=False),  # sha1 of the member articles' ids, titles and texts
    Column("view", JSON, nullable=False),  # StoryView.to_json()
    Column("computed_at", DateTime(timezone=True), nullable=False),
    Index("ix_coverage_views_story", "story_id"),
)

# Earlier versions of articles whose page changed under the same URL: the article row
# holds the latest (same id, same story), these rows the history, oldest first.
article_versions = Table(
    "article_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(200), nullable=False),
    Column("url", Text),
    Column("content_hash", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("fetched_at", DateTime(timezone=True)),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    Index("ix_article_versions_article", "article_id"),
)

# Outlets, one per registrable domain (store/outlets.py): the shipped list of major
# outlets and agencies, the domains the ingested data shows (with the name its input
# gave), and the user's edits, which no ingest overwrites. Articles point here by
# ``articles.domain``; two domains given one name are one outlet (bbc.co.uk, bbc.com).
outlets = Table(
    "outlets",
    metadata,
    Column("domain", String(255), primary_key=True),
    Column("name", Text, nullable=False),
    Column("country", String(8)),  # ISO 3166-1 alpha-2
    Column("lang", String(8)),  # ISO 639-1
    Column("kind", String(16), nullable=False),  # "outlet", or "agency" for a news agency's own site
    Column("origin", String(16), nullable=False),  # "shipped", "seen" or "user"
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_outlets_name", "name"),
)


# --- made on demand (see the module's docstring) -----------------------------------------

# The feed registry and each feed's polling state (``store/feeds.py``).
feeds = Table(
    "feeds",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False, unique=True),
    Column("title", Text),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("interval_seconds", Integer),  # None: the watcher's --interval
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_poll_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("last_error_at", DateTime(timezone=True)),
    Column("error_count", Integer, nullable=False, default=0),  # consecutive failed polls
    Column("next_poll_at", DateTime(timezone=True)),
    Column("articles_added", Integer, nullable=False, default=0),
    Column("last_status", Text),
)

feed_entries = Table(
    "feed_entries",
    metadata,
    Column("feed_id", Integer, ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True),
    Column("key_hash", String(32), primary_key=True),  # sha256 of the entry key, so long ids index well
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# The index behind related stories (``store/related_index.py``): each live story's main
# entity atoms, one row per (story, atom), its span, and how far the index has read.
related_entities = Table(
    "related_entities",
    metadata,
    Column("story_id", String(32), primary_key=True),
    Column("atom", Text, primary_key=True),
    Column("share", Float, nullable=False),  # share of the story's articles that carry the atom
    Column("name", Text),  # the atom as the story's articles write it most ("Poutine" for putin)
    Column("links", Text),  # the other atoms of the same name, space-separated ("putin ~vldmr ~ptn")
    Column("words", Text),  # of a skeleton atom: the Latin words of the story's names that give it
    Index("ix_related_entities_atom", "atom"),
)

related_spans = Table(
    "related_spans",
    metadata,
    Column("story_id", String(32), primary_key=True),
    Column("first", DateTime(timezone=True)),
    Column("last", DateTime(timezone=True)),
    Column("estimated", Boolean, nullable=False),  # the span comes from estimated dates, not given ones
    Column("size", Integer, nullable=False),
)

related_state = Table(
    "related_state",
    metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

FEED_TABLES = (feeds, feed_entries)
RELATED_TABLES = (related_entities, related_spans, related_state)
ON_DEMAND_TABLES = FEED_TABLES + RELATED_TABLES
# Outside this module's metadata, made by SQL of its own: the full-text index over articles
# (``store/search.py``, SQLite only), with the shadow tables FTS5 keeps for it
# (``articles_fts_data``, ``_idx``, ``_content``, ``_docsize``, ``_config``).
FTS_TABLE = "articles_fts"
OTHER_TABLES = (FTS_TABLE,)
