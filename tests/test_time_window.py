"""The time window: stories expire once the stream has moved on, but not on one odd date."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from couverture.cluster import OnlineClusterer
from couverture.cluster.online import CLOCK_QUORUM
from couverture.cluster.profile import ArticleProfile
from couverture.extract import extract_article
from couverture.models import RawDocument

DEMO = Path(__file__).resolve().parents[1] / "src" / "couverture" / "demo" / "articles.jsonl"
PYONGYANG, HANOI = "putin-kim-pyongyang-treaty-2024", "putin-hanoi-visit-2024"
DAY0 = datetime(2024, 6, 19, 8, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def profiles_by_event(analyzer):
    docs = []
    for line in DEMO.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["event"] in (PYONGYANG, HANOI):
            docs.append(RawDocument(origin=f"demo:{record['id']}", content=record, kind="record"))
    articles = [extract_article(d) for d in docs]
    features = analyzer.analyze_many(articles)
    out: dict[str, list[ArticleProfile]] = {PYONGYANG: [], HANOI: []}
    for article, feature in zip(articles, features):
        out[article.extra["event"]].append(ArticleProfile.build(article, feature))
    return out


def _dated(profile: ArticleProfile, when: datetime, suffix: str = "") -> ArticleProfile:
    # Its publication bounds follow its date (ArticleProfile.build sets them from it).
    return dataclasses.replace(profile, id=profile.id + suffix, time=when, earliest=when, latest=when, weight_cache={})


def test_a_story_expires_once_enough_later_articles_move_the_clock(profiles_by_event):
    clusterer = OnlineClusterer()
    first = [clusterer.add(_dated(p, DAY0 + timedelta(hours=i))) for i, p in enumerate(profiles_by_event[PYONGYANG])]
    (old_story,) = {a.story_id for a in first}

    # A month later: the quorum of dated articles has to be reached before the clock moves.
    later = DAY0 + timedelta(days=30)
    hanoi = profiles_by_event[HANOI]
    stream = [_dated(hanoi[i % len(hanoi)], later + timedelta(minutes=i), f"-copy{i}") for i in range(CLOCK_QUORUM)]
    for profile in stream[:-1]:
        clusterer.add(profile)
    assert old_story in clusterer.stories  # 4 old + 7 new dates: the quorum's oldest is still day 0
    clusterer.add(stream[-1])
    assert old_story not in clusterer.stories
    assert clusterer.clock() == later  # the quorum's oldest date: the first of the month-later articles

    # A late article of the expired event cannot join it: it opens a story of its own.
    straggler = clusterer.add(_dated(profiles_by_event[PYONGYANG][0], later, "-late"))
    assert straggler.new_story and straggler.story_id != old_story


def test_one_misdated_article_does_not_expire_the_active_stories(profiles_by_event):
    clusterer = OnlineClusterer()
    pyongyang = profiles_by_event[PYONGYANG]
    first = [clusterer.add(_dated(p, DAY0 + timedelta(hours=i))) for i, p in enumerate(pyongyang[:3])]
    (story,) = {a.story_id for a in first}

    # A date parsed wrongly (seven years ahead) on an article of the same event.
    wrong = clusterer.add(_dated(pyongyang[3], datetime(2031, 6, 20, tzinfo=timezone.utc), "-misdated"))
    assert story in clusterer.stories
    assert wrong.story_id != story  # too far in time to join, by its own (wrong) date

    # The next correctly dated article still finds the story.
    again = clusterer.add(_dated(pyongyang[3], DAY0 + timedelta(hours=5)))
    assert again.story_id == story and not again.new_story
