"""The two seed articles, cleaned: the first test case of the extract stage."""
from __future__ import annotations

import pytest

from conftest import SEEDS
from couverture.extract import extract_article
from couverture.ingest import read_inputs

FIRST_TITLE = "Poutine menace toujours de fournir des armes à la Corée du Nord, les États-Unis sont très inquiets"
SECOND_TITLE = "Poutine n’exclut pas l’envoi de missiles à Kim et la menace nucléaire"

NAVIGATION = [
    "PREV", "NEXT", "Suivez la couverture complète", "Plus de deux ans de guerre en Ukraine", "Lire aussi",
    "affichent leur « amitié pleine", "For Latest Updates", "Follow us on Google News",
    "vigilance rouge levée en Mayenne", "Le poids des retraites", "Le massacre des chrétiens en Afrique",
    "Nasrallah hausse la menace", "Reproduction réservée", "Antoine LLORCA",
]


@pytest.fixture(scope="module")
def seeds():
    articles = {}
    for raw in read_inputs([SEEDS]):
        article = extract_article(raw)
        articles[raw.origin.rsplit("/", 1)[-1][:3]] = article
    return articles


@pytest.mark.parametrize("key", ["000", "002"])
def test_navigation_and_credits_are_gone(seeds, key):
    text = seeds[key].text
    for fragment in NAVIGATION:
        assert fragment not in text, fragment


def test_titles(seeds):
    assert seeds["000"].title == FIRST_TITLE
    assert seeds["002"].title == SECOND_TITLE


def test_title_appears_once_in_the_first_article(seeds):
    article = seeds["000"]
    assert FIRST_TITLE not in article.text  # the two repetitions under the title are gone
    assert article.removed_lines.count(FIRST_TITLE) == 2


def test_article_body_is_kept(seeds):
    assert seeds["000"].text.startswith("En visite au Vietnam, Vladimir Poutine a menacé jeudi")
    assert "Washington est inquiet" in seeds["000"].text  # an intertitle of the article stays
    assert seeds["000"].text.endswith("un nouveau paquet de sanctions contre la Russie.")
    assert seeds["002"].text.endswith("n’en fait pas assez pour l’empêcher.")
    assert "l’union impie Poutine-Kim" in seeds["002"].text


def test_byline_and_agencies(seeds):
    assert seeds["000"].byline == "Antoine LLORCA avec l’AFP"
    assert seeds["000"].agencies == ["AFP"]
    assert seeds["002"].agencies == ["ANSA"]
    # KCNA is quoted as a source in the body, it does not credit the article.
    assert "KCNA" not in seeds["002"].agencies
    assert seeds["002"].byline is None


def test_language(seeds):
    assert seeds["000"].lang == "fr"
    assert seeds["002"].lang == "fr"


def test_ids_are_stable_across_runs(seeds):
    again = {raw.origin.rsplit("/", 1)[-1][:3]: extract_article(raw) for raw in read_inputs([SEEDS])}
    assert {k: a.id for k, a in again.items()} == {k: a.id for k, a in seeds.items()}
    assert seeds["000"].id != seeds["002"].id
