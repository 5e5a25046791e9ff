"""Related stories: the other stories that share a story's main people, places and
organisations within a span of time, labelled earlier, later or at the same time.

The clusterer keeps look-alike stories apart (the treaty signed in Pyongyang and the
press conference in Hanoi the next day; a storm's landfall and the next storm's);
a reader wants them linked. Two stories are related when the entities most of their
articles name overlap enough, weighed by how rare each entity is among stories.

- **Entities** are the clusterer's own atoms (``cluster.profile.entity_atoms``): entity
  keys after the cross-language aliases ("Poutine", "Putin", "Путин" give ``putin``),
  last names, and consonant skeletons for other scripts (``~ptn``). A story's *main*
  atoms are those carried by at least ``MAIN_SHARE`` of its articles; its salience is
  that share.
- **Weight** of a shared atom: the smaller of its two shares times its IDF over the
  indexed stories, scaled to 0..1 (``log((N+1)/(df+1)) / log(N+1)``), so that "Paris"
  or "Russia", main in many stories, links little. The atoms of one name (``vladimir
  putin``, ``putin``, ``~ptn``) count once, at the weight of the best of them. A
  skeleton shared only because two different Latin names collide on it ("France" and
  "Francis" both give ``~frns``) does not count. The score is the sum; stories scoring
  ``MIN_SCORE`` or more are related.
- **Time**: the stories' spans (given publication dates, else estimated ones) must be at
  most ``span_days`` apart (default 30). A story with no date, given or estimated, is
  compared on its entities alone, with a score ``UNDATED_FACTOR`` times higher to
  pass, and says so.

Lookups go through ``store.related_index``: the main atoms of every live story in a
table indexed by atom, kept current as stories are written; a lookup reads the rows of
the story's own atoms, not every story. Related stories are computed on each request,
never stored in the coverage view: they change when *other* stories change.
"""
from __future__ import annotations

import math
import re
import weakref
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple
from difflib import SequenceMatcher

# The analysis and the clusterer (numpy, scipy) load only where the index is built:
# a lookup reads what the index stored, so `show` of a stored view stays light.

MAIN_SHARE = 0.5  # an atom is main in a story when at least this share of its articles carry it
MAX_MAIN_ATOMS = 60  # the most widely carried, when more pass (one-article stories carry all theirs)
MIN_SCORE = 0.5  # sum of the shared names' weights (each at most 1) for two stories to be related
# Without dates to compare (either story undated), entities alone must say more: this
# times MIN_SCORE. A story about the Tour de France, undated, shares "Paris" and a
# "France" with the Olympic ceremonies (0.71 in the web tests' store); multinews_dev
# loses 5 of its 23 right links for it (bench/RESULTS.md).
UNDATED_FACTOR = 1.5
DEFAULT_SPAN_DAYS = 30
DEFAULT_LIMIT = 10
SCORED_PER_LOOKUP = 50  # candidates scored exactly, those with the best upper bounds
SKELETON_NAME_LIKENESS = 0.8  # two Latin words meeting on a skeleton must be this alike ("makron", "macron")
POLICY = f"main-share:{MAIN_SHARE}:{MAX_MAIN_ATOMS}:particles:named"  # an index built under another policy is rebuilt

_POSSESSIVE = re.compile(r"['’]s$")  # "France's" is named "France"

EARLIER, LATER, SAME_TIME, UNDATED = "earlier", "later", "same time", "undated"


def select_main(entity_counts: dict, size: int) -> dict[str, float]:
    """A story's main atoms with their share of its articles (from its stored profile)."""
    from ..analyze.entities import _PARTICLES
    from ..analyze.scripts import name_skeleton

    if size <= 0:
        return {}
    shares = {atom: count / size for atom, count in entity_counts.items() if count and count / size >= MAIN_SHARE}
    # "france" counted because of "Tour de France" or "Stade de France" (the clusterer
    # also counts a name by its last word and its skeleton) is not France: a last word
    # no more widely carried than a name built on it with a particle is that name's.
    for key, share in list(shares.items()):
        words = key.split()
        if len(words) > 2 and any(word in _PARTICLES for word in words[1:-1]):
            for atom in (words[-1], "~" + name_skeleton(words[-1])):
                if shares.get(atom, 2.0) <= share:
                    shares.pop(atom, None)
    passing = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
    return {atom: round(min(share, 1.0), 4) for atom, share in passing[:MAX_MAIN_ATOMS]}


class MainAtom(NamedTuple):
    """One of a story's main names as the index keeps it: its share of the story's
    articles, its name as they write it, the atoms of the same name, a skeleton's words."""

    share: float
    name: str | None = None
    links: str = ""
    words: str = ""


def describe_story(entity_counts: dict, size: int, articles: list) -> dict:
    """What the index keeps of a story: each main atom with its share, its name as the
    story's articles write it, the other atoms of the same name (a name's last word and
    the skeletons of its words), and for a skeleton the Latin words that give it."""
    from ..analyze.scripts import name_skeleton

    main = select_main(entity_counts, size)
    names = _names(articles, set(main))
    words_of: dict[str, set[str]] = {}
    links: dict[str, str] = {}
    for atom in main:
        if atom.startswith("~"):
            continue
        words = atom.split()
        for word in words:
            words_of.setdefault("~" + name_skeleton(word), set()).add(word)
        # Long spans of capitalised words ("Marie-José Pérec Teddy Riner") are lists of
        # names, not one.
        if len(words) <= 3:
            parts = dict.fromkeys([words[-1], *("~" + name_skeleton(word) for word in words)])
            parts.pop(atom, None)
            links[atom] = " ".join(parts)
    out = {}
    for atom, share in main.items():
        counts = names.get(atom)
        # The most used form, not a dateline's capitals ("CITTÀ DEL VATICANO").
        name = max(counts.items(), key=lambda item: (not _shouting(item[0]), item[1], -len(item[0]), item[0]))[0] \
            if counts else None
        out[atom] = MainAtom(share, name, links.get(atom, ""), " ".join(sorted(words_of.get(atom, ()))) if atom.startswith("~") else "")
    return out


@dataclass
class RelatedStory:
    id: str
    headline: str
    first: datetime | None  # its span: given publication dates, else estimated ones
    last: datetime | None
    estimated: bool  # the span comes from estimated dates
    relation: str  # "earlier", "later", "same time", or "undated" (no date to compare)
    shared: list[str]  # the shared names, as this story writes them, weightiest first
    score: float
    gap_days: float | None  # days between the two spans (0 when they meet); None when undated
    note: str | None = None

    def to_json(self) -> dict:
        return {
            "id": self.id, "headline": self.headline, "relation": self.relation,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "estimated": self.estimated, "shared": self.shared, "score": round(self.score, 3),
            "gap_days": round(self.gap_days, 2) if self.gap_days is not None else None, "note": self.note,
        }


@dataclass
class RelatedStories:
    story_id: str
    span_days: float
    stories: list[RelatedStory] = field(default_factory=list)  # in time order, undated last
    note: str | None = None

    def to_json(self) -> list[dict]:
        return [story.to_json() for story in self.stories]


# One index per open store: its in-memory form (for a database without the tables)
# is built once, and every lookup only catches up with the stories written since.
_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def related_index(store):
    index = _INDEXES.get(store)
    if index is None:
        index = _INDEXES[store] = store.related_index(describe_story, POLICY)
    return index


def refresh_related_index(store) -> int:
    """For writers, after their stories are stored: create the index's tables if missing
    and index the stories written since the last refresh."""
    store.create_related_tables()
    _INDEXES.pop(store, None)  # an index in memory, made before the tables existed, is dropped
    return related_index(store).refresh()


def related_stories(store, story_id: str, span_days: float = DEFAULT_SPAN_DAYS,
                    limit: int = DEFAULT_LIMIT) -> RelatedStories:
    """The stories related to ``story_id`` (a resolved id), in time order."""
    index = related_index(store)
    index.refresh()
    result = RelatedStories(story_id, span_days)
    mine = index.main_atoms(story_id)
    if not mine:
        return result
    holders = index.stories_with(mine)
    total = max(index.story_count(), 1)
    idf = {atom: _idf(len(holders.get(atom, ())), total) for atom in mine}

    # An upper bound first (shared atoms counted apart), to read spans and atoms of few stories.
    bound: Counter = Counter()
    for atom, shares in holders.items():
        for other, share in shares.items():
            if other != story_id:
                bound[other] += min(share, mine[atom].share) * idf[atom]
    hopeful = [other for other, value in bound.items() if value >= MIN_SCORE]
    spans = index.spans([story_id, *hopeful])
    own = spans.get(story_id)
    own_dated = own is not None and own.first is not None
    if not own_dated:
        result.note = "this story has no date, given or estimated: related stories are found by their entities alone"
    within = {}
    for other in hopeful:
        span = spans.get(other)
        if span is None:
            continue
        gap = _days_apart(own, span) if own_dated else None
        if gap is None or gap <= span_days:
            within[other] = (span, gap)
    # Scored exactly: the best bounds only (a story undated has no span to narrow them).
    within = dict(sorted(within.items(), key=lambda item: (-bound[item[0]], item[0]))[:SCORED_PER_LOOKUP])
    atoms = index.main_atoms_of(list(within))
    found = []
    for other, (span, gap) in within.items():
        score, concepts = _score(mine, atoms.get(other, {}), idf)
        if score < (MIN_SCORE if gap is not None else MIN_SCORE * UNDATED_FACTOR):
            continue
        found.append((other, span, gap, score, concepts))
    found.sort(key=lambda item: (-item[3], item[0]))
    found = found[:limit]
    if not found:
        return result
    headlines = store.story_headlines([item[0] for item in found])
    names = {atom: row.name for atom, row in mine.items() if row.name}
    for other, span, gap, score, concepts in found:
        relation = _relation(own, span)
        note = None
        if relation == UNDATED and own_dated:
            note = "no date, given or estimated: related by its entities alone"
        result.stories.append(RelatedStory(
            id=other, headline=headlines.get(other, ""), first=span.first, last=span.last, estimated=span.estimated,
            relation=relation, shared=_display(concepts, names), score=score, gap_days=gap, note=note,
        ))
    result.stories.sort(key=lambda s: (s.first is None, s.first or datetime.min, -s.score, s.id))
    return result


def _idf(df: int, total: int) -> float:
    """Rarity of an atom among the indexed stories, 0 (in all) to 1 (in one)."""
    if total <= 1:
        return 1.0
    return max(0.0, math.log((total + 1) / (df + 1)) / math.log(total + 1))


def _days_apart(own, other) -> float | None:
    """Days between two spans, 0 when they meet (as ``cluster.profile.days_apart``)."""
    if other.first is None or other.last is None or own.last is None:
        return None
    if own.last < other.first:
        return (other.first - own.last).total_seconds() / 86400
    if other.last < own.first:
        return (own.first - other.last).total_seconds() / 86400
    return 0.0


def _relation(own, other) -> str:
    if own is None or own.first is None or other.first is None:
        return UNDATED
    mine, theirs = own.first.date(), other.first.date()
    if theirs < mine:
        return EARLIER
    if theirs > mine:
        return LATER
    return SAME_TIME


def _skeleton_counts(atom: str, mine: dict, theirs: dict) -> bool:
    """A shared skeleton counts unless both stories have it only from Latin names
    that are not alike: skeletons of different names collide ("France" and "Francis"
    both give ~frns), spellings of one name meet ("Zelensky", "Selenskyj" do;
    "Franziskus", "Francesco" do not)."""
    ours, theirs_words = mine[atom].words.split(), theirs[atom].words.split()
    if not ours or not theirs_words:
        return True  # from a name in a script without capitals, or a transliteration
    return any(a == b or SequenceMatcher(None, a, b).ratio() >= SKELETON_NAME_LIKENESS
               for a in ours for b in theirs_words)


def _score(mine: dict, theirs: dict, idf: dict[str, float]) -> tuple[float, list[list[tuple[float, str]]]]:
    """The score of two stories' main atoms (``AtomRow`` by atom), and the shared names:
    groups of atoms of one name ("vladimir putin", "putin", "~ptn"), each as
    [(weight, atom)], best first."""
    shared = {atom for atom in set(mine) & set(theirs)
              if not atom.startswith("~") or _skeleton_counts(atom, mine, theirs)}
    parent = {atom: atom for atom in shared}

    def root(atom):
        while parent[atom] != atom:
            parent[atom] = parent[parent[atom]]
            atom = parent[atom]
        return atom

    # A name of either story joins the shared atoms it gives: "vladimir putin" (main in
    # one story) makes "putin" and "~vldmr" (shared) one person.
    for rows in (mine, theirs):
        for key, row in rows.items():
            if not row.links:
                continue
            present = [atom for atom in (key, *row.links.split()) if atom in parent]
            for atom in present[1:]:
                parent[root(atom)] = root(present[0])
    groups: dict[str, list[tuple[float, str]]] = {}
    for atom in shared:
        weight = min(mine[atom].share, theirs[atom].share) * idf.get(atom, 0.0)
        groups.setdefault(root(atom), []).append((weight, atom))
    concepts = sorted((sorted(group, key=lambda item: (-item[0], item[1])) for group in groups.values()),
                      key=lambda group: (-group[0][0], group[0][1]))
    return sum(group[0][0] for group in concepts), concepts


def _names(articles, wanted: set[str]) -> dict[str, Counter]:
    """atom -> how often each written form gives it, over the story's articles, for the
    ``wanted`` atoms; the skeletons no entity gives are named by the caseless word
    (Japanese, Arabic...) that gives them."""
    from ..cluster.profile import entity_atoms

    out: dict[str, Counter] = {}
    for entities, _ in articles:
        for entity in entities:
            text, key = _POSSESSIVE.sub("", entity[0]), entity[1]
            for atom in entity_atoms([key]):
                if atom in wanted:
                    # A name's own key first, then the names it is the last word of.
                    out.setdefault(atom, Counter())[text] += 2 if atom == key else 1
    unnamed = {atom for atom in wanted if atom.startswith("~") and atom not in out}
    if unnamed:
        for _, lemmas in articles:
            for lemma in dict.fromkeys(lemmas):
                for atom in entity_atoms([], [lemma]):
                    if atom in unnamed:
                        out.setdefault(atom, Counter())[lemma] += 1
    return out


def _display(concepts, names: dict[str, str]) -> list[str]:
    shown: list[str] = []
    for group in concepts:
        # Name a group by its fullest key (a person's whole name), else any of its atoms.
        atoms = sorted((atom for _, atom in group), key=lambda a: (a.startswith("~"), -len(a.split()), a))
        label = None
        for atom in atoms:
            if names.get(atom):
                label = names[atom]
                break
        if label is None:
            label = atoms[0].lstrip("~")
        if label.casefold() not in {s.casefold() for s in shown}:
            shown.append(label)
    return shown


def _shouting(text: str) -> bool:
    return len(text) > 4 and text.isupper()


def format_related(related: RelatedStories) -> str:
    """The "Related stories" section of ``couverture show``."""
    lines = ["", f"Related stories (sharing its main names, within {related.span_days:g} days)"]
    if related.note:
        lines.append(f"  note: {related.note}")
    if not related.stories:
        lines.append("  none")
    for story in related.stories:
        when = _when(story)
        lines.append(f"  {story.relation:<9}  {when}  {story.id}  {story.headline}")
        lines.append(f"             shared: {', '.join(story.shared)}  (score {story.score:.2f})")
        if story.note:
            lines.append(f"             note: {story.note}")
    return "\n".join(lines)


def _when(story: RelatedStory) -> str:
    if story.first is None:
        return "undated         "
    day = story.first.strftime("%Y-%m-%d")
    return f"est. {day}" if story.estimated else f"{day}     "
