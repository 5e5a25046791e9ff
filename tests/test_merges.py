"""Stories that turn out to be one are merged: one id survives, the other is recorded and still resolves."""
from __future__ import annotations

from conftest import SEEDS
from couverture.cluster import DecisionModel, OnlineClusterer, default_decision_model
from couverture.cluster.similarity import default_merge_model
from couverture.learn.search import never_merge
from couverture.cluster.profile import ArticleProfile
from couverture.engine import ingest_paths
from couverture.extract import extract_article
from couverture.ingest import read_inputs


def _seed_profiles(analyzer):
    articles = [extract_article(raw) for raw in read_inputs([SEEDS])]
    return [ArticleProfile.build(a, f) for a, f in zip(articles, analyzer.analyze_many(articles))]


def _merge_model(threshold: float) -> DecisionModel:
    shipped = default_merge_model()
    return DecisionModel(shipped.bias, dict(shipped.weights), threshold)


def test_merge_pass_joins_two_stories_when_the_merge_model_clears_its_threshold(analyzer):
    shipped = default_decision_model()
    never_join = DecisionModel(shipped.bias, dict(shipped.weights), threshold=0.999)
    profiles = _seed_profiles(analyzer)

    clusterer = OnlineClusterer(decision=never_join, merge_every=0, merge_decision=never_merge())
    first, second = (clusterer.add(p) for p in profiles)
    assert first.story_id != second.story_id  # nothing could join
    assert clusterer.finish() == []  # a merge model that never fires merges nothing

    clusterer.merge_decision = _merge_model(0.0)
    clusterer._since_merge = {first.story_id, second.story_id}
    merges = clusterer.merge_pass()
    assert len(merges) == 1
    gone, kept, probability = merges[0]
    assert {gone, kept} == {first.story_id, second.story_id}
    assert kept == min(first.story_id, second.story_id)  # equal sizes: the lower id stays
    assert clusterer.resolve(gone) == kept
    assert set(clusterer.stories) == {kept} and clusterer.stories[kept].size == 2

    # The same pair just under the threshold stays apart.
    strict = OnlineClusterer(decision=never_join, merge_every=0, merge_decision=_merge_model(probability + 0.01))
    for p in profiles:
        strict.add(p)
    assert strict.finish() == [] and len(strict.stories) == 2


def test_a_merged_story_id_still_resolves_in_the_store(store, analyzer):
    shipped = default_decision_model()
    clusterer = OnlineClusterer(
        decision=DecisionModel(shipped.bias, dict(shipped.weights), 0.999), merge_every=0, merge_decision=never_merge()
    )
    report = ingest_paths(store, [SEEDS], analyzer=analyzer, clusterer=clusterer)
    first, second = sorted(set(report.story_of.values()))
    store.write_batch([], [], {}, {}, merges=[(second, first, 0.9)])
    assert store.resolve_story_id(second) == first
    assert {a.story_id for a in store.iter_articles()} == {first}
    assert [s.id for s in store.list_stories()] == [first]


def test_a_merge_during_ingest_that_removes_the_just_assigned_story(store, analyzer):
    """The merge pass can run inside add() and merge away the story the article just joined."""
    shipped = default_decision_model()
    never_join = DecisionModel(shipped.bias, dict(shipped.weights), threshold=0.999)
    clusterer = OnlineClusterer(decision=never_join, merge_every=1, merge_decision=_merge_model(0.0))
    report = ingest_paths(store, [SEEDS], analyzer=analyzer, clusterer=clusterer)
    assert report.added == 2 and len(clusterer.merges) == 1
    (story,) = set(report.story_of.values())
    assert [s.id for s in store.list_stories()] == [story]
    gone, kept, _ = clusterer.merges[0]
    assert kept == story and store.resolve_story_id(gone) == story


def test_a_stored_story_merged_into_one_that_left_within_the_same_batch(store, analyzer):
    """A regroup may record a stored story as merged into a group that a later merge or
    regroup of the same batch takes away before anything is written: the store must
    follow the batch's chain to the story that is written, not fail on the missing row."""
    shipped = default_decision_model()
    clusterer = OnlineClusterer(
        decision=DecisionModel(shipped.bias, dict(shipped.weights), 0.999), merge_every=0, merge_decision=never_merge()
    )
    report = ingest_paths(store, [SEEDS], analyzer=analyzer, clusterer=clusterer)
    first, second = sorted(set(report.story_of.values()))
    passing = "s-passing0000"  # opened and merged away within the batch: never stored
    store.write_batch([], [], {}, {}, merges=[(second, passing, 0.6), (passing, first, 0.7)])
    assert store.resolve_story_id(second) == first
    assert store.resolve_story_id(passing) == first
    assert {a.story_id for a in store.iter_articles()} == {first}
    assert [s.id for s in store.list_stories()] == [first]
