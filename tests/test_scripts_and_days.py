"""Words and names in every script, and the days that leads name (analyze/scripts.py,
analyze/when.py), on real sentences."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from couverture.analyze.scripts import WORD, arabic_light_stem, katakana_words, name_skeleton, unspaced_terms
from couverture.analyze.tokens import content_lemmas
from couverture.analyze.when import clue_conflict, clues_of_dates, resolve_day, time_clues
from couverture.cluster.profile import entity_atoms
from couverture.models import TimeClues

MONDAY, TUESDAY, THURSDAY, SUNDAY = 1 << 0, 1 << 1, 1 << 3, 1 << 6


def test_a_devanagari_word_keeps_its_vowel_signs():
    words = WORD.findall("अमेरिका के राष्ट्रपति चुनाव में जो बाइडेन ने")
    assert "राष्ट्रपति" in words and "बाइडेन" in words
    assert len(words) == 8  # not cut at every vowel sign


def test_text_without_spaces_becomes_bigrams_and_katakana_words():
    terms = unspaced_terms("パリ市中心部を流れるセーヌ川で")
    assert {"中心", "心部", "セー", "ーヌ"} <= set(terms)
    assert not any("を" in t or "れ" in t for t in terms)  # hiragana runs are grammar, dropped
    assert katakana_words("開会式でマクロン大統領とテディ・リネール") == ["マクロン", "テディ", "リネール"]
    # Two Japanese leads of one event share lemmas now; before, each sentence was one token.
    first = set(content_lemmas("パリ五輪の開会式がセーヌ川で行われた", "ja"))
    second = set(content_lemmas("セーヌ川を舞台に開会式が開催された", "ja"))
    assert {"開会", "会式", "セー"} <= first & second


def test_arabic_clitics_come_off():
    assert arabic_light_stem("والبابا") == arabic_light_stem("البابا") == "بابا"
    assert arabic_light_stem("بالفاتيكان") == "فاتيكان"
    assert arabic_light_stem("ماكرون") == "ماكرون"  # a name keeps its ending


def test_one_name_in_five_scripts_has_one_skeleton():
    assert {name_skeleton(n) for n in ("Macron", "Макрон", "ماكرون", "マクロン")} == {"mkrn"}
    assert {name_skeleton(n) for n in ("Biden", "Байден", "بايدن", "बाइडेन")} == {"bdn"}
    assert name_skeleton("Milton") != name_skeleton("Helene")


def test_names_without_capitals_meet_latin_entities_through_skeletons():
    latin = entity_atoms(["emmanuel macron"])
    arabic = entity_atoms([], content_lemmas("استقبل الرئيس ماكرون البابا فرنسيس", "ar"))
    japanese = entity_atoms([], content_lemmas("開会式でマクロン大統領が演説", "ja"))
    assert "~mkrn" in latin and "~mkrn" in arabic and "~mkrn" in japanese


def test_weekdays_in_many_languages_and_forms():
    cases = {
        ("Le Royaume-Uni rend ce lundi un dernier hommage", "fr"): MONDAY,
        ("Elizabeth II. entschlief am Donnerstagnachmittag friedlich", "de"): THURSDAY,
        ("O papa Francisco morreu nesta segunda-feira (21) aos 88 anos", "pt"): MONDAY,
        ("Papst Franziskus ist am Ostermontag gestorben", "de"): MONDAY,
        ("طويت صباح الاثنين صفحة تاريخية", "ar"): MONDAY,
        ("Argentína legyőzte Horvátországot kedden", "hu"): TUESDAY,
        ("Argentina defeated Croatia 3-0 on Tuesday", "en"): TUESDAY,
    }
    for (text, lang), mask in cases.items():
        assert time_clues("", text, lang).weekdays == mask, text


def test_a_capitalised_weekday_mid_sentence_is_a_name_where_weekdays_are_lower_case():
    assert time_clues("", "El tenor Plácido Domingo cantó en Viena", "es").weekdays == 0
    assert time_clues("", "Este domingo, los reyes visitaron Paiporta", "es").weekdays == SUNDAY


def test_days_of_the_month():
    assert (9, 19) in time_clues("", "au son des cornemuses, à Londres, lundi 19 septembre.", "fr").days
    assert (12, 13) in time_clues("", "Na tarde desta terça-feira, 13 de dezembro, a Argentina", "pt").days
    assert (0, 26) in time_clues("", "パリ・オリンピックの開会式が26日、セーヌ川で行われた。", "ja").days
    assert (0, 21) in time_clues("", "morreu nesta segunda-feira (21)", "pt").days
    clues = time_clues("", "La catedral ardió el lunes 15 de abril de 2019.", "es")
    assert clues.dates and clues.dates[0].isoformat() == "2019-04-15"


def test_a_semi_final_on_tuesday_clashes_with_a_final_on_sunday():
    semi = time_clues("", "Argentina defeated Croatia 3-0 on Tuesday in the first semifinal", "en")
    final = time_clues("", "A Argentina sagrou-se, este domingo, campeã do Mundo", "pt")
    again = time_clues("", "Con Messi brillante, Argentina goleó a Croacia el martes", "es")
    assert clue_conflict(semi, final) and clue_conflict(final, semi)
    assert not clue_conflict(semi, again)
    assert not clue_conflict(semi, TimeClues())  # nothing said: no evidence either way
    # "Wednesday night" in Florida is Thursday in Europe: a day apart agrees.
    assert not clue_conflict(TimeClues(1 << 2), TimeClues(THURSDAY))


def test_a_known_date_gives_its_day_and_the_day_before():
    sunday = datetime(2022, 12, 18, 20, tzinfo=timezone.utc)
    clues = clues_of_dates([sunday])
    assert clues.weekdays == SUNDAY | (1 << 5)
    assert clue_conflict(time_clues("", "on Tuesday", "en"), clues)
    assert not clue_conflict(time_clues("", "on Saturday night", "en"), clues)


def test_a_weekday_is_resolved_against_the_dates_of_its_story():
    first = last = datetime(2022, 12, 18, tzinfo=timezone.utc)
    assert resolve_day(TimeClues(TUESDAY), first, last).isoformat() == "2022-12-13"
    assert resolve_day(TimeClues(SUNDAY), first, last).isoformat() == "2022-12-18"
    assert resolve_day(TimeClues(0, frozenset({(12, 13)})), first, last).isoformat() == "2022-12-13"
    assert resolve_day(TimeClues(0, frozenset({(3, 1)})), first, last) is None  # nowhere near
    assert resolve_day(TimeClues(), first, last) is None


def test_cldr_names_read_back_from_the_cache_are_babel_s(tmp_path, monkeypatch):
    from couverture.analyze import when

    monkeypatch.setenv("COUVERTURE_CACHE_DIR", str(tmp_path))
    made = when._names_from_babel()
    assert when._cldr_names() == made  # made from Babel, then kept
    kept = tmp_path / "cldr-day-names.json"
    assert kept.is_file()
    read = when._cldr_names()
    assert read == made and list(read[0]) == list(made[0])  # same names, same order (the first locale wins)
    # A damaged file, or one made by another Babel, is not used, and is made again.
    kept.write_text('{"stamp": {"babel": "0.0"}, "weekdays": {"lundi": 6}}', encoding="utf-8")
    assert when._cldr_names() == made
    kept.write_text("{not json", encoding="utf-8")
    assert when._cldr_names() == made
    assert json.loads(kept.read_text(encoding="utf-8"))["weekdays"]["lundi"] == 0
    monkeypatch.setenv("COUVERTURE_CACHE_DIR", "off")
    kept.unlink()
    assert when._cldr_names() == made and not kept.exists()
