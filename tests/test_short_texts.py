"""Headlines and title-only items are judged by decisions of their own."""
from __future__ import annotations

from collections import Counter

import numpy as np

from couverture.cluster import DecisionModel, OnlineClusterer, default_decision_model
from couverture.cluster.online import SHORT_TERMS
from couverture.cluster.profile import ArticleProfile
from couverture.cluster.similarity import default_merge_model, default_short_decision_model, default_short_merge_model
from couverture.learn.search import never_merge

ALWAYS = DecisionModel(bias=50.0, weights={}, threshold=0.5)
NEVER = DecisionModel(bias=-50.0, weights={}, threshold=0.5)


def _profile(name: str, distinct_terms: int, vector=(1.0, 0.0, 0.0)) -> ArticleProfile:
    terms = Counter({f"{name}-word{i}": 1 for i in range(distinct_terms)})
    terms["shared"] = 1
    return ArticleProfile(id=name, lang="fr", time=None, embedding=np.asarray(vector, dtype=np.float32),
                          terms=terms, entities=Counter(), numbers=set())


def test_a_headline_is_judged_by_the_short_text_decision_and_an_article_is_not():
    clusterer = OnlineClusterer(decision=NEVER, short_decision=ALWAYS, merge_every=0, merge_decision=never_merge())
    first = clusterer.add(_profile("a", 5))
    headline = clusterer.add(_profile("b", 5))
    article = clusterer.add(_profile("c", SHORT_TERMS + 10))
    assert headline.story_id == first.story_id and not headline.new_story
    assert article.new_story  # the full-length decision never joins


def test_shipped_short_text_decisions_come_only_with_the_shipped_full_length_ones():
    default = OnlineClusterer()
    shipped_short = default_short_decision_model()
    assert shipped_short is not None and default_short_merge_model() is not None
    assert default.short_join_model.weights == shipped_short.weights
    assert default.short_join_model.weights != default_decision_model().weights
    own = DecisionModel(bias=-1.0, weights={"dense": 2.0}, threshold=0.4)
    custom = OnlineClusterer(decision=own)
    assert custom.short_join_model is own  # a fitted decision judges every article it is given
    # Merges stay the shipped pair (full-length and short-text) until a merge decision is given.
    assert custom.short_merge_model.weights == default_short_merge_model().weights
    fitted = OnlineClusterer(decision=own, merge_decision=never_merge())
    assert fitted.short_merge_model is fitted.merge_model
    assert fitted.short_merge_model.weights != default_merge_model().weights


def test_a_story_of_headlines_merges_by_the_short_text_merge_decision():
    def two_stories(distinct_terms: int) -> OnlineClusterer:
        clusterer = OnlineClusterer(decision=NEVER, short_decision=NEVER, merge_every=0,
                                    merge_decision=NEVER, short_merge_decision=ALWAYS)
        clusterer.add(_profile("a", distinct_terms))
        clusterer.add(_profile("b", distinct_terms))
        return clusterer

    headlines = two_stories(5)
    assert len(headlines.finish()) == 1 and len(headlines.stories) == 1
    articles = two_stories(SHORT_TERMS + 10)
    assert articles.finish() == [] and len(articles.stories) == 2
