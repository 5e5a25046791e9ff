"""The reader's language (issue 25): one story, the demo corpus plus the two seeds, read in
French, Italian and English, from the CLI, the API and the page.

The Hanoi story holds six articles: three in French (the two seeds and Le Soir), one
each in Italian (ANSA), Spanish (ABC) and German (zeit.de). Expectations come from
those texts: the French headlines are the titles of the three French articles.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from conftest import SEEDS
from couverture.cli import main
from couverture.coverage import build_story_view
from couverture.coverage.reader import (UnknownLanguage, accepted_languages, check_language, majority_language,
                                        reader_language)
from couverture.demo import demo_corpus_path
from couverture.engine import ingest_paths
from couverture.store import Store
from couverture.web import create_app

FRENCH_TITLES = {
    "À Hanoï, Poutine n'exclut pas de livrer des armes à Pyongyang",
    "Poutine n’exclut pas l’envoi de missiles à Kim et la menace nucléaire",
    "Poutine menace toujours de fournir des armes à la Corée du Nord, les États-Unis sont très inquiets",
}


# --- codes and headers ------------------------------------------------------------------


@pytest.mark.parametrize("code, expected", [("fr", "fr"), ("FR", "fr"), ("fr-CA", "fr"), ("de_CH", "de"),
                                            (" it ", "it"), ("zh-Hant", "zh")])
def test_language_codes_are_read_to_their_base_language(code, expected):
    assert check_language(code) == expected


@pytest.mark.parametrize("code", ["xx", "english", "und", "", "f", "fr1", "qq-FR"])
def test_a_code_that_names_no_language_is_refused_with_what_to_give(code):
    with pytest.raises(UnknownLanguage, match="ISO 639"):
        check_language(code)


def test_accept_language_is_read_by_weight_then_order_and_never_fails():
    assert accepted_languages("de-CH, fr;q=0.9, en;q=0.8, *;q=0.1") == ["de", "fr", "en"]
    assert accepted_languages("en;q=0.5, fr") == ["fr", "en"]
    assert accepted_languages("xx, it;q=0, es;q=oops") == []
    assert accepted_languages("fr-FR, fr;q=0.9") == ["fr"]
    assert accepted_languages(None) == []


def test_majority_language_and_its_tie_break():
    assert majority_language(["it", "fr", "es", "de", "fr", "fr"]) == "fr"
    assert majority_language(["it", "fr", "fr", "it"]) == "it"  # a tie: the language that wrote first
    assert majority_language([None, None]) is None


def test_what_the_reader_asks_wins_over_the_browser_and_the_browser_over_the_sources():
    sources = ["it", "fr", "fr"]
    assert reader_language("de", sources, "en") == "de"
    assert reader_language(None, sources, "en-GB,en;q=0.9") == "en"
    assert reader_language(None, sources, "xx") == "fr"
    with pytest.raises(UnknownLanguage):
        reader_language("xx", sources)


# --- one story read in several languages --------------------------------------------------


@pytest.fixture(scope="module")
def hanoi(tmp_path_factory, analyzer):
    db = tmp_path_factory.mktemp("reader") / "reader.db"
    store = Store(db)
    ingest_paths(store, [str(demo_corpus_path())], analyzer=analyzer)
    report = ingest_paths(store, [SEEDS], analyzer=analyzer)
    (story_id,) = set(report.story_of.values())
    yield store, story_id, db
    store.close()


def test_hanoi_story_holds_the_two_seeds_and_the_four_demo_articles(hanoi):
    store, story_id, _ = hanoi
    langs = sorted(a.lang for a in store.story_articles(story_id))
    assert langs == ["de", "es", "fr", "fr", "fr", "it"]


def test_show_lang_fr_json_gives_a_french_headline_and_only_french_summary_sentences(hanoi):
    _, story_id, db = hanoi
    result = CliRunner().invoke(main, ["show", story_id, "--lang", "fr", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    view = json.loads(result.stdout)
    assert view["lang"] == "fr" and view["headline_lang"] == "fr" and view["note"] is None
    assert view["headline"] in FRENCH_TITLES
    assert len(view["summary"]) >= 3
    assert {s["lang"] for s in view["summary"]} == {"fr"}


def test_without_lang_the_majority_of_sources_decides(hanoi):
    store, story_id, _ = hanoi
    view = build_story_view(store, story_id)
    assert view.lang == "fr" and view.headline in FRENCH_TITLES


def test_italian_reader_gets_the_italian_title_and_italian_sentences(hanoi):
    store, story_id, _ = hanoi
    view = build_story_view(store, story_id, preferred_lang="it")
    assert view.headline == "Putin ad Hanoi: 'Non escludo forniture di armi alla Corea del Nord'"
    assert view.summary and {s["lang"] for s in view.summary} == {"it"}


def test_a_language_no_source_writes_gets_a_note_and_marked_items(hanoi):
    store, story_id, db = hanoi
    view = build_story_view(store, story_id, preferred_lang="en")
    assert view.lang == "en" and view.note and "English" in view.note
    assert len({s["lang"] for s in view.summary}) >= 1 and "en" not in {s["lang"] for s in view.summary}
    text = CliRunner().invoke(main, ["show", story_id, "--lang", "en", "--db", str(db)]).stdout
    summary = text.split("\nSummary\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert summary and all(line.startswith(("  • [fr] ", "  • [it] ", "  • [de] ", "  • [es] ")) for line in summary)
    assert "Note: No source is in English" in text


def test_an_unknown_lang_is_an_error_that_names_it(hanoi):
    _, story_id, db = hanoi
    result = CliRunner().invoke(main, ["show", story_id, "--lang", "xx", "--db", str(db)])
    assert result.exit_code == 2
    assert "unknown language 'xx'" in result.output and "ISO 639" in result.output


# --- the page and the API -----------------------------------------------------------------


@pytest.fixture(scope="module")
def client(hanoi):
    _, _, db = hanoi
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


def test_page_follows_lang_then_accept_language(client, hanoi):
    _, story_id, _ = hanoi
    italian = client.get(f"/stories/{story_id}?lang=it").text
    assert '<h1 lang="it">' in italian and "Putin ad Hanoi" in italian.split("</h1>")[0]
    assert '<strong aria-current="true" lang="it">italiano</strong>' in italian
    assert f'href="?lang=fr"' in italian  # the switch offers the other languages
    from_browser = client.get(f"/stories/{story_id}", headers={"Accept-Language": "it-IT,it;q=0.9"})
    assert from_browser.headers["vary"] == "Accept-Language"
    assert '<h1 lang="it">' in from_browser.text


def test_page_marks_items_in_other_languages_and_notes_a_missing_language(client, hanoi):
    _, story_id, _ = hanoi
    english = client.get(f"/stories/{story_id}?lang=en").text
    assert 'class="reader-note"' in english and "No source is in English" in english
    summary = english.split('id="summary-heading"', 1)[1].split("</section>", 1)[0]
    assert summary.count("<li>") == summary.count('class="lang-mark"') > 0
    french = client.get(f"/stories/{story_id}?lang=fr").text
    french_summary = french.split('id="summary-heading"', 1)[1].split("</section>", 1)[0]
    assert 'class="lang-mark"' not in french_summary


def test_page_and_api_refuse_an_unknown_lang(client, hanoi):
    _, story_id, _ = hanoi
    page = client.get(f"/stories/{story_id}?lang=xx")
    assert page.status_code == 422 and "unknown language" in page.text  # as every bad parameter of a page
    api = client.get(f"/api/stories/{story_id}?lang=qq")
    assert api.status_code == 422 and "unknown language" in api.text


def test_api_coverage_follows_lang(client, hanoi):
    _, story_id, _ = hanoi
    data = client.get(f"/api/stories/{story_id}?lang=fr").json()
    assert data["coverage"]["lang"] == "fr" and data["coverage"]["headline"] in FRENCH_TITLES
    assert {s["lang"] for s in data["coverage"]["summary"]} == {"fr"}


# --- who said what, across languages --------------------------------------------------------


def test_the_warning_to_seoul_is_one_entry_spoken_by_putin_in_at_least_three_languages(hanoi):
    store, story_id, _ = hanoi
    view = build_story_view(store, story_id, preferred_lang="fr")
    entries = [q for q in view.quotes if any(
        fragment in v["text"] for v in q["versions"]
        for fragment in ("très grosse erreur", "error muy grande", "großer Fehler", "erreur très grave"))]
    assert len(entries) == 1, [q["text"] for q in entries]
    (entry,) = entries
    assert entry["speaker"] == "Vladimir Poutine"  # the French reader's form of the name
    assert len({v["lang"] for v in entry["versions"]}) >= 3
    assert entry["lang"] == "fr" and entry["kind"] == "direct"
    german = CliRunner().invoke(main, ["show", story_id, "--lang", "de", "--db", str(hanoi[2])]).stdout
    assert "Wladimir Putin" in german.split("\nWho said what\n", 1)[1].split("\n\n")[0]
    # The sentences that carry it are no longer "only in one source".
    only_here = [f["text"] for e in view.unique_facts for f in e["facts"]]
    assert not any(fragment in text for text in only_here
                   for fragment in ("très grosse erreur", "error muy grande", "großer Fehler"))


def test_each_person_is_one_speaker(hanoi):
    from couverture.coverage.quotes import same_person_across_spellings

    store, story_id, _ = hanoi
    for lang in ("fr", "de", "it"):
        speakers = list(dict.fromkeys(q["speaker"] for q in build_story_view(store, story_id, preferred_lang=lang).quotes
                                      if q["speaker"]))
        for i, a in enumerate(speakers):
            for b in speakers[i + 1:]:
                assert not same_person_across_spellings(a, b), (lang, a, b)


def test_the_page_gives_each_speaker_one_heading(client, hanoi):
    _, story_id, _ = hanoi
    page = client.get(f"/stories/{story_id}?lang=fr").text
    quotes = page.split('id="quotes-heading"', 1)[1].split("</section>", 1)[0]
    headings = [h.split("<", 1)[0].strip() for h in quotes.split("<h3>")[1:]]
    assert headings.count("Vladimir Poutine") == 1, headings
    assert len(headings) == len(set(headings))


def test_a_fact_told_in_three_languages_is_shared_not_three_times_alone(hanoi):
    """'The US embassy in Hanoi criticised the visit', in German, Spanish and Italian words."""
    store, story_id, _ = hanoi
    view = build_story_view(store, story_id, preferred_lang="fr")
    embassy = ("US-Botschaft in Hanoi", "embajada de Estados Unidos en Hanói", "ambasciata americana ad Hanoi")
    (fact,) = [f for f in view.shared_facts if any(e in s["text"] for s in f["statements"] for e in embassy)]
    assert {s["lang"] for s in fact["statements"] if any(e in s["text"] for e in embassy)} == {"de", "es", "it"}
    # Each fact holds one sentence per article, but for an article's own near-identical repeats.
    for shared in view.shared_facts:
        sentences = [s["text"] for s in shared["statements"]]
        assert len(sentences) == len(set(sentences))
    only_here = [f["text"] for e in view.unique_facts for f in e["facts"] if not f["details"]]
    assert not any(e in text for text in only_here for e in embassy)


def test_every_section_reads_through_its_record_and_writes_back_the_same_json(hanoi):
    from couverture.coverage import sections
    from couverture.coverage.view import StoryView

    store, story_id, _ = hanoi
    view = build_story_view(store, story_id, preferred_lang="de")
    # The view holds typed records; reading one by a key it does not declare is an error.
    assert all(isinstance(q, sections.Quote) for q in view.quotes) and view.quotes
    assert view.quotes[0].speaker == view.quotes[0]["speaker"]
    with pytest.raises(KeyError):
        view.quotes[0]["who"]
    data = view.to_json()
    for name, record in (("sources", sections.Source), ("timeline", sections.TimelineEntry),
                         ("summary", sections.SummarySentence), ("quotes", sections.Quote),
                         ("shared_facts", sections.SharedFact), ("unique_facts", sections.SourceFacts),
                         ("divergences", sections.Divergence), ("copies", sections.CopyLink)):
        assert [r.to_json() for r in sections.records(record, data[name])] == data[name], name
    assert StoryView.from_json(json.loads(json.dumps(data))).to_json() == data
    with pytest.raises(ValueError, match="unknown key"):
        StoryView.from_json({**data, "quotes": [{**data["quotes"][0], "who": "x"}]})
