"""What the store reads and writes: its row classes, and the plain data of the clustering
state it saves (the clusterer's profiles match ``SavedStory`` and ``SavedFrequencies``;
the store returns ``StoredStory`` and ``StoredFrequencies``, from which the engine
builds them again). The store imports no stage: these are its side of the contract.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from ..models import DateEstimate, Entity, Features, TimeClues
from .convert import utc

if TYPE_CHECKING:  # numpy is imported where used: listing stories needs none
    import numpy as np


class SavedStory(Protocol):
    """A story's clustering state as ``Store.write_batch`` saves it (``cluster.profile.StoryProfile``)."""

    id: str
    size: int
    embedding_sum: np.ndarray | None
    term_df: Counter
    entity_df: Counter
    number_df: Counter
    langs: Counter
    first: datetime | None
    last: datetime | None
    span_first: datetime | None
    span_last: datetime | None
    clue_weekdays: Counter
    clue_days: Counter


class SavedFrequencies(Protocol):
    """Document frequencies as saved (``cluster.profile.DocumentFrequencies``)."""

    docs: int
    df: Mapping[str, int]


@dataclass
class StoredStory:
    """A story's clustering state as read back: the fields of ``SavedStory``."""

    id: str
    size: int = 0
    embedding_sum: np.ndarray | None = None
    term_df: Counter = field(default_factory=Counter)
    entity_df: Counter = field(default_factory=Counter)
    number_df: Counter = field(default_factory=Counter)
    langs: Counter = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    span_first: datetime | None = None
    span_last: datetime | None = None
    clue_weekdays: Counter = field(default_factory=Counter)
    clue_days: Counter = field(default_factory=Counter)


@dataclass
class StoredFrequencies:
    """Stored document frequencies: how many documents, and each key's count."""

    docs: int = 0
    df: Counter = field(default_factory=Counter)


@dataclass
class StoredArticle:
    id: str
    story_id: str
    title: str
    text: str
    lang: str
    published: datetime | None
    url: str | None
    outlet: str | None  # the outlet's name as shown (store/outlets.py), None when unknown
    byline: str | None
    agencies: list[str]
    origin: str
    fetched_at: datetime | None
    ingested_at: datetime
    join_probability: float | None
    extra: dict
    features: dict
    domain: str | None = None  # the outlet's domain (its row in ``outlets``), None when unknown

    @classmethod
    def from_row(cls, row) -> "StoredArticle":
        m = row._mapping
        return cls(
            id=m["id"], story_id=m["story_id"], title=m["title"], text=m["text"], lang=m["lang"],
            published=utc(m["published"]), url=m["url"],
            outlet=m["outlet_name"] if "outlet_name" in m else m["outlet"], byline=m["byline"],
            agencies=list(m["agencies"] or []), origin=m["origin"], fetched_at=utc(m["fetched_at"]),
            ingested_at=utc(m["ingested_at"]), join_probability=m["join_probability"],
            extra=dict(m["extra"] or {}), features=dict(m["features"] or {}), domain=m["domain"],
        )

    @property
    def estimate(self) -> DateEstimate | None:
        """Its estimated date when it has no given one (a month stamp, a weekday resolved
        against its story's dates)."""
        return None if self.published is not None else estimate_from_json(self.features)

    def to_json(self, with_text: bool = True) -> dict:
        estimate = self.estimate
        out = {
            "id": self.id, "story_id": self.story_id, "title": self.title, "lang": self.lang,
            "published": self.published.isoformat() if self.published else None,
            "estimated": estimate.to_json() if estimate else None, "url": self.url,
            "outlet": self.outlet, "domain": self.domain, "byline": self.byline, "agencies": self.agencies,
            "origin": self.origin,
        }
        if with_text:
            out["text"] = self.text
        return out


@dataclass
class StorySummary:
    id: str
    headline: str
    size: int
    first_published: datetime | None
    last_published: datetime | None
    updated_at: datetime
    outlets: list[str]
    languages: list[str]

    def to_json(self) -> dict:
        return {
            "id": self.id, "headline": self.headline, "articles": self.size,
            "first_published": self.first_published.isoformat() if self.first_published else None,
            "last_published": self.last_published.isoformat() if self.last_published else None,
            "outlets": self.outlets, "languages": self.languages,
        }


def features_json(features: Features, estimate: DateEstimate | None = None) -> dict:
    """What the analysis found, as stored; with the article's estimated date (an
    inference, like the rest) when it has one."""
    out = {
        "sentences": features.sentences,
        "entities": [[e.text, e.key, e.sentence] for e in features.entities],
        "numbers": features.numbers,
        "dates": features.dates,
        "lemmas": features.lemmas,
        "time_clues": features.time_clues.to_json(),
    }
    if estimate is not None:
        out["estimate"] = estimate.to_json()
    return out


def features_from_json(data: dict, embedding: np.ndarray) -> Features:
    return Features(
        sentences=data.get("sentences", []),
        lemmas=data.get("lemmas", []),
        entities=[Entity(text=t, key=k, sentence=s) for t, k, s in data.get("entities", [])],
        numbers=data.get("numbers", []),
        dates=data.get("dates", []),
        embedding=embedding,
        time_clues=TimeClues.from_json(data.get("time_clues")),
    )


def estimate_from_json(data: dict | None) -> DateEstimate | None:
    """The estimated date stored with an article's features, if any."""
    estimate = DateEstimate.from_json((data or {}).get("estimate"))
    if estimate is None:
        return None
    return DateEstimate(utc(estimate.earliest), utc(estimate.latest), estimate.source)




__all__ = [
    "SavedFrequencies", "SavedStory", "StoredArticle", "StoredFrequencies", "StoredStory", "StorySummary",
    "estimate_from_json", "features_from_json", "features_json",
]
