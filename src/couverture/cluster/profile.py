"""What the clusterer keeps of an article and of a story.

A story profile is a running summary of its members (embedding sum, how many
members use each lemma, entity and number) so that scoring an article against a
story costs the same however large the story grows.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable

import numpy as np

from ..analyze.scripts import has_unspaced, is_caseless, is_katakana, name_skeleton
from ..analyze.when import clues_of_dates
from ..models import Article, Features, TimeClues

MAX_STORY_TERMS = 400  # a story's lexical profile keeps its most widespread terms only


# Skeleton atoms ("~mkrn") stand beside entity keys; a shorter skeleton is too common
# to mean a name, and the words of scripts without capitals need a longer one, since
# every word of theirs is a candidate, not only names.
SKELETON_MIN = 3
CASELESS_SKELETON_MIN = 4


def entity_atoms(keys: list[str], lemmas: list[str] = ()) -> Counter:
    """Entity keys plus their last word ("vladimir putin" also counts as "putin"), plus
    the consonant skeleton of each word ("~ptn"), so that a name transliterated another
    way still meets its Latin form (``analyze.scripts.name_skeleton``). Scripts with no
    capital letters give no entity keys: there the skeletons of the content ``lemmas``
    stand in (a katakana word's, in Japanese; any word's, in Arabic, Hebrew, Hindi)."""
    atoms: Counter = Counter()
    for key in keys:
        atoms[key] += 1
        words = key.split()
        if len(words) > 1:
            atoms[words[-1]] += 1
        for word in words:
            skeleton = name_skeleton(word)
            if len(skeleton) >= SKELETON_MIN:
                atoms["~" + skeleton] += 1
    for word in dict.fromkeys(lemmas):
        if is_caseless(word) and (is_katakana(word) or not has_unspaced(word)):
            skeleton = name_skeleton(word)
            if len(skeleton) >= CASELESS_SKELETON_MIN:
                atoms["~" + skeleton] += 1
    return atoms


def salient_numbers(values: list[str]) -> set[str]:
    """Numbers that identify an event (tolls, scores, magnitudes), not "2" or "one"."""
    out = set()
    for value in values:
        if "." in value or len(value) >= 2:
            out.add(value)
    return out


@dataclass
class ArticleProfile:
    id: str
    lang: str
    time: datetime | None
    embedding: np.ndarray
    terms: Counter
    entities: Counter
    numbers: set[str]
    # The day its events happened, as far as its lead or its date tells (see day_clues).
    clues: TimeClues = field(default_factory=TimeClues)
    # Bounds on its publication: its date twice, or an estimate's range (a month stamp),
    # or None when nothing bounds it.
    earliest: datetime | None = None
    latest: datetime | None = None
    # name -> (frequencies, their idf epoch, [(key, weight * idf)], norm); see similarity._article_weights
    weight_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, article: Article, features: Features) -> "ArticleProfile":
        return cls(
            id=article.id,
            lang=article.lang,
            time=article.published,
            embedding=np.asarray(features.embedding, dtype=np.float32),
            terms=Counter(features.lemmas),
            entities=entity_atoms(features.entity_keys, features.lemmas),
            numbers=salient_numbers(features.numbers),
            clues=day_clues(features.time_clues, article.published),
            earliest=article.published or (article.estimate.earliest if article.estimate else None),
            latest=article.published or (article.estimate.latest if article.estimate else None),
        )


def days_apart(earliest, latest, first, last) -> float | None:
    """Days between the range [earliest, latest] and the range [first, last]: 0 when
    they meet, None when either is unknown."""
    if earliest is None or latest is None or first is None or last is None:
        return None
    if latest < first:
        return (first - latest).total_seconds() / 86400
    if earliest > last:
        return (earliest - last).total_seconds() / 86400
    return 0.0


def day_clues(said: TimeClues, published) -> TimeClues:
    """The day of an article's events: what its lead says ("on Tuesday", "13 de
    dezembro") when it says anything, else its publication day and the day before."""
    if said or published is None:
        return said
    return clues_of_dates([published])


@dataclass
class StoryProfile:
    id: str
    size: int = 0
    embedding_sum: np.ndarray | None = None
    term_df: Counter = field(default_factory=Counter)
    entity_df: Counter = field(default_factory=Counter)
    number_df: Counter = field(default_factory=Counter)
    langs: Counter = field(default_factory=Counter)
    first: datetime | None = None  # its members' publication dates, given ones only
    last: datetime | None = None
    # The same with the estimated ranges of undated members (month stamps) too: what
    # time gaps to the story are measured against.
    span_first: datetime | None = None
    span_last: datetime | None = None
    members: list[str] = field(default_factory=list)
    # How many members name each weekday (0 = Monday) and each (month, day): the days
    # the story is about, compared with an article's (analyze.when.clue_conflict).
    clue_weekdays: Counter = field(default_factory=Counter)
    clue_days: Counter = field(default_factory=Counter)
    # Profile name -> [frequencies, idf epoch, sum of (count * idf)^2]: the story's
    # squared norm before dividing by size^2, kept up to date by similarity._story_norm
    # from the keys added since (`norm_pending`). A name missing from norm_pending
    # means "recompute from scratch" (a new idf epoch, a truncation, a merge).
    norm_cache: dict = field(default_factory=dict, repr=False, compare=False)
    norm_pending: dict = field(default_factory=dict, repr=False, compare=False)
    clue_cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def clues(self) -> TimeClues:
        """The days its members name or are dated on (kept until a member changes them)."""
        cached = self.clue_cache.get("clues")
        if cached is None:
            mask = 0
            for weekday, count in self.clue_weekdays.items():
                if count > 0:
                    mask |= 1 << int(weekday)
            cached = self.clue_cache["clues"] = TimeClues(
                mask, frozenset(day for day, count in self.clue_days.items() if count > 0))
        return cached

    def _add_clues(self, clues: TimeClues) -> None:
        if not clues.weekdays and not clues.days:
            return
        for weekday in range(7):
            if clues.weekdays >> weekday & 1:
                self.clue_weekdays[weekday] += 1
        self.clue_days.update(clues.days)
        self.clue_cache.clear()

    @property
    def centroid(self) -> np.ndarray:
        vector = self.embedding_sum
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def add(self, article: ArticleProfile) -> None:
        self.size += 1
        self.members.append(article.id)
        if self.embedding_sum is None:
            self.embedding_sum = article.embedding.astype(np.float32).copy()
        else:
            self.embedding_sum += article.embedding
        self.term_df.update(article.terms.keys())
        self._note_added("term_df", article.terms.keys())
        if len(self.term_df) > MAX_STORY_TERMS * 2:
            self.term_df = Counter(dict(self.term_df.most_common(MAX_STORY_TERMS)))
            self.norm_pending.pop("term_df", None)
        self.entity_df.update(article.entities.keys())
        self._note_added("entity_df", article.entities.keys())
        self.number_df.update(article.numbers)
        self.langs[article.lang] += 1
        self._add_clues(article.clues)
        if article.time is not None:
            self.first = article.time if self.first is None else min(self.first, article.time)
            self.last = article.time if self.last is None else max(self.last, article.time)
        self._extend_span(article.earliest, article.latest)

    def _extend_span(self, earliest, latest) -> None:
        if earliest is not None:
            self.span_first = earliest if self.span_first is None else min(self.span_first, earliest)
        if latest is not None:
            self.span_last = latest if self.span_last is None else max(self.span_last, latest)

    def _note_added(self, name: str, keys) -> None:
        pending = self.norm_pending.get(name)
        if pending is not None:
            pending.extend(keys)
            if len(pending) > 4 * MAX_STORY_TERMS:  # cheaper to recompute than to replay
                del self.norm_pending[name]

    def absorb(self, other: "StoryProfile") -> None:
        """Fold another story's profile into this one (a merge)."""
        self.norm_pending.clear()
        self.size += other.size
        self.members.extend(other.members)
        self.embedding_sum = self.embedding_sum + other.embedding_sum
        self.term_df.update(other.term_df)
        self.entity_df.update(other.entity_df)
        self.number_df.update(other.number_df)
        self.langs.update(other.langs)
        self.clue_weekdays.update(other.clue_weekdays)
        self.clue_days.update(other.clue_days)
        self.clue_cache.clear()
        for moment in (other.first, other.last):
            if moment is not None:
                self.first = moment if self.first is None else min(self.first, moment)
                self.last = moment if self.last is None else max(self.last, moment)
        self._extend_span(other.span_first, other.span_last)


class DocumentFrequencies:
    """Online document frequencies, for IDF weights that sharpen as the stream grows.

    IDF values are cached and the cache is dropped every time the collection grows
    by a few percent (an *epoch*): weights then lag the counts slightly, which changes
    nothing measurable, and scoring stays cheap. An epoch also ends after
    ``MAX_EPOCH_DOCS`` documents, so that the cache holds the keys of a bounded
    stretch of the stream however large the archive is.

    With a ``loader`` (the store's counts for a list of keys) only some keys are
    *resident*: the counts are fetched when first needed (``ensure`` fetches many at
    once; a single unknown key is fetched on its own and counted in ``misses``) and
    ``retain`` drops the others. The vocabulary of a large archive then never has to
    be held whole; the values seen are the same as with every key loaded.
    """

    MAX_EPOCH_DOCS = 2000

    def __init__(self, loader: Callable[[list[str]], dict[str, int]] | None = None):
        self.docs = 0
        self.df: Counter = Counter()
        self.epoch = 0
        self._epoch_docs = 0
        self.idf_table = _IdfTable(self)
        self.loader = loader
        self.misses = 0
        self.kept = 0  # keys resident after the last retain

    def ensure(self, keys: Iterable[str]) -> None:
        """Make the stored counts of ``keys`` resident (one call to the loader)."""
        if self.loader is None:
            return
        df = self.df
        missing = [key for key in dict.fromkeys(keys) if key not in df]
        if missing:
            found = self.loader(missing)
            for key in missing:
                df[key] = found.get(key, 0)  # a resident zero: known to be absent

    def count(self, key: str) -> int:
        """How many documents hold ``key``."""
        value = self.df.get(key)
        if value is None:
            if self.loader is None:
                return 0
            self.misses += 1
            self.ensure([key])
            value = self.df[key]
        return value

    def add(self, keys) -> None:
        if self.loader is not None:
            keys = list(keys)
            self.ensure(keys)
        self.docs += 1
        self.df.update(keys)
        if self.docs >= min(self._epoch_docs * 1.05, self._epoch_docs + self.MAX_EPOCH_DOCS) + 1:
            self.epoch += 1
            self._epoch_docs = self.docs
            self.idf_table.clear()

    def retain(self, keep: set[str]) -> None:
        """Forget the counts of keys outside ``keep``. Only for a loader's counts and
        only once every increment is stored: a dropped key is fetched again."""
        if self.loader is None:
            raise ValueError("only counts backed by a loader can be trimmed")
        self.df = Counter({key: value for key, value in self.df.items() if key in keep})
        self.kept = len(self.df)

    def idf(self, key: str) -> float:
        return self.idf_table[key]


class _IdfTable(dict):
    """key -> idf for the current epoch, filled on first lookup. Hot loops index it
    directly (``table[key]``): a dict hit costs no Python call."""

    def __init__(self, frequencies: DocumentFrequencies):
        super().__init__()
        self.frequencies = frequencies

    def __missing__(self, key: str) -> float:
        frequencies = self.frequencies
        value = math.log((frequencies.docs + 1) / (frequencies.count(key) + 1)) + 1.0
        self[key] = value
        return value
