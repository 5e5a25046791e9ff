"""One ingest call over a large input clusters and stores it segment by segment, so
that what it holds in memory does not grow with the input."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone


def _dated_ecbplus(count: int):
    from couverture.eval.datasets import load_ecbplus

    return _dated(load_ecbplus().documents[:count], datetime(2024, 5, 1, tzinfo=timezone.utc), 2)


def _largest_event():
    """ECB+ as (the documents of its largest event, the documents of other topics)."""
    from collections import defaultdict

    from couverture.eval.datasets import load_ecbplus

    documents = load_ecbplus().documents
    by_event = defaultdict(list)
    for doc in documents:
        by_event[doc.content["event_cluster"]].append(doc)
    event = max(sorted(by_event), key=lambda e: len(by_event[e]))
    topic = event.split("_")[0]
    return by_event[event], [d for d in documents if d.content["topic"] != topic]


def _dated(docs, start: datetime, hours: float = 3):
    """``docs`` published ``hours`` apart from ``start``."""
    from couverture.models import RawDocument

    return [RawDocument(d.origin, "record", dict(d.content, id=d.content["doc_id"],
                                                 published=(start + timedelta(hours=hours * n)).isoformat()))
            for n, d in enumerate(docs)]


def test_a_large_call_is_clustered_in_bounded_segments(store, monkeypatch):
    from hash_embedder import HashEmbedder

    import couverture.engine as engine
    from couverture.analyze import Analyzer

    segments = []
    real = engine.Ingestion.cluster_and_store

    def recording(self, ordered, label):
        segments.append(len(ordered))
        return real(self, ordered, label)

    monkeypatch.setattr(engine.Ingestion, "cluster_and_store", recording)
    documents = _dated_ecbplus(150)
    # The first document again at the end: by then it is in the store, not in memory.
    documents.append(documents[0])
    report = engine.ingest_documents(store, documents, analyzer=Analyzer(HashEmbedder()), batch_size=16,
                                     segment_size=40)
    assert report.added == 150 and report.duplicates == 1
    assert store.count_articles() == 150
    # Segments close on the dedupe groups that pass the size: at most one group over it.
    assert len(segments) >= 3 and sum(segments) == 150
    assert max(segments) < 40 + engine.DEDUPE_GROUP
    # The story counts cover the whole call, not the last segment.
    assert report.new_stories == len(set(report.story_of.values())) > 1
    assert report.updated_stories == 0


def test_a_segment_sees_the_stories_of_the_one_before(store, analyzer):
    """Later segments keep the clusterer's state: an article of the second segment
    joins the story its event opened in the first."""
    from couverture.engine import DEDUPE_GROUP, ingest_documents

    documents = _dated_ecbplus(130)
    report = ingest_documents(store, documents, analyzer=analyzer, segment_size=DEDUPE_GROUP)
    assert report.added == 130
    event_of = {d.content["doc_id"]: d.content["event_cluster"] for d in documents}
    first = [d.content["doc_id"] for d in documents[:DEDUPE_GROUP]]
    later = [d.content["doc_id"] for d in documents[DEDUPE_GROUP:]]
    spanning = {event_of[a] for a in first} & {event_of[b] for b in later}
    assert spanning  # the data has events on both sides of the segment boundary
    joined = {event_of[b] for b in later
              if any(report.story_of[a] == report.story_of[b] and event_of[a] == event_of[b] for a in first)}
    assert joined


def test_a_segment_older_than_the_window_finds_its_stored_stories(store, analyzer):
    """An archive out of time order: after a segment from March, a segment from
    January joins the January stories of its event stored by an earlier call, as a
    call of its own would (the March state cannot hold them: its clock is two months
    ahead, so without loading them again every January article would open a story)."""
    from couverture.engine import DEDUPE_GROUP, ingest_documents

    event_docs, others = _largest_event()
    others = others[:DEDUPE_GROUP]

    january = _dated(event_docs, datetime(2024, 1, 10, tzinfo=timezone.utc))
    half = len(january) // 2
    first = ingest_documents(store, january[:half], analyzer=analyzer)
    stored_stories = set(first.story_of.values())
    later = ingest_documents(store, _dated(others, datetime(2024, 3, 1, tzinfo=timezone.utc)) + january[half:],
                             analyzer=analyzer, segment_size=DEDUPE_GROUP)
    assert later.added == len(others) + len(january) - half
    joined = [d.content["id"] for d in january[half:] if later.story_of[d.content["id"]] in stored_stories]
    assert joined
    assert later.updated_stories >= 1


def test_an_older_batch_finds_its_stories_though_the_store_holds_more_later_ones(store, analyzer):
    """A researcher adds an older archive to a store that already holds later news.
    The stories a call loads are capped (``max_active``, 20,000 by default); they
    must be the ones around the call's own dates, not the store's newest: a story
    that began more than a window after the call's last article can take none of
    its articles anyway (``OnlineClusterer.score`` refuses it)."""
    from couverture.cluster import OnlineClusterer
    from couverture.engine import ingest_documents

    event_docs, others = _largest_event()
    others = others[:120]

    january = _dated(event_docs, datetime(2024, 1, 10, tzinfo=timezone.utc), 3)
    half = len(january) // 2
    first = ingest_documents(store, january[:half], analyzer=analyzer)
    stored_stories = set(first.story_of.values())
    later = ingest_documents(store, _dated(others, datetime(2024, 6, 1, tzinfo=timezone.utc), 1), analyzer=analyzer)
    cap = 5
    assert len(set(later.story_of.values())) > cap  # more June stories than the cap
    back = ingest_documents(store, january[half:], analyzer=analyzer, clusterer=OnlineClusterer(max_active=cap))
    joined = [d.content["id"] for d in january[half:] if back.story_of[d.content["id"]] in stored_stories]
    assert len(joined) >= len(january[half:]) // 2, (len(joined), len(january) - half)
    assert back.updated_stories >= 1


def test_a_later_segment_loads_the_stored_stories_of_its_own_dates(store, analyzer):
    """The first segment loads the stored stories around its own dates only; a later
    segment of the same call, further on in time, loads those around its dates: its
    articles join the stories an earlier call stored for their event."""
    from couverture.cluster import OnlineClusterer
    from couverture.engine import DEDUPE_GROUP, ingest_documents

    event_docs, others = _largest_event()
    others = others[:DEDUPE_GROUP]

    march = _dated(event_docs, datetime(2024, 3, 10, tzinfo=timezone.utc))
    half = len(march) // 2
    stored_stories = set(ingest_documents(store, march[:half], analyzer=analyzer).story_of.values())
    # One call: January news first (its own segment), then the rest of the March event.
    # A cap of 5 stands for the 20,000 of a large archive: January's own stories fill
    # it, and the March ones are left to the second segment to load.
    later = ingest_documents(store, _dated(others, datetime(2024, 1, 1, tzinfo=timezone.utc)) + march[half:],
                             analyzer=analyzer, segment_size=DEDUPE_GROUP, clusterer=OnlineClusterer(max_active=5))
    assert later.added == len(others) + len(march) - half
    joined = [d.content["id"] for d in march[half:] if later.story_of[d.content["id"]] in stored_stories]
    assert len(joined) >= (len(march) - half) // 2, (len(joined), len(march) - half)
    assert later.updated_stories >= 1


def test_loading_a_segment_s_stories_keeps_the_ones_the_call_is_building(store, analyzer):
    """The store holds more stories of the call's own days than the cap. A later
    segment loads stored stories only into free places: the story the first segment
    opened for an event that goes on stays active, and the event's later articles join it."""
    from couverture.cluster import OnlineClusterer
    from couverture.engine import DEDUPE_GROUP, ingest_documents

    event_docs, others = _largest_event()
    start = datetime(2024, 1, 10, tzinfo=timezone.utc)

    earlier = ingest_documents(store, _dated(others[:60], start, 1), analyzer=analyzer)
    cap = 5
    assert len(set(earlier.story_of.values())) > cap  # more stories of these days than the cap
    half = len(event_docs) // 2
    filler = others[60:60 + DEDUPE_GROUP - half]
    # The first segment: other news, then the first half of the event; the second: the rest.
    opening = _dated(filler, start, 0.2) + _dated(event_docs[:half], start + timedelta(hours=0.2 * len(filler)), 1)
    going_on = _dated(event_docs[half:], start + timedelta(hours=0.2 * len(filler) + half + 1), 1)
    report = ingest_documents(store, opening + going_on, analyzer=analyzer,
                              clusterer=OnlineClusterer(max_active=cap), segment_size=DEDUPE_GROUP // 2)
    first = {report.story_of[d.content["id"]] for d in opening[-half:]}
    joined = [d for d in going_on if report.story_of[d.content["id"]] in first]
    assert len(joined) >= len(going_on) // 2, (len(joined), len(going_on))
