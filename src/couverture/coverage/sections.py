"""The parts of a story's coverage as typed records, and their one JSON form.

The section builders (``facts``, ``quotes``, ``divergence``, ``copies``...) hand back
plain dicts; ``StoryView`` keeps them as the records below, the page and the CLI read
their attributes, and the JSON that ``show --json``, the API and the stored views carry
is written and read here only. Reading is strict: a key no record declares is an
error, so a renamed key fails a test instead of making a section vanish.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")


class Record:
    """A dataclass read from and written to one JSON object, keys in declared order.

    ``OPTIONAL`` names fields written only when set (``languages`` of a translation,
    ``speaker_variants`` of a quote), as the builders write them; ``NESTED`` maps a
    field to the record class of its items (a list) or of its value (a dict).
    """

    OPTIONAL: ClassVar[tuple[str, ...]] = ()
    NESTED: ClassVar[dict[str, type]] = {}

    @classmethod
    def from_json(cls: type[R], data: dict[str, Any]) -> R:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown key(s) {sorted(unknown)}")
        values = {}
        for name, value in data.items():
            kind = cls.NESTED.get(name)
            if kind is not None and isinstance(value, list):
                value = [kind.from_json(item) for item in value]
            elif kind is not None and isinstance(value, dict):
                value = kind.from_json(value)
            values[name] = value
        return cls(**values)

    # Read-only mapping access by declared field, for readers written against the JSON
    # form (``quote["speaker"]``); a name no field declares is a KeyError, never a guess.
    def __getitem__(self, key: str) -> Any:
        if key not in self._field_names():
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key) if key in self._field_names() else default

    def __contains__(self, key: object) -> bool:
        return key in self._field_names()

    @classmethod
    def _field_names(cls) -> frozenset[str]:
        names = cls.__dict__.get("_names")
        if names is None:
            names = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
            cls._names = names  # type: ignore[attr-defined]
        return names

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None and f.name in self.OPTIONAL:
                continue
            out[f.name] = _plain(value)
        return out


def _plain(value):
    if isinstance(value, Record):
        return value.to_json()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def records(kind: type[R], items: list) -> list[R]:
    """``items`` as records of ``kind``: dicts read strictly, records of that kind kept."""
    return [item if isinstance(item, kind) else kind.from_json(item) for item in items]


@dataclass
class Estimate(Record):
    earliest: str
    latest: str
    source: str


@dataclass
class Source(Record):
    """One article of the story: who published it, when, in which language, whose credit."""

    NESTED: ClassVar[dict[str, type]] = {"estimated": Estimate}
    article_id: str
    title: str
    outlet: str | None
    domain: str | None
    label: str
    url: str | None
    lang: str
    published: str | None
    estimated: Estimate | None
    byline: str | None
    agencies: list[str]
    origin: str | None
    copy_of: str | None
    translation_of: str | None


@dataclass
class FirstReport(Record):
    fact: str
    text: str


@dataclass
class TimelineEntry(Record):
    NESTED: ClassVar[dict[str, type]] = {"first_reports": FirstReport}
    article_id: str
    published: str | None
    outlet: str | None
    lang: str
    title: str
    first_reports: list[FirstReport] = field(default_factory=list)


@dataclass
class SummarySentence(Record):
    text: str
    lang: str
    article_id: str
    sentence: int
    article_ids: list[str]
    fact: str
    score: float


@dataclass
class QuoteVersion(Record):
    article_id: str
    lang: str
    text: str
    speaker: str | None
    role: str | None
    kind: str


@dataclass
class Quote(Record):
    """One statement and who made it, with its versions in every source and language."""

    OPTIONAL: ClassVar[tuple[str, ...]] = ("speaker_variants",)
    NESTED: ClassVar[dict[str, type]] = {"versions": QuoteVersion}
    text: str
    lang: str
    speaker: str | None
    role: str | None
    article_ids: list[str]
    kind: str  # "direct" (the very words) or "reported"
    versions: list[QuoteVersion] = field(default_factory=list)
    speaker_variants: list[str] | None = None


@dataclass
class FactStatement(Record):
    article_id: str
    sentence: int
    lang: str
    text: str


@dataclass
class SharedFact(Record):
    NESTED: ClassVar[dict[str, type]] = {"statements": FactStatement}
    id: str
    text: str
    lang: str
    article_ids: list[str]
    sources: int
    statements: list[FactStatement] = field(default_factory=list)


@dataclass
class UniqueFact(Record):
    article_id: str
    sentence: int
    lang: str
    text: str
    details: list[str] = field(default_factory=list)  # the specifics only this source gives


@dataclass
class SourceFacts(Record):
    """What one source (an original and its copies) alone reports."""

    NESTED: ClassVar[dict[str, type]] = {"facts": UniqueFact}
    article_id: str
    also_in: list[str]
    facts: list[UniqueFact] = field(default_factory=list)


@dataclass(kw_only=True)  # fields in the builders' key order, the optional one between
class VersionStatement(Record):
    OPTIONAL: ClassVar[tuple[str, ...]] = ("sentence",)
    article_id: str
    sentence: int | None = None  # a speaker divergence's statements have none
    text: str


@dataclass
class DivergenceVersion(Record):
    NESTED: ClassVar[dict[str, type]] = {"statements": VersionStatement}
    value: str
    article_ids: list[str]
    statements: list[VersionStatement] = field(default_factory=list)


@dataclass
class Divergence(Record):
    NESTED: ClassVar[dict[str, type]] = {"versions": DivergenceVersion}
    kind: str  # number, day, place, speaker
    what: str  # deaths, magnitude, city, speaker...
    versions: list[DivergenceVersion] = field(default_factory=list)


@dataclass
class CopyLink(Record):
    OPTIONAL: ClassVar[tuple[str, ...]] = ("languages",)
    kind: str  # "copy" or "translation"
    article_id: str
    original_id: str
    similarity: float
    languages: list[str] | None = None
    agencies: list[str] = field(default_factory=list)
