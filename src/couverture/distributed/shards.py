"""Clustering in time shards, in parallel on the workers, and the stitching pass.

With one driver clustering the whole stream, the clustering (about 3 ms an article)
caps the distributed ingest whatever the number of workers (docs/distributed.md). Here
each segment's dated articles are cut into time shards (calendar months by default),
each shard is clustered by a Dask task of its own, and the driver joins the results:

1. **Shards with an overlap.** A shard's task clusters the shard's articles after those
   of the last clustering window before it (the *overlap*, owned by the shard before):
   a story that crosses the boundary is then seen from its last week, so the shard's
   first articles group as they would in one stream. The overlap's own placements are
   thrown away: each article belongs to the shard of its date.
2. **Stories rebuilt from the shard's own articles.** Each story of a shard becomes a
   profile of its members within the shard, under the id of its first such member
   (``story_id_for``, as a story opened by that article is named).
3. **Stitching.** Walking the boundaries in time order, the stories of a shard that
   begin within a window of where the earlier ones end (the shards before, and the
   store's stories of those dates) are offered to them with the online path's merge
   decision (``OnlineClusterer.stitch``, the merge pass): on a merge the larger story
   keeps its id, as in the online path, so a stored story keeps its id when it grows.
4. **Undated articles.** Half of real input has no date, so no shard. As in the
   single-process engine (which clusters them after a segment's dated ones), they are
   clustered on the driver last, against every story of the segment and the store's.
5. **Writes.** The driver writes each article once, with its final story, batch by
   batch, each story's final profile with its first batch, and the document
   frequencies counted over every article (the shard tasks count their own).

What differs from one process: a shard's task weighs words by the frequencies of its
own articles, not of the whole stream before it, and a story that spans a boundary is
decided by the merge decision rather than article by article.
"""
from __future__ import annotations

import inspect
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..cluster import ArticleProfile, OnlineClusterer
from ..cluster.online import story_id_for
from ..cluster.profile import StoryProfile, entity_atoms
from ..engine import Ingestion, _analyze, _story_bounds, estimate_from_story, restore_clusterer
from ..models import Article, Merge, Placement
from ..pipeline import stream_order

SHARD_RETRIES = 2


@dataclass(frozen=True)
class ShardPlan:
    """How a stream is cut in time: calendar months (``days=None``) or spans of
    ``days`` days counted from 1970-01-01."""

    days: int | None = None

    @classmethod
    def parse(cls, text: str) -> "ShardPlan | None":
        """``month``, ``week``, ``Nd`` (N days), or ``none`` (no shards: None)."""
        value = text.strip().lower()
        if value == "none":
            return None
        if value == "month":
            return cls()
        if value == "week":
            return cls(7)
        if value.endswith("d") and value[:-1].isdigit() and int(value[:-1]) >= 1:
            return cls(int(value[:-1]))
        raise ValueError(f"unknown shard size {text!r}: give month, week, a number of days such as 10d, or none")

    def start_of(self, moment: datetime) -> datetime:
        """The start of the shard ``moment`` falls in (UTC)."""
        moment = moment.astimezone(timezone.utc)
        if self.days is None:
            return datetime(moment.year, moment.month, 1, tzinfo=timezone.utc)
        epoch = datetime(1970, 1, 1, tzinfo=timezone.utc)
        return epoch + timedelta(days=self.days * ((moment - epoch) // timedelta(days=self.days)))


def clusterer_params(clusterer: OnlineClusterer) -> dict:
    """The clusterer's parameters as given (the estimator stores each under its own
    name), without the member loader, which reads the driver's store."""
    names = [name for name in inspect.signature(OnlineClusterer.__init__).parameters if name != "self"]
    return {name: getattr(clusterer, name) for name in names if name != "member_loader"}


def cluster_shard(profiles: list[ArticleProfile], core_from: int, params: dict,
                  counts: dict | None = None) -> list[tuple[str, str, float]]:
    """Cluster one shard on a worker: ``profiles`` in publication order, the overlap's
    first (the ``core_from`` before the shard's own). ``counts``: the document
    frequencies before the first of them (``{"terms": (docs, {key: count}),
    "entities": ...}``, the keys of ``profiles`` only), so that words weigh what they
    weigh in one stream at the same point. Returns ``(article id, story id,
    probability, in the overlap)`` for every article; story ids are local to the task."""
    clusterer = OnlineClusterer(**params)
    for name, frequencies in (("terms", clusterer.term_df), ("entities", clusterer.entity_df)):
        if counts and name in counts:
            frequencies.docs, known = counts[name]
            frequencies.df.update(known)
            frequencies._epoch_docs = frequencies.docs
    placed = []
    for position, profile in enumerate(profiles):
        assignment = clusterer.add(profile)
        placed.append((profile.id, assignment.story_id, assignment.probability, position < core_from))
    clusterer.finish()
    return [(aid, clusterer.story_of(aid, sid), probability, overlap) for aid, sid, probability, overlap in placed]


def _shards(dated: list[ArticleProfile], plan: ShardPlan, window: timedelta) -> list[tuple[datetime, list, int]]:
    """``(start, profiles with the overlap first, where the shard's own begin)`` per
    shard with articles, in time order; ``dated`` is in publication order."""
    starts: dict[datetime, list[int]] = {}
    for position, profile in enumerate(dated):
        starts.setdefault(plan.start_of(profile.time), []).append(position)
    out = []
    for start, positions in starts.items():
        first = positions[0]
        overlap_from = first
        while overlap_from > 0 and dated[overlap_from - 1].time >= start - window:
            overlap_from -= 1
        out.append((start, dated[overlap_from : positions[-1] + 1], first - overlap_from))
    return out


def _counts_before(shards: list, dated: list[ArticleProfile], restored: OnlineClusterer) -> list[dict]:
    """For each shard, the document frequencies of its keys just before its first
    article (the overlap's): the store's counts and those of the segment's articles
    before it. ``restored`` has not counted the segment yet."""
    position = {p.id: n for n, p in enumerate(dated)}
    running = {"terms": Counter(), "entities": Counter()}
    seen = 0
    out = []
    for _, members, _ in shards:
        first = position[members[0].id]
        for profile in dated[seen:first]:
            running["terms"].update(profile.terms.keys())
            running["entities"].update(profile.entities.keys())
        seen = max(seen, first)
        shard_counts = {}
        for name, stored in (("terms", restored.term_df), ("entities", restored.entity_df)):
            keys = {key for p in members for key in (p.terms if name == "terms" else p.entities)}
            stored.ensure(keys)
            shard_counts[name] = (stored.docs + first, {k: stored.df.get(k, 0) + running[name][k] for k in keys})
        out.append(shard_counts)
    return out


class ShardedIngestion(Ingestion):
    """The engine's ingest (reading, deduplication, versions, segments, errors, the
    writer lock: all inherited) with each segment clustered in time shards on the Dask
    workers of ``client`` and stitched here (see the module doc)."""

    def __init__(self, store, analyzer, clusterer, batch_size, progress, segment_size, *, client, plan: ShardPlan,
                 on_shard: Callable[[int, int], None] | None = None):
        super().__init__(store, analyzer, clusterer, batch_size, progress, segment_size)
        self.client = client
        self.plan = plan
        self.params = clusterer_params(clusterer or OnlineClusterer())
        self.on_shard = on_shard
        self.shards = 0  # shard tasks run, over all segments
        self.stitched = 0  # stories joined by the stitching pass
        self.aliases: dict[str, str] = {}  # a story the stitching merged away -> the one that took it
        self.alias_probability: dict[str, float] = {}
        self._profiles: dict[str, ArticleProfile] = {}  # this segment's dated articles, by id
        self.written: set[str] = set()  # stories written by this call's earlier segments
        self.merges_written: set[str] = set()
        # Driver seconds by step, over all segments (for the bench and the scaling model).
        self.seconds: dict[str, float] = {}

    def cluster_fresh(self) -> None:
        """One segment (the base class's step): shards on the workers, stitched, the
        undated articles clustered here, then everything stored."""
        clock = _Clock(self.seconds)
        fresh = [self.fresh[i] for i in stream_order(self.fresh)]
        articles, features = _analyze(self.analyzer, fresh, False, self.report)
        profiles = [ArticleProfile.build(a, f) for a, f in zip(articles, features)]
        restored = self._restore(articles)
        dated = [p for p in profiles if p.time is not None]
        shards = _shards(dated, self.plan, restored.window)
        counts = _counts_before(shards, dated, restored)
        for profile in profiles:  # every article counts in the frequencies written
            restored.observe_frequencies(profile)
        stored = {s.id: s for s in [*restored.dormant.values(), *restored.stories.values()]}
        clock.lap("prepare")
        story_of, shards = self._cluster_shards(shards, counts, dated)
        clock.lap("wait for shards")
        self._profiles = {p.id: p for p in dated}
        live = self._stitch(shards, stored, restored, story_of)
        clock.lap("stitch")
        undated = [p for p in profiles if p.time is None]
        self.clusterer = self._cluster_undated(restored, live, undated, story_of, profiles)
        clock.lap("undated")
        self._store(articles, features, story_of)
        clock.lap("store")
        self.fresh.clear()

    def _restore(self, articles: list[Article]) -> OnlineClusterer:
        """The store's stories around this segment's dates, its frequencies and its
        members, as the single-process engine loads them."""
        clusterer = OnlineClusterer(**self.params)
        since, until = _story_bounds(articles, clusterer.window)
        clusterer = restore_clusterer(self.store, clusterer, since=since, until=until)
        ours = {self._resolve(sid) for sid in self.report.story_of.values()}
        before = (set(clusterer.stories) | set(clusterer.dormant)) - ours
        self.known_before = before if self.known_before is None else self.known_before | before
        return clusterer

    def _cluster_shards(self, shards: list, counts: list[dict], dated: list[ArticleProfile]):
        """Each shard clustered by a task on the workers. Returns ``(article id ->
        (story id, probability), [(shard start, {story id: profile})] in time order)``."""
        with warnings.catch_warnings():
            # A shard's profiles travel inside its task (megabytes: Dask warns of a "large
            # graph"). On purpose: data scattered to a worker dies with it, while a task's
            # own arguments are kept by the scheduler and sent again when it is rerun
            # elsewhere, so a killed worker costs a rerun, not the ingest.
            warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
            futures = [self.client.submit(cluster_shard, members, core_from, self.params, shard_counts, pure=False,
                                          retries=SHARD_RETRIES)
                       for (_, members, core_from), shard_counts in zip(shards, counts)]
        by_id = {p.id: p for p in dated}
        story_of: dict[str, tuple[str, float]] = {}
        out = []
        for done, ((start, _, _), future) in enumerate(zip(shards, futures), start=1):
            placed = future.result()
            future.release()
            names: dict[str, str] = {}  # the task's story id -> the id of its first member in the shard
            stories: dict[str, StoryProfile] = {}
            for article_id, local, probability, overlap in placed:  # in publication order
                if overlap:
                    continue
                sid = names.setdefault(local, story_id_for(article_id))
                if sid not in stories:
                    stories[sid] = StoryProfile(id=sid)
                stories[sid].add(by_id[article_id])
                story_of[article_id] = (sid, probability)
            seen = {article_id for article_id, _, _, overlap in placed if overlap}  # the overlap the task saw
            out.append((start, stories, seen))
            self.shards += 1
            if self.on_shard is not None:
                self.on_shard(done, len(shards))
        return story_of, out

    def _stitch(self, shards: list, stored: dict[str, StoryProfile], restored: OnlineClusterer,
                story_of: dict) -> dict[str, StoryProfile]:
        """Join the shards' stories where shards meet, and to the store's stories of
        their dates; returns every story left, by id.

        At each boundary, each story of the shard that begins within a window of where
        the earlier ones end is offered to them with the online path's decisions: the
        join decision for its first article, against the earlier stories the shard's
        task did not see in its overlap (would a stream have added that article to one
        of them?), then the merge decision of story against story (the merge pass).

        The overlap is context, not a vote: a story the task saw in its overlap and
        kept apart from the shard's stories was decided on already, and one it put
        together with them is judged by the merge decision, which is stricter than a
        task's decision taken with a week of the earlier shard only (joining on it
        fused look-alike stories a day apart, the Pyongyang treaty and the Hanoi visit,
        that one stream keeps apart)."""
        window = restored.window
        live = dict(stored)
        reaching = {sid: s for sid, s in stored.items() if s.span_last is not None}  # may meet a later shard
        for start, stories, seen in shards:
            earlier = {sid: s for sid, s in reaching.items() if s.span_last >= start - window}
            if earlier:
                reach = max(s.span_last for s in earlier.values()) + window
                later = sorted((s for s in stories.values() if s.span_first <= reach), key=lambda s: (s.span_first, s.id))
                joined = self._join_at_boundary(earlier, later, seen, restored)
                for story, target, probability in joined:
                    self._absorb(story, target, probability, live, reaching, stories)
                rest = [s for s in later if s.id in stories]
                stitcher = self._stitcher(restored)
                earlier = [s for s in reaching.values() if s.span_last >= start - window]
                for gone, kept, probability in stitcher.stitch(earlier, rest):
                    self._note_merge(gone, kept, probability, live, reaching, stories)
            live.update(stories)
            reaching = {sid: s for sid, s in {**reaching, **stories}.items() if s.span_last >= start - window}
        return live

    def _stitcher(self, restored: OnlineClusterer) -> OnlineClusterer:
        stitcher = OnlineClusterer(**self.params)
        stitcher.term_df, stitcher.entity_df = restored.term_df, restored.entity_df
        return stitcher

    def _join_at_boundary(self, earlier: dict[str, StoryProfile], later: list[StoryProfile], seen: set[str],
                          restored: OnlineClusterer) -> list[tuple[StoryProfile, str, float]]:
        """``(story, earlier story it joins, probability)`` for the stories of ``later``
        whose first article the join decision puts in an earlier story that the
        shard's task did not see (none of its members in the task's overlap ``seen``):
        the store's stories, an earlier segment's."""
        scorer = self._stitcher(restored)
        unseen = [story for story in earlier.values() if not any(member in seen for member in story.members)]
        if not unseen:
            return []
        for story in unseen:
            scorer.load_story(story)
        out = []
        for story in later:
            first = self._profiles[story.members[0]]
            scored = scorer.score(first)
            if scored and scored[0][0] >= scorer.decision_for(first).threshold:
                out.append((story, scored[0][1], scored[0][0]))
        return out

    def _absorb(self, story: StoryProfile, target: str, probability: float, *holders: dict) -> None:
        """Merge ``story`` with the (resolved) ``target`` as the merge pass does: the
        larger keeps its id (the lower id on a tie) and takes the other's profile."""
        other = next(h[self._resolve(target)] for h in holders if self._resolve(target) in h)
        keep, gone = sorted((story, other), key=lambda s: (-s.size, s.id))
        keep.absorb(gone)
        standing = [h for h in holders if gone.id in h or keep.id in h]
        self._note_merge(gone.id, keep.id, probability, *holders)
        for holder in standing:  # the kept one stands where either stood
            holder[keep.id] = keep

    def _note_merge(self, gone: str, kept: str, probability: float, *holders: dict) -> None:
        self.aliases[gone] = kept
        self.alias_probability[gone] = probability
        self.stitched += 1
        for holder in holders:
            holder.pop(gone, None)

    def _resolve(self, story_id: str) -> str:
        seen = set()
        while story_id in self.aliases and story_id not in seen:
            seen.add(story_id)
            story_id = self.aliases[story_id]
        return story_id

    def _cluster_undated(self, restored: OnlineClusterer, live: dict[str, StoryProfile],
                         undated: list[ArticleProfile], story_of: dict, profiles: list[ArticleProfile]):
        """The undated articles, here, against every story of the segment and the
        store's (as the single-process engine offers them the dormant stories too); the
        segment's stories have their members at hand for the regroup. Returns the
        clusterer, whose merges and moves finish the placements."""
        in_memory = {p.id: p for p in profiles}
        from_store = restored.member_loader

        def members(story_ids: list[str]) -> dict[str, list[ArticleProfile]]:
            found = {sid: [in_memory[aid] for aid in live[sid].members] for sid in story_ids
                     if sid in live and all(aid in in_memory for aid in live[sid].members)}
            rest = [sid for sid in story_ids if sid not in found]
            return {**found, **(from_store(rest) if rest and from_store is not None else {})}

        clusterer = OnlineClusterer(**{**self.params, "member_loader": members})
        clusterer.term_df, clusterer.entity_df = restored.term_df, restored.entity_df
        for story in sorted(live.values(), key=lambda s: (s.span_last is None, s.span_last or 0)):
            clusterer.load_story(story)
        for profile in undated:
            assignment = clusterer.add(profile)
            story_of[profile.id] = (assignment.story_id, assignment.probability)
        clusterer.finish()
        return clusterer

    def _store(self, articles: list[Article], features: list, story_of: dict) -> None:
        """Write each article once with its final story, batch by batch; a story's final
        profile goes with its first batch, and the merges of stored stories, the moves
        of stored articles and the stored stories changed without a new member go with
        the last."""
        clusterer, report, known = self.clusterer, self.report, self.known_before
        for gone, kept, probability in clusterer.merges:  # one map of every merge, over segments
            self.aliases[gone] = kept
            self.alias_probability[gone] = probability
        stories = {**clusterer.dormant, **clusterer.stories}
        final = {aid: self._resolve(clusterer.story_of(aid, self._resolve(sid))) for aid, (sid, _) in story_of.items()}
        headlines = _headlines(articles, final, stories, known)
        changed = {s.id: s for s in clusterer.take_dirty()}
        merges = self._stored_merges()
        moves = clusterer.take_moves()
        written: set[str] = set()
        pairs = list(zip(articles, features))
        bar = self.progress(len(pairs), "stitch + store") if self.progress and len(pairs) >= 2 else None
        try:
            for start in range(0, len(pairs), self.batch_size):
                chunk = pairs[start : start + self.batch_size]
                last = start + self.batch_size >= len(pairs)
                rows, touched = [], []
                for article, feats in chunk:
                    sid = final[article.id]
                    if article.published is None:
                        article.estimate = estimate_from_story(article, feats, stories[sid])
                    rows.append(Placement(article, feats, sid, story_of[article.id][1]))
                    report.story_of[article.id] = sid
                    if sid not in written:
                        written.add(sid)
                        touched.append(stories[sid])
                if last:
                    touched += [s for sid, s in changed.items() if sid not in written and sid in stories]
                changed_keys = {
                    "terms": {key for _, f in chunk for key in f.lemmas},
                    "entities": {key for _, f in chunk for key in entity_atoms(f.entity_keys, f.lemmas)},
                }
                self.store.write_batch(
                    rows, touched, {s.id: headlines[s.id] for s in touched if s.id in headlines},
                    {"terms": clusterer.term_df, "entities": clusterer.entity_df},
                    merges=merges if last else [], changed_keys=changed_keys, moves=moves if last else {},
                )
                report.added += len(rows)
                if bar is not None:
                    bar.update(len(rows))
        finally:
            if bar is not None:
                bar.close()
        report.merges.extend(merges)
        self.written |= written
        # Stories of earlier segments this one merged away: their articles' report follows.
        report.story_of = {aid: self._resolve(sid) for aid, sid in report.story_of.items()}
        clusterer.trim_frequencies()

    def _stored_merges(self) -> list[Merge]:
        """Merges not yet written that took away a stored story (the store's, or one an
        earlier segment of this call wrote); the others were never written."""
        out = []
        for gone in sorted(self.aliases):
            if gone not in self.merges_written and (gone in self.known_before or gone in self.written):
                out.append(Merge(gone, self._resolve(gone), self.alias_probability[gone]))
                self.merges_written.add(gone)
        return out


class _Clock:
    """Adds the seconds since the last lap to ``totals[name]``."""

    def __init__(self, totals: dict[str, float]):
        self.totals = totals
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.totals[name] = self.totals.get(name, 0.0) + now - self.last
        self.last = now


def _headlines(articles: list[Article], final: dict[str, str], stories: dict[str, StoryProfile],
               known: set[str]) -> dict[str, str]:
    """Each story's headline from this segment: its earliest article's title; for a
    stored story only when that article is its earliest of all (as the engine does)."""
    best: dict[str, tuple] = {}
    for article in articles:
        sid = final[article.id]
        key = (article.published is None, article.published or _END)
        if sid not in best or key < best[sid][0]:
            best[sid] = (key, article.title)
    out = {}
    for sid, ((undated, when), title) in best.items():
        story = stories.get(sid)
        if sid not in known or (not undated and story is not None and story.first is not None and when <= story.first):
            out[sid] = title
    return out


_END = datetime.max.replace(tzinfo=timezone.utc)


def sharded(client, plan: ShardPlan, on_shard: Callable[[int, int], None] | None = None):
    """The engine's ``make_ingestion`` for an ingest clustered in shards on ``client``'s workers."""

    def make(store, analyzer, clusterer, batch_size, progress, segment_size) -> ShardedIngestion:
        ingestion = ShardedIngestion(store, analyzer, clusterer, batch_size, progress, segment_size, client=client,
                                     plan=plan, on_shard=on_shard)
        make.made.append(ingestion)  # for the caller's figures (shards run, stories stitched)
        return ingestion

    make.made = []
    return make


__all__ = ["ShardPlan", "ShardedIngestion", "cluster_shard", "clusterer_params", "sharded"]
