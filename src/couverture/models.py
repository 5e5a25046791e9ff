"""Plain dataclasses that flow forward through the pipeline.

sources -> RawDocument -> Article -> Features -> story id. Each stage takes the
previous stage's object and returns the next; none of them knows about storage.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # annotations only: reading a stored story needs no numpy
    import numpy as np


@dataclass
class RawDocument:
    """One input as read from a source, before any cleaning.

    ``kind`` says how to read ``content``: ``"text"`` (scraped plain text, title on
    the first non-empty line), ``"html"`` (a web page) or ``"record"`` (a dict from
    JSON/JSONL with at least ``text``).
    """

    origin: str  # where it came from, as shown to the user: "path/file.txt", "file.jsonl:12", a URL
    kind: str
    content: Any
    url: str | None = None
    fetched_at: datetime | None = None
    encoding_note: str | None = None  # set when the bytes were not UTF-8 and had to be guessed


@dataclass(frozen=True)
class DateEstimate:
    """When an article was published, as far as its input bounds it without saying it:
    a month stamp on a scraped page, a weekday resolved against its story's dated
    articles. Kept apart from ``Article.published``, which holds only given dates."""

    earliest: datetime
    latest: datetime
    source: str  # how it was estimated, shown beside it ("month stamp 2024-10", ...)

    def to_json(self) -> dict:
        return {"earliest": self.earliest.isoformat(), "latest": self.latest.isoformat(), "source": self.source}

    @classmethod
    def from_json(cls, data: dict | None) -> "DateEstimate | None":
        if not data:
            return None
        return cls(datetime.fromisoformat(data["earliest"]), datetime.fromisoformat(data["latest"]), data["source"])


@dataclass
class Notice:
    """A remark about one input that is not an error (e.g. feed entries left unfetched);
    it may flow among documents and is reported as a note."""

    origin: str
    message: str


@dataclass
class Article:
    """A cleaned article with its metadata."""

    id: str
    title: str
    text: str
    lang: str
    origin: str
    content_hash: str
    published: datetime | None = None
    url: str | None = None
    outlet: str | None = None  # the outlet's name as the input gave it, never an agency's (publishers.py)
    domain: str | None = None  # the outlet: the page's registrable domain, or the one its given name stands for
    byline: str | None = None
    agencies: list[str] = field(default_factory=list)
    fetched_at: datetime | None = None
    removed_lines: list[str] = field(default_factory=list)  # boilerplate taken out, kept for audit
    extra: dict[str, Any] = field(default_factory=dict)  # unknown input fields (e.g. gold labels)
    estimate: DateEstimate | None = None  # when undated: bounds on its publication, if any


@dataclass
class Entity:
    text: str  # as written
    key: str  # normalised form used for matching across spellings and languages
    sentence: int  # index of the sentence it occurs in


@dataclass(frozen=True)
class TimeClues:
    """What the lead of an article says of the day of its events (analyze/when.py):
    ``weekdays`` as a 7-bit mask (bit 0 Monday ... bit 6 Sunday), ``days`` as
    (month, day) pairs (month 0 when only the day is said, as in "26日"), ``dates``
    as full dates with a year."""

    weekdays: int = 0
    days: frozenset = frozenset()
    dates: tuple = ()

    def __bool__(self) -> bool:
        return bool(self.weekdays or self.days or self.dates)

    def to_json(self) -> dict:
        return {"weekdays": self.weekdays, "days": sorted([m, d] for m, d in self.days),
                "dates": [d.isoformat() for d in self.dates]}

    @classmethod
    def from_json(cls, data: dict | None) -> "TimeClues":
        if not data:
            return cls()
        return cls(int(data.get("weekdays", 0)), frozenset((int(m), int(d)) for m, d in data.get("days", ())),
                   tuple(date.fromisoformat(d) for d in data.get("dates", ())))


@dataclass
class Features:
    """What the analyzer extracts from one article; what clustering and coverage use."""

    sentences: list[str]
    lemmas: list[str]  # content-word lemmas, lowercased, in text order
    entities: list[Entity]
    numbers: list[str]  # normalised numeric values ("2500", "7.5")
    dates: list[str]  # ISO dates mentioned in the text ("2024-06-20", "2024-06")
    embedding: np.ndarray  # unit-length dense vector of title + lead
    time_clues: TimeClues = field(default_factory=TimeClues)  # weekdays and days its lead names

    @property
    def entity_keys(self) -> list[str]:
        return [e.key for e in self.entities]


class Placement(NamedTuple):
    """An article as ingest hands it to the store: its features, the story it joined and
    the join's probability (a tuple, so ``article, features, story_id, p = placement`` reads it)."""

    article: Article
    features: Features
    story_id: str
    probability: float


class Merge(NamedTuple):
    """One story merged into another, with the merge decision's probability."""

    from_story: str
    into_story: str
    score: float
