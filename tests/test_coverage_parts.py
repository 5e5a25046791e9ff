"""The parts of a coverage view one at a time: numbers and their kinds, places, dates, clauses, the vector cache."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import numpy as np
import pytest

from couverture.coverage import compute_story_view, format_story_view
from couverture.coverage.align import clauses
from couverture.coverage.cache import CachedEmbedder
from couverture.store.schema import coverage_cache
from couverture.coverage.copies import containment, shingles
from couverture.coverage.divergence import overlap, quantities
from couverture.extract import extract_article
from couverture.models import RawDocument
from couverture.store.database import features_json


def stored(analyzer, records):
    """Articles shaped as the store returns them, analyzed by the real analyzer."""
    articles = [extract_article(RawDocument(origin=r["id"], kind="record", content=r)) for r in records]
    features = analyzer.analyze_many(articles)
    return [
        SimpleNamespace(id=a.id, title=a.title, text=a.text, lang=a.lang, published=a.published, url=a.url,
                        outlet=a.outlet, byline=a.byline, agencies=a.agencies, origin=a.origin, extra=a.extra,
                        features=features_json(f))
        for a, f in zip(articles, features)
    ]


# --- numbers and their kinds ----------------------------------------------------------------


@pytest.mark.parametrize("sentence, lang, value", [
    ("Le bilan s'élève à 48 morts selon les autorités.", "fr", "48"),
    ("At least 48 people were killed by the storm.", "en", "48"),
    ("Mindestens 48 Tote wurden bislang geborgen.", "de", "48"),
    ("Sono almeno 48 i morti accertati.", "it", "48"),
    ("La cifra asciende a 48 muertos.", "es", "48"),
    ("Nine people have been killed, officials said.", "en", "9"),
])
def test_death_tolls_in_five_languages(sentence, lang, value):
    assert [(q.kind, q.value) for q in quantities(sentence, lang)] == [("deaths", value)]


def test_labels_and_other_counts_are_not_tolls():
    found = quantities("Comme le prévoit l’article 4 du texte, le contenu des 23 articles de l’accord est public.", "fr")
    assert [(q.kind, q.value) for q in found] == [("unit:fr:article", "23")]
    assert quantities("The quake hit at 07:58 local time on 3 April 2024.", "en") == []


def test_kinds_of_figures():
    assert [(q.kind, q.value) for q in quantities("Spain beat France 2-1 in the semi-final.", "en")] == [("score", "2-1")]
    assert [(q.kind, q.value) for q in quantities("Un séisme de magnitude 7,4 a frappé l'île.", "fr")] == [("magnitude", "7.4")]
    assert [(q.kind, q.value) for q in quantities("La participation a atteint 66,7 %.", "fr")] == [("percent", "66.7")]
    assert [(q.kind, q.value) for q in quantities("Le Nouveau Front populaire obtiendrait entre 172 et 192 sièges.", "fr")] == [
        ("seats", "172-192")]


def test_a_figure_inside_a_range_agrees_with_it():
    assert overlap("182", "172-192") and not overlap("195", "172-192")
    assert not overlap("2-1", "1-0") and overlap("48", "48")


# --- places and dates -----------------------------------------------------------------------------


PLACE_EN = {"id": "place-en", "lang": "en", "published": "2025-06-03T10:00:00+00:00", "title": "Chip makers agree on a joint plant",
            "text": "The heads of three chip makers signed an agreement in Berlin on Tuesday to build a joint factory.\n\n"
                    "The plant will employ 2,000 people when it opens in 2028, the companies said.\n\n"
                    "The governments of the three countries will pay a third of the cost.\n\n"
                    "Analysts said the deal was a response to shortages that hit car makers two years ago.\n\n"
                    "Shares of the smallest of the three companies rose sharply after the announcement."}
PLACE_FR = {"id": "place-fr", "lang": "fr", "published": "2025-06-03T12:00:00+00:00", "title": "Trois fabricants de puces s'allient",
            "text": "Les patrons de trois fabricants de puces ont signé mardi à Munich un accord pour construire une usine commune.\n\n"
                    "L'usine emploiera 2 000 personnes à son ouverture en 2028, ont indiqué les entreprises.\n\n"
                    "Les gouvernements des trois pays paieront un tiers du coût.\n\n"
                    "Les syndicats ont salué le projet mais demandent des garanties sur les salaires.\n\n"
                    "Le chantier doit commencer à l'automne, sous réserve des permis de construire."}


def test_aligned_statements_naming_two_cities_are_a_place_divergence(analyzer):
    view = compute_story_view(stored(analyzer, [PLACE_EN, PLACE_FR]), "s-place", embedder=analyzer.embedder)
    places = [d for d in view.divergences if d["kind"] == "place"]
    assert len(places) == 1
    assert {v["value"]: v["article_ids"] for v in places[0]["versions"]} == {"Berlin": ["place-en"], "Munich": ["place-fr"]}
    assert not [d for d in view.divergences if d["kind"] == "number"]  # 2,000 and 2 000 are one figure


def test_a_city_and_its_country_do_not_diverge(analyzer):
    fr = dict(PLACE_FR, text=PLACE_FR["text"].replace("à Munich", "en Allemagne"))
    view = compute_story_view(stored(analyzer, [PLACE_EN, fr]), "s-place", embedder=analyzer.embedder)
    assert not [d for d in view.divergences if d["kind"] == "place"]


def test_two_days_for_one_event_are_a_date_divergence(analyzer):
    en = dict(PLACE_EN, text=PLACE_EN["text"].replace("in Berlin on Tuesday", "in Berlin on 3 June"))
    fr = dict(PLACE_FR, text=PLACE_FR["text"].replace("mardi à Munich", "le 4 juin à Berlin"))
    view = compute_story_view(stored(analyzer, [en, fr]), "s-date", embedder=analyzer.embedder)
    (dates,) = [d for d in view.divergences if d["kind"] == "date"]
    assert {v["value"] for v in dates["versions"]} == {"--06-03", "--06-04"}
    assert not [d for d in view.divergences if d["kind"] == "place"]


# --- alignment helpers, copies --------------------------------------------------------------------


def test_long_sentences_are_cut_into_clauses_of_six_words_or_more():
    sentence = ("L’avertissement a été lancé par Vladimir Poutine depuis Hanoï, à l’issue d’une mission en Asie "
                "au cours de laquelle il a signé un pacte d’assistance mutuelle.")
    parts = clauses(sentence)
    assert len(parts) == 2 and all(len(p.split()) >= 6 for p in parts)
    assert clauses("Short sentence, with a comma.") == []


def test_shingle_containment_tells_a_copy_from_a_rewrite():
    original = "A fire destroyed the covered market of the town on Sunday night and forty traders lost their stalls."
    copy = "A fire destroyed the covered market of the town on Sunday night and forty traders lost their stalls, police said."
    rewrite = "Forty traders lost their stalls when fire swept through the town's covered market late on Sunday."
    assert containment(shingles(original), shingles(copy)) == 1.0
    assert containment(shingles(original), shingles(rewrite)) < 0.2


# --- the vector cache -------------------------------------------------------------------------------


class CountingEmbedder:
    name = "counting-test-model"
    dim = 4

    def __init__(self):
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen.extend(texts)
        rows = np.array([[len(t), t.count("a") + 1, t.count("e") + 1, 1.0] for t in texts], dtype=np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_vectors_are_computed_once_and_kept_in_the_database(store):
    model = CountingEmbedder()
    first = CachedEmbedder(model, store)
    vectors = first.embed(["alpha", "beta", "alpha"])
    assert model.seen == ["alpha", "beta"]
    again = CachedEmbedder(model, store)  # a new process would start like this
    assert np.allclose(again.embed(["beta", "alpha"]), vectors[[1, 0]])
    assert model.seen == ["alpha", "beta"] and again.computed == 0
    with store.engine.connect() as conn:
        assert conn.execute(coverage_cache.select()).fetchall().__len__() == 2


# --- the text rendering ------------------------------------------------------------------------------


def test_text_rendering_has_every_section_with_citations(analyzer):
    view = compute_story_view(stored(analyzer, [PLACE_EN, PLACE_FR]), "s-place", headline="Chips", embedder=analyzer.embedder)
    text = format_story_view(view)
    for header in ("Sources", "Summary", "Timeline", "Shared facts", "Divergences"):
        assert f"\n{header}\n" in text
    assert "[1]" in text and "[2]" in text
    assert text.startswith("Chips\ns-place")
    assert view.timeline[0]["article_id"] == "place-en"  # published first
    assert view.sources[0]["published"] == datetime(2025, 6, 3, 10, tzinfo=timezone.utc).isoformat()
