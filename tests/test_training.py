"""Training: how grid settings are chosen over several labelled streams, and how rows of
streams of very different sizes are weighed (learn/search.py, learn/training.py)."""
from __future__ import annotations

import pytest

from couverture.learn import search
from couverture.learn.search import LabelledStream, _best_setting
from couverture.learn.training import _pooled


def test_a_setting_that_gives_up_one_stream_for_another_loses(monkeypatch):
    english, multilingual = LabelledStream([], [], [], [], name="en"), LabelledStream([], [], [], [], name="multi")
    # F1 of each setting on each stream: 0.2 has the best mean (0.875) but gives up 0.10
    # on the multilingual stream; 0.3 gives up at most 0.02 anywhere.
    table = {("en", 0.1): 0.80, ("en", 0.2): 0.95, ("en", 0.3): 0.93,
             ("multi", 0.1): 0.90, ("multi", 0.2): 0.80, ("multi", 0.3): 0.88}
    streams = {id(english.articles): "en", id(multilingual.articles): "multi"}

    def f1(articles, features, gold, order, make_clusterer):
        return table[(streams[id(articles)], make_clusterer())]

    # Each stream's (empty) articles list tells the streams apart here.
    monkeypatch.setattr(search, "_bcubed_f1", f1)
    value, score = _best_setting([0.1, 0.2, 0.3], [english, multilingual], lambda v: v)
    assert value == 0.3 and score == pytest.approx((0.93 + 0.88) / 2)
    # One stream alone: its best F1.
    assert _best_setting([0.1, 0.2, 0.3], [english], lambda v: v) == (0.2, 0.95)


def test_each_stream_rows_weigh_their_stream_weight_whatever_their_number():
    big, small = LabelledStream([], [], [], [], name="big"), LabelledStream([], [], [], [], name="small", weight=0.5)
    rows_of = {id(big): ([{}] * 100, [1] * 10 + [0] * 90), id(small): ([{}] * 10, [1] * 2 + [0] * 8)}
    hidden = LabelledStream([], [], [], [], score_only=True)
    rows, labels, weights, notes = _pooled([big, small, hidden], lambda s: rows_of.get(id(s), ([], [])),
                                           extra_rows=([{}] * 3, [1, 0, 0]))
    assert len(rows) == len(labels) == len(weights) == 113
    assert sum(weights[:100]) == pytest.approx(100)  # the first stream: one per row
    assert sum(weights[100:110]) == pytest.approx(50)  # half as much in all, over 10 rows
    assert weights[110:] == [1.0, 1.0, 1.0]  # extra pairs: one each
    assert len(notes) == 3
