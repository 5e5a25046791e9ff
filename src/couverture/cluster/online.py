"""Online story clustering: each article joins the best active story or opens a new one.

For every incoming article (in publication order when known):
1. retrieve candidate stories: the nearest centroids among active stories, plus
   stories sharing a rare entity with it (an inverted index);
2. score each candidate with :class:`DecisionModel` over several similarities;
3. join the most probable story if its probability clears the threshold, else
   open a new story. A story id is derived from its first article and never changes.

Only *active* stories are searched: those with a member dated within ``window_days``
of the stream's clock (see CLOCK_QUORUM), at most ``max_active`` of them, so the cost
per article does not grow with the archive.

An article without a date is missing evidence, not "now": it may belong to a story of
any date. Stories the clock retires are kept *dormant* (at most ``max_dormant``; their
members stay in memory unless a ``member_loader`` can read them again) and an undated
article wakes them, so it is offered the stories of every date the stream has seen,
not only those of its last week; stories opened by undated articles have no dates and
never expire by the clock. A story about to be retired gets the merge pass and
regroup it is due first (a sparse archive could retire it before either ran).
"""
from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from ..models import Merge
from .index import StoryIndex
from .passes import SHORT_TERMS, StoryPasses, story_id_for
from .profile import ArticleProfile, DocumentFrequencies, StoryProfile, days_apart
from .similarity import (
    DecisionModel, default_decision_model, default_merge_model, default_short_decision_model, default_short_merge_model,
    pair_features,
)

__all__ = ["CLOCK_QUORUM", "SHORT_TERMS", "Assignment", "OnlineClusterer", "story_id_for"]

# The clock that expires stories is the CLOCK_QUORUM-th newest publication time seen,
# not the newest: one mis-dated article (a date parsed from the text, a feed with a
# wrong year) or a few old-and-new archive items shuffled together must not expire
# every active story at once. In a live stream the lag is a few articles.
CLOCK_QUORUM = 8


def _time_key(story: StoryProfile) -> float:
    """Sort key: a story's last date (stories of undated articles count as newest)."""
    return story.last.timestamp() if story.last is not None else float("inf")


@dataclass
class Assignment:
    """Where :meth:`OnlineClusterer.add` put an article."""

    article_id: str
    story_id: str
    probability: float  # of the chosen story; 0 for a new story with no candidate
    new_story: bool


class OnlineClusterer(StoryPasses):
    """Online story clustering, one article at a time (see the module doc).

    An estimator in the scikit-learn manner: every parameter is stored as given under
    its own name (``None`` stays ``None``), and what a ``None`` stands for is read
    through a property (:attr:`join_model`, :attr:`merge_model`,
    :attr:`short_join_model`, :attr:`short_merge_model`, :attr:`dormant_limit`), so a
    parameter set after construction takes effect. The state (stories, index, clock,
    document frequencies) changes only through the methods.

    Parameters
    ----------
    decision : DecisionModel or None
        The join decision: the probability that an article belongs to a candidate
        story, and the threshold it must clear; also carries the regroup's settings
        and pair model. None: the shipped model (``cluster/decision_model.json``).
    window_days : float
        The clustering window, in days: stories whose last article is older than the
        stream's clock minus the window are retired; an article never joins, and two
        stories never merge, across a gap longer than this.
    dense_candidates : int
        How many stories with the nearest centroids are scored for each article.
    entity_candidates : int
        How many more stories, sharing the most rare entities with the article, are
        scored for it.
    max_active : int
        At most this many active (searched) stories; the least recently updated ones
        are retired first.
    max_dormant : int or None
        At most this many retired stories kept dormant, for undated articles to wake
        (see :meth:`wake`); 0 keeps none. None: as many as ``max_active``.
    rare_entity_share : float
        An entity is rare, and so retrieves the stories that name it, when at most
        this share of the articles seen (and at least 2) name it.
    merge_every : int
        Run a merge pass after every this many articles added, and over the stories
        about to be retired; 0: only in :meth:`finish`.
    merge_decision : DecisionModel or None
        The story-vs-story merge decision. None: the shipped merge model.
    short_decision : DecisionModel or None
        The join decision for short texts (at most ``SHORT_TERMS`` distinct lemmas:
        headlines, title-only items). None: the shipped short-text model when
        ``decision`` is None too, else ``decision`` itself (a model fitted on one set
        judges that set).
    short_merge_decision : DecisionModel or None
        The merge decision for stories of short texts. None: the shipped short-text
        merge model when ``merge_decision`` is None too, else ``merge_decision``.
    regroup_every : int
        Regroup the stories changed since the last regroup after every this many
        articles added, and the stories about to be retired; 0: only in :meth:`finish`.
        A regroup needs the join decision's ``regroup_threshold``.
    member_loader : callable or None
        Given story ids, returns their member article profiles (from the store), for
        stories restored without them; None: such stories are not regrouped.
    frequency_floor : int
        Store-backed document frequencies are trimmed to the keys the active stories
        use once more than this many keys are resident (see :meth:`trim_frequencies`).

    Attributes
    ----------
    stories : dict[str, StoryProfile]
        The active stories, by id.
    dormant : dict[str, StoryProfile]
        Stories retired by the clock or by ``max_active``, kept for undated articles.
    term_df, entity_df : DocumentFrequencies
        Document frequencies of lemmas and entity atoms over the articles seen.
    merges : list of (str, str, float)
        Every merge so far, as (merged story, surviving story, probability).
    dirty : dict[str, StoryProfile]
        Stories changed since the owner last took them (:meth:`take_dirty`).
    """

    def __init__(
        self,
        decision: DecisionModel | None = None,
        window_days: float = 7.0,
        dense_candidates: int = 12,
        entity_candidates: int = 8,
        max_active: int = 20_000,
        max_dormant: int | None = None,
        rare_entity_share: float = 0.05,
        merge_every: int = 64,
        merge_decision: DecisionModel | None = None,
        short_decision: DecisionModel | None = None,
        short_merge_decision: DecisionModel | None = None,
        regroup_every: int = 256,
        member_loader: Callable[[list[str]], dict[str, list[ArticleProfile]]] | None = None,
        frequency_floor: int = 100_000,
    ):
        self.decision = decision
        self.window_days = window_days
        self.dense_candidates = dense_candidates
        self.entity_candidates = entity_candidates
        self.max_active = max_active
        self.max_dormant = max_dormant
        self.rare_entity_share = rare_entity_share
        self.merge_every = merge_every
        self.merge_decision = merge_decision
        self.short_decision = short_decision
        self.short_merge_decision = short_merge_decision
        self.regroup_every = regroup_every
        self.member_loader = member_loader
        self.frequency_floor = frequency_floor
        # The shipped models a None parameter stands for, read once (see the properties).
        self._shipped = {
            "join": default_decision_model() if decision is None else None,
            "merge": default_merge_model() if merge_decision is None else None,
            "short_join": default_short_decision_model() if short_decision is None and decision is None else None,
            "short_merge": (default_short_merge_model()
                            if short_merge_decision is None and merge_decision is None else None),
        }
        self._profiles: dict[str, ArticleProfile] = {}  # members of active stories, by article id
        self._since_regroup: set[str] = set()
        # story id -> (its size then, its scored neighbours) from the last merge pass,
        # so the regroup that follows does not score the same pairs again.
        self._neighbour_scores: dict[str, tuple[int, list[tuple[float, str]]]] = {}
        self._moved: dict[str, str] = {}  # article id -> story a regroup moved it to
        self._fresh_moves: set[str] = set()  # moved since the owner last took them (take_moves)
        self.merges: list[Merge] = []  # (merged story, surviving story, probability)
        self._merged_into: dict[str, str] = {}  # the same merges, looked up by the merged story
        self._since_merge: set[str] = set()
        self._added = 0
        # Stories changed since the owner last took them (see take_dirty); kept even
        # after a story leaves the active set, so nothing changed is lost for storage.
        self.dirty: dict[str, StoryProfile] = {}
        self.term_df = DocumentFrequencies()
        self.entity_df = DocumentFrequencies()
        self.stories: dict[str, StoryProfile] = {}
        # Stories retired by the clock or by max_active, kept for undated articles (see wake).
        self.dormant: dict[str, StoryProfile] = {}
        self._touched: dict[str, int] = {}  # story id -> arrival tick of its last update
        self._tick = 0
        self._newest: list = []  # min-heap of the CLOCK_QUORUM newest publication times
        self._swept = None  # the clock at the last sweep for expired stories
        self._index = StoryIndex()  # centroid rows and entity postings of the active stories

    # --- what the parameters stand for --------------------------------------------------
    @property
    def join_model(self) -> DecisionModel:
        """The join decision in use: ``decision``, or the shipped one."""
        return self.decision if self.decision is not None else self._shipped["join"]

    @property
    def merge_model(self) -> DecisionModel:
        """The merge decision in use: ``merge_decision``, or the shipped one."""
        return self.merge_decision if self.merge_decision is not None else self._shipped["merge"]

    @property
    def short_join_model(self) -> DecisionModel:
        """The join decision for short texts (see ``short_decision``)."""
        if self.short_decision is not None:
            return self.short_decision
        return self._shipped["short_join"] or self.join_model

    @property
    def short_merge_model(self) -> DecisionModel:
        """The merge decision for stories of short texts (see ``short_merge_decision``)."""
        if self.short_merge_decision is not None:
            return self.short_merge_decision
        return self._shipped["short_merge"] or self.merge_model

    @property
    def dormant_limit(self) -> int:
        """How many dormant stories are kept (see ``max_dormant``)."""
        return self.max_active if self.max_dormant is None else self.max_dormant

    @property
    def window(self) -> timedelta:
        """The clustering window, ``window_days`` as a time span."""
        return timedelta(days=self.window_days)

    # --- state -----------------------------------------------------------------
    def _deactivate(self, story_id: str, forget_members: bool = False, keep_dormant: bool = False) -> None:
        story = self.stories.pop(story_id, None)
        if story is not None and keep_dormant and self.dormant_limit > 0:
            if self.member_loader is not None:
                # The store holds its members: a regroup after a wake loads them again,
                # so memory follows the active stories, not the dormant ones.
                self._forget_members(story)
            self._hold_dormant(story)  # the active copy is the newest: it replaces any other
        elif story is not None and forget_members:
            self._forget_members(story)
        self._touched.pop(story_id, None)
        self._neighbour_scores.pop(story_id, None)
        self._index.remove(story_id, story.entity_df if story is not None else ())

    def _forget_members(self, story: StoryProfile) -> None:
        for article_id in story.members:
            self._profiles.pop(article_id, None)

    def _drop_dormant(self, story_id: str) -> None:
        self._forget_members(self.dormant.pop(story_id))

    def keep_dormant(self, story: StoryProfile) -> None:
        """Hold a stored story dormant: not searched by dated articles, woken by an
        undated one (see ``wake``)."""
        if story.id in self.stories or story.id in self.dormant or self.dormant_limit <= 0:
            return
        self._hold_dormant(story)

    def _hold_dormant(self, story: StoryProfile) -> None:
        self.dormant[story.id] = story
        if len(self.dormant) > self.dormant_limit:
            # The longest dormant: the clock retires stories in the order they ended.
            self._drop_dormant(next(iter(self.dormant)))

    def wake(self) -> int:
        """Make the dormant stories searchable again, the most recent first, as many as
        ``max_active`` leaves room for; returns how many. An undated article calls it:
        the time window that retired them says nothing about an article of no date."""
        if not self.dormant:
            return 0
        room = self.max_active - len(self.stories)
        ranked = sorted(self.dormant, key=lambda sid: (_time_key(self.dormant[sid]), sid), reverse=True)
        woken = [self.dormant.pop(sid) for sid in ranked[:max(room, 0)]]
        # Their words' and entities' counts may have been trimmed while they slept
        # (trim_frequencies keeps the active stories' only): fetch them at once.
        self.term_df.ensure(key for story in woken for key in story.term_df)
        self.entity_df.ensure(key for story in woken for key in story.entity_df)
        for story in reversed(woken):  # the most recent last: the most recently touched
            self.load_story(story)
        return len(woken)

    def load_story(self, story: StoryProfile) -> None:
        """Restore an active story (e.g. from the store) so new articles can join it."""
        self.stories[story.id] = story
        self._touch(story)
        self._index.add_entities(story.id, story.entity_df)

    def active_keys(self) -> tuple[set[str], set[str]]:
        """The lemmas and entity atoms the active stories and their members use: the
        document frequencies that scoring them can read."""
        terms: set[str] = set()
        entities: set[str] = set()
        for story in self.stories.values():
            terms.update(story.term_df)
            entities.update(story.entity_df)
        for profile in self._profiles.values():
            terms.update(profile.terms)
            entities.update(profile.entities)
        return terms, entities

    def trim_frequencies(self) -> bool:
        """Forget the store-backed document frequencies of keys no active story uses,
        once more than ``frequency_floor`` keys and twice as many as after the last
        trim are resident: memory then follows the window of active stories, not the
        archive (a key dropped is read from the store again when it comes back).
        Call it only when every count is stored (after a batch is written)."""
        term_df, entity_df = self.term_df, self.entity_df
        if term_df.loader is None or entity_df.loader is None:
            return False
        if len(term_df.df) + len(entity_df.df) <= max(self.frequency_floor, 2 * (term_df.kept + entity_df.kept)):
            return False
        terms, entities = self.active_keys()
        term_df.retain(terms)
        entity_df.retain(entities)
        return True

    def _ended(self, before) -> list[str]:
        """The active stories whose last article is older than ``before``."""
        return [sid for sid, s in self.stories.items() if s.last is not None and s.last < before]

    def _settle_ending(self, before) -> None:
        """Give the stories about to be retired the merge pass and regroup they are due:
        in a sparse stream (an archive of a few articles a week) a story can otherwise
        leave the window before any pass has looked at it, and its pieces stay apart."""
        ending = self._ended(before)
        if self.merge_every and self._since_merge.intersection(ending):
            self.merge_pass(only=ending)
            ending = [self.resolve(sid) for sid in ending]
        if self.regroup_every and self._since_regroup.intersection(ending):
            self.regroup(only=ending)

    def retire_ended(self, before) -> int:
        """Deactivate the stories whose last article is older than ``before`` (they can
        take no article dated after ``before`` + window); returns how many."""
        stale = self._ended(before)
        for sid in stale:
            self._deactivate(sid, keep_dormant=True)
        return len(stale)

    def rewind(self) -> None:
        """Forget the active stories and the stream's clock, to go on with articles
        older than the window (an archive that is not in time order): the owner then
        loads the stories around them again. Only once everything is stored (after
        ``finish`` and ``take_dirty``)."""
        for sid in list(self.stories):
            self._deactivate(sid, forget_members=True)
        for sid in list(self.dormant):
            self._drop_dormant(sid)
        self._newest = []
        self._swept = None
        self._since_merge.clear()
        self._since_regroup.clear()
        self._neighbour_scores.clear()

    def observe_frequencies(self, profile: ArticleProfile) -> None:
        """Count the article's lemmas and entity atoms in the document frequencies."""
        self.term_df.add(profile.terms.keys())
        self.entity_df.add(profile.entities.keys())

    # --- retrieval and decision ---------------------------------------------------
    def clock(self):
        """The stream's time for expiry: the CLOCK_QUORUM-th newest date seen, if any."""
        return self._newest[0] if len(self._newest) >= CLOCK_QUORUM else None

    def _advance_clock(self, time) -> bool:
        if time is None:
            return False
        if len(self._newest) < CLOCK_QUORUM:
            heapq.heappush(self._newest, time)
        elif time > self._newest[0]:
            heapq.heapreplace(self._newest, time)
        else:
            return False
        return len(self._newest) >= CLOCK_QUORUM

    def _expire(self, profile: ArticleProfile) -> None:
        # Sweep when the clock has moved 1/168 of the window (an hour of a week) since
        # the last sweep, not on every article: the sweep reads every active story, and
        # one kept that much longer is still refused by the time gap check in score().
        if self._advance_clock(profile.time) and (self._swept is None or self.clock() - self._swept >= self.window / 168):
            self._swept = self.clock()
            self._settle_ending(self._swept - self.window)
            self.retire_ended(self._swept - self.window)
        while len(self.stories) > self.max_active:
            oldest = min(self._touched, key=self._touched.get)
            self._deactivate(oldest, keep_dormant=True)

    def candidates(self, profile: ArticleProfile) -> dict[str, float]:
        """Candidate story ids with their dense similarity."""
        if not len(self._index):
            return {}
        found = self._index.nearest(profile.embedding, self.dense_candidates)
        limit = max(2, self.rare_entity_share * self.entity_df.docs)
        shared: dict[str, int] = defaultdict(int)
        for atom in profile.entities:
            if self.entity_df.count(atom) <= limit:
                for sid in self._index.holders(atom):
                    shared[sid] += 1
        for sid, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[: self.entity_candidates]:
            if sid not in found:
                found[sid] = self._index.similarity(sid, profile.embedding)
        return found

    def decision_for(self, profile: ArticleProfile) -> DecisionModel:
        """The join decision that judges this article: the short-text one for headlines."""
        return self.short_join_model if len(profile.terms) <= SHORT_TERMS else self.join_model

    def score(self, profile: ArticleProfile) -> list[tuple[float, str, dict[str, float]]]:
        """Every candidate as ``(probability, story id, features)``, best first."""
        decision = self.decision_for(profile)
        scored = []
        for sid, dense in self.candidates(profile).items():
            story = self.stories[sid]
            apart = days_apart(profile.earliest, profile.latest, story.span_first, story.span_last)
            if apart is not None and apart > self.window_days:
                continue
            features = pair_features(profile, story, self.term_df, self.entity_df, dense=dense)
            scored.append((decision.probability(features), sid, features))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored

    def admit(self, profile: ArticleProfile) -> None:
        """What every arriving article does before it is scored: move the clock (which
        retires ended stories), wake the dormant stories for an undated one, and count
        its words and entities in the document frequencies."""
        self._expire(profile)
        if profile.time is None and self.dormant:
            self.wake()
        self.observe_frequencies(profile)

    def add(self, profile: ArticleProfile) -> Assignment:
        """Assign one article: it joins the most probable candidate story if that clears
        the decision's threshold, else opens a story of its own; then the merge pass and
        the regroup run when they are due. Returns where the article ended up."""
        self.admit(profile)
        scored = self.score(profile)
        if scored and scored[0][0] >= self.decision_for(profile).threshold:
            probability, sid, _ = scored[0]
            new = False
        else:
            probability = scored[0][0] if scored else 0.0
            sid = story_id_for(profile.id)
            self.stories[sid] = StoryProfile(id=sid)
            new = True
        story = self.attach(profile, sid)
        self._since_merge.add(sid)
        self._since_regroup.add(sid)
        self.dirty[sid] = story
        self._added += 1
        if self.merge_every and self._added % self.merge_every == 0:
            self.merge_pass()
        if self.regroup_every and self._added % self.regroup_every == 0:
            self.regroup()
        # A merge or regroup may have moved the article from the story it just joined or opened.
        sid = self.story_of(profile.id, sid)
        return Assignment(profile.id, sid, probability, new)

    def attach(self, profile: ArticleProfile, story_id: str) -> StoryProfile:
        """Put an admitted article (see :meth:`admit`) in the active story ``story_id``,
        opened under that id when no active story has it, and index it there (centroid,
        entities, recency); returns the story.

        This is the placing half of :meth:`add`, without the decision and without
        counting the article for the merge pass, the regroup or storage: a caller that
        replays known assignments (training on gold stories) calls it alone."""
        story = self.stories.get(story_id)
        if story is None:
            story = self.stories[story_id] = StoryProfile(id=story_id)
        story.add(profile)
        self._profiles[profile.id] = profile
        self._touch(story)
        self._index.add_entities(story_id, profile.entities)
        return story

    def _touch(self, story: StoryProfile) -> None:
        """Mark an active story as just updated (its recency, see ``max_active``) and
        write its centroid to the index."""
        self._tick += 1
        self._touched[story.id] = self._tick
        self._index.set_row(story)

    # --- what the passes leave ------------------------------------------------------
    def take_dirty(self) -> list[StoryProfile]:
        """The stories changed since the last call, and forget them."""
        changed = [self.dirty[sid] for sid in sorted(self.dirty)]
        self.dirty = {}
        return changed

    def finish(self) -> list[tuple[str, str, float]]:
        """Run a last merge pass and regroup over what changed since the previous ones."""
        merged = self.merge_pass() if self._since_merge else []
        if self._since_regroup:
            self.regroup()
        return merged

    def story_of(self, article_id: str, assigned: str) -> str:
        """Where an article is now, given the story it was ``assigned`` to on arrival."""
        return self.resolve(self._moved.get(article_id, assigned))

    def take_moves(self) -> dict[str, str]:
        """Articles moved by regroups since the last call, with their current story."""
        moves = {aid: self.resolve(self._moved[aid]) for aid in sorted(self._fresh_moves)}
        self._fresh_moves.clear()
        return moves

    def resolve(self, story_id: str) -> str:
        """The surviving id of a story that may have been merged away."""
        forward = self._merged_into
        seen = set()
        while story_id in forward and story_id not in seen:
            seen.add(story_id)
            story_id = forward[story_id]
        return story_id
