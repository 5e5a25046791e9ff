"""Ingest into a store: read -> extract -> dedupe -> analyze -> cluster -> write.

Stages never know about storage; this module is the one place that ties them to
it. Articles are written in batches, each in one transaction together with the
story profiles it changed, so an interrupted run loses at most the batch in flight
and never leaves half an article.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from .analyze import Analyzer
from .cluster import ArticleProfile, OnlineClusterer
from .errors import InputError
from .ingest import DEFAULT_MAX_BYTES, read_inputs
from .models import Article, RawDocument
from .pipeline import Prepared, extract_all, stream_order
from .store import Store

BATCH_SIZE = 256


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    new_stories: int = 0
    updated_stories: int = 0
    errors: list[InputError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    story_of: dict[str, str] = field(default_factory=dict)  # article id -> story id
    merges: list[tuple[str, str, float]] = field(default_factory=list)  # (merged away, kept, probability)

    @property
    def failed(self) -> int:
        return len(self.errors)


def _dedupe(store: Store, prepared: Prepared, report: IngestReport) -> list[Article]:
    """Drop articles already stored or repeated in the batch (same id, URL or content)."""
    items = prepared.articles
    known_ids, known_urls, known_hashes = store.existing_keys(
        [a.id for a in items], [a.url for a in items if a.url], [a.content_hash for a in items]
    )
    fresh = []
    for article in items:
        if article.id in known_ids or (article.url and article.url in known_urls) or article.content_hash in known_hashes:
            report.duplicates += 1
            continue
        known_ids.add(article.id)
        known_hashes.add(article.content_hash)
        if article.url:
            known_urls.add(article.url)
        fresh.append(article)
    return fresh


def restore_clusterer(store: Store, clusterer: OnlineClusterer | None = None) -> OnlineClusterer:
    clusterer = clusterer or OnlineClusterer()
    clusterer.term_df = store.load_frequencies("terms")
    clusterer.entity_df = store.load_frequencies("entities")
    for story in reversed(store.active_stories(clusterer.max_active)):
        if story.embedding_sum is not None:
            clusterer.load_story(story)
    return clusterer


def _progress(total: int, enabled: bool | None):
    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    if not enabled or total < 2:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="analyze+cluster", file=sys.stderr)


def _write(store: Store, clusterer: OnlineClusterer, rows, headlines: dict[str, str], merges, report: IngestReport) -> None:
    """One transaction: the chunk's articles, the stories they changed, and merges."""
    resolved_rows = []
    for article, feats, sid, probability in rows:
        final = clusterer.resolve(sid)
        resolved_rows.append((article, feats, final, probability))
        report.story_of[article.id] = final
    profiles = clusterer.take_dirty()
    titles = {clusterer.resolve(sid): title for sid, title in headlines.items()}
    store.write_batch(
        resolved_rows, profiles, titles,
        {"terms": clusterer.term_df, "entities": clusterer.entity_df},
        merges=merges,
    )
    report.added += len(rows)
    report.merges.extend(merges)


def ingest_documents(
    store: Store,
    items: Iterable[RawDocument | InputError],
    analyzer: Analyzer | None = None,
    clusterer: OnlineClusterer | None = None,
    batch_size: int = BATCH_SIZE,
    progress: bool | None = None,
) -> IngestReport:
    report = IngestReport()
    prepared = extract_all(items)
    report.errors.extend(prepared.errors)
    report.notes.extend(prepared.notes)
    fresh = _dedupe(store, prepared, report)
    if fresh:
        analyzer = analyzer or Analyzer()
        clusterer = restore_clusterer(store, clusterer)
        ordered = [fresh[i] for i in stream_order(fresh)]
        bar = _progress(len(ordered), progress)
        known_before = set(clusterer.stories)
        seen_new: set[str] = set()
        try:
            for start in range(0, len(ordered), batch_size):
                chunk = ordered[start : start + batch_size]
                features = analyzer.analyze_many(chunk)
                merges_before = len(clusterer.merges)
                rows = []
                headlines: dict[str, str] = {}
                for article, feats in zip(chunk, features):
                    assignment = clusterer.add(ArticleProfile.build(article, feats))
                    sid = clusterer.resolve(assignment.story_id)
                    story = clusterer.stories[sid]
                    if assignment.new_story:
                        headlines[sid] = article.title
                        seen_new.add(sid)
                    elif story.first is not None and article.published is not None and article.published <= story.first:
                        headlines[sid] = article.title  # the earliest article names the story
                    rows.append((article, feats, sid, assignment.probability))
                if start + batch_size >= len(ordered):
                    clusterer.finish()
                merges = clusterer.merges[merges_before:]
                _write(store, clusterer, rows, headlines, merges, report)
                if bar is not None:
                    bar.update(len(rows))
        finally:
            if bar is not None:
                bar.close()
        seen_new = {clusterer.resolve(s) for s in seen_new}
        report.new_stories = len(seen_new)
        report.updated_stories = len({s for s in report.story_of.values()} & known_before)
    if report.errors:
        store.write_batch([], [], {}, {}, errors=report.errors)
    return report


def ingest_paths(store: Store, paths: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES, **kwargs) -> IngestReport:
    return ingest_documents(store, read_inputs(paths, max_bytes=max_bytes), **kwargs)
