"""The seeds are one story; an unrelated article is not part of it."""
from __future__ import annotations

from conftest import FIXTURES, SEEDS
from couverture.engine import ingest_paths


def test_seeds_form_one_story_and_unrelated_stays_out(store, analyzer):
    report = ingest_paths(store, [SEEDS], analyzer=analyzer)
    assert report.added == 2 and not report.errors
    story_ids = set(report.story_of.values())
    assert len(story_ids) == 1

    report = ingest_paths(store, [FIXTURES / "unrelated_fr.txt"], analyzer=analyzer)
    assert report.added == 1
    (other,) = report.story_of.values()
    assert other not in story_ids
    listed = {s.id: s.size for s in store.list_stories()}
    assert listed == {next(iter(story_ids)): 2, other: 1}


def test_seeds_twice_leave_two_articles(store, analyzer):
    first = ingest_paths(store, [SEEDS], analyzer=analyzer)
    second = ingest_paths(store, [SEEDS], analyzer=analyzer)
    assert (first.added, second.added, second.duplicates) == (2, 0, 2)
    assert store.count_articles() == 2


def test_story_id_is_stable_when_more_articles_arrive(store, analyzer, tmp_path):
    first = ingest_paths(store, [SEEDS / "000_535b14933d3dcc33.txt"], analyzer=analyzer)
    (story,) = first.story_of.values()
    second = ingest_paths(store, [SEEDS / "002_afb85a0c2a92b8d2.txt"], analyzer=analyzer)
    assert list(second.story_of.values()) == [story]
    assert [s.id for s in store.list_stories()] == [story]
