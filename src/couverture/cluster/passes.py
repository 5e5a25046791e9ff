"""The clusterer's second looks at its stories: the merge pass and the regroup.

:class:`StoryPasses` is a part of :class:`~couverture.cluster.online.OnlineClusterer`
(a mixin over its state, kept apart so each file reads as one concern): the merge pass
joins two stories that turn out to be one; the regroup re-clusters the members of a few
neighbouring stories together, which can move articles between them, split one, or
fold one into another. Both keep story ids stable and record what went where.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from ..models import Merge
from .profile import ArticleProfile, StoryProfile, days_apart
from .regroup import pair_probabilities, regroup_labels
from .similarity import DecisionModel, pair_features

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


def story_id_for(first_article_id: str) -> str:
    """A story's id, derived from the id of its first article."""
    return "s-" + hashlib.sha1(first_article_id.encode("utf-8")).hexdigest()[:12]


def story_as_article(story: StoryProfile) -> ArticleProfile:
    """A story seen as one long article, to score it against another story (the merge
    pass, and the story-vs-story rows the merge decision is fitted on)."""
    return ArticleProfile(
        id=story.id, lang=story.langs.most_common(1)[0][0] if story.langs else "und", time=story.last,
        earliest=story.span_first, latest=story.span_last,
        embedding=story.centroid, terms=Counter(story.term_df), entities=Counter(story.entity_df),
        numbers=set(story.number_df), clues=story.clues,
    )


class StoryPasses:
    """Merge pass and regroup over an :class:`OnlineClusterer`'s stories (see the module
    doc); every attribute it reads is the clusterer's."""

    @staticmethod
    def _of_headlines(story: StoryProfile) -> bool:
        """A story of short texts: few distinct lemmas per member on average."""
        return sum(story.term_df.values()) / max(story.size, 1) <= SHORT_TERMS

    def merge_decision_for(self, story: StoryProfile) -> DecisionModel:
        """The short-text merge decision for a story of headlines."""
        return self.short_merge_model if self._of_headlines(story) else self.merge_model

    def decision_for_story(self, story: StoryProfile) -> DecisionModel:
        """The join decision for a story's members: the short-text one for a story of headlines."""
        return self.short_join_model if self._of_headlines(story) else self.join_model

    def _story_neighbours(self, story: StoryProfile) -> list[tuple[float, str]]:
        """``(merge probability, story id)`` for each active candidate story, in candidate order."""
        probe = story_as_article(story)
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
        :attr:`merge_model` (a model fitted on story-vs-story pairs, see
        ``learn.training.merge_rows``) clears its threshold. The larger story keeps its id
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
            self._index.set_row(keep)
            self._index.add_entities(keep.id, keep.entity_df)
            self._record_merge(gone.id, keep.id, best[0])
            done.append((gone.id, keep.id, best[0]))
        return done

    def stitch(self, earlier: Iterable[StoryProfile], later: Iterable[StoryProfile]) -> list[tuple[str, str, float]]:
        """Offer each of ``later`` to the active stories with the merge pass's own
        decision, after loading ``earlier`` and ``later`` as active stories.

        This is how stories clustered apart (time shards, ``distributed.shards``) are
        joined where they meet: ``later`` are the stories of one shard that begin within
        a window of where the stories in ``earlier`` (the shards before it, the store's)
        end. A merge is the merge pass's: the larger story keeps its id and absorbs the
        other's profile in place (the objects given are changed), and it is recorded in
        :attr:`merges`. Returns the merges, as :meth:`merge_pass` does."""
        later = list(later)
        for story in earlier:
            self.load_story(story)
        for story in later:
            self.load_story(story)
        self._since_merge.update(story.id for story in later)
        return self.merge_pass(only=[story.id for story in later])

    def _record_merge(self, gone: str, into: str, probability: float) -> None:
        """Record that story ``gone`` now lives on as ``into`` (see :meth:`resolve`)."""
        self.merges.append(Merge(gone, into, probability))
        self._merged_into[gone] = into


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
