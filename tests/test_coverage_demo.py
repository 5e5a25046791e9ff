"""Coverage on the demo corpus, each gold event taken as a story (its README lists copies, translations, tolls)."""
from __future__ import annotations

import pytest

from couverture.coverage import compute_story_view
from couverture.demo import demo_corpus_path
from couverture.ingest import read_inputs
from test_coverage_parts import stored

GOLD_LINKS = {
    ("copy", "demo-balt-en-2", "demo-balt-en-1"),
    ("copy", "demo-leone-it-2", "demo-leone-it-1"),
    ("copy", "demo-crowd-de-2", "demo-crowd-de-1"),
    ("translation", "demo-hualien-es-1", "demo-hualien-en-1"),
    ("translation", "demo-papa-de-1", "demo-papa-it-1"),
    ("translation", "demo-legis2-it-1", "demo-legis2-fr-1"),
}


@pytest.fixture(scope="module")
def views(analyzer):
    records = [raw.content for raw in read_inputs([str(demo_corpus_path())])]
    articles = stored(analyzer, records)
    events: dict[str, list] = {}
    for article in sorted(articles, key=lambda a: a.published):
        events.setdefault(article.extra["event"], []).append(article)
    return {event: compute_story_view(members, event, embedder=analyzer.embedder) for event, members in events.items()}


def test_copies_and_translations_listed_in_the_demo_readme_are_found_and_nothing_else(views):
    found = {(c["kind"], c["article_id"], c["original_id"]) for v in views.values() for c in v.copies}
    assert found == GOLD_LINKS


def _deaths(view):
    (deaths,) = [d for d in view.divergences if d["kind"] == "number" and d["what"] == "deaths"]
    return {v["value"]: sorted(v["article_ids"]) for v in deaths["versions"]}


def test_rising_death_tolls_are_divergences(views):
    assert _deaths(views["noto-earthquake-2024"]) == {
        "30": ["demo-noto-it-1"], "48": ["demo-noto-en-1"], "55": ["demo-noto-fr-1"]}
    assert _deaths(views["hualien-earthquake-2024"]) == {
        "7": ["demo-hualien-fr-1"], "9": ["demo-hualien-de-1", "demo-hualien-en-1", "demo-hualien-es-1"]}


def test_shared_facts_cross_languages(views):
    view = views["hualien-earthquake-2024"]
    assert any(len({s["lang"] for s in f["statements"]}) >= 3 for f in view.shared_facts)
    # The translation repeats its original: the two count as one source of a fact.
    pair = {"demo-hualien-en-1", "demo-hualien-es-1"}
    assert any(pair <= set(f["article_ids"]) for f in view.shared_facts)
    for fact in view.shared_facts:
        ids = set(fact["article_ids"])
        assert fact["sources"] == len(ids) - (1 if pair <= ids else 0)


def test_quotes_across_the_demo_speakers(views):
    speakers = {q["speaker"] for v in views.values() for q in v.quotes if q["speaker"]}
    for name in ("Luis de la Fuente", "Fumio Kishida", "Jean-Luc Mélenchon", "Didier Deschamps", "Wes Moore"):
        assert name in speakers
    (melenchon,) = [q for q in views["french-legislative-2024-second-round"].quotes
                    if q["speaker"] == "Jean-Luc Mélenchon" and q["kind"] == "direct"]
    assert set(melenchon["article_ids"]) == {"demo-legis2-fr-1", "demo-legis2-it-1"}  # fr + it, shown once
