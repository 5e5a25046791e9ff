"""Divergences, copies and translations on short articles written for these tests."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from couverture.coverage import build_story_view
from couverture.engine import ingest_paths
from couverture.store import Store

COVERAGE = FIXTURES / "coverage"


def _story(tmp_path_factory, analyzer, name):
    store = Store(tmp_path_factory.mktemp(name) / "story.db")
    report = ingest_paths(store, [COVERAGE / f"{name}.jsonl"], analyzer=analyzer)
    assert not report.errors
    stories = set(report.story_of.values())
    assert len(stories) == 1, f"the {name} articles should form one story, got {report.story_of}"
    return store, stories.pop()


@pytest.fixture(scope="module")
def tolls(tmp_path_factory, analyzer):
    store, story = _story(tmp_path_factory, analyzer, "divergent_tolls")
    yield build_story_view(store, story)
    store.close()


@pytest.fixture(scope="module")
def wire(tmp_path_factory, analyzer):
    store, story = _story(tmp_path_factory, analyzer, "wire_copy")
    yield build_story_view(store, story)
    store.close()


@pytest.fixture(scope="module")
def translated(tmp_path_factory, analyzer):
    store, story = _story(tmp_path_factory, analyzer, "translation")
    yield store, story
    store.close()


# --- divergences ---------------------------------------------------------------------------


def test_two_death_tolls_are_reported_with_both_figures_and_sources(tolls):
    deaths = [d for d in tolls.divergences if d["kind"] == "number" and d["what"] == "deaths"]
    assert len(deaths) == 1
    versions = {v["value"]: v["article_ids"] for v in deaths[0]["versions"]}
    assert versions == {"14": ["toll-en"], "11": ["toll-fr"]}
    for version in deaths[0]["versions"]:
        assert all(s["article_id"] in version["article_ids"] for s in version["statements"])


def test_agreeing_figures_and_road_numbers_are_not_divergences(tolls):
    # Both articles give 22 injured; "D1075" is a road's name, not a quantity.
    whats = {d["what"] for d in tolls.divergences}
    assert whats == {"deaths"}
    assert not any("1075" in v["value"] for d in tolls.divergences for v in d["versions"])


def test_the_two_reports_are_independent_sources(tolls):
    assert tolls.copies == []
    assert any(set(f["article_ids"]) == {"toll-en", "toll-fr"} for f in tolls.shared_facts)


# --- copies -----------------------------------------------------------------------------------


def test_wire_copy_is_linked_to_its_original(wire):
    assert [(c["kind"], c["article_id"], c["original_id"]) for c in wire.copies] == [
        ("copy", "wire-copy", "wire-original")
    ]
    assert wire.copies[0]["similarity"] >= 0.5
    assert wire.source("wire-copy")["copy_of"] == "wire-original"
    assert wire.source("wire-original")["copy_of"] is None
    assert wire.source("wire-independent")["copy_of"] is None
    assert "Reuters" in wire.copies[0]["agencies"]  # the wire credit is kept as provenance


def test_a_copy_does_not_count_as_a_second_source(wire):
    # The copy repeats its original: a fact both carry has one source, not two.
    for fact in wire.shared_facts:
        assert "wire-independent" in fact["article_ids"]
    (original,) = [u for u in wire.unique_facts if u["article_id"] == "wire-original"]
    assert original["also_in"] == ["wire-copy"]
    assert any("traders' association" in f["text"] for f in original["facts"])  # the original and its copy only
    assert any("historic monument" in f["text"] and f["article_id"] == "wire-copy" for f in original["facts"])


def test_quote_repeated_by_the_copy_is_shown_once(wire):
    matches = [q for q in wire.quotes if "heart of the town" in q["text"]]
    assert len(matches) == 1
    assert matches[0]["speaker"] == "Ingrid Solvang"
    assert set(matches[0]["article_ids"]) == {"wire-original", "wire-copy"}


# --- translations ---------------------------------------------------------------------------


def test_translation_is_linked_to_its_original(translated):
    store, story = translated
    view = build_story_view(store, story)
    assert [(c["kind"], c["article_id"], c["original_id"]) for c in view.copies] == [
        ("translation", "train-fr", "train-de")
    ]
    assert view.copies[0]["languages"] == ["de", "fr"]
    assert view.source("train-fr")["translation_of"] == "train-de"
    assert view.source("train-es")["translation_of"] is None


def test_quote_in_two_languages_is_shown_once_with_both_sources(translated):
    store, story = translated
    view = build_story_view(store, story)
    matches = [q for q in view.quotes if q["speaker"] == "Tobias Reimer"]
    assert len(matches) == 1
    assert set(matches[0]["article_ids"]) == {"train-de", "train-fr"}
    assert {v["lang"] for v in matches[0]["versions"]} == {"de", "fr"}


def test_preferred_language_comes_first(translated):
    store, story = translated
    for lang in ("fr", "de"):
        view = build_story_view(store, story, preferred_lang=lang)
        assert view.summary[0]["lang"] == lang
        (quote,) = [q for q in view.quotes if q["speaker"] == "Tobias Reimer"]
        assert quote["lang"] == lang
        shared = [f for f in view.shared_facts if any(s["lang"] == lang for s in f["statements"])]
        assert shared and all(f["lang"] == lang for f in shared)
