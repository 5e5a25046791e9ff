"""The coverage stage's tables: sentence vectors by text (``coverage_cache``) and whole
story views by the story's members (``coverage_views``).

Readers add rows here (showing a story writes its view), best effort: another process
may have stored the same row meanwhile, and a database that cannot be written keeps
nothing and gets its coverage computed again next time.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from sqlalchemy import Engine, and_, delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .convert import chunks
from .schema import coverage_cache, coverage_views, stories


def cached_vectors(engine: Engine, keys: Sequence[str]) -> dict[str, bytes]:
    """The stored vectors of ``keys`` (float32 bytes), by key; absent keys are left out."""
    found: dict[str, bytes] = {}
    with engine.connect() as conn:
        for chunk in chunks(list(keys), 500):
            found.update(conn.execute(
                select(coverage_cache.c.key, coverage_cache.c.vector).where(coverage_cache.c.key.in_(chunk))
            ).all())
    return found


def save_vectors(engine: Engine, rows: list[dict]) -> None:
    """Store vectors, ``{"key", "model", "vector"}``; those another process stored meanwhile
    are skipped, and a database that cannot be written keeps none."""
    try:
        with engine.begin() as conn:
            conn.execute(coverage_cache.insert(), rows)
    except IntegrityError:
        # Another process cached some of them meanwhile: insert the rest one by one.
        for row in rows:
            try:
                with engine.begin() as conn:
                    conn.execute(coverage_cache.insert(), [row])
            except IntegrityError:
                pass
    except Exception:
        # A read-only database still gets a coverage page, only slower next time.
        pass


def load_view(engine: Engine, key: str) -> dict | None:
    """A stored view (``StoryView.to_json()``) by its key, or None."""
    with engine.connect() as conn:
        return conn.execute(select(coverage_views.c.view).where(coverage_views.c.key == key)).scalar()


def save_view(engine: Engine, key: str, story_id: str, members: str, view: dict) -> None:
    """Store a computed view, dropping the story's views of other member sets (stale
    since an article joined or left). Best effort, as for vectors: another process may
    have stored the same view meanwhile, and a read-only database keeps nothing."""
    row = {"key": key, "story_id": story_id, "members": members, "view": view, "computed_at": datetime.now(timezone.utc)}
    try:
        with engine.begin() as conn:
            conn.execute(delete(coverage_views).where(
                and_(coverage_views.c.story_id == story_id, coverage_views.c.members != members)))
            conn.execute(coverage_views.insert(), [row])
    except SQLAlchemyError:
        pass


def story_headline(engine: Engine, story_id: str) -> str | None:
    """The stored headline of a story (the id as stored, not a prefix), or None."""
    with engine.connect() as conn:
        return conn.execute(select(stories.c.headline).where(stories.c.id == story_id)).scalar()
