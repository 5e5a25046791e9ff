"""One name per person among a story's speakers, whatever the language or script of
each report (issue 25: "Vladimir Poutine" and "Wladimir Putin" were two speakers)."""
from __future__ import annotations

import pytest

from couverture.coverage.quotes import one_name_per_person, same_person_across_spellings, speakers_agree
from couverture.coverage.view import build_story_view
from couverture.store import Store
from test_web_data import seeds_story_id, web_database


@pytest.mark.parametrize("a, b", [
    ("Vladimir Poutine", "Wladimir Putin"),  # French and German spellings
    ("Владимир Путин", "Vladimir Putin"),  # Cyrillic and Latin
    ("Poutine", "Wladimir Putin"),  # the family name alone
    ("Volodymyr Zelensky", "Володимир Зеленський"),  # Ukrainian Cyrillic
])
def test_spellings_of_one_person_agree(a, b):
    assert same_person_across_spellings(a, b) and speakers_agree(a, b)


@pytest.mark.parametrize("a, b", [
    ("Joe Biden", "Hunter Biden"),  # one family name, two given names
    ("Emmanuel Macron", "Brigitte Macron"),
    ("Li Qiang", "Li Keqiang"),  # a family name too short to tell anyone apart
    ("John Kirby", "Matthew Miller"),
])
def test_different_people_do_not(a, b):
    assert not same_person_across_spellings(a, b) and not speakers_agree(a, b)


def _quote(speaker, *versions):
    return {"speaker": speaker, "versions": [{"speaker": name, "lang": lang} for name, lang in versions]}


def test_each_person_is_shown_under_the_form_of_the_reader_s_language():
    quotes = [
        _quote("Wladimir Putin", ("Wladimir Putin", "de")),
        _quote("Vladimir Poutine", ("Vladimir Poutine", "fr"), ("Wladimir Putin", "de")),
        _quote("Wladimir Putin", ("Wladimir Putin", "de"), ("Wladimir Putin", "de")),
        _quote("John Kirby", ("John Kirby", "en")),
    ]
    one_name_per_person(quotes, preferred_lang="fr")
    assert [q["speaker"] for q in quotes] == ["Vladimir Poutine"] * 3 + ["John Kirby"]
    assert quotes[0]["speaker_variants"] == ["Wladimir Putin"] and "speaker_variants" not in quotes[3]
    # With no reader's language, the form most versions use.
    quotes = [_quote("Vladimir Poutine", ("Vladimir Poutine", "fr"), ("Wladimir Putin", "de")),
              _quote("Wladimir Putin", ("Wladimir Putin", "de"))]
    one_name_per_person(quotes)
    assert [q["speaker"] for q in quotes] == ["Wladimir Putin"] * 2


def test_the_seeds_story_names_each_speaker_once(tmp_path_factory, analyzer):
    store = Store(web_database(tmp_path_factory, analyzer))
    try:
        view = build_story_view(store, seeds_story_id(store)).to_json()
    finally:
        store.close()
    speakers = sorted({q["speaker"] for q in view["quotes"] if q["speaker"]})
    assert "Vladimir Poutine" in speakers or "Wladimir Putin" in speakers
    # The French seeds and the German report of the same visit credit Putin in their own spelling.
    spelled = {v["speaker"] for q in view["quotes"] for v in q["versions"] if v.get("speaker")}
    assert {"Vladimir Poutine", "Wladimir Putin"} <= spelled
    for i, a in enumerate(speakers):
        for b in speakers[i + 1:]:
            assert not speakers_agree(a, b), (a, b)
