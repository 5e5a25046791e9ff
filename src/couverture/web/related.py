"""Related stories on the story page and in the API (``coverage/related.py`` finds them).

``GET /api/stories/{id}/related`` lists them, with ``days`` for the span of time; the
story's own JSON carries them too, and the story page draws them in
``templates/_related.html``. A failure while finding them is logged and the page or
the story's JSON is served without them, as with the coverage sections.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ..store import Store
from . import queries
from .errors import ERROR_RESPONSES
from .render import story_path

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["api"], responses={422: ERROR_RESPONSES[422]})

MAX_DAYS = 3660.0


class RelatedOut(BaseModel):
    id: str
    headline: str
    relation: str = Field(description='"earlier", "later" or "same time" than this story; "undated" when either has no date.')
    first: datetime | None = Field(description="Its span: the given publication dates, else estimated ones (`estimated`).")
    last: datetime | None
    estimated: bool
    shared: list[str] = Field(description="The main names both stories carry, as this story writes them, weightiest first.")
    score: float = Field(description="Sum of the shared names' weights (share of articles naming it x rarity among stories).")
    gap_days: float | None = Field(description="Days between the two spans (0 when they meet).")
    note: str | None
    page: str = Field(description="Path of its web page.")


class RelatedList(BaseModel):
    story_id: str
    span_days: float
    note: str | None = Field(description="Said when this story has no date, and related stories are found by entities alone.")
    related: list[RelatedOut] = Field(description="In time order, undated last.")


def find_related(store: Store, story_id: str, span_days: float | None = None):
    """The story's related stories (``coverage.related.RelatedStories``), or None on a failure."""
    try:
        from ..coverage.related import DEFAULT_SPAN_DAYS, related_stories

        return related_stories(store, story_id, span_days=DEFAULT_SPAN_DAYS if span_days is None else span_days)
    except Exception:  # the page and the story's JSON are served without them
        log.exception("related stories of %s failed", story_id)
        return None


def related_out(related) -> list[RelatedOut]:
    if related is None:
        return []
    return [RelatedOut(**story.to_json() | {"first": story.first, "last": story.last}, page=story_path(story.id))
            for story in related.stories]


def _store(request: Request) -> Store:
    return request.app.state.store


@router.get("/stories/{story_id}/related", response_model=RelatedList, responses={404: ERROR_RESPONSES[404]},
            summary="The stories sharing a story's main people, places and organisations, within a span of time")
def get_related(
    story_id: str, store: Annotated[Store, Depends(_store)],
    days: Annotated[float, Query(ge=0, le=MAX_DAYS, description="At most this many days between the two stories.")] = 30,
) -> RelatedList:
    resolved = store.resolve_story_id(story_id)
    if resolved is None or queries.story_summary(store.engine, resolved) is None:
        raise HTTPException(404, f"no story {story_id!r}")
    related = find_related(store, resolved, days)
    if related is None:
        raise HTTPException(500, "related stories could not be found")
    return RelatedList(story_id=resolved, span_days=days, note=related.note, related=related_out(related))
