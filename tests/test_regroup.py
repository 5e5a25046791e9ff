"""Regroup: members of related stories re-clustered by average linkage over pair probabilities."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from couverture.cluster import DecisionModel, OnlineClusterer, StoryProfile, default_decision_model, pair_features
from couverture.cluster.profile import ArticleProfile
from couverture.cluster.regroup import (CUT_POWER, cut_cohesion, fiedler_cut, linkage_groups, pair_probabilities,
                                        regroup_labels, split_incohesive)
from couverture.learn import search
from couverture.learn.search import never_merge, plateau_middle
from couverture.learn.training import pair_decision_rows
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
def demo_analyzed(analyzer):
    """The Pyongyang treaty and Hanoi visit articles (four each, four languages), analysed."""
    articles = [extract_article(d) for d in _documents(PYONGYANG, HANOI)]
    return articles, analyzer.analyze_many(articles)


@pytest.fixture(scope="module")
def demo_profiles(demo_analyzed):
    """The same articles as profiles, with gold events."""
    articles, features = demo_analyzed
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


def test_regroup_settings_and_pair_model_are_saved_and_loaded_with_the_model(tmp_path):
    model = DecisionModel(-1.0, {"dense": 2.0}, threshold=0.3, regroup_threshold=0.2, regroup_linkage="weighted",
                          regroup_split=0.75, pair_bias=-3.0, pair_weights={"dense": 5.0, "lexical": 1.0})
    model.save(tmp_path / "model.json")
    assert DecisionModel.load(tmp_path / "model.json") == model
    assert model.pair_model() == DecisionModel(-3.0, {"dense": 5.0, "lexical": 1.0})
    old = {"bias": -1.0, "weights": {"dense": 2.0}, "threshold": 0.3, "regroup_threshold": 0.4}
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    loaded = DecisionModel.load(tmp_path / "old.json")  # a file from before these fields
    assert loaded.regroup_linkage == "average" and loaded.regroup_split is None
    assert loaded.pair_weights is None and loaded.pair_model() is loaded  # pairs scored by the join weights


def test_pair_decision_rows_label_pairs_by_gold_story_and_keep_those_the_join_lets_through(demo_analyzed):
    articles, features = demo_analyzed
    gold = [a.extra["event"] for a in articles]
    order = list(range(len(articles)))
    join = default_decision_model()
    rows, labels = pair_decision_rows(articles, features, gold, order, join, floor=0.0)
    n = len(articles)
    assert len(rows) == n * (n - 1) // 2 == len(labels)
    assert sum(labels) == 2 * (4 * 3 // 2)  # two events of four articles
    # Rows hold pair features (averaged over both directions): "same language" is 1
    # exactly for the pairs written in one language.
    same_lang_pairs = sum(1 for a in range(n) for b in range(a + 1, n) if articles[a].lang == articles[b].lang)
    assert sum(r["same_lang"] for r in rows) == same_lang_pairs
    # A floor keeps only the pairs the join decision gives at least that probability.
    reference = OnlineClusterer()
    profiles = [ArticleProfile.build(a, f) for a, f in zip(articles, features)]
    for p in profiles:
        reference.observe_frequencies(p)
    probability = pair_probabilities(profiles, join, reference.term_df, reference.entity_df)
    floor = float(np.median(probability[np.triu_indices(n, 1)]))
    kept, _ = pair_decision_rows(articles, features, gold, order, join, floor=floor)
    assert len(kept) == int((probability[np.triu_indices(n, 1)] >= floor).sum())
    assert 0 < len(kept) < len(rows)


def test_regroup_scores_pairs_with_the_pair_model_when_there_is_one(demo_profiles):
    profiles, _ = demo_profiles
    lenient = _lenient(0.5)

    def stories_after_regroup(decision: DecisionModel) -> int:
        clusterer = OnlineClusterer(decision=decision, merge_decision=never_merge(), regroup_every=0)
        for p in profiles:
            clusterer.add(p)
        clusterer.finish()
        return len(clusterer.stories)

    # The join weights part the fused story into its two events (see the test below);
    # a pair model that finds every pair alike keeps it whole, one that finds none
    # alike leaves each article alone.
    assert stories_after_regroup(lenient) == 2
    assert stories_after_regroup(replace(lenient, pair_bias=50.0, pair_weights={})) == 1
    assert stories_after_regroup(replace(lenient, pair_bias=-50.0, pair_weights={})) == len(profiles)


def _two_stories(within_a: float, within_b: float, across: float, interleave: bool = False) -> tuple[np.ndarray, list[int]]:
    """Four articles of story A and four of story B, every pair at the given probability;
    with ``interleave`` the articles alternate A, B, A, B, ... Returns the matrix and the stories."""
    story = [0, 1] * 4 if interleave else [0] * 4 + [1] * 4
    p = np.empty((8, 8))
    for i in range(8):
        for j in range(8):
            p[i, j] = across if story[i] != story[j] else (within_a if story[i] == 0 else within_b)
    np.fill_diagonal(p, 1.0)
    return p, story


def test_fiedler_cut_separates_two_blocks_and_cohesion_is_across_over_the_weaker_within():
    p, story = _two_stories(0.9, 0.8, 0.4, interleave=True)
    side = fiedler_cut(p)
    assert side[0] and side.tolist() == [s == 0 for s in story]  # True on the first article's side
    assert cut_cohesion(p, side) == pytest.approx(0.4 / 0.8)


def test_split_cuts_a_group_of_two_look_alike_stories_only_below_the_ratio():
    p, story = _two_stories(0.9, 0.9, 0.55)  # cohesion 0.55 / 0.9 = 0.61
    fused = linkage_groups(p, 0.3)
    assert fused == [0] * 8  # every mean clears 0.3: linkage alone keeps one story
    assert split_incohesive(p, fused, 0.7) == story
    assert split_incohesive(p, fused, 0.6) == fused  # 0.61 is not below 0.6
    assert split_incohesive(p, fused, None) == fused
    model = DecisionModel(0.0, {}, regroup_threshold=0.3, regroup_split=0.7)
    assert regroup_labels(p, model) == story
    assert regroup_labels(p, replace(model, regroup_split=None)) == fused


def test_the_regroup_cuts_on_sharpened_probabilities():
    # Two stories at 0.9 within and 0.7 across: on the raw probabilities the cut's
    # cohesion is 0.78, on their cubes (0.7 / 0.9) ** 3 = 0.47.
    p, story = _two_stories(0.9, 0.9, 0.7)
    fused = linkage_groups(p, 0.3)
    assert fused == [0] * 8
    assert cut_cohesion(p ** CUT_POWER, np.array([s == 0 for s in story])) == pytest.approx((0.7 / 0.9) ** 3)
    assert split_incohesive(p, fused, 0.5) == fused
    model = DecisionModel(0.0, {}, regroup_threshold=0.3, regroup_split=0.5)
    assert regroup_labels(p, model) == story
    # Only the cut reads the cubes: the linkage still gathers on the probabilities as
    # they are (0.7 across clears 0.5; 0.7 ** 3 = 0.34 would not).
    assert regroup_labels(p, replace(model, regroup_threshold=0.5, regroup_split=None)) == fused
    # One story whose pairs are all alike has no cut however sharp the reading.
    q, _ = _two_stories(0.8, 0.8, 0.8)
    assert regroup_labels(q, replace(model, regroup_split=0.99)) == [0] * 8


def test_a_tie_between_neighbouring_settings_takes_the_middle_of_the_run():
    values = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55]
    assert plateau_middle(values, [0.90, 0.96, 0.96, 0.96, 0.95, 0.96]) == (0.4, 0.96)
    assert plateau_middle(values, [0.96, 0.96, 0.96, 0.96, 0.95, 0.90]) == (0.4, 0.96)  # even run: the later middle
    assert plateau_middle(values, [0.90, 0.91, 0.92, 0.93, 0.94, 0.95]) == (0.55, 0.95)  # no tie: the best
    # Equal scores that are not neighbours are not one plateau: the first run is taken.
    assert plateau_middle(values, [0.96, 0.90, 0.96, 0.96, 0.96, 0.90]) == (0.3, 0.96)
    # A run stops where an outer axis of the grid changes.
    grid = [("average", 0.1, 0.5), ("average", 0.1, 0.6), ("average", 0.15, 0.3), ("average", 0.15, 0.35)]
    assert plateau_middle(grid, [0.9] * 4, run_key=lambda c: c[:2]) == (("average", 0.1, 0.6), 0.9)
    assert plateau_middle(grid, [0.9] * 4) == (("average", 0.15, 0.3), 0.9)
    assert plateau_middle([0.1, 0.2], [float("nan"), 0.5]) == (0.2, 0.5)
    with pytest.raises(ValueError):
        plateau_middle([], [])


def test_regroup_choice_takes_the_middle_of_tied_cut_ratios(monkeypatch):
    # The training score of each regroup choice, as if clustering the stream gave these:
    # the cut ratios 0.3-0.45 of weighted linkage at 0.1 tie for best.
    scores = {("weighted", 0.1, 0.3): 0.962, ("weighted", 0.1, 0.35): 0.962, ("weighted", 0.1, 0.4): 0.962,
              ("weighted", 0.1, 0.45): 0.962, ("weighted", 0.1, 0.5): 0.958, ("weighted", 0.15, 0.3): 0.962}
    choices = list(scores)

    def score_of(articles, features, gold, order, make_clusterer):
        decision = make_clusterer().decision
        return scores[(decision.regroup_linkage, decision.regroup_threshold, decision.regroup_split)]

    monkeypatch.setattr(search, "_bcubed_f1", score_of)
    join = DecisionModel(0.0, {}, regroup_threshold=0.2)
    stream = search.LabelledStream([], [], [], [])
    assert search.choose_regroup(join, never_merge(), [stream], choices) == (("weighted", 0.1, 0.4), 0.962)


def test_split_leaves_small_groups_and_lone_outliers_alone():
    p, _ = _two_stories(0.9, 0.9, 0.2)  # clearly two stories...
    assert split_incohesive(p[:5, :5], [0] * 5, 0.9) == [0] * 5  # ...but 4 + 1 articles: too few to cut
    # Five close articles and one that is loosely tied to all of them: the best cut
    # isolates the loose one, and one article is not a story for the cut to make.
    q = np.full((6, 6), 0.9)
    q[5, :] = q[:, 5] = 0.3
    np.fill_diagonal(q, 1.0)
    assert fiedler_cut(q).tolist() == [True] * 5 + [False]
    assert split_incohesive(q, [0] * 6, 0.9) == [0] * 6
    # Labels of other groups are kept and renumbered in order of first member.
    labels = [7] * 8 + [3]
    r = np.eye(9)
    r[:8, :8] = _two_stories(0.9, 0.9, 0.5)[0]
    assert split_incohesive(r, labels, 0.7) == [0] * 4 + [1] * 4 + [2]


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


def test_a_story_told_in_three_languages_is_not_cut_by_language():
    # Twelve articles of one story, four each in German, Portuguese and Arabic: pairs in
    # one language score 0.95, pairs across languages 0.45 (less wording in common).
    langs = ["de"] * 4 + ["pt"] * 4 + ["ar"] * 4
    p = np.array([[1.0 if i == j else (0.95 if langs[i] == langs[j] else 0.45) for j in range(12)]
                  for i in range(12)])
    model = DecisionModel(0.0, {}, regroup_threshold=0.3, regroup_split=0.5)
    # Read as they are, the probabilities cut it along a language line...
    naive = regroup_labels(p, model)
    assert len(set(naive)) == 2 and len({(naive[i], langs[i]) for i in range(12)}) == 3
    # ...but a cut that only separates languages is not a story cut.
    assert regroup_labels(p, model, langs) == [0] * 12


def test_two_stories_each_in_two_languages_are_still_cut_apart():
    # Story A in en+fr, story B in en+fr: the en pairs across stories score low, so
    # pairs in one language show the cut; the language balance does not hide it.
    story = [0] * 4 + [1] * 4
    langs = ["en", "en", "fr", "fr"] * 2
    p = np.empty((8, 8))
    for i in range(8):
        for j in range(8):
            same_story, same_lang = story[i] == story[j], langs[i] == langs[j]
            p[i, j] = (0.95 if same_lang else 0.7) if same_story else (0.35 if same_lang else 0.25)
    np.fill_diagonal(p, 1.0)
    model = DecisionModel(0.0, {}, regroup_threshold=0.2, regroup_split=0.5)
    assert linkage_groups(p, 0.2) == [0] * 8
    assert regroup_labels(p, model, langs) == story


def test_a_group_is_parted_where_its_dates_are_more_than_a_window_apart(demo_profiles):
    from datetime import datetime, timezone

    from couverture.cluster.regroup import split_by_time

    profiles, _ = demo_profiles
    six = [replace(p) for p in profiles[:6]]
    april = datetime(2019, 4, 15, tzinfo=timezone.utc)
    december = datetime(2023, 12, 8, tzinfo=timezone.utc)
    for k, moment in ((0, april), (1, april), (2, december), (3, december)):
        six[k] = replace(six[k], time=moment, earliest=moment, latest=moment)
    for k in (4, 5):
        six[k] = replace(six[k], time=None, earliest=None, latest=None)
    p = np.full((6, 6), 0.9)
    p[4, [2, 3]] = p[[2, 3], 4] = 0.95  # the undated 4 is closest to the December pair
    p[5, [0, 1]] = p[[0, 1], 5] = 0.95  # and 5 to the April pair
    labels = split_by_time(p, [0] * 6, six, window_days=7.0)
    assert labels == [0, 0, 1, 1, 1, 0]
    # Dates within a window of each other stay one group.
    near = [replace(x, time=april, earliest=april, latest=april) if x.time else x for x in six]
    assert split_by_time(p, [0] * 6, near, window_days=7.0) == [0] * 6
    # A month stamp between two runs (the whole of October, between a storm of 26
    # September and one of 10 October) does not bridge them; it goes with the run it
    # reaches and is most probable with.
    september, october = datetime(2024, 9, 26, tzinfo=timezone.utc), datetime(2024, 10, 10, tzinfo=timezone.utc)
    storms = [replace(six[0], time=september, earliest=september, latest=september),
              replace(six[1], time=september, earliest=september, latest=september),
              replace(six[2], time=october, earliest=october, latest=october),
              replace(six[3], time=None, earliest=datetime(2024, 10, 1, tzinfo=timezone.utc),
                      latest=datetime(2024, 10, 31, 23, 59, tzinfo=timezone.utc))]
    q = np.full((4, 4), 0.9)
    q[3, [0, 1]] = q[[0, 1], 3] = 0.97  # closer in words to September, but its month is October's
    assert split_by_time(q, [0] * 4, storms, window_days=7.0) == [0, 0, 1, 1]


def test_two_look_alike_stories_told_once_in_each_of_four_languages_are_cut_apart():
    # Each story has one article in each of en, fr, de, it: no side of the cut holds
    # two articles in one language, but the four pairs across (en-en, fr-fr...) score
    # low, which tells two stories apart from one story in four languages.
    langs = ["en", "fr", "de", "it"] * 2
    story = [0] * 4 + [1] * 4
    p = np.empty((8, 8))
    for i in range(8):
        for j in range(8):
            if i == j:
                p[i, j] = 1.0
            elif story[i] == story[j]:
                p[i, j] = 0.8
            else:
                p[i, j] = 0.35 if langs[i] == langs[j] else 0.3
    model = DecisionModel(0.0, {}, regroup_threshold=0.2, regroup_split=0.5)
    assert linkage_groups(p, 0.2) == [0] * 8  # the linkage alone keeps them together
    assert regroup_labels(p, model, langs) == story
