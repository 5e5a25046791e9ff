"""Quote spans and speakers in French, English, Italian, German and Spanish (sentences written for the tests)."""
from __future__ import annotations

import pytest

from couverture.coverage.quotes import extract_quotes, merge_quotes, quote_spans


def speakers(text, lang):
    return [(q.text, q.speaker) for q in extract_quotes(text, lang)]


def only(text, lang):
    quotes = extract_quotes(text, lang)
    assert len(quotes) == 1, quotes
    return quotes[0]


# --- quotation marks -----------------------------------------------------------------------


@pytest.mark.parametrize("text, inner", [
    ("Il a dit « nous partirons demain matin » hier.", "nous partirons demain matin"),
    ("He said “we will leave tomorrow morning” yesterday.", "we will leave tomorrow morning"),
    ("Er sagte „wir fahren morgen früh los“ gestern.", "wir fahren morgen früh los"),
    ('Dijo "nos vamos mañana por la mañana" ayer.', "nos vamos mañana por la mañana"),
    ("Ha detto ‹partiamo domani mattina› ieri.", "partiamo domani mattina"),
    ("Il a dit «nous partirons demain matin” hier.", "nous partirons demain matin"),  # mixed opener and closer
    ("Il a dit “nous partirons demain matin“, hier.", "nous partirons demain matin"),  # “…“ as translations write it
])
def test_quote_marks_of_five_languages_and_their_mixes(text, inner):
    (span,) = quote_spans(text)
    assert text[span[0] + 1 : span[1]].strip() == inner


def test_nested_quotes_close_on_the_outer_mark():
    text = "« Il m'a répondu “jamais” puis il est parti », raconte-t-elle."
    (span,) = quote_spans(text)
    assert text[span[0] + 1 : span[1]].strip().endswith("puis il est parti")


# --- speakers: one per language ---------------------------------------------------------------


def test_french_inverted_speaker_after_a_glued_closing_quote():
    quote = only("“Nous ne céderons sur rien dans cette négociation”a déclaré Hélène Marchal devant la presse.", "fr")
    assert quote.speaker == "Hélène Marchal"
    assert quote.text == "Nous ne céderons sur rien dans cette négociation"


def test_french_apposition_before_the_quote():
    quote = only("La ministre de la Santé, Claire Dumont, a affirmé que « les hôpitaux sont prêts pour l'hiver ».", "fr")
    assert (quote.speaker, quote.role) == ("Claire Dumont", "ministre de la Santé")


def test_french_quote_then_a_sentence_that_only_says_who_spoke():
    text = "«La situation est grave. Nous devons agir vite.»Le directeur de l'agence, Paul Renaud, a déclaré aux journalistes."
    quote = only(text, "fr")
    assert quote.speaker == "Paul Renaud" and quote.role == "directeur de l'agence"
    assert quote.text == "La situation est grave. Nous devons agir vite."


def test_english_subject_after_the_quote_with_role_and_name():
    quote = only("“We expect the line to reopen on Friday,” the company's spokeswoman Jane Whitfield said.", "en")
    assert (quote.speaker, quote.role) == ("Jane Whitfield", "company's spokeswoman")


def test_english_name_then_role_apposition():
    quote = only("“The budget is balanced for the first time in a decade,” said Tom Baker, the city's finance director.", "en")
    assert quote.speaker == "Tom Baker" and quote.role == "city's finance director"


def test_italian_inverted_speaker_with_role():
    quote = only("«Non ci sono feriti gravi», ha detto il sindaco Marco Ferri ai cronisti.", "it")
    assert (quote.speaker, quote.role) == ("Marco Ferri", "sindaco")


def test_german_inverted_speaker_role_word_in_the_capitalised_run():
    quote = only("„Wir prüfen alle Möglichkeiten“, sagte Innenministerin Petra Lang am Abend.", "de")
    assert quote.speaker == "Petra Lang"


def test_spanish_speaker_and_name_particles():
    quote = only('"El equipo ha jugado con mucha cabeza", afirmó el entrenador José de la Peña tras el partido.', "es")
    assert (quote.speaker, quote.role) == ("José de la Peña", "entrenador")


# --- harder shapes --------------------------------------------------------------------------


def test_attribution_inserted_between_dashes_inside_the_quote():
    text = ("Simon Adler est arrivé mardi. “Nos voisins croient que rien ne changera – a lancé Adler lors "
            "d’une réunion publique – mais nous avons déjà voté la réforme. »")
    quote = only(text, "fr")
    assert quote.speaker == "Simon Adler"  # "Adler" completed from the full name earlier in the article
    assert quote.text == "Nos voisins croient que rien ne changera […] mais nous avons déjà voté la réforme."


def test_surname_completed_only_when_the_article_names_the_person_in_full():
    completed = only("Anna Kovacs a visité l'usine. « Le site restera ouvert jusqu'en mai », a assuré Kovacs.", "fr")
    assert completed.speaker == "Anna Kovacs"
    alone = only("« Le site restera ouvert jusqu'en mai », a assuré Kovacs à la sortie.", "fr")
    assert alone.speaker == "Kovacs"


def test_pronoun_goes_to_the_previous_speaker_when_nobody_else_is_named():
    text = ("« Le pont sera fermé deux mois », a annoncé le maire Louis Garnier. "
            "« Les travaux commenceront lundi à l'aube », a-t-il ajouté.")
    assert [q.speaker for q in extract_quotes(text, "fr")] == ["Louis Garnier", "Louis Garnier"]


def test_pronoun_is_left_alone_when_another_person_is_named_in_between():
    text = ("« Le pont sera fermé deux mois », a annoncé le maire Louis Garnier. "
            "Son adjoint, Hugo Marin, n'était pas d'accord. « Les travaux commenceront lundi à l'aube sans faute », a-t-il ajouté.")
    quotes = extract_quotes(text, "fr")
    assert [q.speaker for q in quotes] == ["Louis Garnier", None]


def test_english_pronoun_resolution():
    text = ("“Prices will fall next year,” said Rita Osei, the bank's chief economist. "
            "“Wages are already catching up,” she said.")
    assert [q.speaker for q in extract_quotes(text, "en")] == ["Rita Osei", "Rita Osei"]


def test_quotes_of_one_sentence_share_the_speaker():
    text = "Le ministre Paul Roy a qualifié le projet de “pari risqué” qui “coûtera cher aux contribuables”."
    assert [q.speaker for q in extract_quotes(text, "fr")] == ["Paul Roy", "Paul Roy"]


def test_scare_quotes_and_titles_without_a_speaker_are_not_quotes():
    text = "Le film « Les Ombres » sort mercredi. Le texte évoque une « erreur »."
    assert extract_quotes(text, "fr") == []


def test_unattributed_long_quote_is_kept_without_a_speaker():
    text = "Les deux pays se sont engagés à « ne jamais prendre part à une alliance dirigée contre l'autre partie »."
    quote = only(text, "fr")
    assert quote.speaker is None


def test_an_organisation_or_a_company_is_not_a_person():
    quote = only("« Nous réparerons la ligne d'ici vendredi », a indiqué la compagnie Ferrovia dans un communiqué.", "fr")
    assert quote.speaker in (None, "Ferrovia")
    assert not extract_quotes("La compañía Nordbahn anunció que revisará todas las vías de la región este verano.", "es")


# --- reported speech ------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, speaker", [
    ("Le maire Louis Garnier a déclaré que le pont serait fermé pendant deux mois.", "fr", "Louis Garnier"),
    ("Finance minister Karl Berg said that the deficit would shrink to two percent next year.", "en", "Karl Berg"),
    ("Il sindaco Marco Ferri ha detto che la scuola riaprirà lunedì prossimo.", "it", "Marco Ferri"),
    ("Bürgermeisterin Petra Lang sagte, dass die Brücke bis Juni gesperrt bleibt.", "de", "Petra Lang"),
    ("El alcalde Luis Ortega aseguró que el agua potable volverá el jueves a todos los barrios.", "es", "Luis Ortega"),
])
def test_reported_speech_with_a_speech_verb(text, lang, speaker):
    quote = only(text, lang)
    assert quote.kind == "reported" and quote.speaker == speaker


def test_reported_speech_needs_a_named_speaker():
    assert extract_quotes("Les autorités ont déclaré que la route resterait fermée toute la semaine.", "fr") == []


# --- the same quote across articles ----------------------------------------------------------


def test_merge_keeps_different_quotes_apart_and_joins_the_same(analyzer):
    first = extract_quotes("« Nous reconstruirons le marché avant l'été », a promis la maire Ingrid Holm.", "fr", "a")
    second = extract_quotes("“We will rebuild the market before the summer,” mayor Ingrid Holm said.", "en", "b")
    third = extract_quotes("“The insurance will not cover everything,” said Lars Dahl, a trader.", "en", "c")
    quotes, divergences = merge_quotes(first + second + third, analyzer.embedder, {"a": 0, "b": 1, "c": 2})
    by_speaker = {q["speaker"]: q for q in quotes}
    assert set(by_speaker) == {"Ingrid Holm", "Lars Dahl"}
    assert by_speaker["Ingrid Holm"]["article_ids"] == ["a", "b"]
    assert by_speaker["Lars Dahl"]["article_ids"] == ["c"]
    assert divergences == []


def test_same_quote_credited_to_two_people_is_a_speaker_divergence(analyzer):
    first = extract_quotes("“The bridge will reopen in June,” said Ana Silva, the transport minister.", "en", "a")
    second = extract_quotes("“The bridge will reopen in June,” said Pedro Costa, the mayor.", "en", "b")
    quotes, divergences = merge_quotes(first + second, analyzer.embedder, {"a": 0, "b": 1})
    assert len(quotes) == 1 and quotes[0]["speaker"] is None
    (divergence,) = divergences
    assert divergence["kind"] == "speaker"
    assert {v["value"]: v["article_ids"] for v in divergence["versions"]} == {"Ana Silva": ["a"], "Pedro Costa": ["b"]}


# --- quotes inside sentences, after pronouns, and across one statement (issue 25) --------------


def test_a_quotation_inside_a_de_que_clause_is_the_subjects():
    text = ("El ministro de Defensa, Carlos Ortega Ruiz, advirtió este lunes a los sindicatos de que sería "
            '"un error histórico" convocar la huelga en pleno verano.')
    said = {q.text: q.speaker for q in extract_quotes(text, "es", names=["Carlos Ortega Ruiz"])}
    assert said.get("un error histórico") == "Carlos Ortega Ruiz"


def test_a_german_pronoun_passes_over_capitalised_nouns_but_not_over_another_person():
    names = ["Jonas Keller", "Österreich"]
    text = ("Der Minister Jonas Keller sagte am Montag, dass die Grenze zu Tschechien für Pendler offen bleibe.\n"
            "Zugleich warnte der Ressortchef Österreich davor, die Kontrollen zu verschärfen. "
            "Das wäre ein „schwerer Rückschlag“, sagte er.")
    said = {q.text: q.speaker for q in extract_quotes(text, "de", names=names)}
    assert said.get("schwerer Rückschlag") == "Jonas Keller"
    names_with_other = names + ["Markus Brenner"]
    other = text.replace("Zugleich warnte", "Markus Brenner widersprach. Zugleich warnte")
    said = {q.text: q.speaker for q in extract_quotes(other, "de", names=names_with_other)}
    assert "schwerer Rückschlag" not in said or said["schwerer Rückschlag"] is None  # someone else came in between


def test_a_group_after_a_plural_determiner_is_not_another_speaker():
    text = ("Le ministre Paul Girard a affirmé mardi à Lyon que le projet serait revu avant l'été.\n"
            "Si les Occidentaux s'y opposaient, il reviendrait à la charge. "
            "Ce serait « une faute politique majeure »a-t-il lancé devant les élus.")
    said = {q.text: q.speaker for q in extract_quotes(text, "fr", names=["Paul Girard", "Lyon", "Occidentaux"])}
    assert said.get("une faute politique majeure") == "Paul Girard"


def test_a_long_way_from_the_verb_and_a_continuing_participle_keep_the_subject():
    text = ("La présidente Claire Dumont a menacé vendredi, depuis Bruxelles, où elle se trouve en réunion, "
            "de « suspendre les paiements » aux régions, tout en assurant que le retard des travaux serait une "
            "« faute très lourde ».")
    said = {q.text: q.speaker for q in extract_quotes(text, "fr", names=["Claire Dumont", "Bruxelles"])}
    assert said == {"suspendre les paiements": "Claire Dumont", "faute très lourde": "Claire Dumont"}


def test_a_long_way_with_another_clause_gives_no_speaker():
    text = ("La présidente Claire Dumont a parlé vendredi à Bruxelles pendant une heure, mais le ministre "
            "a jugé les « mesures très insuffisantes ».")
    said = {q.text: q.speaker for q in extract_quotes(text, "fr", names=["Claire Dumont", "Bruxelles"])}
    assert said.get("mesures très insuffisantes") != "Claire Dumont"


# --- more reported speech (issue 25, second pass) ------------------------------------------


def test_french_reported_clause_after_an_elided_que():
    text = "La maire, Sophie Lenoir, a assuré qu'aucune école ne fermerait avant la fin de l'année scolaire."
    quote = only(text, "fr")
    assert quote.speaker == "Sophie Lenoir" and quote.kind == "reported"
    assert quote.text == "aucune école ne fermerait avant la fin de l'année scolaire"
    # "que" still has to be a word of its own: "quelques" opens no reported clause.
    assert extract_quotes("La maire, Sophie Lenoir, a dit quelques mots aux habitants venus nombreux ce soir.", "fr") == []


def test_german_indirect_speech_after_a_comma_and_the_sentence_that_continues_it():
    names = ["Anna Vogt"]
    text = ("Die Ministerin Anna Vogt sagte am Dienstag in Kiel, es gebe keinen Grund zur Sorge um die Deiche. "
            "Die Lage an der Küste bleibe trotz des Regens ruhig. Am Abend regnete es wieder stark.")
    said = [(q.text, q.speaker, q.kind) for q in extract_quotes(text, "de", names=names)]
    assert said == [
        ("es gebe keinen Grund zur Sorge um die Deiche", "Anna Vogt", "reported"),
        ("Die Lage an der Küste bleibe trotz des Regens ruhig", "Anna Vogt", "reported"),
    ]  # the indicative sentence after it ("regnete") is the writer's own


def test_german_indirect_speech_does_not_reach_past_indicative_or_another_person():
    names = ["Anna Vogt", "Peter Lang"]
    # An indicative clause after the comma is no reported speech of hers.
    text = "Die Ministerin Anna Vogt sagte am Dienstag in Kiel, die Deiche wurden im Sommer erhöht und verstärkt."
    assert extract_quotes(text, "de", names=names) == []
    # The continuation stops at a sentence that names someone else.
    text = ("Die Ministerin Anna Vogt sagte am Dienstag in Kiel, es gebe keinen Grund zur Sorge um die Deiche. "
            "Peter Lang habe die Lage anders eingeschätzt.")
    said = {q.text: q.speaker for q in extract_quotes(text, "de", names=names)}
    assert "Peter Lang habe die Lage anders eingeschätzt" not in said


def test_a_german_federal_office_is_a_body_not_a_person():
    text = "Das Bundesamt für Katastrophenschutz teilte mit, es stehe mit den Ländern in engem Kontakt."
    assert [q.speaker for q in extract_quotes(text, "de", names=["Bundesamt"])] == []


def test_a_definite_leader_role_stands_for_the_last_speaker():
    names = ["Rafael Duarte", "Lisbonne"]
    text = ("Rafael Duarte a affirmé mardi à Lisbonne que le port serait agrandi avant la fin de la décennie.\n"
            "Devant les élus, le président portugais a ajouté que les travaux commenceraient « dès cet automne ».")
    said = {q.text: q.speaker for q in extract_quotes(text, "fr", names=names)}
    assert said.get("dès cet automne") == "Rafael Duarte"


def test_a_spokesman_or_a_role_after_another_person_is_not_the_last_speaker():
    names = ["Rafael Duarte", "Lisbonne", "Inês Moura"]
    first = "Rafael Duarte a affirmé mardi à Lisbonne que le port serait agrandi avant la fin de la décennie.\n"
    staff = first + "Le porte-parole du gouvernement a ajouté que les travaux commenceraient « dès cet automne »."
    said = {q.text: q.speaker for q in extract_quotes(staff, "fr", names=names)}
    assert said.get("dès cet automne") is None
    other = first + ("La députée Inês Moura a voté contre. Le président du parlement a ajouté que les travaux "
                     "commenceraient « dès cet automne ».")
    said = {q.text: q.speaker for q in extract_quotes(other, "fr", names=names)}
    assert said.get("dès cet automne") is None
    # The article gives the role to somebody else: "le président vietnamien" is not the last speaker.
    names = ["Rafael Duarte", "Lisbonne", "Tran Van Minh"]
    given = first + ("Il a rencontré le président vietnamien Tran Van Minh la veille.\n"
                     "Le président vietnamien a ajouté que les travaux commenceraient « dès cet automne ».")
    said = {q.text: q.speaker for q in extract_quotes(given, "fr", names=names)}
    assert said.get("dès cet automne") != "Rafael Duarte"


def test_italian_lo_ha_detto_gives_the_sentence_before_to_its_speaker():
    names = ["Marco Bellini"]
    text = ("Marco Bellini non ritirerà la candidatura alle prossime elezioni regionali. Lo ha detto il sindaco "
            "di Bari durante un incontro pubblico, spiegando che il programma sarà presentato entro marzo.")
    said = {q.text: q.speaker for q in extract_quotes(text, "it", names=names)}
    assert said.get("Marco Bellini non ritirerà la candidatura alle prossime elezioni regionali") == "Marco Bellini"
    assert said.get("il programma sarà presentato entro marzo") == "Marco Bellini"
    # Plural sources ("le autorità") are nobody in particular.
    text = ("Il numero dei feriti è salito a dodici nella notte di sabato. Lo hanno riferito le autorità locali "
            "in una nota.")
    assert [q.speaker for q in extract_quotes(text, "it", names=[])] == []


def test_a_leading_source_phrase_gives_a_person_but_not_a_group():
    names = ["Lucía Ferrer", "Sevilla"]
    text = ("La alcaldesa Lucía Ferrer afirmó el lunes que el barrio tendrá pronto un nuevo parque infantil.\n"
            "Según la alcaldesa, las obras del nuevo puente terminarán antes del verano.")
    said = {q.text: q.speaker for q in extract_quotes(text, "es", names=names)}
    assert said.get("las obras del nuevo puente terminarán antes del verano") == "Lucía Ferrer"
    text = "Según los analistas consultados, las obras del nuevo puente terminarán antes del verano."
    assert extract_quotes(text, "es", names=names) == []


def test_a_place_named_with_a_particle_and_a_dateline_are_nobody_between_a_statement_and_its_speaker():
    # The story's other articles name "Corea del Nord" and the dateline's capitals: neither is a
    # second person that would make "il presidente russo" ambiguous.
    from couverture.coverage.quotes import NameBook

    story = NameBook(["Vladimir Putin", "Corea del Nord", "ROMA", "GIU", "To Lam"])
    text = ("(ANSA) - ROMA, 20 GIU - Vladimir Putin non esclude di fornire armi alla Corea del Nord. "
            "Lo ha detto il presidente russo nel corso di una conferenza stampa ad Hanoi.")
    said = {q.text: q.speaker for q in extract_quotes(text, "it", names=["Vladimir Putin", "Corea del Nord"],
                                                      story_names=story)}
    assert said == {"Vladimir Putin non esclude di fornire armi alla Corea del Nord": "Vladimir Putin"}


def test_an_accented_weekday_or_month_is_never_a_speakers_name():
    # The names come from one list (couverture.calendar_words), folded as speakers' names are:
    # "Mercoledì" and "Février" are a day and a month, as "Lundi" always was.
    from couverture.coverage.quotes.names import _TEMPORAL
    from couverture.analyze.entities import fold_name

    for word in ("Mercoledì", "Février", "Sábado", "März", "Lundi", "Gennaio"):
        assert fold_name(word) in _TEMPORAL, word
    assert fold_name("Mar") not in _TEMPORAL  # an abbreviation is no month here: "Mar" is a first name
