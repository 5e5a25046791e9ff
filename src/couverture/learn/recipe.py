"""What the shipped decisions learn from, in one place: the recipe that
bench/train_decision.py fits the shipped models with and that `couverture eval`
refits without the part it scores.

The full-length decisions learn from three labelled sets:

- the ECB+ stream (982 English documents, 86 stories, two look-alike events per
  topic), in a seeded shuffle: most of the rows, and the hard negatives of one kind;
- the multinews_dev stream (155 real articles in 20 languages, 97 undated), in
  publication order as an ingest reads it, and once more with the dates of a seeded
  half removed (that copy only votes in the choice of thresholds): many languages
  and scripts, undated articles, and look-alike stories a few days apart;
- the SemEval-2022 Task 8 pairs (same story when Overall <= 1.5, different when
  >= 2.5), as article-vs-one-article rows: cross-lingual pairs.

The multinews stream weighs as much as the ECB+ one in every fit (its rows together,
and its score in every grid choice), so 1,000 rows of real multilingual input are not
drowned by 15,000 of English. Any figure on a set these models saw is measured with
models refitted without it (``heldout_recipe``): ECB+ by topic folds, multinews_dev by
folds of look-alike story families (``datasets.story_families``).
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..eval.datasets import load_ecbplus, load_multinews_dev
from ..pipeline import stream_order
from .search import LabelledStream

# How much the multinews stream weighs against the ECB+ stream (see the module doc).
MULTINEWS_WEIGHT = 1.0
# The seed of the ECB+ shuffle and of the half of multinews_dev left undated.
SEED = 0


@dataclass
class Recipe:
    """Streams and extra pair rows for ``learn.training.train_on_streams``."""

    streams: list[LabelledStream] = field(default_factory=list)
    extra_rows: tuple[list, list[int]] = ([], [])


@dataclass
class _Sets:
    ecbplus: object = None
    multinews: object = None
    semeval: object = None


_cache = _Sets()


def analyzed_ecbplus():
    from ..eval.runner import analyze_labelled

    if _cache.ecbplus is None:
        _cache.ecbplus = analyze_labelled(load_ecbplus())
    return _cache.ecbplus


def analyzed_multinews():
    from ..eval.runner import analyze_labelled

    if _cache.multinews is None:
        _cache.multinews = analyze_labelled(load_multinews_dev())
    return _cache.multinews


def semeval_rows(analyzer=None) -> tuple[list, list[int]]:
    """SemEval pairs as join rows: same story (Overall <= 1.5) or not (>= 2.5)."""
    from ..eval.semeval import semeval_pair_features

    if _cache.semeval is None:
        pairs = semeval_pair_features(analyzer=analyzer)
        kept = [(row, int(overall <= 1.5)) for row, overall in zip(pairs.rows, pairs.overall)
                if overall <= 1.5 or overall >= 2.5]
        _cache.semeval = ([row for row, _ in kept], [label for _, label in kept])
    return _cache.semeval


def ecbplus_stream(data, keep: set[int] | None = None) -> LabelledStream:
    order = list(range(len(data.articles)))
    random.Random(SEED).shuffle(order)
    if keep is not None:
        order = [i for i in order if i in keep]
    return LabelledStream(data.articles, data.features, data.gold, order, name="ECB+")


def dated_streams(data, name: str, weight: float, keep: set[int] | None = None) -> list[LabelledStream]:
    """A dated set as two streams: as given, in publication order, and with a seeded
    half of its dates removed (votes in grid choices only), so that the thresholds
    chosen hold when dates are missing too."""
    from ..eval.runner import with_dates

    indices = [i for i in range(len(data.articles)) if keep is None or i in keep]
    streams = []
    for mode in ("given", "half"):
        articles = with_dates(data.articles, mode, SEED)
        order = [indices[k] for k in stream_order([articles[i] for i in indices])]
        streams.append(LabelledStream(articles, data.features, data.gold, order, weight=weight,
                                      name=f"{name} ({mode} dates)", score_only=mode != "given"))
    return streams


def shipped_recipe() -> Recipe:
    """Everything the shipped full-length decisions learn from."""
    return heldout_recipe()


def heldout_recipe(ecbplus_keep: set[int] | None = None, multinews_keep: set[int] | None = None) -> Recipe:
    """The shipped recipe restricted to the given documents of ECB+ and multinews_dev
    (indices into ``analyzed_ecbplus()`` and ``analyzed_multinews()``; None: all)."""
    streams = [ecbplus_stream(analyzed_ecbplus(), ecbplus_keep)]
    streams += dated_streams(analyzed_multinews(), "multinews_dev", MULTINEWS_WEIGHT, multinews_keep)
    return Recipe(streams, semeval_rows())


def folds_of(groups: Sequence[str], folds: int) -> list[int]:
    """Each item's fold: its group's place among the groups sorted by (length, name),
    dealt alternately (ECB+ topics, story families)."""
    names = sorted(set(groups), key=lambda g: (len(g), g))
    fold_of = {g: i % folds for i, g in enumerate(names)}
    return [fold_of[g] for g in groups]
