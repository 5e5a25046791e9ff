"""The index behind related stories: each live story's main entity atoms, and its span.

Finding the stories that share a story's main people, places and organisations must
not read every story's profile on each request: this index holds, for each live story,
the atoms (``cluster.profile.entity_atoms``: entity keys, last names, name skeletons)
that a good share of its articles carry, one row per (story, atom) with an index on
the atom, and the story's time span. A lookup reads the rows of a few atoms.

The tables (``schema.RELATED_TABLES``) stay outside the schema's version, like the feed
registry's: writers create them (``create_index_tables``, called at the end of an
ingest). The index follows the stories through a watermark, the
latest ``stories.updated_at`` it has read: every write of a story (new, grown, merged
into, regrouped) sets that column, so a refresh reads only the stories written since.
Stories merged away or emptied (whose rows are not rewritten) are dropped at the same
refresh. A reader refreshes too when the index lags (readers add rows, as they do to
the coverage caches); a database without these tables (written by an older version)
or that cannot be written gets an index in memory, built from the stories each time
they change.

Which atoms count as main is the caller's policy (``select_main``); ``POLICY`` names it,
and an index made under another policy is rebuilt whole.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, create_engine, delete, func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from .convert import chunks
from .convert import parse_time, utc
from .migrations import create_missing, inspect_database
from .schema import RELATED_TABLES, articles, metadata, related_entities, related_spans, related_state, stories

log = logging.getLogger(__name__)

# (entity counts of a story's profile, its size, its articles' (entities, lemmas)) ->
# {atom: AtomRow}: the caller's policy of which atoms are main, and how they are named.
Describe = Callable[[dict, int, list], dict]


@dataclass(frozen=True)
class AtomRow:
    share: float
    name: str | None = None
    links: str = ""
    words: str = ""


@dataclass(frozen=True)
class Span:
    first: datetime | None
    last: datetime | None
    estimated: bool
    size: int


def create_index_tables(engine: Engine) -> None:
    """Create the index's tables when missing (writers only: a read changes no schema)."""
    create_missing(engine, RELATED_TABLES)


def _has_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        return {t.name for t in RELATED_TABLES} <= inspect_database(conn).tables


class RelatedIndex:
    """Main atoms and spans of the live stories of ``store_engine``, kept current by ``refresh``."""

    def __init__(self, store_engine: Engine, describe: Describe, policy: str):
        self.store_engine = store_engine
        self.describe = describe
        self.policy = policy
        self._lock = threading.Lock()
        self.in_memory = not _has_tables(store_engine)
        if self.in_memory:
            self.engine = create_engine("sqlite://", future=True)
            metadata.create_all(self.engine, tables=list(RELATED_TABLES))
        else:
            self.engine = store_engine
        self.refreshed = 0  # stories (re)indexed by this object, for tests and logs

    # --- keeping it current ----------------------------------------------------------
    def refresh(self) -> int:
        """Index the stories written since the last refresh; returns how many were read.
        A failed write (a read-only database, a concurrent writer) leaves the index as it
        was: it is then a little behind, and caught up by the next refresh."""
        with self._lock:
            try:
                return self._refresh()
            except SQLAlchemyError as exc:
                if self.in_memory:
                    raise
                log.warning("related stories: the index could not be brought up to date (%s); "
                            "falling back to an index in memory", exc)
                self.in_memory = True
                self.engine = create_engine("sqlite://", future=True)
                metadata.create_all(self.engine, tables=list(RELATED_TABLES))
                return self._refresh()

    def _refresh(self) -> int:
        with self.store_engine.connect() as conn:
            newest = conn.execute(select(func.max(stories.c.updated_at))).scalar()
        newest_text = utc(newest).isoformat() if newest is not None else ""
        with self.engine.begin() as conn:
            state = dict(conn.execute(select(related_state.c.key, related_state.c.value)).all())
            if state.get("policy") == self.policy and state.get("watermark") == newest_text:
                return 0
            since = parse_time(state.get("watermark")) if state.get("policy") == self.policy else None
            if since is None:
                conn.execute(delete(related_entities))
                conn.execute(delete(related_spans))
            changed = self._changed_stories(since)
            ids = [row.id for row in changed]
            for chunk in chunks(ids, 500):
                conn.execute(delete(related_entities).where(related_entities.c.story_id.in_(chunk)))
                conn.execute(delete(related_spans).where(related_spans.c.story_id.in_(chunk)))
            entity_rows, span_rows = [], []
            live = [row for row in changed if row.merged_into is None and row.size]
            texts = self._articles([row.id for row in live])
            for row in live:
                profile_span = row.span or [None, None]
                first, last = utc(row.first_published), utc(row.last_published)
                estimated = first is None
                if estimated:
                    first, last = parse_time(profile_span[0]), parse_time(profile_span[1])
                span_rows.append({"story_id": row.id, "first": first, "last": last, "estimated": estimated,
                                  "size": row.size})
                for atom, described in self.describe(row.entities or {}, row.size, texts.get(row.id, [])).items():
                    entity_rows.append({"story_id": row.id, "atom": atom, "share": float(described.share),
                                        "name": described.name, "links": described.links, "words": described.words})
            if span_rows:
                conn.execute(related_spans.insert(), span_rows)
            if entity_rows:
                conn.execute(related_entities.insert(), entity_rows)
            if since is not None:
                self._drop_dead(conn)
            for key, value in (("policy", self.policy), ("watermark", newest_text)):
                conn.execute(delete(related_state).where(related_state.c.key == key))
                conn.execute(related_state.insert().values(key=key, value=value))
        self.refreshed += len(changed)
        return len(changed)

    def _changed_stories(self, since: datetime | None) -> list:
        # Only the parts of the profile the index needs: a profile also holds up to 800
        # lemma counts, which a rebuild over a large archive need not parse.
        profile = stories.c.profile
        query = select(
            stories.c.id, stories.c.size, stories.c.merged_into, stories.c.first_published,
            stories.c.last_published, profile["entities"].label("entities"), profile["span"].label("span"),
        )
        if since is not None:
            query = query.where(stories.c.updated_at >= since)
        with self.store_engine.connect() as conn:
            return conn.execute(query).all()

    def _articles(self, story_ids: list[str]) -> dict[str, list[tuple[list, list]]]:
        """Each story's articles as (entities as stored [text, key, sentence], lemmas)."""
        features = articles.c.features
        out: dict[str, list] = {}
        with self.store_engine.connect() as conn:
            for chunk in chunks(story_ids, 200):
                for story_id, entities, lemmas in conn.execute(
                    select(articles.c.story_id, features["entities"], features["lemmas"])
                    .where(articles.c.story_id.in_(chunk))
                ):
                    out.setdefault(story_id, []).append((entities or [], lemmas or []))
        return out

    def _drop_dead(self, conn) -> None:
        """Forget the indexed stories that were merged away or emptied since."""
        indexed = set(conn.execute(select(related_spans.c.story_id)).scalars())
        with self.store_engine.connect() as store_conn:
            dead = set(store_conn.execute(
                select(stories.c.id).where(or_(stories.c.merged_into.is_not(None), stories.c.size == 0))
            ).scalars())
        gone = sorted(indexed & dead)
        for chunk in chunks(gone, 500):
            conn.execute(delete(related_entities).where(related_entities.c.story_id.in_(chunk)))
            conn.execute(delete(related_spans).where(related_spans.c.story_id.in_(chunk)))

    # --- reading ---------------------------------------------------------------------
    def main_atoms(self, story_id: str) -> dict[str, AtomRow]:
        return self.main_atoms_of([story_id]).get(story_id, {})

    def main_atoms_of(self, story_ids: Sequence[str]) -> dict[str, dict[str, AtomRow]]:
        out: dict[str, dict[str, AtomRow]] = {}
        table = related_entities.c
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(story_ids)), 500):
                for story_id, atom, share, name, links, words in conn.execute(
                    select(table.story_id, table.atom, table.share, table.name, table.links, table.words)
                    .where(table.story_id.in_(chunk))
                ):
                    out.setdefault(story_id, {})[atom] = AtomRow(share, name, links or "", words or "")
        return out

    def stories_with(self, atoms: Iterable[str]) -> dict[str, dict[str, float]]:
        """atom -> {story id: share} for every indexed story whose main atoms hold it."""
        out: dict[str, dict[str, float]] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(atoms)), 500):
                for story_id, atom, share in conn.execute(
                    select(related_entities.c.story_id, related_entities.c.atom, related_entities.c.share)
                    .where(related_entities.c.atom.in_(chunk))
                ):
                    out.setdefault(atom, {})[story_id] = share
        return out

    def spans(self, story_ids: Sequence[str]) -> dict[str, Span]:
        out = {}
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(story_ids)), 500):
                for row in conn.execute(select(related_spans).where(related_spans.c.story_id.in_(chunk))):
                    out[row.story_id] = Span(utc(row.first), utc(row.last), bool(row.estimated), row.size)
        return out

    def story_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(related_spans)).scalar_one()


def story_headlines(engine: Engine, story_ids: Sequence[str]) -> dict[str, str]:
    out = {}
    with engine.connect() as conn:
        for chunk in chunks(sorted(set(story_ids)), 500):
            out.update(conn.execute(select(stories.c.id, stories.c.headline).where(stories.c.id.in_(chunk))).all())
    return out
