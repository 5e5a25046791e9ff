"""Document frequencies backed by the store: only the active stories' keys are held
in memory, and what scoring reads is what the whole table would have given."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from couverture.cluster.profile import DocumentFrequencies


def test_counts_come_from_the_loader_and_grow_on_top_of_it():
    stored = {"putin": 4, "hanoi": 1}
    calls = []

    def loader(keys):
        calls.append(list(keys))
        return {k: stored[k] for k in keys if k in stored}

    frequencies = DocumentFrequencies(loader=loader)
    frequencies.docs = 10
    frequencies.ensure(["putin", "kyiv"])
    assert calls == [["putin", "kyiv"]]
    assert (frequencies.count("putin"), frequencies.count("kyiv"), frequencies.misses) == (4, 0, 0)
    assert frequencies.count("hanoi") == 1 and frequencies.misses == 1  # fetched alone
    frequencies.add(["putin", "moscow"])  # moscow is fetched first, then counted
    assert (frequencies.count("putin"), frequencies.count("moscow"), frequencies.docs) == (5, 1, 11)
    frequencies.retain({"moscow"})
    assert set(frequencies.df) == {"moscow"}
    assert frequencies.count("putin") == 4  # from the loader again: the stored count
    with pytest.raises(ValueError):
        DocumentFrequencies().retain(set())


def _dated(documents, start: datetime, step: timedelta):
    from couverture.models import RawDocument

    out = []
    for n, doc in enumerate(documents):
        record = dict(doc.content)
        record["id"] = f"{record.get('doc_id', n)}@{start:%m}"
        record["published"] = (start + n * step).isoformat()
        out.append(RawDocument(f"{doc.origin}@{start:%m}", "record", record))
    return out


def _ingest_two_months(db_path, frequency_floor: int):
    from hash_embedder import HashEmbedder

    from couverture.analyze import Analyzer
    from couverture.cluster import OnlineClusterer
    from couverture.engine import ingest_documents
    from couverture.eval.datasets import load_ecbplus
    from couverture.store import Store

    documents = load_ecbplus().documents
    # January's stories have long ended (the window is 7 days) when March's arrive.
    stream = (_dated(documents[:40], datetime(2024, 1, 1, tzinfo=timezone.utc), timedelta(hours=3))
              + _dated(documents[200:240], datetime(2024, 3, 1, tzinfo=timezone.utc), timedelta(hours=3)))
    store = Store(db_path)
    clusterer = OnlineClusterer(frequency_floor=frequency_floor)
    analyzer = Analyzer(HashEmbedder())
    report = ingest_documents(store, stream, analyzer=analyzer, clusterer=clusterer, batch_size=10)
    stored = {name: store.load_frequencies(name) for name in ("terms", "entities")}
    store.close()
    return report, clusterer, stored, _keys(analyzer, stream[:40]), _keys(analyzer, stream[40:])


def _keys(analyzer, documents) -> dict[str, set[str]]:
    from couverture.cluster.profile import entity_atoms
    from couverture.extract import extract_article

    features = analyzer.analyze_text([extract_article(d) for d in documents])
    return {"terms": {k for f in features for k in f.lemmas},
            "entities": {k for f in features for k in entity_atoms(f.entity_keys)}}


def test_trimmed_frequencies_hold_the_window_and_cluster_alike(tmp_path):
    report, clusterer, stored, january, march = _ingest_two_months(tmp_path / "trimmed.db", frequency_floor=0)
    whole, untrimmed, _, _, _ = _ingest_two_months(tmp_path / "whole.db", frequency_floor=10**9)
    assert report.added == whole.added == 80
    # Same stories, article for article, as with every key held.
    assert report.story_of == whole.story_of
    # Every count read during the ingest was fetched ahead, in bulk.
    assert clusterer.term_df.misses == clusterer.entity_df.misses == 0
    for name, attribute in (("terms", "term_df"), ("entities", "entity_df")):
        counts, every = getattr(clusterer, attribute), getattr(untrimmed, attribute)
        resident = set(counts.df)
        january_only = january[name] - march[name]
        assert january_only <= set(every.df)  # held whole, memory keeps January's keys...
        assert january_only <= set(stored[name].df)  # ...so does the store, always...
        assert not resident & january_only  # ...trimmed, memory does not: those stories ended
        for key in resident:
            assert counts.df[key] == stored[name].df.get(key, 0)
