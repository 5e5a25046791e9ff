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

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from .profile import ArticleProfile, DocumentFrequencies, StoryProfile, days_apart
from .regroup import pair_probabilities, regroup_labels
from .similarity import (
    DecisionModel, default_decision_model, default_merge_model, default_short_decision_model, default_short_merge_model,
    pair_features,
)

# An article with at most this many distinct content lemmas is a *short* text (a
# headline, a title-only feed item): it is judged by a join decision fitted on
# headlines, since one fitted on full articles asks for more overlap than a few
# words can show.
SHORT_TERMS = 16

# A regroup looks at a story together with at most this many of its nearest stories
# (those a story-vs-story merge decision gives at least REGROUP_FLOOR), and at most
# REGROUP_MAX_ARTICLES articles in all: the pair matrix is quadratic in it.
REGROUP_NEIGHBOURS = 4
REGROUP_FLOOR = 0.05
REGROUP_MAX_ARTICLES = 600

# The clock that expires stories is the CLOCK_QUORUM-th newest publication time seen,
# not the newest: one mis-dated article (a date parsed from the text, a feed with a
# wrong year) or a few old-and-new archive items shuffled together must not expire
# every active story at once. In a live stream the lag is a few articles.
CLOCK_QUORUM = 8


def _time_key(story: StoryProfile) -> float:
    """Sort key: a story's last date (stories of undated articles count as newest)."""
    return story.last.timestamp() if story.last is not None else float("inf")


def story_id_for(first_article_id: str) -> str:
    return "s-" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:12]


@dataclass
class Assignment:
    article_id: str
    story_id: str
    probability: float  # of the chosen story; 0 for a new story with no candidate
    new_story: bool


class OnlineClusterer:
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
        self.decision = decision or default_decision_model()
        self.merge_decision = merge_decision or default_merge_model()
        # The shipped short-text decisions apply only with the shipped full-length ones:
        # a caller who passes its own decision gets it for every article unless it
        # also passes a short-text one (a model fitted on one set judges that set).
        if short_decision is None and decision is None:
            short_decision = default_short_decision_model()
        if short_merge_decision is None and merge_decision is None:
            short_merge_decision = default_short_merge_model()
        self.short_decision = short_decision or self.decision
        self.short_merge_decision = short_merge_decision or self.merge_decision
        self.window = timedelta(days=window_days)
        self.window_days = window_days
        self.dense_candidates = dense_candidates
        self.entity_candidates = entity_candidates
        self.max_active = max_active
        self.max_dormant = max_active if max_dormant is None else max_dormant
        self.rare_entity_share = rare_entity_share
        self.merge_every = merge_every
        self.regroup_every = regroup_every
        # Loads the member articles of stories restored without them (from the store).
        self.member_loader = member_loader
        self._profiles: dict[str, ArticleProfile] = {}  # members of active stories, by article id
        self._since_regroup: set[str] = set()
        # story id -> (its size then, its scored neighbours) from the last merge pass,
        # so the regroup that follows does not score the same pairs again.
        self._neighbour_scores: dict[str, tuple[int, list[tuple[float, str]]]] = {}
        self._moved: dict[str, str] = {}  # article id -> story a regroup moved it to
        self._fresh_moves: set[str] = set()  # moved since the owner last took them (take_moves)
        self.merges: list[tuple[str, str, float]] = []  # (merged story, surviving story, probability)
        self._merged_into: dict[str, str] = {}  # the same merges, looked up by the merged story
        self._since_merge: set[str] = set()
        self._added = 0
        # Stories changed since the owner last took them (see take_dirty); kept even
        # after a story leaves the active set, so nothing changed is lost for storage.
        self.dirty: dict[str, StoryProfile] = {}
        self.term_df = DocumentFrequencies()
        self.entity_df = DocumentFrequencies()
        # Store-backed document frequencies are trimmed to the active stories' keys
        # once more than this many keys are resident (see trim_frequencies).
        self.frequency_floor = frequency_floor
        self.stories: dict[str, StoryProfile] = {}
        # Stories retired by the clock or by max_active, kept for undated articles (see wake).
        self.dormant: dict[str, StoryProfile] = {}
        self._touched: dict[str, int] = {}  # story id -> arrival tick of its last update
        self._tick = 0
        self._newest: list = []  # min-heap of the CLOCK_QUORUM newest publication times
        self._swept = None  # the clock at the last sweep for expired stories
        self._rows: dict[str, int] = {}
        self._row_ids: list[str | None] = []
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._entity_index: dict[str, set[str]] = defaultdict(set)

    # --- state -----------------------------------------------------------------
    def _set_row(self, story: StoryProfile) -> None:
        centroid = story.centroid
        if self._matrix.shape[1] == 0:
            self._matrix = np.zeros((64, centroid.shape[0]), dtype=np.float32)
        row = self._rows.get(story.id)
        if row is None:
            row = len(self._row_ids)
            if row >= self._matrix.shape[0]:
                grown = np.zeros((self._matrix.shape[0] * 2, self._matrix.shape[1]), dtype=np.float32)
                grown[: self._matrix.shape[0]] = self._matrix
                self._matrix = grown
            self._rows[story.id] = row
            self._row_ids.append(story.id)
        self._matrix[row] = centroid

    def _deactivate(self, story_id: str, forget_members: bool = False, keep_dormant: bool = False) -> None:
        story = self.stories.pop(story_id, None)
        if story is not None and keep_dormant and self.max_dormant > 0:
            if self.member_loader is not None:
                # The store holds its members: a regroup after a wake loads them again,
                # so memory follows the active stories, not the dormant ones.
                self._forget_members(story)
            self._hold_dormant(story)  # the active copy is the newest: it replaces any other
        elif story is not None and forget_members:
            self._forget_members(story)
        self._touched.pop(story_id, None)
        self._neighbour_scores.pop(story_id, None)
        row = self._rows.pop(story_id, None)
        if row is not None:
            self._matrix[row] = 0.0
            self._row_ids[row] = None
        if story is not None:
            for atom in story.entity_df:
                holders = self._entity_index.get(atom)
                if holders is not None:
                    holders.discard(story_id)
                    if not holders:
                        del self._entity_index[atom]
        if len(self._row_ids) > 2 * max(len(self._rows), 32):
            self._compact()

    def _forget_members(self, story: StoryProfile) -> None:
        for article_id in story.members:
            self._profiles.pop(article_id, None)

    def _drop_dormant(self, story_id: str) -> None:
        self._forget_members(self.dormant.pop(story_id))

    def keep_dormant(self, story: StoryProfile) -> None:
        """Hold a stored story dormant: not searched by dated articles, woken by an
        undated one (see ``wake``)."""
        if story.id in self.stories or story.id in self.dormant or self.max_dormant <= 0:
            return
        self._hold_dormant(story)

    def _hold_dormant(self, story: StoryProfile) -> None:
        self.dormant[story.id] = story
        if len(self.dormant) > self.max_dormant:
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

    def _compact(self) -> None:
        live = [sid for sid in self._row_ids if sid is not None]
        matrix = np.zeros((max(64, 2 * len(live)), self._matrix.shape[1]), dtype=np.float32)
        for row, sid in enumerate(live):
            matrix[row] = self._matrix[self._rows[sid]]
        self._matrix = matrix
        self._row_ids = list(live)
        self._rows = {sid: row for row, sid in enumerate(live)}

    def load_story(self, story: StoryProfile) -> None:
        """Restore an active story (e.g. from the store) so new articles can join it."""
        self.stories[story.id] = story
        self._tick += 1
        self._touched[story.id] = self._tick
        self._set_row(story)
        for atom in story.entity_df:
            self._entity_index[atom].add(story.id)

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
        if not self._rows:
            return {}
        used = len(self._row_ids)
        scores = self._matrix[:used] @ profile.embedding
        k = min(self.dense_candidates, used)
        top = np.argpartition(-scores, k - 1)[:k] if k < used else np.arange(used)
        found: dict[str, float] = {}
        for row in top:
            sid = self._row_ids[row]
            if sid is not None:
                found[sid] = float(scores[row])
        limit = max(2, self.rare_entity_share * self.entity_df.docs)
        shared: dict[str, int] = defaultdict(int)
        for atom in profile.entities:
            if self.entity_df.count(atom) <= limit:
                for sid in self._entity_index.get(atom, ()):
                    shared[sid] += 1
        for sid, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[: self.entity_candidates]:
            if sid not in found:
                found[sid] = float(self._matrix[self._rows[sid]] @ profile.embedding)
        return found

    def decision_for(self, profile: ArticleProfile) -> DecisionModel:
        """The join decision that judges this article: the short-text one for headlines."""
        return self.short_decision if len(profile.terms) <= SHORT_TERMS else self.decision

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
        """Assign one article; updates the state."""
        self.admit(profile)
        scored = self.score(profile)
        if scored and scored[0][0] >= self.decision_for(profile).threshold:
            probability, sid, _ = scored[0]
            story = self.stories[sid]
            new = False
        else:
            probability = scored[0][0] if scored else 0.0
            sid = story_id_for(profile.id)
            story = StoryProfile(id=sid)
            self.stories[sid] = story
            new = True
        story.add(profile)
        self._profiles[profile.id] = profile
        self._tick += 1
        self._touched[sid] = self._tick
        self._set_row(story)
        for atom in profile.entities:
            self._entity_index[atom].add(sid)
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

    # --- merges ---------------------------------------------------------------------
    def _as_article(self, story: StoryProfile) -> ArticleProfile:
        """A story seen as one long article, to score it against another story."""
        from collections import Counter

        return ArticleProfile(
            id=story.id, lang=story.langs.most_common(1)[0][0] if story.langs else "und", time=story.last,
            earliest=story.span_first, latest=story.span_last,
            embedding=story.centroid, terms=Counter(story.term_df), entities=Counter(story.entity_df),
            numbers=set(story.number_df), clues=story.clues,
        )

    @staticmethod
    def _of_headlines(story: StoryProfile) -> bool:
        """A story of short texts: few distinct lemmas per member on average."""
        return sum(story.term_df.values()) / max(story.size, 1) <= SHORT_TERMS

    def merge_decision_for(self, story: StoryProfile) -> DecisionModel:
        """The short-text merge decision for a story of headlines."""
        return self.short_merge_decision if self._of_headlines(story) else self.merge_decision

    def decision_for_story(self, story: StoryProfile) -> DecisionModel:
        """The join decision for a story's members: the short-text one for a story of headlines."""
        return self.short_decision if self._of_headlines(story) else self.decision

    def _story_neighbours(self, story: StoryProfile) -> list[tuple[float, str]]:
        """``(merge probability, story id)`` for each active candidate story, in candidate order."""
        probe = self._as_article(story)
        decision = self.merge_decision_for(story)
        scored = []
        for other_id, dense in self.candidates(probe).items():
            if other_id == story.id or other_id not in self.stories:
                continue
            other = self.stories[other_id]
            # Stories more than a window apart never merge, as an article never joins one.
            apart = days_apart(story.span_first, story.span_last, other.span_first, other.span_last)
            if apart is not None and apart > self.window_days:
                continue
            features = pair_features(probe, other, self.term_df, self.entity_df, dense=dense)
            scored.append((decision.probability(features), other_id))
        return scored

    def merge_pass(self, only: Iterable[str] | None = None) -> list[tuple[str, str, float]]:
        """Merge stories that turn out to be one.

        Each story updated since the last pass (or each of ``only`` among them) is
        compared with its nearest active stories; a pair merges when
        :attr:`merge_decision` (a model fitted on story-vs-story pairs, see
        ``training.merge_rows``) clears its threshold. The larger story keeps its id
        (the older one on a tie, i.e. the lower id), so links to it stay valid; the
        other id is recorded in :attr:`merges`.
        """
        done = []
        pending = sorted(self._since_merge if only is None else self._since_merge & set(only))
        self._since_merge.difference_update(pending)
        for sid in pending:
            story = self.stories.get(sid)
            if story is None:
                continue
            required = self.merge_decision_for(story).threshold
            best = None
            neighbours = self._story_neighbours(story)
            self._neighbour_scores[sid] = (story.size, neighbours)
            for probability, other_id in neighbours:
                if probability >= required and (best is None or probability > best[0]):
                    best = (probability, other_id)
            if best is None:
                continue
            other = self.stories[best[1]]
            keep, gone = sorted((story, other), key=lambda s: (-s.size, s.id))
            keep.absorb(gone)
            self._deactivate(gone.id)
            self.dirty.pop(gone.id, None)
            self.dirty[keep.id] = keep
            self._set_row(keep)
            for atom in keep.entity_df:
                self._entity_index[atom].add(keep.id)
            self._record_merge(gone.id, keep.id, best[0])
            done.append((gone.id, keep.id, best[0]))
        return done

    def _record_merge(self, gone: str, into: str, probability: float) -> None:
        """Record that story ``gone`` now lives on as ``into`` (see :meth:`resolve`)."""
        self.merges.append((gone, into, probability))
        self._merged_into[gone] = into

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

    # --- regroup ----------------------------------------------------------------------
    def _members(self, story: StoryProfile) -> list[ArticleProfile] | None:
        """The story's member profiles, or None when they are not all at hand.

        A story restored from the store knows only the members added in this process;
        the others come from ``member_loader``. When the store lags this process (a
        merge not yet written) the counts differ and the story is left as it is.
        """
        ids = list(story.members)
        if len(ids) != story.size or any(m not in self._profiles for m in ids):
            if self.member_loader is None:
                return None
            loaded = self.member_loader([story.id]).get(story.id, [])
            for profile in loaded:
                self._profiles.setdefault(profile.id, profile)
            self.term_df.ensure(key for profile in loaded for key in profile.terms)
            self.entity_df.ensure(key for profile in loaded for key in profile.entities)
            stored = [p.id for p in loaded]
            known = set(stored)
            ids = stored + [m for m in ids if m not in known]
            if len(ids) != story.size or any(m not in self._profiles for m in ids):
                return None
            story.members = ids
        return [self._profiles[m] for m in ids]

    def _nearest(self, story: StoryProfile) -> list[str]:
        """The nearest stories this one could share articles with, nearest first.

        Scores from the merge pass are reused while the story has not grown since
        (its neighbours may have: the regroup reads them as the merge pass saw them).
        """
        cached = self._neighbour_scores.get(story.id)
        scored = cached[1] if cached is not None and cached[0] == story.size else self._story_neighbours(story)
        near = sorted((-p, other_id) for p, other_id in scored if p >= REGROUP_FLOOR and other_id in self.stories)
        return [other_id for _, other_id in near[:REGROUP_NEIGHBOURS]]

    def regroup(self, only: Iterable[str] | None = None) -> int:
        """Re-cluster the members of the stories changed since the last regroup together
        with their nearest stories; returns how many articles moved.

        Hierarchical linkage (the decision's ``regroup_linkage``) over the pair
        probabilities of its pair model (``DecisionModel.pair_model``), at its
        ``regroup_threshold`` (no regroup when it has none), then the cut of a group that
        holds two look-alike stories when the decision has a ``regroup_split`` ratio (see
        regroup.split_incohesive). Ids stay stable: each new
        group keeps the id of the old story that gives it most members; an old story
        left without a group is recorded as merged into the group that took most of its
        members, so links to it still resolve; a group that no old story can name gets a
        new id derived from its first member.
        """
        seeds = sorted(self._since_regroup if only is None else self._since_regroup & set(only))
        self._since_regroup.difference_update(seeds)
        components = self._components(seeds)
        self._neighbour_scores.clear()
        moved = 0
        for component in components:
            decision = self.decision_for_story(self.stories[component[0]])
            if decision.regroup_threshold is None:
                continue
            members = {}
            for gid in component:
                found = self._members(self.stories[gid])
                if found is not None:
                    members[gid] = found
            if members:
                moved += self._regroup_component(members, decision)
        return moved

    def _components(self, seeds: list[str]) -> list[list[str]]:
        """Seed stories linked to their nearest stories, in connected groups of at most
        REGROUP_MAX_ARTICLES articles (a link that would pass that is left out)."""
        parent: dict[str, str] = {}

        def root(sid: str) -> str:
            while parent.setdefault(sid, sid) != sid:
                parent[sid] = parent[parent[sid]]
                sid = parent[sid]
            return sid

        size: dict[str, int] = {}
        for sid in seeds:
            story = self.stories.get(sid)
            if story is None:
                continue
            size.setdefault(root(sid), story.size)
            for other_id in self._nearest(story):
                a, b = root(sid), root(other_id)
                size.setdefault(b, self.stories[other_id].size)
                if a != b and size[a] + size[b] <= REGROUP_MAX_ARTICLES:
                    first, second = sorted((a, b))
                    parent[second] = first
                    size[first] = size[a] + size[b]
        grouped: dict[str, list[str]] = defaultdict(list)
        for sid in parent:
            grouped[root(sid)].append(sid)
        return [sorted(members) for _, members in sorted(grouped.items())]

    def _regroup_component(self, members: dict[str, list[ArticleProfile]], decision: DecisionModel) -> int:
        old_ids = sorted(members)
        profiles = [p for gid in old_ids for p in members[gid]]
        origin = [gid for gid in old_ids for _ in members[gid]]
        if len(profiles) < 2:
            return 0
        probabilities = pair_probabilities(profiles, decision.pair_model(), self.term_df, self.entity_df)
        labels = regroup_labels(probabilities, decision, [p.lang for p in profiles], profiles, self.window_days)
        groups: dict[int, list[int]] = defaultdict(list)
        for position, label in enumerate(labels):
            groups[label].append(position)
        # Unchanged partition: nothing to do.
        if all(len({origin[i] for i in positions}) == 1 for positions in groups.values()) and len(groups) == len(old_ids):
            return 0
        old_size = {gid: len(members[gid]) for gid in old_ids}
        # Name groups, largest first: the old story giving most members (then the larger
        # old story, then the lower id) that no larger group has taken.
        naming_order = sorted(groups, key=lambda g: (-len(groups[g]), groups[g][0]))
        name_of: dict[int, str] = {}
        taken: set[str] = set()
        for label in naming_order:
            counts = defaultdict(int)
            for i in groups[label]:
                counts[origin[i]] += 1
            ranked = sorted(counts, key=lambda gid: (-counts[gid], -old_size[gid], gid))
            name = next((gid for gid in ranked if gid not in taken), None)
            if name is None:
                name = self._fresh_id(profiles[groups[label][0]].id)
            name_of[label] = name
            taken.add(name)
        touched = max(self._touched.get(gid, 0) for gid in old_ids)
        for gid in old_ids:
            self._deactivate(gid)
            self.dirty.pop(gid, None)
        moved = 0
        for label, positions in groups.items():
            story = StoryProfile(id=name_of[label])
            for i in positions:
                story.add(profiles[i])
                if origin[i] != story.id:
                    self._moved[profiles[i].id] = story.id
                    self._fresh_moves.add(profiles[i].id)
                    moved += 1
            self.load_story(story)
            self._touched[story.id] = touched
            self.dirty[story.id] = story
            self._since_merge.discard(story.id)
        for gid in old_ids:
            if gid in taken:
                continue
            # Gone: merged into the group that took most of its members.
            shares = defaultdict(int)
            for i, label in enumerate(labels):
                if origin[i] == gid:
                    shares[label] += 1
            label = max(sorted(shares), key=lambda g: shares[g])
            into = name_of[label]
            inside = [i for i in groups[label] if origin[i] == gid]
            others = [i for i in groups[label] if origin[i] != gid]
            score = float(probabilities[np.ix_(inside, others)].mean()) if others else 1.0
            self._record_merge(gid, into, score)
        return moved

    def _fresh_id(self, first_member: str) -> str:
        """A story id for a group split off by a regroup, unused in this process."""
        attempt = 0
        while True:
            candidate = story_id_for(f"{first_member}#regroup{attempt}")
            if candidate not in self.stories and candidate not in self._merged_into:
                return candidate
            attempt += 1

    def resolve(self, story_id: str) -> str:
        """The surviving id of a story that may have been merged away."""
        forward = self._merged_into
        seen = set()
        while story_id in forward and story_id not in seen:
            seen.add(story_id)
            story_id = forward[story_id]
        return story_id

    def partial_fit(self, profiles: Iterable[ArticleProfile]) -> list[Assignment]:
        return [self.add(p) for p in profiles]
