"""Ingest into a store: read -> extract -> dedupe -> analyze -> cluster -> write.

Stages never know about storage; this module is the one place that ties them to
it. Articles are written in batches, each in one transaction together with the
story profiles it changed, so an interrupted run loses at most the batch in flight
and never leaves half an article. Each input is read, extracted and analysed in its
own guard (its failure is its one-line error); if the input stream itself fails
(a broken install, Ctrl-C), what was read is clustered and written before the
failure goes on. One ingest at a time holds the store's writer lock.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from .analyze import Analyzer, USEEmbedder
from .analyze.embed_worker import EmbeddingQueue, ProcessEmbedder
from .cluster import ArticleProfile, OnlineClusterer
from .cluster.profile import DocumentFrequencies, StoryProfile, entity_atoms
from .errors import BrokenInstall, InputError
from .ingest import DEFAULT_MAX_BYTES, read_inputs
from .analyze.when import resolve_day
from .models import Article, DateEstimate, Merge, Placement, RawDocument
from .pipeline import Prepared, extract_each, stream_order
from .store import Store

BATCH_SIZE = 256
# Articles are checked against the store, and handed to the embedder, in groups this size.
DEDUPE_GROUP = 64
# From this many new articles on, the default analyzer embeds in a worker process
# (beside cleaning, clustering and storage); below it, starting one costs more than it saves.
BACKGROUND_MIN_ARTICLES = DEDUPE_GROUP
# One ingest call clusters and stores its articles in segments of at most this many
# (each in publication order): what it holds in memory is bounded by a segment, not
# by the size of the input (a million-line JSONL archive, say).
SEGMENT_ARTICLES = 20_000


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    updated_articles: int = 0  # stored articles whose page changed under the same URL: new versions
    new_stories: int = 0
    updated_stories: int = 0
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    story_of: dict[str, str] = field(default_factory=dict)  # article id -> story id
    merges: list[Merge] = field(default_factory=list)  # (merged away, kept, probability)

    @property
    def failed(self) -> int:
        return len(self.errors)


@dataclass
class _Seen:
    """Keys of the articles accepted so far in this ingest."""

    ids: set = field(default_factory=set)
    urls: set = field(default_factory=set)
    hashes: set = field(default_factory=set)


def _dedupe(store: Store, items: list[Article], seen: _Seen, report: IngestReport,
            versions: list[tuple[str, Article]] | None = None, later: list[Article] | None = None) -> list[Article]:
    """Drop articles already stored or seen earlier in this ingest (same id, URL or content).

    With ``versions`` and ``later``: an article whose URL is stored with other content is
    a new version of the stored one, put in ``versions`` as ``(stored id, article)``; one
    whose URL an earlier article of this ingest has goes to ``later``, to replace that one
    once it is stored (so one call and two calls store the same)."""
    known_ids, known_urls, known_hashes = store.existing_keys(
        [a.id for a in items], [a.url for a in items if a.url], [a.content_hash for a in items]
    )
    owners = store.url_owners([a.url for a in items if a.url in known_urls]) if versions is not None else {}
    fresh = []
    for article in items:
        if (
            article.id in known_ids or article.id in seen.ids
            or article.content_hash in known_hashes or article.content_hash in seen.hashes
        ):
            report.duplicates += 1
            continue
        if article.url and (article.url in seen.urls or article.url in known_urls):
            if later is not None and article.url in seen.urls:
                later.append(article)
            elif versions is not None and article.url in owners:
                versions.append((owners[article.url][0], article))
            else:
                report.duplicates += 1
                continue
            seen.urls.add(article.url)
            seen.hashes.add(article.content_hash)
            continue
        seen.ids.add(article.id)
        seen.hashes.add(article.content_hash)
        if article.url:
            seen.urls.add(article.url)
        fresh.append(article)
    return fresh


def restore_clusterer(store: Store, clusterer: OnlineClusterer | None = None, since: datetime | None = None,
                      until: datetime | None = None) -> OnlineClusterer:
    """Load the clustering state; ``since``: skip stories last published before it;
    ``until``: skip stories first published after it.

    Stories that ended more than a window before the first new article would be
    expired by the clusterer on that article anyway; not loading them keeps the cost
    of starting an ingest bounded by the active window, not by the archive. Stories
    that began more than a window after the last new article are refused by the
    clusterer's time check: with them loaded, an older archive added to a store of
    later news would fill the ``max_active`` newest places with stories none of its
    articles can join, and miss the stories of its own dates.
    """
    clusterer = clusterer or OnlineClusterer()
    if clusterer.member_loader is None:
        clusterer.member_loader = _member_loader(store)
    clusterer.term_df = _stored_frequencies(store, "terms")
    clusterer.entity_df = _stored_frequencies(store, "entities")
    _load_stories(store, clusterer, since, until)
    # Scoring a story reads the frequencies of all its keys: fetch them in one go.
    terms, entities = clusterer.active_keys()
    clusterer.term_df.ensure(terms)
    clusterer.entity_df.ensure(entities)
    return clusterer


def _member_loader(store: Store):
    """The clusterer's ``member_loader``: profiles of the stored articles of stories."""

    def load(story_ids: list[str]) -> dict[str, list[ArticleProfile]]:
        return {sid: [ArticleProfile.build(article, features) for article, features in members]
                for sid, members in store.story_members(story_ids).items()}

    return load


def _stored_frequencies(store: Store, name: str) -> DocumentFrequencies:
    """The stored document frequencies ``name`` with no key resident yet: counts are read
    per key when needed (``DocumentFrequencies.ensure``), so opening costs the same
    whatever the size of the archive's vocabulary."""
    opened = DocumentFrequencies(loader=lambda keys: store.frequency_counts(name, keys))
    opened.docs = store.frequency_docs(name)
    return opened


def _load_dormant(store: Store, clusterer: OnlineClusterer, articles: list[Article]) -> int:
    """When some of ``articles`` are undated and the stories were loaded by the dated
    ones' bounds, keep the store's newest other stories dormant (up to the places
    ``max_active`` and ``max_dormant`` leave), for the undated articles to wake: an
    article of no date may belong to a story of any date, not only to those of the
    dates beside it in this call. Returns how many were kept."""
    if all(a.published is not None for a in articles) or all(a.published is None for a in articles):
        return 0  # all dated: bounds are right; all undated: the load had no bounds
    room = min(clusterer.max_active - len(clusterer.stories), clusterer.dormant_limit - len(clusterer.dormant))
    kept = _stored_stories(store, clusterer, room, (clusterer.stories, clusterer.dormant))
    for story in reversed(kept):  # the oldest first: the first the dormant cap drops
        clusterer.keep_dormant(story)
    return len(kept)


def _stored_stories(store: Store, clusterer: OnlineClusterer, room: int, held, since: datetime | None = None,
                    until: datetime | None = None) -> list[StoryProfile]:
    """Up to ``room`` of the newest stored stories between ``since`` and ``until``
    whose ids are not in ``held`` (one held in memory is as new there as in the store,
    or newer: it keeps its own), newest first."""
    chosen: list[StoryProfile] = []
    if room > 0:
        for stored in store.active_stories(clusterer.max_active, since=since, until=until):
            if stored.embedding_sum is not None and not any(stored.id in ids for ids in held):
                chosen.append(StoryProfile(**vars(stored)))
                if len(chosen) == room:
                    break
    return chosen


def _load_stories(store: Store, clusterer: OnlineClusterer, since: datetime | None,
                  until: datetime | None) -> list[StoryProfile]:
    """Load the newest stored stories between ``since`` and ``until`` (as
    ``restore_clusterer`` bounds them) that are not active, into the places
    ``max_active`` leaves free: a story loaded beyond it would push out, as least
    recently touched, one that is active for a reason. Returns the stories loaded."""
    chosen = _stored_stories(store, clusterer, clusterer.max_active - len(clusterer.stories), (clusterer.stories,),
                             since, until)
    for story in reversed(chosen):  # the newest last, so the most recently touched
        clusterer.load_story(story)
    return chosen


def _story_bounds(articles: list[Article], window: timedelta) -> tuple[datetime | None, datetime | None]:
    """``(since, until)`` for ``restore_clusterer``: the oldest last-publication and
    the latest first-publication time a story can have and still take one of
    ``articles``; ``(None, None)`` when none is dated."""
    dated = [a.published for a in articles if a.published is not None]
    return (min(dated) - window, max(dated) + window) if dated else (None, None)


def estimate_from_story(article: Article, features, story: StoryProfile) -> DateEstimate | None:
    """An undated article's estimated date: the day its lead names ("on Tuesday", "13
    de dezembro") resolved against the dates of its story's dated articles, when it
    names one that fits (within its month stamp, if it has one); else what it had."""
    if story.first is None or story.last is None:
        return article.estimate
    day = resolve_day(features.time_clues, story.first, story.last)
    if day is None:
        return article.estimate
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    end = start + timedelta(days=1) - timedelta(seconds=1)
    if article.estimate is not None and not (article.estimate.earliest <= start <= article.estimate.latest):
        return article.estimate
    return DateEstimate(start, end, "the day its lead names, resolved against its story's dated articles")


def _write(store: Store, clusterer: OnlineClusterer, rows: list[Placement], headlines: dict[str, str],
           merges: list[Merge], report: IngestReport, changed_keys: dict[str, set[str]]) -> None:
    """One transaction: the chunk's articles, the stories they changed, merges, and
    the document frequencies of the chunk's lemmas and entities."""
    resolved_rows = []
    for article, feats, sid, probability in rows:
        final = clusterer.story_of(article.id, sid)
        story = clusterer.stories.get(final) or clusterer.dormant.get(final)
        if article.published is None and story is not None:
            article.estimate = estimate_from_story(article, feats, story)
        resolved_rows.append(Placement(article, feats, final, probability))
        report.story_of[article.id] = final
    profiles = clusterer.take_dirty()
    titles = {clusterer.resolve(sid): title for sid, title in headlines.items()}
    store.write_batch(
        resolved_rows, profiles, titles,
        {"terms": clusterer.term_df, "entities": clusterer.entity_df},
        merges=merges, changed_keys=changed_keys, moves=clusterer.take_moves(),
    )
    report.added += len(rows)
    report.merges.extend(merges)


def ingest_documents(
    store: Store,
    items: Iterable[RawDocument | InputError],
    analyzer: Analyzer | None = None,
    clusterer: OnlineClusterer | None = None,
    batch_size: int = BATCH_SIZE,
    progress: "Callable[[int, str], object] | None" = None,
    segment_size: int = SEGMENT_ARTICLES,
    on_wait=None,
    lock_timeout: float | None = None,
    make_ingestion: "Callable[..., Ingestion] | None" = None,
) -> IngestReport:
    """Read, clean, deduplicate, analyse, cluster and store ``items``.

    Inputs that cannot be read are reported in the result, not raised. Articles are
    clustered in publication order within segments of ``segment_size`` (the whole
    call when it is smaller); each batch of ``batch_size`` is one transaction.

    The call holds the store's writer lock; when another ingest holds it, this one
    waits (``on_wait(message)`` is told once; by default the message goes to stderr),
    at most ``lock_timeout`` seconds if given, then raises ``WriterBusy``.

    ``progress(total, label)``, when given, makes a bar for each segment (anything with
    ``update(n)`` and ``close()``): showing progress is the caller's business (the CLI
    draws one on a terminal); the engine only says how far it got.

    ``make_ingestion``: what runs the call (by default :class:`Ingestion`), given the
    same arguments; the distributed path's sharded clustering is one
    (``distributed.shards``).
    """
    with store.writing(on_wait=_tell_waiting if on_wait is None else on_wait, timeout=lock_timeout):
        make = make_ingestion or Ingestion
        report = make(store, analyzer, clusterer, batch_size, progress, segment_size).run(items)
        from .coverage.related import refresh_related_index

        refresh_related_index(store)  # the stories just written, for their related stories
        return report


def _tell_waiting(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Ingestion:
    """One ingest call, under the store's writer lock: articles read in groups, deduplicated,
    gathered into segments, and each segment analysed, clustered in publication order and
    stored batch by batch.

    What used to live in closures is state here: the articles waiting for their segment
    (``fresh``), the versions to store, what this call has seen, the embedding worker and
    its queue, the clusterer, and the stories that existed before the call (so the report
    can tell new stories from updated ones).
    """

    def __init__(self, store: Store, analyzer=None, clusterer: OnlineClusterer | None = None,
                 batch_size: int = BATCH_SIZE, progress=None, segment_size: int = SEGMENT_ARTICLES):
        self.store = store
        self.report = IngestReport()
        self.prepared = Prepared()
        self.background = analyzer is None  # the default analyzer may embed in a worker process
        self.analyzer = analyzer or Analyzer()
        pipelined = isinstance(self.analyzer, Analyzer)  # other analyzers only offer analyze_many
        self.queue = EmbeddingQueue(self.analyzer.embedder, self.analyzer.embedding_text) if pipelined else None
        self.worker: ProcessEmbedder | None = None
        self.clusterer = clusterer
        self.batch_size = batch_size
        self.progress = progress
        self.segment_size = segment_size
        self.fresh: list[Article] = []
        self.versions: list[tuple[str, Article]] = []
        self.later: list[Article] = []  # same URL as an article of this call: a version of it once it is stored
        self.seen = _Seen()
        self.known_before: set[str] | None = None  # stories active before this call; set by the first segment

    def run(self, items: Iterable[RawDocument | InputError]) -> IngestReport:
        report = self.report
        try:
            group: list[Article] = []
            stream = extract_each(items, self.prepared)
            while True:
                try:
                    article = next(stream)
                except StopIteration:
                    break
                except BaseException:
                    # The input stream failed as a whole (a broken install, Ctrl-C): what
                    # was read is stored before the failure goes on, so a re-run only adds
                    # the rest.
                    if group:
                        self.accept(group)
                    self.cluster_segment()
                    _write_errors(self.store, self.prepared.errors + report.errors)
                    raise
                group.append(article)
                if len(group) >= DEDUPE_GROUP:
                    self.accept(group)
                    group = []
                    if len(self.fresh) >= self.segment_size:
                        self.cluster_segment()
            if group:
                self.accept(group)
            self.cluster_segment()
            report.errors.extend(self.prepared.errors)
            report.notes.extend(self.prepared.notes)
        finally:
            if self.worker is not None:
                self.worker.close()
        if self.known_before is not None:
            # A later batch's merges and regroups may have moved articles of earlier ones.
            clusterer = self.clusterer
            report.story_of = {aid: clusterer.story_of(aid, sid) for aid, sid in report.story_of.items()}
            holding = set(report.story_of.values())
            report.new_stories = len(holding - self.known_before)
            report.updated_stories = len(holding & self.known_before)
        _write_errors(self.store, report.errors)
        return report

    def accept(self, group: list[Article]) -> None:
        """A group of read articles: duplicates and versions set apart, the rest waits for its segment."""
        accepted = _dedupe(self.store, group, self.seen, self.report, self.versions, self.later)
        if self.versions:
            _store_versions(self.store, self.analyzer, self.versions, self.report)
            self.versions.clear()
        self.fresh.extend(accepted)
        if self.background and self.worker is None and len(self.fresh) >= BACKGROUND_MIN_ARTICLES:
            self.worker = _start_worker()
            if self.worker is not None:
                self.queue = EmbeddingQueue(self.worker, self.analyzer.embedding_text, local=_local_embedder)
                accepted = self.fresh  # everything so far goes to the worker
        if self.queue is not None:
            self.queue.add(accepted)

    def cluster_segment(self) -> None:
        if self.fresh:
            self.cluster_fresh()
        if self.later:
            _store_later_versions(self.store, self.analyzer, self.later, self.report)
            self.later.clear()
        self.seen = _Seen()  # what is stored now is found in the store

    def cluster_fresh(self) -> None:
        if self.known_before is None:
            self._first_segment()
        else:
            self._next_segment()
        fresh, report = self.fresh, self.report
        ordered = [fresh[i] for i in stream_order(fresh)]
        if self.queue is not None:
            self.queue.prioritise(ordered)
        # A call of several segments says which one the bar counts (and how many were stored).
        label = "analyze+cluster" if not report.added and len(fresh) < self.segment_size else \
            f"analyze+cluster (segment from article {report.added + 1:,})"
        self.cluster_and_store(ordered, label)
        fresh.clear()

    def _first_segment(self) -> None:
        """The first segment: load the state it needs."""
        clusterer = self.clusterer or OnlineClusterer()
        since, until = _story_bounds(self.fresh, clusterer.window)
        clusterer = restore_clusterer(self.store, clusterer, since=since, until=until)
        _load_dormant(self.store, clusterer, self.fresh)
        self.clusterer = clusterer
        self.known_before = set(clusterer.stories) | set(clusterer.dormant)

    def _next_segment(self) -> None:
        clusterer, store = self.clusterer, self.store
        (horizon, until), clock = _story_bounds(self.fresh, clusterer.window), clusterer.clock()
        if horizon is not None:
            if clock is not None and horizon < clock - clusterer.window:
                # Older than what the carried state covers (an unsorted archive):
                # start again from the store around this segment, as a new call would.
                clusterer.rewind()
            else:
                # Stories that ended before this segment's window are stored and
                # can take none of its articles: their places go to stored stories
                # of its dates that began after the earlier loads' reach.
                clusterer.retire_ended(horizon)
        # (An undated segment has no dates to choose stories by: the store's
        # newest would take the places of the stories this call is building.)
        loaded = _load_stories(store, clusterer, horizon, until)
        if loaded:
            clusterer.term_df.ensure(key for story in loaded for key in story.term_df)
            clusterer.entity_df.ensure(key for story in loaded for key in story.entity_df)
        kept = _load_dormant(store, clusterer, self.fresh)
        if loaded or kept:
            ours = {clusterer.resolve(sid) for sid in set(self.report.story_of.values())}
            self.known_before |= ({story.id for story in loaded} | set(clusterer.dormant)) - ours

    def cluster_and_store(self, ordered: list[Article], label: str) -> None:
        """Analyse, cluster and store ``ordered`` batch by batch, one transaction each."""
        bar = self.progress(len(ordered), label) if self.progress and len(ordered) >= 2 else None
        try:
            for start in range(0, len(ordered), self.batch_size):
                done = self._batch(ordered[start : start + self.batch_size], last=start + self.batch_size >= len(ordered))
                if bar is not None:
                    bar.update(done)
        finally:
            if bar is not None:
                bar.close()

    def _batch(self, batch: list[Article], last: bool) -> int:
        clusterer, queue = self.clusterer, self.queue
        # With a queue: text features first; each embedding is waited for only
        # when its article is clustered, so the worker keeps a head start.
        chunk, features = _analyze(self.analyzer, batch, queue is not None, self.report)
        merges_before = len(clusterer.merges)
        rows = []
        headlines: dict[str, str] = {}
        # The clusterer counts each article's terms and entity atoms in its
        # document frequencies: those are the keys this chunk changes, and the
        # ones whose stored counts it needs first (fetched at once, not per key).
        changed_keys = {
            "terms": {key for feats in features for key in feats.lemmas},
            "entities": {key for feats in features for key in entity_atoms(feats.entity_keys, feats.lemmas)},
        }
        clusterer.term_df.ensure(changed_keys["terms"])
        clusterer.entity_df.ensure(changed_keys["entities"])
        for article, feats in zip(chunk, features):
            if queue is not None:
                feats.embedding = queue.vector(article)
            profile = ArticleProfile.build(article, feats)
            assignment = clusterer.add(profile)
            sid = clusterer.resolve(assignment.story_id)
            story = clusterer.stories[sid]
            if assignment.new_story:
                headlines[sid] = article.title
            elif story.first is not None and article.published is not None and article.published <= story.first:
                headlines[sid] = article.title  # the earliest article names the story
            rows.append(Placement(article, feats, sid, assignment.probability))
        if last:
            clusterer.finish()
        merges = clusterer.merges[merges_before:]
        _write(self.store, clusterer, rows, headlines, merges, self.report, changed_keys)
        clusterer.trim_frequencies()  # every count is stored now
        return len(rows)


def _write_errors(store: Store, errors: list[InputError]) -> None:
    if errors:
        store.write_batch([], [], {}, {}, errors=errors)


def _analyze(analyzer, chunk: list[Article], pipelined: bool, report: IngestReport):
    """``(articles, features)`` of ``chunk``, each article analysed in its own guard: one
    that makes the analyzer fail is reported and left out, the others go on."""
    run = analyzer.analyze_text if pipelined else analyzer.analyze_many
    try:
        return chunk, run(chunk)
    except ImportError as exc:
        raise BrokenInstall(exc) from exc
    except Exception:
        kept, features = [], []
        for article in chunk:
            try:
                features.extend(run([article]))
            except ImportError as exc:
                raise BrokenInstall(exc) from exc
            except Exception as exc:
                report.errors.append(InputError(article.origin, f"could not be analysed ({type(exc).__name__}: {exc})"))
                continue
            kept.append(article)
        return kept, features


def _store_later_versions(store: Store, analyzer, later: list[Article], report: IngestReport) -> None:
    """Articles of this call whose URL an earlier one of it had: each a version of the
    article now stored at that URL, in input order (the last one read is the latest)."""
    owners = store.url_owners([a.url for a in later])
    versions = []
    for article in later:
        owner = owners.get(article.url)
        if owner is None or owner[1] == article.content_hash:  # (the first was refused, or this is the same)
            report.duplicates += 1
            continue
        versions.append((owner[0], article))
        owners[article.url] = (owner[0], article.content_hash)
    if versions:
        _store_versions(store, analyzer, versions, report)


def _store_versions(store: Store, analyzer, versions: list[tuple[str, Article]], report: IngestReport) -> None:
    """Changed pages under a stored URL: each replaces the stored article's content (same
    id, same story; the earlier text is kept as its history)."""
    articles, features = _analyze(analyzer, [article for _, article in versions], False, report)
    stored_id = {id(article): old for old, article in versions}
    store.replace_articles([(stored_id[id(a)], a, f) for a, f in zip(articles, features)])
    report.updated_articles += len(articles)


def _local_embedder() -> USEEmbedder:
    # One BLAS thread: this process embeds only while the worker uses the other core.
    return USEEmbedder(threads=1)


def _start_worker() -> ProcessEmbedder | None:
    try:
        return ProcessEmbedder()
    except (OSError, RuntimeError, ValueError):  # no processes allowed here: embed in this one
        return None


def ingest_paths(store: Store, paths: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES, **kwargs) -> IngestReport:
    return ingest_documents(store, read_inputs(paths, max_bytes=max_bytes), **kwargs)
