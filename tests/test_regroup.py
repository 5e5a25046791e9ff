"""Regroup: members of related stories re-clustered by average linkage over pair probabilities."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from couverture.cluster import DecisionModel, OnlineClusterer, StoryProfile, default_decision_model, pair_features
from couverture.cluster.profile import ArticleProfile
from couverture.cluster.regroup import linkage_groups, pair_probabilities
from couverture.cluster.training import never_merge
from couverture.engine import ingest_documents
from couverture.extract import extract_article
from couverture.models import RawDocument

DEMO = Path(__file__).resolve().parents[1] / "src" / "couverture" / "demo" / "articles.jsonl"
# Hard negatives: the same president, one day apart, two visits.
PYONGYANG, HANOI = "putin-kim-pyongyang-treaty-2024", "putin-hanoi-visit-2024"


def _documents(*events: str) -> list[RawDocument]:
    out = []
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["event"] in events:
            out.append(RawDocument(origin=f"demo:{record['id']}", content=record, kind="record"))
    return out


@pytest.fixture(scope="module")
def demo_profiles(analyzer):
    """The Pyongyang treaty and Hanoi visit articles (four each, four languages), with gold events."""
    docs = _documents(PYONGYANG, HANOI)
    articles = [extract_article(d) for d in docs]
    features = analyzer.analyze_many(articles)
    profiles = [ArticleProfile.build(a, f) for a, f in zip(articles, features)]
    gold = {a.id: a.extra["event"] for a in articles}
    return profiles, gold


def _lenient(regroup_threshold: float | None) -> DecisionModel:
    """The shipped join weights, joining whatever is nearest (threshold 0): everything fuses."""
    shipped = default_decision_model()
    return DecisionModel(shipped.bias, dict(shipped.weights), threshold=0.0, regroup_threshold=regroup_threshold)


def test_pair_probabilities_equal_the_join_decision_pair_by_pair(demo_profiles):
    profiles, _ = demo_profiles
    decision = default_decision_model()
    reference = OnlineClusterer()
    for p in profiles:
        reference.observe_frequencies(p)
    matrix = pair_probabilities(profiles, decision, reference.term_df, reference.entity_df)
    assert matrix.shape == (len(profiles), len(profiles))
    for a in range(len(profiles)):
        for b in range(a + 1, len(profiles)):
            directed = []
            for x, y in ((a, b), (b, a)):
                story = StoryProfile(id="one")
                story.add(profiles[y])
                directed.append(decision.probability(
                    pair_features(profiles[x], story, reference.term_df, reference.entity_df)))
            assert matrix[a, b] == pytest.approx(sum(directed) / 2, abs=1e-6)
            assert matrix[b, a] == matrix[a, b]


def test_average_linkage_keeps_blocks_whose_mean_clears_the_threshold():
    p = np.array([
        [1.0, 0.9, 0.2, 0.1],
        [0.9, 1.0, 0.1, 0.1],
        [0.2, 0.1, 1.0, 0.6],
        [0.1, 0.1, 0.6, 1.0],
    ])
    assert linkage_groups(p, 0.5) == [0, 0, 1, 1]
    assert linkage_groups(p, 0.7) == [0, 0, 1, 2]  # 0.6 < 0.7: the second pair parts
    assert linkage_groups(p, 0.1) == [0, 0, 0, 0]  # mean between blocks 0.125
    assert linkage_groups(p[:1, :1], 0.5) == [0]


def test_weighted_linkage_lets_a_small_group_count_as_much_as_a_large_one():
    # A pair (0, 1), article 2 close to 0 only, and article 3 close to 2 only.
    p = np.array([
        [1.0, 0.9, 0.8, 0.0],
        [0.9, 1.0, 0.2, 0.0],
        [0.8, 0.2, 1.0, 0.7],
        [0.0, 0.0, 0.7, 1.0],
    ])
    # Both linkages first join 0-1 (0.9). Then 2 to {0, 1}: average and weighted both
    # give (0.8 + 0.2) / 2 = 0.5 < 0.7, so 2-3 (0.7) joins first.
    # Last, {2, 3} to {0, 1}: average is the mean of the four pairs, (0.8 + 0.2 + 0 + 0) / 4
    # = 0.25; weighted is the mean of 2's and 3's similarities to {0, 1}, (0.5 + 0.0) / 2 = 0.25.
    assert linkage_groups(p, 0.25, "average") == linkage_groups(p, 0.25, "weighted") == [0, 0, 0, 0]
    # Three articles to one: {0, 1, 2} then 3. Average: (0 + 0 + 0.7) / 3 = 0.233;
    # weighted: 3 against {0, 1} (0.0) and against 2 (0.7) count half each = 0.35.
    q = np.array([
        [1.0, 0.9, 0.85, 0.0],
        [0.9, 1.0, 0.85, 0.0],
        [0.85, 0.85, 1.0, 0.7],
        [0.0, 0.0, 0.7, 1.0],
    ])
    assert linkage_groups(q, 0.3, "average") == [0, 0, 0, 1]
    assert linkage_groups(q, 0.3, "weighted") == [0, 0, 0, 0]
    with pytest.raises(ValueError, match="unknown regroup linkage"):
        linkage_groups(q, 0.3, "single")


def test_regroup_linkage_is_saved_and_loaded_with_the_model(tmp_path):
    model = DecisionModel(-1.0, {"dense": 2.0}, threshold=0.3, regroup_threshold=0.2, regroup_linkage="weighted")
    model.save(tmp_path / "model.json")
    assert DecisionModel.load(tmp_path / "model.json") == model
    old = {"bias": -1.0, "weights": {"dense": 2.0}, "threshold": 0.3, "regroup_threshold": 0.4}
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    assert DecisionModel.load(tmp_path / "old.json").regroup_linkage == "average"  # files from before the field


def test_regroup_splits_a_story_fused_by_lenient_joins_and_keeps_ids_stable(demo_profiles):
    profiles, gold = demo_profiles
    clusterer = OnlineClusterer(decision=_lenient(0.5), merge_decision=never_merge(), regroup_every=0)
    assigned = {p.id: clusterer.add(p).story_id for p in profiles}
    (fused,) = set(assigned.values())  # a threshold of 0 joins everything
    first_event = gold[profiles[0].id]

    assert clusterer.regroup() > 0
    now = {p.id: clusterer.story_of(p.id, assigned[p.id]) for p in profiles}
    by_event = {event: {now[a] for a in now if gold[a] == event} for event in (PYONGYANG, HANOI)}
    assert all(len(ids) == 1 for ids in by_event.values())  # each event whole
    assert by_event[PYONGYANG] != by_event[HANOI]  # and apart
    # Equal halves: the group holding the story's first article keeps the story's id.
    assert by_event[first_event] == {fused}
    moves = clusterer.take_moves()
    assert set(moves) == {a for a in now if gold[a] != first_event}
    assert set(moves.values()) == by_event[PYONGYANG if first_event == HANOI else HANOI]
    assert clusterer.take_moves() == {}
    assert clusterer.regroup() == 0  # nothing changed since


def test_no_regroup_without_a_threshold_and_a_strict_one_parts_everything(demo_profiles):
    profiles, _ = demo_profiles
    off = OnlineClusterer(decision=_lenient(None), merge_decision=never_merge(), regroup_every=0)
    for p in profiles:
        off.add(p)
    off.finish()
    assert len(off.stories) == 1

    strict = OnlineClusterer(decision=_lenient(1.01), merge_decision=never_merge(), regroup_every=0)
    for p in profiles:
        strict.add(p)
    strict.finish()
    assert len(strict.stories) == len(profiles)


def test_ingest_stores_regrouped_stories_across_two_runs(store, analyzer):
    """The second run joins the hanoi into the stored pyongyang story; the regroup at its end
    loads the stored members and parts them again, in the database too."""
    def clusterer():
        return OnlineClusterer(decision=_lenient(0.5), merge_decision=never_merge(), regroup_every=0)

    first = ingest_documents(store, _documents(PYONGYANG), analyzer=analyzer, clusterer=clusterer())
    (pyongyang_story,) = set(first.story_of.values())
    second = ingest_documents(store, _documents(HANOI), analyzer=analyzer, clusterer=clusterer())
    assert second.added == 4
    hanoi_stories = set(second.story_of.values())
    assert len(hanoi_stories) == 1 and hanoi_stories != {pyongyang_story}
    (hanoi_story,) = hanoi_stories

    stored = {a.id: a.story_id for a in store.iter_articles()}
    assert {stored[a] for a in first.story_of} == {pyongyang_story}
    assert {stored[a] for a in second.story_of} == {hanoi_story}
    summaries = {s.id: s for s in store.list_stories()}
    assert set(summaries) == {pyongyang_story, hanoi_story}
    assert summaries[pyongyang_story].size == 4 and summaries[hanoi_story].size == 4
    hanoi_titles = {a.title for a in store.story_articles(hanoi_story)}
    assert summaries[hanoi_story].headline in hanoi_titles
